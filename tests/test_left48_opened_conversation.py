"""Leftover of the user tests: a conversation opened from the list (or imported) showed scrolled to its end,
so the top card was cut mid-way. An opened conversation now starts at a card's top, with the whole cards
before the newest answer that also fit; an answer taller than the view shows from its top, its thumbs in view
(window74) (pytest-qt, the real window)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication  # noqa: E402

from test_gui import WAIT_MS, make_window  # noqa: E402,F401

PARAGRAPH = ("The lighthouse keeper climbed the stairs every evening to light the lamp, counting each step "
             "as his father had done before him. ")


def _long_conversation(store, last_paragraphs: int) -> int:
    conversation = store.create_conversation("A long talk about lighthouses")
    parent = None
    for turn in range(4):
        parent = store.add_message(conversation, "user", f"Question {turn + 1} about the lighthouse?", parent_id=parent)
        paragraphs = last_paragraphs if turn == 3 else 3 + 2 * turn
        parent = store.add_message(conversation, "assistant", f"Answer {turn + 1}. " + PARAGRAPH * paragraphs,
                                   parent_id=parent)
    return conversation


def _places(window):
    """Each card's (role, top, bottom) in the transcript's viewport, in pixels."""
    transcript = window.transcript
    tops = [card.mapTo(transcript.viewport(), card.rect().topLeft()).y() for card in transcript.cards]
    return [(card.role, top, top + card.height()) for card, top in zip(transcript.cards, tops)]


def _shown_as_opened(window) -> bool:
    """No card cut at the view's top, and the newest answer's end in view (leftovers70: its footer), or its
    top where it is taller than the view (window74: its thumbs)."""
    places = _places(window)
    height = window.transcript.viewport().height()
    if not any(p[0] == "user" for p in places):  # not shown yet (an import runs on the store lane)
        return False
    _role, answer_top, answer_bottom = places[-1]
    in_view = 0 < answer_bottom <= height if answer_bottom - answer_top <= height else 0 <= answer_top < height
    cut = [top for _role, top, bottom in places if top < 0 < bottom]
    laid_out = window.transcript.verticalScrollBar().maximum() > 0  # eight cards of text: longer than the view
    return len(places) == 8 and laid_out and in_view and not cut


def opened_long(qtbot, make_window, size=(1280, 800), last_paragraphs=9, shown=None):
    """A window of ``size`` with an eight-card conversation opened from the list, as a click on its row does,
    once ``shown(window)`` (default: shown as an opened conversation is)."""
    window = make_window(wait=False)
    window.resize(*size)
    conversation = _long_conversation(window.chat.store, last_paragraphs)
    window.refresh_conversations()
    window.conversations.selected.emit(conversation)  # as a click on its row
    qtbot.waitUntil(lambda: (shown or _shown_as_opened)(window), timeout=WAIT_MS)
    return window


@pytest.mark.parametrize("last_paragraphs", [9, 1])  # the newest answer taller than the view, and short
def test_a_conversation_opened_from_the_list_starts_at_a_cards_top(make_window, qtbot, last_paragraphs):
    window = opened_long(qtbot, make_window, last_paragraphs=last_paragraphs)
    places = _places(window)
    if last_paragraphs == 1:  # it all fits below the question: nothing of it is off the view
        assert places[-1][2] <= window.transcript.viewport().height()
    assert window.transcript.verticalScrollBar().value() > 0, "a long conversation opens at its newest answer"


def test_an_imported_conversation_is_shown_as_one_opened(make_window, qtbot, tmp_path):
    from desktop_app.gui import conversation_actions

    window = make_window(wait=False)
    window.resize(1280, 800)
    store = window.chat.store
    conversation = _long_conversation(store, 9)
    path = tmp_path / "talk.json"
    with qtbot.waitSignal(window.conversation_files.saved, timeout=WAIT_MS):  # exports run on the store lane
        conversation_actions.export_conversation(window, conversation, "json", str(path))
    store.delete_conversation(conversation)
    window.refresh_conversations()
    assert conversation_actions.import_conversation(window, str(path)) is not None
    qtbot.waitUntil(lambda: _shown_as_opened(window), timeout=WAIT_MS)


def test_once_moved_elsewhere_the_opened_place_is_not_taken_back(make_window, qtbot):
    """A card the keyboard reached (a scroll by value, not by the bar) keeps its place when the cards lay out
    again: the opened place is not found again after that."""
    window = opened_long(qtbot, make_window)
    bar = window.transcript.verticalScrollBar()
    bar.setValue(0)  # as ensureWidgetVisible does for the first card
    window.resize(1280, 700)  # the range changes
    qtbot.waitUntil(lambda: window.transcript.viewport().height() < 500, timeout=WAIT_MS)
    QApplication.processEvents()
    assert bar.value() == 0
