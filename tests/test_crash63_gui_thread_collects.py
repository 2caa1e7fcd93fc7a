"""Garbage cycles are collected on the GUI thread once a lane runs (gui/collector.py): a CI
worker died with a segmentation fault, and a widget freed by a collection on a lane's thread
leaves its timers registered with the GUI's event loop, which then fire into freed memory."""

from __future__ import annotations

import gc
import threading
import weakref

from PySide6.QtWidgets import QWidget

from desktop_app.core import memory
from desktop_app.gui.tasks import Lane, Task


def _widget_in_a_cycle(freed_on: list[str]) -> weakref.ref:
    """A widget only a reference cycle keeps (a closed dialog whose slot points back at it);
    the returned reference (held by the test: one in the cycle would go with it, unheard) notes
    on which thread it is freed."""
    widget = QWidget()
    widget.me = widget
    return weakref.ref(widget, lambda _ref: freed_on.append(threading.current_thread().name))


def test_a_lane_turns_the_automatic_collector_off_and_the_gui_thread_collects_what_is_due(qtbot):
    lane = Lane("test")
    try:
        assert not gc.isenabled() and memory.collects_elsewhere()
        freed_on: list[str] = []
        note = _widget_in_a_cycle(freed_on)  # noqa: F841 - kept: it hears the end
        # a lane's work allocates far past the collector's threshold, as an answer does
        kept: list = []
        work = lambda _r, _c: [[] for _ in range(50 * gc.get_threshold()[0])]  # noqa: E731
        task = lane.submit(Task(work, "allocate", on_success=kept.append))
        # collected by the GUI thread's timer (what it allocated keeps a collection due), not by the lane
        qtbot.waitUntil(lambda: task.handled.is_set() and bool(freed_on), timeout=5000)
        assert freed_on == [threading.main_thread().name]
    finally:
        lane.shutdown()


def test_a_sweep_asked_for_on_a_lane_runs_on_the_gui_thread(qtbot):
    lane = Lane("test")
    freed_on: list[str] = []
    note = _widget_in_a_cycle(freed_on)  # noqa: F841 - kept: it hears the end
    try:
        task = lane.submit(Task(lambda _r, _c: memory.sweep_heap(including_settled=True), "free the old model"))
        qtbot.waitUntil(lambda: task.handled.is_set() and bool(freed_on), timeout=5000)
        assert freed_on == [threading.main_thread().name]
    finally:
        lane.shutdown()
