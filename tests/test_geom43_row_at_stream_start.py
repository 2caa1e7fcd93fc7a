"""The room a continuation holds (the status words' row, the summary's figures with the continuation's
line) is laid out when the continuation starts, not a few passes of the event loop later: on a busy CPU
the first tokens came in between and test_polish40_text_row_stays saw the Regenerate row move
([394, 369], [369, 373, 369]). Measured with no event processed after the start, so no load is needed
to see it. pytest-qt on the real window, tiny GPT-2, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint  # noqa: E402

from gui_windows import WAIT_MS  # noqa: E402
from test_gui_loom import settle, window  # noqa: E402,F401


def row_top_now(window) -> int:
    """Where the Regenerate row is, without processing any event first."""
    return window.text_view.regenerate_button.mapTo(window, QPoint(0, 0)).y()


@pytest.mark.parametrize("size", [(800, 480), (800, 560), (1024, 640)])
def test_the_row_is_in_its_final_place_as_the_continuation_starts(window, qtbot, size):
    window.resize(*size)
    settle(window)
    view = window.text_view
    at_start = []
    # connected after the Text tab's own handler: it runs once the tab has taken the held room
    window.text.stream_started.connect(lambda _plan: at_start.append(row_top_now(window)))
    with qtbot.waitSignal(window.text.continued, timeout=WAIT_MS):
        view.continue_button.click()
    qtbot.waitUntil(lambda: "With the model's continuation" in view.summary_panel.figures.text(), timeout=WAIT_MS)
    for _ in range(4):
        settle(window)
    assert at_start == [row_top_now(window)], f"the row was at {at_start} at the start, {row_top_now(window)} at the end"
