"""The window's background work: one task manager, owned by the main window, with three
serial lanes (Anki's aqt/taskman.py and its single-thread DB executor; superqt's
GeneratorWorker for the reporting).

How the threads work
--------------------
- **model** lane: everything that uses the chat model (load, answer, score a prompt, score
  for the compare view, switch an adapter, free a replaced model) runs here, one task at a
  time, in the order asked. ``ChatController`` owns the model and is the only one that puts
  work on this lane; the compare view asks it. No task ever waits for the model inside a
  thread: the lane's order is the guard (``LoadedModel.lock`` stays for the command line
  and as a safety net, and is never contended from the window).
- **store** lane: the one writer. The person's prompts (an answer starts once its prompt
  is stored), renamed and deleted conversations, ratings, corrections, adapter choices,
  stored answers and compare scorings are written here, in order; so is the Text view's
  JSON export, seconds of work on a long text, and a conversation's export and import
  (gui/conversation_actions.py: a big file's import is seconds of writes). (The fine-tune writes its own run and
  adapter rows from the training lane.)
- **training** lane: a fine-tune (minutes long; chatting goes on meanwhile on the model lane,
  since training works on its own copy of the model).

Each lane is one Python thread fed from a queue, in the order asked, except for an **urgent**
task (the inspector's layer grid: a fraction of a second the person waits for): it goes ahead
of waiting tasks that ``can_wait`` (never a load or an adapter switch), runs inside a running
one that offers breaks (``Lane.run_urgent``: a continuation or an answer, between two tokens),
and stops a running ``restartable`` one (a Text analysis), which runs again after it. An answer
(``passes_restartable``) goes ahead of waiting restartable work at the queue's end and stops a running
one too: a question asked in Chat does not wait minutes for a long text's analysis.
The model lane hands over in step with the GUI thread: a task's callbacks run before the next
task starts, so an answer asked for during a load streams from the model that load put in use.
A task is cancellable while it waits (it is dropped at once, never started, and its
``on_cancelled`` runs) and while it runs (its ``cancel`` event is set; generation checks it
between tokens, training and explaining at every decoder block of their passes:
core.cancel_hooks).
Results travel as typed objects through Qt signals queued into the GUI thread: a
``TokenRecord`` per streamed token, ``LoadProgress``, ``Notice``, ``TrainProgress``,
``core.scoring.ScoreProgress`` (a text read, then scored window by window),
``core.attribution.ExplainProgress`` (after the explanation's lens-and-sampler part), and a
``TaskError`` on failure. Every callback runs on the GUI thread.
Once a lane shuts down (the window closes) it is **closed**: no task's callback runs from then
on, neither for a task still running (a fine-tune's re-scoring; it may finish its work) nor for
one whose result was still queued for the GUI thread, since the window's widgets and store go
next; what waits is dropped unstarted, except on the store lane, which writes everything it
was given (``shutdown(cancel=False)``); and a task submitted to a closed lane never starts.
"""

from __future__ import annotations

import logging
import os
import threading
import traceback
from dataclasses import dataclass
from enum import Enum
from typing import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from shiboken6 import isValid

from desktop_app.core.errors import UserFacingError
from desktop_app.gui.collector import collect_on_gui_thread

log = logging.getLogger(__name__)

BACKGROUND_NICE = 5


# ---------------------------------------------------------------- what tasks report

@dataclass(frozen=True)
class LoadProgress:
    """A step of loading a model: ``total`` 0 when unknown."""

    stage: str
    done: int = 0
    total: int = 0


@dataclass(frozen=True)
class Notice:
    """One line for the person. kind "model": why this model was chosen (the same at every
    start, so it can be dismissed for good); "info": anything else."""

    text: str
    kind: str = "info"


@dataclass(frozen=True)
class PromptReading:
    """An answer's model is reading its prompt: ``read`` of ``total`` tokens (before the first token)."""

    read: int
    total: int


@dataclass(frozen=True)
class TurnAhead:
    """A task that was asked for waits behind ``before`` (the kinds of the tasks ahead of it on
    its lane, oldest first); empty once it has started."""

    before: tuple[str, ...] = ()


