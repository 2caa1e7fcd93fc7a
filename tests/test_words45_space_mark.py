"""The inspector says what "␣" means where a token is first shown (words45: a new user met the glyph
for a space at a token's start and nothing explained it)."""

from desktop_app.core.token_words import MARKS_TIP, token_label
from desktop_app.gui.inspector import InspectorPanel


def test_the_mark_tip_explains_the_glyph_token_label_shows_for_a_leading_space():
    glyph = token_label(" cat")[0]
    assert MARKS_TIP.startswith(f"{glyph} marks a space at the start of a token")


def test_the_inspectors_token_and_alternatives_carry_the_tip(qtbot):
    panel = InspectorPanel()
    qtbot.addWidget(panel)
    assert panel.token_label.toolTip() == MARKS_TIP and panel.alt_title.toolTip() == MARKS_TIP
