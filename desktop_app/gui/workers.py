"""Background work for the window: every slow step runs on a pool thread.

A ``Task`` owns a QObject of signals that lives in the GUI thread; the function runs
on a QThreadPool thread and reports through those signals (queued into the GUI thread).
Cancellation is a ``threading.Event`` the function checks between tokens/steps.
"""

from __future__ import annotations

import logging
import os
import threading
import traceback
from typing import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal

from desktop_app.core.errors import UserFacingError

log = logging.getLogger(__name__)


def describe_error(exc: BaseException) -> str:
    """Words for a person: a UserFacingError is already a sentence; others get one line."""
    if isinstance(exc, UserFacingError):
        return str(exc)
    return f"Something went wrong: {type(exc).__name__}: {exc}. Details are in the log file."


BACKGROUND_NICE = 5


def lower_thread_priority() -> None:
    """Background work yields the CPU to the GUI thread (Linux: nice applies per thread;
    torch's worker threads created from here inherit it). Pool threads only ever run tasks."""
    if not hasattr(os, "setpriority") or not hasattr(threading, "get_native_id"):
        return
    try:
        tid = threading.get_native_id()
        current = os.getpriority(os.PRIO_PROCESS, tid)
        if current < BACKGROUND_NICE:
            os.setpriority(os.PRIO_PROCESS, tid, BACKGROUND_NICE)
    except OSError:
        pass


class TaskSignals(QObject):
    progress = Signal(object)  # anything the function reports
    finished = Signal(object)  # its return value
    failed = Signal(str)  # a message for the user
    done = Signal()  # after finished or failed


class Task(QRunnable):
    """Run ``fn(report, cancel)`` on a pool thread."""

    def __init__(self, fn: Callable, name: str = "task"):
        super().__init__()
        self.setAutoDelete(False)  # the Python side keeps it until done
        self.fn = fn
        self.name = name
        self.cancel = threading.Event()
        self.signals = TaskSignals()

    def run(self) -> None:  # pool thread
        lower_thread_priority()
        try:
            result = self.fn(self.signals.progress.emit, self.cancel)
        except BaseException as exc:  # noqa: BLE001 - every error is shown, never swallowed
            if not isinstance(exc, UserFacingError):
                log.error("%s failed:\n%s", self.name, traceback.format_exc())
            self.signals.failed.emit(describe_error(exc))
        else:
            self.signals.finished.emit(result)
        self.signals.done.emit()


class TaskRunner(QObject):
    """Starts tasks on its own pool and keeps them alive until they report done."""

    busy_changed = Signal(bool)

    def __init__(self, parent=None, threads: int = 3):
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads)
        self.active: list[Task] = []

    def start(self, task: Task) -> Task:
        self.active.append(task)
        task.signals.done.connect(lambda t=task: self._done(t))
        if len(self.active) == 1:
            self.busy_changed.emit(True)
        self.pool.start(task)
        return task

    def _done(self, task: Task) -> None:
        if task in self.active:
            self.active.remove(task)
        if not self.active:
            self.busy_changed.emit(False)

    @property
    def busy(self) -> bool:
        return bool(self.active)

    def shutdown(self, wait_ms: int = 5000) -> None:
        for task in self.active:
            task.cancel.set()
        self.pool.waitForDone(wait_ms)


class Throttle(QObject):
    """Collects items and hands them over in batches at most every ``interval_ms``
    (qutebrowser's misc/throttle.py pattern): streaming tokens land in one edit block."""

    flushed = Signal(list)

    def __init__(self, interval_ms: int = 40, parent=None):
        super().__init__(parent)
        self.pending: list = []
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.flush)

    def push(self, item) -> None:
        self.pending.append(item)
        if not self.timer.isActive():
            self.timer.start()

    def flush(self) -> None:
        self.timer.stop()
        if self.pending:
            batch, self.pending = self.pending, []
            self.flushed.emit(batch)
