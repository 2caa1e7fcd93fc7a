"""leftovers85: Enter on the conversations' search (Ctrl+F) showed nothing new when the match was in the conversation
already open: now the words are scrolled to, ringed for a moment and given the keyboard, there and in a conversation
the search opens; Enter again goes on to the next card that holds them (pytest-qt, the real window on the tiny fixture
model, the real store)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint, Qt  # noqa: E402

from desktop_app.core.paths import AppPaths  # noqa: E402
from desktop_app.core.store import Store  # noqa: E402
from test_gui import make_window  # noqa: E402,F401

CTRL = Qt.KeyboardModifier.ControlModifier
FILLER = ("A question about the weather, the trains and the price of bread, long enough to wrap over a few lines "
          "of the chat so that twelve of them make a conversation taller than the window. ")


def _long_conversation(title: str, found_at: tuple[int, ...], word: str = "lighthouse") -> int:
    """Twelve questions, one after another; those at ``found_at`` name ``word``. Returns the conversation's id."""
    store = Store.open(AppPaths.resolve().ensure().db_path)
    cid, parent = store.create_conversation(title), None
    for i in range(12):
        text = FILLER * 2 + (f"Who keeps the {word} number {i}?" if i in found_at else f"Question {i}.")
        parent = store.add_message(cid, "user", text, parent_id=parent)
    store.close()
    return cid


def _active(window, qtbot) -> None:
    from PySide6.QtWidgets import QApplication

    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def _in_view(transcript, card) -> bool:
    top = card.mapTo(transcript.viewport(), QPoint(0, 0)).y()
    return top >= 0 and top + card.height() <= transcript.viewport().height()


def _card_with(window, words: str, nth: int = 0):
    return [c for c in window.transcript.cards if words in c.view.toPlainText()][nth]


def _search_and_enter(qtbot, window, words: str, matches: int) -> None:
    panel = window.conversations
    qtbot.keyClick(window.prompt, Qt.Key.Key_F, CTRL)
    assert panel.search.hasFocus()
    panel.search.clear()
    qtbot.keyClicks(panel.search, words)
    qtbot.waitUntil(lambda: panel.list.count() == matches)  # the search's pause, then its matches
    qtbot.keyClick(panel.search, Qt.Key.Key_Return)


def test_enter_on_a_match_in_the_open_conversation_shows_the_words(make_window, qtbot):
    cid = _long_conversation("Coasts", found_at=(1,))
    _long_conversation("Other", found_at=())
    window = make_window()
    _active(window, qtbot)
    window.open_conversation(cid)
    transcript = window.transcript
    qtbot.waitUntil(lambda: len(transcript.cards) == 12 and transcript.verticalScrollBar().value() > 0)
    card = _card_with(window, "lighthouse")
    assert not _in_view(transcript, card), "opened at its end: the question that names the words is above the view"
    _search_and_enter(qtbot, window, "LIGHTHOUSE", matches=1)  # any case, as the list's search matches
    qtbot.waitUntil(lambda: card.view.flashed is not None)
    assert window.chat.conversation_id == cid, "the conversation open stays open"
    assert _in_view(transcript, card), "scrolled to the question that holds the words"
    start, end, _colour = card.view.flashed
    assert card.view.toPlainText()[start:end].lower() == "lighthouse", "the ring is round the words themselves"
    assert window.focusWidget() is card.view, "and the keyboard is there, not in the prompt"


def test_enter_again_goes_on_to_the_next_card_with_the_words(make_window, qtbot):
    cid = _long_conversation("Coasts", found_at=(2, 9))
    window = make_window()
    _active(window, qtbot)
    window.open_conversation(cid)
    qtbot.waitUntil(lambda: len(window.transcript.cards) == 12)
    first, second = _card_with(window, "lighthouse"), _card_with(window, "lighthouse", 1)
    _search_and_enter(qtbot, window, "lighthouse", matches=1)
    qtbot.waitUntil(lambda: first.view.flashed is not None)
    window.conversations.search.setFocus()
    qtbot.keyClick(window.conversations.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: second.view.flashed is not None)
    assert _in_view(window.transcript, second) and window.focusWidget() is second.view


def test_enter_on_another_conversation_opens_it_at_the_words(make_window, qtbot):
    found = _long_conversation("Coasts", found_at=(0,), word="harbour")
    shown = _long_conversation("Other", found_at=())
    window = make_window()
    _active(window, qtbot)
    window.open_conversation(shown)
    qtbot.waitUntil(lambda: len(window.transcript.cards) == 12)
    _search_and_enter(qtbot, window, "harbour", matches=1)
    qtbot.waitUntil(lambda: window.chat.conversation_id == found)
    card = _card_with(window, "harbour")
    qtbot.waitUntil(lambda: card.view.flashed is not None)
    assert _in_view(window.transcript, card), "opened at the first question, which names the words, not at its end"
    assert window.focusWidget() is card.view


def test_enter_on_a_title_match_goes_on_to_the_prompt(make_window, qtbot):
    """No card holds the words (the title matched): the prompt has the keyboard, as before."""
    _long_conversation("Harbour trips", found_at=())
    window = make_window()
    _active(window, qtbot)
    _search_and_enter(qtbot, window, "Harbour", matches=1)
    qtbot.waitUntil(lambda: window.prompt.hasFocus())
    assert not any(c.view.flashed for c in window.transcript.cards)
