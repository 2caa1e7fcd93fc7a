"""A fine-tune's progress, scrolled into view as the run starts (usertest26), stays in view while the panel's
layout moves it (a longer line over it), until the person scrolls the panel themselves: scrolled once from a
timer that could run before the layout, CI once saw it left out of view for 20 s. pytest-qt, offscreen, the
tiny model, a real run that is cancelled."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QAbstractSlider, QApplication  # noqa: E402

from test_gui import WAIT_MS, make_window  # noqa: E402,F401
from test_usertest26_progress_in_view import _in_view, started_run  # noqa: E402

LONG_LINE = "A line that wraps in the narrow panel and pushes what is under it down. " * 40


def _started_run(make_window, qtbot):
    window, panel = started_run(make_window, qtbot)
    qtbot.waitUntil(lambda: _in_view(panel, panel.progress_box))
    return window, panel


def _cancel(window, qtbot) -> None:
    with qtbot.waitSignal(window.finetune.finished, timeout=WAIT_MS):
        window.finetune.cancel()


def test_the_progress_stays_in_view_as_the_panel_moves_it(make_window, qtbot):
    window, panel = _started_run(make_window, qtbot)
    view_bottom = panel.verticalScrollBar().value() + panel.viewport().height()
    panel.intro.setText(LONG_LINE)  # the lines over the progress grow: the box moves down, out of the old view
    qtbot.waitUntil(lambda: panel.progress_box.y() > view_bottom)
    qtbot.waitUntil(lambda: _in_view(panel, panel.progress_box))
    assert panel.verticalScrollBar().value() > 0
    _cancel(window, qtbot)
    assert not panel.following_progress, "a hidden progress is not followed"


def test_the_persons_own_scroll_ends_the_following(make_window, qtbot):
    window, panel = _started_run(make_window, qtbot)
    panel.verticalScrollBar().triggerAction(QAbstractSlider.SliderAction.SliderToMinimum)  # as the wheel or keys do
    assert not panel.following_progress
    panel.intro.setText(LONG_LINE)
    qtbot.waitUntil(lambda: panel.progress_box.y() > panel.viewport().height())  # out of the view at the top
    for _ in range(6):
        QApplication.processEvents()
    assert panel.verticalScrollBar().value() == 0, "left where the person scrolled"
    _cancel(window, qtbot)
