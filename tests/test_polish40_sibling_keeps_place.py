"""‹ › to a sibling with fewer turns after it keeps the answer's card where it was, under the
pointer, though the chat then ends sooner: the view could not scroll past its new end, so the card
slid down and the next click on the arrows missed (user test 15). The room kept under the last
card goes once it is scrolled out of view, and before a new answer. pytest-qt on the real window,
the tiny model, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from test_gui_ux20_fixes import window  # noqa: E402,F401  (the chat window on the tiny model)
from test_usertest15_branches import stored_conversation  # noqa: E402


def settle() -> None:
    for _ in range(6):  # layouts and the zero-delay scrolls after them
        QApplication.processEvents()


def test_a_shorter_sibling_keeps_the_card_under_the_pointer(window, qtbot):
    cid, first, sibling = stored_conversation(window.chat.store, turns=9, fork_at=7)
    window.chat.open_conversation(cid)
    transcript = window.transcript
    bar = transcript.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum())
    settle()

    def card_of(message_id):
        return next(c for c in transcript.cards if c.message_id == message_id)

    def arrows_at(card) -> int:
        return card.next_button.mapTo(transcript.viewport(), card.next_button.rect().topLeft()).y()

    card = card_of(first)
    transcript.ensureWidgetVisible(card, 0, 60)  # from the end up to answer 8: its turns below it
    settle()
    at = arrows_at(card)
    assert 0 <= at < transcript.viewport().height(), "answer 8 of 9: its arrows are on screen"
    qtbot.mouseClick(card.next_button, Qt.MouseButton.LeftButton)  # to the branch without later turns
    settle()
    shown = card_of(sibling)
    assert shown is transcript.cards[-1]
    assert arrows_at(shown) == at, "the card did not slide: its arrows stay under the pointer"
    qtbot.mouseClick(shown.prev_button, Qt.MouseButton.LeftButton)  # back, on the same spot
    settle()
    assert arrows_at(card_of(first)) == at
    bar.setValue(0)  # scrolled up: the room kept under the last card goes
    settle()
    inner = transcript.widget()
    last = transcript.cards[-1]
    assert inner.height() - (last.y() + last.height()) <= 24 + 16, "no blank room left at the end"
