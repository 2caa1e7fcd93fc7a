"""The room the summary holds for a continuation does not shrink while held: the Text tab is 2 px wider while
"writing…" shows, where the figures wrap a line shorter at 800x560; measured anew at each width, the held room
shrank and grew back and the Regenerate row moved 14 px each way (test_polish40_text_row_stays failed on a busy
CPU: [381, 395, 367]). pytest-qt on the real window, tiny GPT-2, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.core.text_notes import FIGURES_BEFORE_CONTINUATION  # noqa: E402
from gui_windows import WAIT_MS, not_busy  # noqa: E402
from test_gui_loom import settle, window  # noqa: E402,F401


def row_top(window) -> int:
    QApplication.processEvents()
    return window.text_view.regenerate_button.mapTo(window, QPoint(0, 0)).y()


def resized_and_timers_run(qtbot, window, panel, width: int, changed) -> None:
    """The window ``width`` wide, its summary laid out at that width (``changed``), and the zero timers its
    resize queued run (one queued after them has)."""
    window.resize(width, window.height())
    qtbot.waitUntil(lambda: changed(panel.figures.width()), timeout=WAIT_MS)
    ran = []
    QTimer.singleShot(0, lambda: ran.append(True))
    qtbot.waitUntil(lambda: bool(ran), timeout=WAIT_MS)


def test_a_width_change_while_a_continuation_is_held_keeps_the_row(window, qtbot):
    window.resize(800, 560)
    settle(window)
    view, panel = window.text_view, window.text_view.summary_panel
    with qtbot.waitSignal(window.text.continued, timeout=WAIT_MS):
        view.continue_button.click()
    qtbot.waitUntil(lambda: "With the model's continuation" in panel.figures.text() and not_busy(window),
                    timeout=WAIT_MS)
    settle(window)
    at_rest, width, held = row_top(window), panel.figures.width(), panel.figures.height()
    # as Regenerate's start does (text_continuation._stream_started): the "before" words, then the held room
    panel.set_before(FIGURES_BEFORE_CONTINUATION)
    panel.hold_room()
    assert panel.figures.minimumHeight() == held
    # the figures a few px wider (a line shorter there) and back, as the tab's width moves while a continuation streams
    resized_and_timers_run(qtbot, window, panel, 804, lambda w: w != width)
    assert panel.figures.minimumHeight() == held, "the held room shrank at another width"
    resized_and_timers_run(qtbot, window, panel, 800, lambda w: w == width)
    assert panel.figures.minimumHeight() == held, "the held room shrank at another width"
    qtbot.waitUntil(lambda: row_top(window) == at_rest, timeout=WAIT_MS)
