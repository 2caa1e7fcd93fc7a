"""usertest15: where a switch of an answer's branch (‹ ›) leaves the chat (pytest-qt,
offscreen, the tiny model, a real store)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from test_gui_ux20_fixes import window  # noqa: E402,F401  (the chat window on the tiny model)
from test_usertest15_branches import stored_conversation  # noqa: E402


def test_switching_an_answers_branch_keeps_that_answer_where_it_was(window, qtbot):
    """User test 15: ‹ on answer 2 of 9 jumped the chat to its last answer, taking the
    arrows just clicked off the screen."""
    cid, first, sibling = stored_conversation(window.chat.store, turns=9, fork_at=1)
    window.chat.open_conversation(cid)
    transcript = window.transcript
    bar = transcript.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum())

    def card_of(message_id):
        return next(c for c in transcript.cards if c.message_id == message_id)

    def top_of(card) -> int:
        return card.mapTo(transcript.viewport(), card.rect().topLeft()).y()

    def settle() -> None:
        for _ in range(5):  # the scroll to the end was a zero-delay timer after the layout
            QApplication.processEvents()

    card = card_of(first)
    transcript.ensureWidgetVisible(card, 0, 40)
    settle()
    assert bar.value() < bar.maximum(), "answer 2 of 10 sits above the chat's end"
    qtbot.mouseClick(card.next_button, Qt.MouseButton.LeftButton)  # to the branch without later turns
    settle()
    shown = card_of(sibling)
    top = top_of(shown)
    assert 0 <= top and top + shown.height() <= transcript.viewport().height(), "the whole card stays in view"
    qtbot.mouseClick(shown.prev_button, Qt.MouseButton.LeftButton)  # back: eight more turns below it
    settle()
    assert top_of(card_of(first)) == top, "the answer keeps its place; its arrows stay under the mouse"
    assert bar.value() < bar.maximum()
