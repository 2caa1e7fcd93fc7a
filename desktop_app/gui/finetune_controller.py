"""A fine-tune and the adapter history's changes, without widgets: the Fine-tune tab's
(gui/finetune_panel.py) and the status bar's (gui/finetune_side.py) controller.

``FineTuneController`` runs a fine-tune (core.session.fine_tune) on the task manager's
training lane. The chat model is never touched by training (a separate copy is trained), so
chatting goes on meanwhile; a kept adapter is switched in on the chat model by the chat
controller, on the model lane, between answers. The adapter history's changes (use, stop
using, roll back, delete, rename, the person's word on a waiting adapter) are written on the
store lane.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from desktop_app.core import adapters
from desktop_app.core.train_settings import FineTuneSettings
from desktop_app.core.train_verdict import CANCELLED_BY_PERSON, STOPPED_BY_QUIT, RunResult
from desktop_app.gui.tasks import Task, TaskManager

log = logging.getLogger(__name__)


# a run cancelled while it waited for the training lane: it never began, so it stored nothing (on a
# busy machine a Cancel pressed right after Fine-tune lands there; the run was left "running" forever)
NOT_STARTED = RunResult(None, False, None, "cancelled before it began", {}, "cancelled")


class FineTuneController(QObject):
    """Fine-tunes and adapter choices, without widgets.

    Attributes:
        store, paths: the database and the data folders.
        chat: the ChatController, owner of the chat model (its ``loaded`` is trained from,
            its ``sync_adapter`` puts a new choice on).
        tasks: the window's TaskManager (training lane: runs; store lane: adapter choices).
        task: the fine-tune running now, or None.
        settings: the FineTuneSettings of the next run.
    """

    started = Signal()
    progress = Signal(object)  # TrainProgress
    finished = Signal(object)  # RunResult
    rescored = Signal(object)  # RunResult: a kept run's re-scoring for the compare view ended after its result was told
    failed = Signal(str)
    error = Signal(str)  # an adapter choice that could not be made
    running_changed = Signal(bool)
    cancel_asked = Signal()  # a Cancel the running fine-tune has yet to hear (it stops within a block)
    adapters_changed = Signal()
    adapter_deleted = Signal(object)  # core.adapters.DeletedAdapter: what Undo can bring back
    consent_settled = Signal(int, str)  # run id, "used" | "declined": the person's word on a waiting adapter
    # a person's switch (use, base model, roll back): the store's new choice, which the chat model now puts on
    # (its row, None: the base model), or why the store refused it; the status bar confirms either (FineTuneSide)
    switch_wanted = Signal(object)
    switch_refused = Signal(str)

    def __init__(self, store, paths, chat, tasks: TaskManager, parent=None):
        super().__init__(parent)
        self.store, self.paths, self.chat, self.tasks = store, paths, chat, tasks
        self.task: Task | None = None
        self.cancel_pending = False  # Cancel pressed; the run has not ended yet
        self.last_progress = None  # the running run's last report (the quit question says how far it got)
        self.heard_at = 0.0  # when it came (time.monotonic)
        self.cancel_reason = CANCELLED_BY_PERSON  # the run row's reason if it is cancelled (STOPPED_BY_QUIT: closing)
        self.settings = FineTuneSettings()
        self.expected_model_id: str | None = None  # until a model loads: the one the last session used

    @property
    def running(self) -> bool:
        return self.task is not None

    @property
    def on_processor(self) -> bool:
        """A run trains on the CPU, beside the window (a run takes the chat model's device: ``device="auto"``)."""
        loaded = self.chat.loaded
        return loaded is not None and getattr(loaded.device, "type", "cpu") == "cpu"

    def start(self, settings: FineTuneSettings | None = None) -> bool:
        loaded = self.chat.loaded
        if self.running or loaded is None:
            return False
        from desktop_app.core import session

        store, paths = self.store, self.paths
        settings = settings or self.settings

        def work(report, cancel):
            return session.fine_tune(store, loaded, paths, settings, progress=report, cancel=cancel, verdict=report,
                                     cancel_reason=lambda: self.cancel_reason)

        task = Task(work, "fine-tune", on_progress=lambda item: self._heard(task, item),
                    on_success=lambda result: self._ended(task, result),
                    on_failure=lambda error: self._ended_badly(task, error),
                    on_cancelled=lambda _task: self._ended(task, NOT_STARTED))
        self.chat.unwritten_stopped.forget()  # a stopped answer scoring's cache: the run's copy of the model wants it
        loaded.kept_blocks.clear()  # and the analyses' kept first-window caches (core/kept_blocks.py)
        self.task = task
        self.last_progress = None
        self.cancel_pending = False
        self.cancel_reason = CANCELLED_BY_PERSON
        self.running_changed.emit(True)
        self.started.emit()
        self.tasks.training.submit(self.task)
        return True

    def cancel(self, quitting: bool = False) -> None:
        """Stop the running fine-tune; ``quitting``: because the window closes, which its run row
        then says rather than a Cancel (a restart's card tells the two apart)."""
        if self.task is not None:
            if quitting:  # set before the cancel: the run reads it once it stops
                self.cancel_reason = STOPPED_BY_QUIT
            self.tasks.training.cancel(self.task)
            self.cancel_pending = True
            self.cancel_asked.emit()

    def _heard(self, task: Task, item) -> None:
        """A report of the run: its progress, or a kept run's result (core.training's ``verdict``),
        which ends the run for the person: the re-scoring for the compare view that follows on
        the training lane is not waited for (a next run queues behind it), nor shown."""
        if task is not self.task:
            return
        if isinstance(item, RunResult):
            self._finished(item)
        else:
            self.last_progress, self.heard_at = item, time.monotonic()
            self.progress.emit(item)

    def progress_now(self):
        """The last report with its clock brought up to now: a step can take a minute without a report, and
        the quit question said "It has run for 7 s" beside the panel's "17 s so far" (usertest31)."""
        if self.last_progress is None:
            return None
        waited = max(0.0, time.monotonic() - self.heard_at)
        return replace(self.last_progress, elapsed_s=self.last_progress.elapsed_s + waited)

    def _ended(self, task: Task, result) -> None:
        if task is self.task:
            self._finished(result)
        else:  # its result was told before the re-scoring, now done: a compare view open shows its scorings
            self.rescored.emit(result)

    def _ended_badly(self, task: Task, error) -> None:
        if task is self.task:
            self._failed(error)
        else:
            log.warning("re-scoring after a reported run failed: %s", error)

    def _finished(self, result) -> None:
        self.task = None
        if result.kept and not result.needs_consent:  # a waiting adapter: the person decides
            self.chat.sync_adapter()  # between answers; chatting went on during training
        self.running_changed.emit(False)
        self.finished.emit(result)
        self.adapters_changed.emit()

    def _failed(self, error) -> None:
        self.task = None
        self.running_changed.emit(False)
        self.failed.emit(str(error))
        self.adapters_changed.emit()

    # ------------------------------------------------------------ adapter history
    def adapter_action(self, kind: str, adapter_id: int | None = None) -> Task | None:
        """"activate" | "deactivate" | "rollback" | "delete": the store change on the store
        lane, then the chat model follows (attach/detach on the model lane, between answers)."""
        loaded = self.chat.loaded
        if loaded is None:
            return None
        from desktop_app.core import session

        model_id, store, trash = loaded.model_id, self.store, Path(self.paths.adapters_dir) / adapters.TRASH_DIR

        def work(_report, _cancel):
            if kind == "delete":  # its files wait in the trash: Undo in the status bar, for this session
                return adapters.delete(store, adapter_id, trash_dir=trash)
            return session.change_adapter(store, kind, model_id, adapter_id)

        def done(result):
            if kind != "delete":
                self.switch_wanted.emit(result)
            self.chat.sync_adapter()
            if isinstance(result, adapters.DeletedAdapter):
                self.adapter_deleted.emit(result)

        refused = self.switch_refused.emit if kind != "delete" else None
        return self._adapter_task(work, f"adapter {kind}", done, refused)

    def settle_consent(self, run_id: int, use: bool) -> Task | None:
        """The person's word on a kept run's adapter that waits (it changed facts on questions they
        never rated): ``use`` puts it in use, else the model in use stays; written into the run
        (core.train_verdict.settle_consent) on the store lane, then the chat model follows."""
        loaded = self.chat.loaded
        model_id = loaded.model_id if loaded is not None else self.expected_model_id
        store = self.store

        def work(_report, _cancel):
            from desktop_app.core.train_verdict import settle_consent

            return settle_consent(store, run_id, use, model_id)

        def done(_row):
            if use:
                self.chat.sync_adapter()
            self.consent_settled.emit(run_id, "used" if use else "declined")

        return self._adapter_task(work, "adapter consent", done)

    def rename_adapter(self, adapter_id: int, name: str) -> Task:
        store = self.store
        return self._adapter_task(lambda _r, _c: adapters.rename(store, adapter_id, name), "adapter rename",
                                  lambda _row: self.chat.adapter_changed.emit(self.chat.loaded.adapter_id
                                                                              if self.chat.loaded else None))

    def undo_delete(self, deleted) -> Task:
        store = self.store
        return self._adapter_task(lambda _r, _c: adapters.undo_delete(store, deleted), "adapter undo delete")

    def _adapter_task(self, work, name: str, done=None, refused=None) -> Task:
        """A change of the adapter history on the store lane; the history follows either way.
        ``refused(why)``: told the store's refusal after the error banner."""
        def succeeded(result):
            if done is not None:
                done(result)
            self.adapters_changed.emit()

        def failed(error):
            self.error.emit(str(error))
            if refused is not None:  # after the error's own status-bar line, which it replaces
                refused(str(error))
            self.adapters_changed.emit()

        return self.tasks.store.submit(Task(work, name, "adapter", on_success=succeeded, on_failure=failed))

    def list_adapters(self) -> list[dict]:
        from desktop_app.core.adapters import list_adapters

        loaded = self.chat.loaded
        model_id = loaded.model_id if loaded is not None else self.expected_model_id
        return list_adapters(self.store, model_id) if model_id is not None else []