@dataclass(frozen=True)
class TaskError:
    """A task that failed, in words for a person (the traceback is in the log)."""

    task: str
    message: str

    def __str__(self) -> str:
        return self.message


def describe_error(exc: BaseException) -> str:
    """Words for a person: a UserFacingError is already a sentence; others get one line."""
    if isinstance(exc, UserFacingError):
        return str(exc)
    return f"Something went wrong: {type(exc).__name__}: {exc}. Details are in the log file."


def lower_thread_priority() -> None:
    """Background work yields the CPU to the GUI thread (Linux: nice applies per thread;
    torch's worker threads created from here inherit it). Lane threads only ever run tasks."""
    if not hasattr(os, "setpriority") or not hasattr(threading, "get_native_id"):
        return
    try:
        tid = threading.get_native_id()
        current = os.getpriority(os.PRIO_PROCESS, tid)
        if current < BACKGROUND_NICE:
            os.setpriority(os.PRIO_PROCESS, tid, BACKGROUND_NICE)
    except OSError:
        pass


# ---------------------------------------------------------------- a task

class TaskState(Enum):
    WAITING = "waiting"
    RUNNING = "running"
    DONE = "done"
    CANCELLED = "cancelled"  # dropped while it waited: it never ran


class _Signals(QObject):
    started = Signal()
    progress = Signal(object)  # a typed record (see the module docstring)
    ended = Signal(bool, object)  # ok, the return value or a TaskError


class Task:
    """One piece of background work: ``fn(report, cancel)`` on its lane's thread.

    Attributes:
        name: what it does, for the log and error messages.
        kind: what it is to its owner ("answer", "score", "compare", "switch", ...).
        fn: the work; ``report(item)`` sends a typed item to ``on_progress``, ``cancel`` is
            the threading.Event that asks it to stop.
        cancel: set by ``Lane.cancel`` while it runs.
        handled: set once its result was handled on the GUI thread (a handshaking lane
            starts the next task only then).
        state: a TaskState; changed under the lane's lock (the GUI thread and the lane
            thread both look at it).
        on_start, on_progress, on_success, on_failure, on_cancelled: callbacks, all run on
            the GUI thread.
        urgent: a short request the person waits for now (the inspector's layer grid): it goes
            ahead of the waiting tasks that ``can_wait``, runs inside a running one at its next
            break (``Lane.run_urgent``: an answer between two tokens), and stops a running
            ``restartable`` one, which then runs again after it. It never passes a task that
            cannot wait (a load, an adapter switch: it is about the model they leave).
        can_wait: background work an urgent task may go ahead of.
        restartable: stopping it loses nothing but time (a read-only scoring): an urgent task
            stops it and it runs again from the start; what the stopped run returned is dropped (the
            Text analysis keeps its part in its own closure and goes on from it).
        passes_restartable: work the person waits for that is not urgent (an answer to a chat
            question): it goes ahead of the waiting ``restartable`` tasks at the queue's end and stops a
            running one with nothing else ahead of it, which runs again after it. A long Text analysis
            held a question asked in Chat for minutes.
    """

    def __init__(self, fn: Callable, name: str, kind: str | None = None, *, on_start=None, on_progress=None,
                 on_success=None, on_failure=None, on_cancelled=None, urgent: bool = False, can_wait: bool = False,
                 restartable: bool = False, passes_restartable: bool = False):
        self.fn, self.name, self.kind = fn, name, kind or name
        self.urgent, self.can_wait, self.restartable = urgent, can_wait, restartable
        self.passes_restartable = passes_restartable
        self.cancel = threading.Event()
        self.state = TaskState.WAITING
        self.on_start, self.on_progress = on_start, on_progress
        self.on_success, self.on_failure, self.on_cancelled = on_success, on_failure, on_cancelled
        self.signals = _Signals()
        self.handled = threading.Event()  # its callbacks ran on the GUI thread
        self.preempted = False  # stopped for an urgent task: it runs again from the start, its result unheard
        self._announced = False  # ``started`` went out (once, however often it runs)

    def __repr__(self) -> str:
        return f"<Task {self.name} {self.state.value}>"

    def execute(self) -> tuple[bool, object]:  # the lane's thread
        """Run ``fn``: (True, its value) or (False, a TaskError). The lane hands it on (``finish``)."""
        if not self._announced:
            self._announced = True
            self.signals.started.emit()
        try:
            return True, self.fn(self.signals.progress.emit, self.cancel)
        except BaseException as exc:  # noqa: BLE001 - every error is shown, never swallowed
            if self.preempted:  # its cancel was the lane's, not a failure: it runs again
                return False, TaskError(self.name, "Stopped for an urgent task.")
            if not isinstance(exc, UserFacingError):
                log.error("%s failed:\n%s", self.name, traceback.format_exc())
            return False, TaskError(self.name, describe_error(exc))

    def finish(self, ok: bool, value) -> None:  # the lane's thread
        self.signals.ended.emit(ok, value)


