"""A conversation opened at 1024x600 (from the list, or as the app reopens on it) showed its newest question
at the top and the newest answer's buttons (thumbs, fold, ...) below the fold: a person lands where the
conversation ends. The newest answer's end is in view; the view starts at a card's top where the answer fits
(its question too where both fit); an answer taller than the view shows from its top, its thumbs in view
(window74) (pytest-qt, the real window, the tiny model)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from test_gui import make_window  # noqa: E402,F401
from test_left48_opened_conversation import _places, opened_long  # noqa: E402


@pytest.mark.parametrize("last_paragraphs", [2, 9])  # taller than the view with its question; taller alone
def test_a_reopened_conversation_at_1024x600_shows_the_newest_answers_end(make_window, qtbot, last_paragraphs):
    window = opened_long(qtbot, make_window, (1024, 600), last_paragraphs)
    places = _places(window)
    answer_top, view_height = places[-1][1], window.transcript.viewport().height()
    assert not any(top < 0 < bottom for _role, top, bottom in places), "no card is cut at the top"
    if places[-1][2] - answer_top <= view_height:  # the answer fits: its end is in view
        assert answer_top >= 0 and places[-1][2] <= view_height
    else:  # the answer is taller than the view: its top, with its thumbs, shows (window74), once laid out
        spacing = window.transcript.layout_.spacing()
        qtbot.waitUntil(lambda: _places(window)[-1][1] == spacing, timeout=2000)
