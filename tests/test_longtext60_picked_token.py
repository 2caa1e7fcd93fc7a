"""longtext60: a continuation started from a chosen alternative ("Continue with this alternative") begins
with the person's pick, not a token the sampler drew: the inspector's hint and sampler note and "Why this
token?" say so, and its next token is still the sampler's (pytest-qt, offscreen, the tiny model, a real store)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.core import text_branches as tb  # noqa: E402
from desktop_app.core.sampler_cut import PICKED_NOTE, picked_alternative  # noqa: E402
from desktop_app.gui.explain_words import PICKED_WORDS  # noqa: E402
from desktop_app.gui.text_mode import PICKED_TOKEN_HINT  # noqa: E402
from test_gui_text import TEXT, WAIT_MS, analysed, text_window  # noqa: E402,F401
from test_gui_text_explain import click_heatmap, explained  # noqa: E402


def continued_from_an_alternative(qtbot, window, index: int = 3):
    """Token ``index`` clicked, its second alternative picked, "Continue with this alternative" clicked;
    waits for the analysis of the new text. Returns the heatmap index of the continuation's first token."""
    view, mode, inspector = window.text_view, window.text_mode, window.inspector
    mode.show_token(index, view.heatmap.records[index])
    inspector.pick(1)
    with qtbot.waitSignal(window.text.continued, timeout=WAIT_MS):
        inspector.branch_button.click()
    first = lambda: min(view.heatmap.model_written, default=None)  # noqa: E731
    qtbot.waitUntil(lambda: first() is not None and mode.explainer.scored_shown(first()) is not None
                    and not window.text.lane.find("analyse"), timeout=WAIT_MS)
    return first()


def test_the_picked_first_token_is_said_to_be_the_persons_choice(text_window, qtbot):
    window = text_window(max_new_tokens=6)
    analysed(qtbot, window, TEXT)
    first = continued_from_an_alternative(qtbot, window)
    (branch,) = tb.branches(window.text.store, window.text.document_id)
    assert branch["sampling"]["branched_at"] == 0
    assert picked_alternative(branch, 0) and not picked_alternative(branch, 1)
    inspector, view = window.inspector, window.inspector.explain
    click_heatmap(qtbot, window, first)
    assert window.text_mode.rated_token(first) == (branch["id"], 0)
    assert inspector.hint.text() == PICKED_TOKEN_HINT  # not "The model wrote this token"
    assert inspector.sampler_note.text() == PICKED_NOTE and inspector.sampler_note.isVisibleTo(inspector)
    result = explained(qtbot, view)
    assert result.context.forced and result.context.picked_alternative
    assert PICKED_WORDS.split(";")[0] in view.sampler.text() and "drawn at" not in view.sampler.text()
    # the token after it: the sampler's
    click_heatmap(qtbot, window, first + 1)
    QApplication.processEvents()
    assert inspector.hint.text().startswith("The model wrote this token")
    result = explained(qtbot, view)
    assert not result.context.forced and not result.context.picked_alternative
    assert "You picked" not in view.sampler.text()
