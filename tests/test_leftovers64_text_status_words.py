"""leftovers64: under a narrow Text bar (~800 px) the status words ("colouring… 34%") had a row of their
own over the text, which came and went with them: the text and the rows under it moved a line down and
back while the colouring ran. They now sit in the Chat | Text tab bar's free room, beside the tabs, so
nothing under the bar moves and the text keeps every line. pytest-qt on the real window, tiny GPT-2."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gui_windows import WAIT_MS  # noqa: E402
from test_gui_loom import settle, window  # noqa: E402,F401


def _top(widget, window) -> int:
    return widget.mapTo(window, QPoint(0, 0)).y()


def _rows(window) -> tuple[int, int, int]:
    view = window.text_view
    text = view.pages.currentWidget()  # the coloured text or the editor, whichever shows
    return _top(text, window), text.height(), _top(view.branch_panel, window)


def _settled(window) -> tuple[int, int, int]:
    """The rows once the window's parts stop moving (a resize settles over a few rounds of events)."""
    rows, last = _rows(window), None
    for _ in range(20):
        if rows == last:
            break
        QApplication.processEvents()
        rows, last = _rows(window), rows
    return rows


@pytest.mark.parametrize("size", [(800, 560), (640, 480)])
def test_the_status_words_come_and_go_without_moving_the_rows_under_the_bar(window, qtbot, size):
    window.resize(*size)
    qtbot.waitUntil(lambda: window.size().toTuple() == size, timeout=WAIT_MS)
    settle(window)
    view = window.text_view
    qtbot.waitUntil(lambda: view.bar.ladder.step >= 1, timeout=WAIT_MS)  # the narrow bar: the words not in it
    view.status.setText("")
    settle(window)
    at_rest = _settled(window)
    view.status.setText("colouring\u2026 34%")
    assert view.status.isVisible(), "the words show"
    assert _settled(window) == at_rest, "the text and the rows under it stay where they were"
    assert window.size().toTuple() == size, "the window keeps its size"
    tabs = window.mode_tabs.tabBar()
    words = view.status.mapTo(window, QPoint(0, 0))
    assert words.x() >= tabs.mapTo(window, QPoint(tabs.tabRect(1).right(), 0)).x(), "beside the tabs, not over them"
    view.status.setText("")
    settle(window)
    assert _settled(window) == at_rest
