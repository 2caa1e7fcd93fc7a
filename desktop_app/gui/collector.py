"""Garbage cycles are collected on the GUI thread only, once the window has threads of its own.

A collection frees a cycle's objects on the thread that runs it, and a widget in a cycle (a
closed dialog whose slots point back at it) is destroyed there: PySide6 runs QWidget's destructor
on a lane's thread, its timers stay registered with the GUI's event loop and fire into freed
memory (a worker died with a segmentation fault in CI), and a visible one waits for the GUI
thread in ``QWindow::close`` for ever. The automatic collector runs on whichever thread
allocates, and the lanes allocate all the time (an answer, a fine-tune), so the first lane
turns it off before its thread starts (``collect_on_gui_thread``): a timer here collects what
is due (``core.memory.collect_due``), and a sweep a lane asks for (a replaced model freed on
the model lane) is handed here to run (``core.memory.sweep_heap``).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, QTimer, Signal
from shiboken6 import isValid

from desktop_app.core import memory

# CPython's own first threshold is 700 new objects, reached many times a second while an answer
# streams; two checks a second keep cycles from piling up, and each collects only what is due
CHECK_MS = 500

_collector: _Collector | None = None


class _Collector(QObject):
    """Lives on the GUI thread: collects on a timer and runs the sweeps handed to it."""

    handed = Signal(object)  # a function to run on the GUI thread, emitted from any thread

    def __init__(self, parent: QObject):
        super().__init__(parent)
        self.handed.connect(self._run, Qt.ConnectionType.QueuedConnection)
        self.timer = QTimer(self)
        self.timer.timeout.connect(memory.collect_due)
        self.timer.start(CHECK_MS)

    def _run(self, work) -> None:
        work()


def collect_on_gui_thread() -> bool:
    """Called on the GUI thread before a thread of the window starts (``tasks.Lane``): from now
    on only this thread collects cycles. Once per application; True where collection is (now)
    on the GUI thread."""
    global _collector
    app = QCoreApplication.instance()
    if app is None or QThread.currentThread() is not app.thread():
        return False  # no event loop to collect from: the automatic collector stays
    if _collector is None or not isValid(_collector):
        _collector = _Collector(app)
        memory.collect_only_on_this_thread(_hand_over)
    return True


def _hand_over(work) -> None:
    """``work`` runs on the GUI thread soon (any thread may call this). Once the application is
    gone there is nothing left to sweep for: it is dropped."""
    collector = _collector
    if collector is not None and isValid(collector):
        collector.handed.emit(work)
