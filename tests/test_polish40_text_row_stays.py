"""The row under the branches (thumbs, Regenerate, Better…) stays where it is while a continuation
streams and ends: the summary's figures gain a line once the continuation is analysed ("With the
model's continuation …"), which had moved the row up under a click aimed at it (user test 15).
pytest-qt on the real window, tiny GPT-2, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gui_windows import WAIT_MS, continued_and_analysed, not_busy  # noqa: E402
from test_gui_loom import TEXT, settle, window  # noqa: E402,F401


def row_top(window) -> int:
    QApplication.processEvents()
    return window.text_view.regenerate_button.mapTo(window, QPoint(0, 0)).y()


@pytest.mark.parametrize("size", [(1280, 800), (800, 560)])
def test_the_regenerate_row_keeps_its_place_from_the_first_token_to_the_end(window, qtbot, size):
    window.resize(*size)
    settle(window)
    view = window.text_view
    assert "With the model's continuation" not in view.summary_panel.figures.text()
    tops = []
    window.text.tokens.connect(lambda _records: tops.append(row_top(window)))
    # at rest: under a narrow bar the status words ("colouring…") take a row of their own while they show
    continued_and_analysed(qtbot, window)
    settle(window)
    tops.append(row_top(window))
    assert len(set(tops)) == 1, f"the row moved: {tops}"
    # the next continuation (Regenerate) holds its place too, from where the row is now
    tops.clear()
    tops.append(row_top(window))  # where the click lands
    with qtbot.waitSignal(window.text.continued, timeout=WAIT_MS):
        view.regenerate_button.click()
    qtbot.waitUntil(lambda: not_busy(window), timeout=WAIT_MS)
    settle(window)
    tops.append(row_top(window))
    assert len(set(tops)) == 1, f"the row moved: {tops}"
