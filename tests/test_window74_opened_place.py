"""window74: a person who reopens a conversation lands on whole cards and sees how to rate its newest answer.
A newest answer taller than the view showed its end, its thumbs (in its header) out of sight; it now shows
from its top. At a restart the window grew to its saved size after the opened place was set, and the view kept
~25 px of the card above at its top (1366x768); it now lands on a card's top (pytest-qt, the real window)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.core.paths import AppPaths  # noqa: E402
from desktop_app.core.store import Store  # noqa: E402
from test_gui import WAIT_MS, make_window  # noqa: E402,F401
from test_left48_opened_conversation import _long_conversation, _places, _shown_as_opened, opened_long  # noqa: E402


def _thumbs_in_view(window) -> bool:
    """Both thumbs of the newest answer lie whole inside the transcript's viewport."""
    transcript = window.transcript
    rating = transcript.cards[-1].rating
    for thumb in (rating.up, rating.down):
        top = thumb.mapTo(transcript.viewport(), QPoint(0, 0)).y()
        if not (thumb.isVisible() and 0 <= top and top + thumb.height() <= transcript.viewport().height()):
            return False
    return True


@pytest.mark.parametrize("size", [(1366, 768), (1024, 600)])
def test_a_newest_answer_taller_than_the_view_opens_at_its_top_with_its_thumbs(make_window, qtbot, size):
    window = opened_long(qtbot, make_window, size, last_paragraphs=16)
    places = _places(window)
    height = window.transcript.viewport().height()
    assert places[-1][2] - places[-1][1] > height, "the newest answer is taller than the view"
    spacing = window.transcript.layout_.spacing()  # the gap between two cards: none of the card above shows
    qtbot.waitUntil(lambda: _places(window)[-1][1] == spacing and _thumbs_in_view(window), timeout=2000)


def _left_open(last_paragraphs: int) -> None:
    """A conversation the previous session ended on (the settings' ``last_conversation``)."""
    from desktop_app.gui.main_window import open_settings

    paths = AppPaths.resolve().ensure()
    store = Store.open(paths.db_path)
    conversation = _long_conversation(store, last_paragraphs)
    store.close()
    open_settings(paths).setValue("last_conversation", conversation)


@pytest.mark.parametrize("last_paragraphs", [1, 16])
def test_a_window_that_grows_after_a_restart_lands_on_a_cards_top(make_window, qtbot, last_paragraphs):
    _left_open(last_paragraphs)
    window = make_window(wait=False)  # it opens the conversation as it is made
    window.resize(1024, 600)  # the size it first shows at
    qtbot.waitUntil(lambda: _shown_as_opened(window), timeout=WAIT_MS)
    height = window.transcript.viewport().height()
    window.resize(1366, 768)  # then the size the last session saved
    qtbot.waitUntil(lambda: window.transcript.viewport().height() > height, timeout=WAIT_MS)
    for _ in range(3):  # the cards follow their new width over a few layout passes
        QApplication.processEvents()
    qtbot.waitUntil(lambda: _shown_as_opened(window), timeout=2000)
    assert not [top for _role, top, bottom in _places(window) if top < 0 < bottom], "no card cut at the top"
    assert _thumbs_in_view(window)
