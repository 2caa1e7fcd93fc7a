"""A writer's walk (usertest70): the chat card's 👍/👎 moved while the answer streamed (the view followed the
answer's end, taking its header up line by line), and a click missed them. With the pointer on the newest card's header
tools the view holds still; it follows the end again once the pointer leaves (pytest-qt, the real window, the
tiny model)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint  # noqa: E402
from PySide6.QtGui import QCursor  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gui_windows import active, send_in_chat  # noqa: E402
from test_gui import WAIT_MS, make_window  # noqa: E402,F401


def _answered(qtbot, window, question: str) -> None:
    send_in_chat(qtbot, window, question)
    qtbot.waitUntil(lambda: not window.chat.generating and len(window.transcript.cards) % 2 == 0, timeout=WAIT_MS)


def test_the_thumbs_under_the_pointer_stay_still_as_their_answer_grows(make_window, qtbot):
    """The answer's words appended as a stream appends them (the tiny model writes its answer in a blink: the
    growth is repeated here, in the card's own view, with the view following the end as while it streams)."""
    window = active(qtbot, make_window(max_new_tokens=200))
    window.resize(1024, 640)
    _answered(qtbot, window, "Tell me a long story about the sea and a lighthouse keeper")
    _answered(qtbot, window, "And then what happened to the keeper?")
    transcript, bar = window.transcript, window.transcript.verticalScrollBar()
    card = transcript.cards[-1]
    thumb = card.rating.up
    transcript.scroll_to_bottom()  # following the end, as while an answer streams
    qtbot.waitUntil(lambda: bar.value() == bar.maximum() and transcript._follow, timeout=WAIT_MS)
    viewport = transcript.viewport()
    assert viewport.rect().contains(thumb.mapTo(viewport, thumb.rect().center())), "the answer's 👍 is in view"
    for other in QApplication.topLevelWidgets():  # a window an earlier test left shown would be under the pointer
        if other is not window and other.isVisible():
            other.hide()
    QCursor.setPos(thumb.mapToGlobal(thumb.rect().center()))  # the writer's pointer rests on it
    QTest.mouseMove(thumb)
    qtbot.waitUntil(lambda: QApplication.widgetAt(QCursor.pos()) is thumb, timeout=WAIT_MS)
    place, value = thumb.mapTo(window, QPoint(0, 0)), bar.value()
    records = list(card.records)
    for _ in range(3):  # the answer grows by lines, as a stream's batches grow it
        card.view.append_records(records[:20])
        qtbot.waitUntil(lambda: bar.maximum() > value, timeout=WAIT_MS)
        QApplication.processEvents()
        # not to the end; a card above may settle as the cards lay out (CI once saw 474 -> 499), the view keeping
        # the 👍 where it was: the place under the pointer is what must hold
        assert bar.value() < bar.maximum(), "the view held still: it did not follow the answer's end"
        assert abs(thumb.mapTo(window, QPoint(0, 0)).y() - place.y()) < thumb.height() // 4, "the 👍 stayed put"
    QCursor.setPos(window.prompt.mapToGlobal(window.prompt.rect().center()))  # the pointer leaves it
    QTest.mouseMove(window.prompt)
    card.view.append_records(records[:20])
    qtbot.waitUntil(lambda: bar.value() == bar.maximum(), timeout=WAIT_MS)  # the view follows the end again
