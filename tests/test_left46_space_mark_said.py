"""The "␣" mark says what it is where it shows (usertest 21: it puzzled a new user, and the one
explanation was a tooltip nobody hovered): a short line under the inspector's token, and the foot
of a token's hover tooltip; nothing where no mark shows."""

from __future__ import annotations

import math

import pytest

pytest.importorskip("PySide6")


def _record(text, alternatives):
    from desktop_app.core.records import Alternative, TokenRecord

    top = tuple(Alternative(i, t, p) for i, (t, p) in enumerate(alternatives))
    return TokenRecord(id=0, text=text, logprob=math.log(alternatives[0][1]), rank=1, entropy=0.5, top=top)


SPACED = _record(" capital", [(" capital", 0.9), ("\n", 0.05)])
BARE = _record("Paris", [("Paris", 0.9), ("London", 0.05)])


def test_the_inspector_says_what_the_marks_of_its_token_and_alternatives_are(qtbot):
    from desktop_app.gui.inspector import InspectorPanel

    panel = InspectorPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.show_token(1, 0, SPACED, can_branch=True)
    assert panel.token_label.text() == "\u2423capital"
    assert panel.marks_note.isVisible() and panel.marks_note.text() == "\u2423 = a space \u00b7 \u21b5 = a new line"
    panel.show_token(1, 1, BARE, can_branch=True)
    assert not panel.marks_note.isVisible()  # no mark shown: nothing to explain
    panel.clear()
    assert not panel.marks_note.isVisible()


def test_a_tokens_tooltip_ends_with_the_marks_it_shows():
    from desktop_app.core.token_words import tooltip_html

    assert tooltip_html(SPACED).endswith("\u2423 = a space \u00b7 \u21b5 = a new line</div>")
    assert "= a space" not in tooltip_html(BARE)