# ---------------------------------------------------------------- a lane

class Lane(QObject):
    """A serial queue: one task at a time on one thread of its own, in the order submitted.
    With ``handshake`` the next task starts only after the previous one's callbacks ran on the
    GUI thread (the model lane: an answer queued behind a load sees the model the load's
    callback put in use).

    Attributes:
        name: "model", "store" or "training" (also the thread's name).
        tasks: the tasks not yet ended, oldest first (the GUI thread's view).
        _waiting: what the thread takes its next task from, in order; an urgent task is
            placed ahead of those that can wait (``_place``).
        _lock: guards every Task.state change, ``_waiting`` and ``_unfinished``.
        _idle: a Condition, notified when ``_unfinished`` drops to 0 (for ``wait``).
        closed: set when ``shutdown`` begins: callbacks are dropped, new tasks never start.
    """

    changed = Signal()  # a task was added, started, ended or cancelled
    succeeded = Signal()  # a task ended well (the store lane's: a write went through)

    def __init__(self, name: str, parent=None, *, background: bool = True, handshake: bool = False):
        super().__init__(parent)
        self.name = name
        self.tasks: list[Task] = []
        self._waiting: list[Task] = []  # what the thread runs next, in order (urgent ones placed ahead)
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._wake = threading.Condition(self._lock)  # a task was queued, or the lane stops
        self._unfinished = 0
        self._current: Task | None = None  # the task the thread runs (not one run inside it)
        self._background = background
        self._handshake = handshake
        self.closed = False  # read by the lane's thread too (the handshake stops waiting)
        self._stopping = False
        collect_on_gui_thread()  # a collection on this lane's thread would free widgets there: gui/collector.py
        self._thread = threading.Thread(target=self._loop, name=f"lane-{name}", daemon=True)
        self._thread.start()

    def submit(self, task: Task) -> Task:
        if self.closed:  # its window is closing: nobody would hear it, and the thread may be gone
            task.state = TaskState.CANCELLED
            log.info("%s lane is closed: %s dropped", self.name, task.name)
            return task
        queued = Qt.ConnectionType.QueuedConnection  # emitted on the lane's thread, handled on the GUI's
        task.signals.started.connect(lambda t=task: self._started(t), queued)
        if task.on_progress is not None:
            task.signals.progress.connect(lambda item, t=task: self._progress(t, item), queued)
        task.signals.ended.connect(lambda ok, value, t=task: self._ended(t, ok, value), queued)
        with self._lock:
            self._unfinished += 1
            at = self._place(task)
            self._waiting.insert(at, task)
            if self._stops_running(task, at):
                self._current.preempted = True
                self._current.cancel.set()
            self._wake.notify()
        self.tasks.append(task)
        self.changed.emit()
        return task

    def _place(self, task: Task) -> int:
        """Where ``task`` joins the waiting tasks (under the lock): last; for an urgent one just after
        the last that cannot wait (or is urgent too: they keep their order); for one that passes
        restartable work, just after the last waiting task that is not restartable."""
        if task.urgent:
            holds = lambda other: other.urgent or not other.can_wait  # noqa: E731
        elif task.passes_restartable:
            holds = lambda other: not other.restartable  # noqa: E731
        else:
            return len(self._waiting)
        at = 0
        for i, other in enumerate(self._waiting):
            if other.state is not TaskState.CANCELLED and holds(other):
                at = i + 1
        return at

    def _stops_running(self, task: Task, at: int) -> bool:
        """Whether ``task``, placed at ``at``, stops the running task (under the lock): a restartable
        one that can wait, with only cancelled (or, for an answer, urgent) tasks ahead of ``task``."""
        running = self._current
        if running is None or not (running.restartable and running.can_wait):
            return False
        if task.urgent:
            return at == 0
        ahead = [t for t in self._waiting[:at] if t.state is not TaskState.CANCELLED]
        return task.passes_restartable and all(t.urgent for t in ahead)

    def _loop(self) -> None:  # the lane's thread
        if self._background:
            lower_thread_priority()
        while True:
            with self._wake:
                self._wake.wait_for(lambda: self._waiting or self._stopping)
                if not self._waiting:
                    return
                task = self._current = self._take_first()
            if task is not None:
                ok, value = task.execute()
                if self._put_back(task):
                    continue
                task.finish(ok, value)
                while self._handshake and not task.handled.wait(0.05) and not self.closed:
                    pass
            self._done_one()

    def _put_back(self, task: Task) -> bool:
        """A task stopped for an urgent one waits again, behind the urgent ones (True), unless
        it was cancelled meanwhile or the lane stops."""
        with self._lock:
            self._current = None
            if not task.preempted or self._stopping:
                return False
            task.preempted = False
            task.cancel.clear()
            task.state = TaskState.WAITING
            # behind the urgent tasks and the answers that stopped it
            at = next((i for i, t in enumerate(self._waiting) if not (t.urgent or t.passes_restartable)),
                      len(self._waiting))
            self._waiting.insert(at, task)
        log.info("%s lane: %s stopped for other work; it runs again after it", self.name, task.name)
        return True

    def _done_one(self) -> None:
        with self._lock:
            self._unfinished -= 1
            if self._unfinished == 0:
                self._idle.notify_all()

    def run_urgent(self) -> None:
        """Called by the running task, on the lane's thread, where it can pause (an answer:
        between two tokens): the urgent tasks at the head of the queue run now, inside it.
        They must leave what the running task holds as it was (the inspector's layer grid
        reads the model and writes nothing)."""
        while self._waiting and threading.current_thread() is self._thread:  # unlocked peek: cheap per token
            with self._lock:
                if not self._waiting or not self._waiting[0].urgent:
                    return
                task = self._take_first()
            if task is not None:
                task.finish(*task.execute())
            self._done_one()

    def _take_first(self) -> Task | None:
        """The first waiting task, taken off the queue (under the lock) and marked running; None
        where it was cancelled while it waited: it is dropped and never runs."""
        task = self._waiting.pop(0)
        if task.state is TaskState.CANCELLED:
            return None
        task.state = TaskState.RUNNING
        return task

    @property
    def _listened(self) -> bool:
        """Callbacks may run: the lane was neither deleted with its window (a file read outlived
        it) nor closed (the window is closing: its widgets and store go next)."""
        return isValid(self) and not self.closed

    def _started(self, task: Task) -> None:
        if not self._listened:
            return
        if task.state is TaskState.RUNNING and task.on_start is not None:
            task.on_start(task)
        self.changed.emit()

    def _progress(self, task: Task, item) -> None:
        if self._listened and task.on_progress is not None:  # an owner going away may drop it meanwhile
            task.on_progress(item)

    def _ended(self, task: Task, ok: bool, value) -> None:
        try:
            if isValid(self):
                self._handle_end(task, ok, value)
        finally:
            task.handled.set()

    def _handle_end(self, task: Task, ok: bool, value) -> None:
        if task not in self.tasks:
            return
        self.tasks.remove(task)
        task.state = TaskState.DONE
        if self.closed:
            log.info("%s lane is closed: the end of %s goes unheard", self.name, task.name)
            return
        callback = task.on_success if ok else task.on_failure
        if callback is not None:
            callback(value)
        elif not ok:
            log.warning("%s failed with nobody listening: %s", task.name, value)
        if ok:
            self.succeeded.emit()
        self.changed.emit()

    # ------------------------------------------------------------ asking
    def cancel(self, task: Task) -> None:
        """Drop a waiting task at once (it never runs), or ask a running one to stop."""
        with self._lock:
            waiting = task.state is TaskState.WAITING
            if waiting:
                task.state = TaskState.CANCELLED
            task.preempted = False  # cancelled for good: not run again after an urgent task
        if waiting:
            if task in self.tasks:
                self.tasks.remove(task)
            if self.closed:  # dropped by ``shutdown``: the window it would tell is going
                return
            if task.on_cancelled is not None:
                task.on_cancelled(task)
            self.changed.emit()
        elif task.state is TaskState.RUNNING:
            task.cancel.set()

    def cancel_all(self, kind: str | None = None) -> None:
        for task in [t for t in self.tasks if kind is None or t.kind == kind]:
            self.cancel(task)

    def find(self, kind: str) -> list[Task]:
        return [t for t in self.tasks if t.kind == kind]

    @property
    def running(self) -> Task | None:
        return next((t for t in self.tasks if t.state is TaskState.RUNNING), None)

    @property
    def busy(self) -> bool:
        return bool(self.tasks)

    def wait(self, timeout_s: float = 5.0) -> bool:
        """Block until every submitted task has run (their callbacks follow as queued
        events). True when the lane went idle in time. Not on the GUI thread for a lane with
        ``handshake``: its tasks wait for that thread to run their callbacks, so it only times
        out there (wait there until ``busy`` is False instead)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._unfinished == 0, timeout_s)

    def close(self) -> None:
        """No callback runs from now on (the window is closing); see ``shutdown``."""
        self.closed = True  # also: the GUI thread waits in ``shutdown``, no handshake to wait for

    def shutdown(self, timeout_s: float = 5.0, *, cancel: bool = True) -> None:
        """Close the lane and stop its thread: first cancel what waits and runs (``cancel``; what
        waits never starts), or let it all run (the store lane: every write it was given)."""
        self.close()
        if cancel:
            self.cancel_all()
        with self._wake:
            self._stopping = True
            self._wake.notify()
        self._thread.join(timeout_s)

    @property
    def alive(self) -> bool:
        """Its thread still runs (a ``shutdown`` that timed out)."""
        return self._thread.is_alive()


# ---------------------------------------------------------------- the manager

class TaskManager(QObject):
    """The window's lanes (see the module docstring). Owned by the main window; controllers
    get the lane they work on.

    Attributes:
        model: the Lane for everything that uses the chat model.
        store: the Lane that writes the database (the one writer).
        training: the Lane for fine-tunes.
        files: the Lane for reading files the window lists (the model dialog's models on
            this computer: a GGUF's header can take seconds), so a dialog opens at once.
    """

    busy_changed = Signal(bool)  # the model lane has (or no longer has) work

    def __init__(self, parent=None):
        super().__init__(parent)
        self.model = Lane("model", self, handshake=True)
        self.store = Lane("store", self)
        self.training = Lane("training", self)
        self.files = Lane("files", self)
        self._busy = False
        self.model.changed.connect(self._model_changed)

    def _model_changed(self) -> None:
        if self.model.busy != self._busy:
            self._busy = self.model.busy
            self.busy_changed.emit(self._busy)

    def shutdown(self, training_timeout_s: float = 15.0) -> list[str]:
        """Cancel model and training work; write everything the store lane was given. Every lane
        is closed first: no callback runs from now on, whatever ends or was queued meanwhile.
        Returns the names of the lanes whose thread still runs after its wait (none, normally)."""
        lanes = (self.model, self.store, self.training, self.files)
        for lane in lanes:
            lane.close()
        self.training.cancel_all()
        self.model.shutdown(5.0)
        self.store.shutdown(10.0, cancel=False)
        self.training.shutdown(training_timeout_s)
        # a read only, but one outliving its window (a GGUF header: seconds) emits into freed objects
        self.files.shutdown(10.0)
        return [lane.name for lane in lanes if lane.alive]


class Throttle(QObject):
    """Collects items and hands them over in batches at most every ``interval_ms``
    (qutebrowser's misc/throttle.py pattern): streaming tokens land in one edit block.

    Attributes:
        pending: the items not yet handed over.
        timer: single-shot; runs while items are pending.
    """

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
