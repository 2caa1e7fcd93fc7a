"""The one-click fine-tune panel: what is ready, one button, progress with ETA, a live loss
curve, Cancel, the result in words, and the adapter history.

``FineTuneController`` (no widgets) runs a fine-tune (core.session.fine_tune) on the task
manager's training lane. The chat model is never touched by training (a separate copy is
trained), so chatting goes on meanwhile; a kept adapter is switched in on the chat model by
the chat controller, on the model lane, between answers.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QApplication, QDoubleSpinBox, QFormLayout, QFrame, QGridLayout, QHBoxLayout, QLabel,
                               QMessageBox, QProgressBar, QPushButton, QScrollArea, QSpinBox, QToolButton, QVBoxLayout,
                               QWidget)

from desktop_app.core import adapters
from desktop_app.core.training import FineTuneSettings
from desktop_app.gui import adapter_export
from desktop_app.gui.adapter_history import AdapterHistory
from desktop_app.gui.taught_view import TaughtView
from desktop_app.gui.theme import colors, icon, is_dark, styled_label
from desktop_app.gui.tasks import Task, TaskManager

log = logging.getLogger(__name__)

PHASE_WORDS = {"preparing": "Getting ready", "training": "Training", "evaluating": "Checking whether it helps",
               "rescoring": "Re-scoring rated answers"}
# the run's own steps, in the words of what they are for (the phase name goes before them)
STEP_WORDS = {"Reading ratings": "reading your ratings",
              "Loading a separate copy of the model for training": "loading a separate copy of the model to train",
              "Computing reference log-probabilities": "scoring your ratings with the model as it is",
              "Measuring your current model, to compare the result with":
                  "measuring your current model on held-out ratings and general text, to compare the result with",
              "Measuring the new adapter": "measuring the new adapter the same way"}


def phase_name(p) -> str:
    """One name per phase, the same in the panel and the status bar. Scoring the ratings with
    the model as it is (the reference) comes before the first step: it is getting ready."""
    if p.phase == "training" and not p.step and p.message in STEP_WORDS:
        return PHASE_WORDS["preparing"]
    return PHASE_WORDS.get(p.phase, p.phase.title())


def phase_line(p) -> str:
    """The panel's line for a report without a step count: "Getting ready: scoring your ratings…"."""
    name, step = phase_name(p), STEP_WORDS.get(p.message)
    if step:
        return f"{name}: {step}\u2026"
    return f"{p.message}\u2026" if p.message else f"{name}\u2026"


def eta_words(seconds: float | None) -> str:
    if seconds is None or not math.isfinite(seconds):
        return ""
    seconds = max(0, int(round(seconds)))
    return "almost done" if seconds < 1 else f"about {duration_words(seconds)} left"


def describe_run(status: str, reason: str | None, metrics: dict | None, adapter_id=None) -> tuple[str, str]:
    """(title, body) in words a person understands, with the gate's numbers."""
    m = metrics or {}
    lines = []
    b, a = m.get("margin_before"), m.get("margin_after")
    if b is not None and a is not None:
        held = m.get("heldout_size") or 0
        where = (f"on {held} held-out rating{'s' if held != 1 else ''}" if m.get("gate_margin_on") == "heldout" and held
                 else "on your ratings (too few to hold some back)")
        verb = "rose" if a > b else "did not rise"
        lines.append(f"Preference margin {where} {verb}: <b>{b:.3f} \u2192 {a:.3f}</b> "
                     "<span style='color:@muted'>(how much more the model prefers what you liked; higher is better)</span>")
    p0, p1 = m.get("probe_ppl_before"), m.get("probe_ppl_after")
    if p0 and p1 and math.isfinite(p1):
        rise = (p1 / p0 - 1) * 100
        lines.append(f"General-text perplexity: <b>{p0:.2f} \u2192 {p1:.2f}</b> ({rise:+.1f}%) "
                     "<span style='color:@muted'>(on a fixed probe text; lower is better)</span>")
        # perplexity reads fluency, not truth: a fine-tune can keep it and still get facts wrong
        lines.append(f"{fluency_words(rise)} <b>Facts are not checked</b>: read the new answers.")
    bad = m.get("reask_degenerate_after")
    if bad:
        lines.append(f"{bad} of {m.get('reask_count', 0)} re-asked answers degenerated.")
    if status == "kept":
        title = f"Kept: adapter {adapter_id} is now in use"
        body = "It learned from your ratings."
    elif status == "discarded":
        title = "Discarded: your model is unchanged"
        arrow = "\u2192"
        body = f"<b>Why:</b> {reason.replace('->', arrow)}." if reason else ""
    elif status == "cancelled":
        title = "Cancelled: nothing changed"
        body = "The model you chat with stays as it was."
        lines = []
    elif status == "running":
        title = "Interrupted: nothing changed"
        body = (f"The fine-tune ({reason or 'the last run'}) stopped when the app was closed while it trained. "
                "The model you chat with is as it was; Fine-tune starts it again.")
        lines = []
    else:
        title = "The fine-tune failed"
        body = f"{reason}" if reason else ""
        lines = []
    return title, "<br>".join([body] + lines if body else lines)


def fluency_words(rise_percent: float) -> str:
    """What the probe's perplexity change says, and only that: how fluently general text reads."""
    how = ("as fluently as before" if rise_percent <= 1 else "a little less fluently" if rise_percent <= 5
           else "less fluently")
    return f"General text reads {how}."


def news_words(counts: dict) -> str:
    """What the last finished run did not see yet (a run reads the ratings when it starts)."""
    run, new = counts.get("last_run"), counts.get("new_since_run")
    if run is None or new is None:
        return ""
    if not new:
        return f" {used_words(counts)}: rate more to teach something new."
    return (f" {new} rating{'s' if new != 1 else ''} or better answer{'s' if new != 1 else ''} new since run {run}; "
            "a new run learns from all of them, old and new.")


def used_words(counts: dict) -> str:
    """How the last finished run used the ratings there are now: the held-out ones tested it,
    they did not teach it ("Run 1 used all of them: 9 to learn from, 4 to test the result")."""
    run, trained, held = counts.get("last_run"), counts.get("last_run_trained"), counts.get("last_run_heldout")
    if trained is None or held is None:
        return f"Run {run} already used all of them"
    if not held:
        return f"Run {run} learned from all of them"
    return f"Run {run} used all of them: {trained} to learn from, {held} to test the result"


def duration_words(seconds: float | None) -> str:
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        return ""
    seconds = int(round(seconds))
    return f"{seconds} s" if seconds < 60 else f"{seconds // 60} min {seconds % 60:02d} s"


def nothing_new(counts: dict) -> bool:
    """A finished run has already seen every rating there is: another would train on the same."""
    return counts.get("last_run") is not None and counts.get("new_since_run") == 0


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
    failed = Signal(str)
    error = Signal(str)  # an adapter choice that could not be made
    running_changed = Signal(bool)
    adapters_changed = Signal()
    adapter_deleted = Signal(object)  # core.adapters.DeletedAdapter: what Undo can bring back

    def __init__(self, store, paths, chat, tasks: TaskManager, parent=None):
        super().__init__(parent)
        self.store, self.paths, self.chat, self.tasks = store, paths, chat, tasks
        self.task: Task | None = None
        self.settings = FineTuneSettings()
        self.expected_model_id: str | None = None  # until a model loads: the one the last session used

    @property
    def running(self) -> bool:
        return self.task is not None

    def start(self, settings: FineTuneSettings | None = None) -> bool:
        loaded = self.chat.loaded
        if self.running or loaded is None:
            return False
        from desktop_app.core import session

        store, paths = self.store, self.paths
        settings = settings or self.settings

        def work(report, cancel):
            return session.fine_tune(store, loaded, paths, settings, progress=report, cancel=cancel)

        self.task = Task(work, "fine-tune", on_progress=self.progress.emit, on_success=self._finished,
                         on_failure=self._failed)
        self.running_changed.emit(True)
        self.started.emit()
        self.tasks.training.submit(self.task)
        return True

    def cancel(self) -> None:
        if self.task is not None:
            self.tasks.training.cancel(self.task)

    def _finished(self, result) -> None:
        self.task = None
        if result.kept:
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
            self.chat.sync_adapter()
            if isinstance(result, adapters.DeletedAdapter):
                self.adapter_deleted.emit(result)

        return self._adapter_task(work, f"adapter {kind}", done)

    def rename_adapter(self, adapter_id: int, name: str) -> Task:
        store = self.store
        return self._adapter_task(lambda _r, _c: adapters.rename(store, adapter_id, name), "adapter rename",
                                  lambda _row: self.chat.adapter_changed.emit(self.chat.loaded.adapter_id
                                                                              if self.chat.loaded else None))

    def undo_delete(self, deleted) -> Task:
        store = self.store
        return self._adapter_task(lambda _r, _c: adapters.undo_delete(store, deleted), "adapter undo delete")

    def _adapter_task(self, work, name: str, done=None) -> Task:
        """A change of the adapter history on the store lane; the history follows either way."""
        def succeeded(result):
            if done is not None:
                done(result)
            self.adapters_changed.emit()

        def failed(error):
            self.error.emit(str(error))
            self.adapters_changed.emit()

        return self.tasks.store.submit(Task(work, name, "adapter", on_success=succeeded, on_failure=failed))

    def list_adapters(self) -> list[dict]:
        from desktop_app.core.adapters import list_adapters

        loaded = self.chat.loaded
        model_id = loaded.model_id if loaded is not None else self.expected_model_id
        return list_adapters(self.store, model_id) if model_id is not None else []


class CountTile(QFrame):
    def __init__(self, caption: str, icon_name: str | None = None, parent=None):
        super().__init__(parent)
        self.setObjectName("CountTile")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(0)
        top = QHBoxLayout()
        top.setSpacing(4)
        self.number = styled_label("0", "CountNumber")
        top.addWidget(self.number)
        top.addStretch(1)
        if icon_name:
            pic = QLabel()
            pic.setPixmap(icon(icon_name, colors(is_dark())["muted"]).pixmap(16, 16))
            top.addWidget(pic)
        layout.addLayout(top)
        label = styled_label(caption, "Muted")
        layout.addWidget(label)

    def set_value(self, n: int) -> None:
        self.number.setText(str(n))


class LossCurve(QWidget):
    """The live loss curve (pyqtgraph), one point per optimizer step.

    Attributes:
        steps, losses: the points drawn so far.
        plot, curve: the pyqtgraph plot and its line."""

    def __init__(self, parent=None):
        super().__init__(parent)
        import pyqtgraph as pg

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.plot = pg.PlotWidget(axisItems={"bottom": _step_axis()})
        self.plot.setFixedHeight(125)
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        item = self.plot.getPlotItem()
        item.showGrid(x=True, y=True, alpha=0.15)
        for name in ("left", "bottom"):
            item.getAxis(name).enableAutoSIPrefix(False)
        self.curve = self.plot.plot([], [], symbol="o", symbolSize=5, symbolPen=None, fillLevel=None)
        self.plot.viewport().installEventFilter(self)  # the wheel scrolls the panel, not the fixed chart
        self.restyle()
        layout.addWidget(self.plot)
        self.steps: list[int] = []
        self.losses: list[float] = []
        self.plot.setXRange(1, 10, padding=0.06)  # before the first step: whole steps, not 0.2 / 0.4 / ...

    def restyle(self) -> None:
        """Colours from the current light or dark palette (again when the system switches)."""
        import pyqtgraph as pg

        c = colors(is_dark())
        self.plot.setBackground(c["card"])
        item = self.plot.getPlotItem()
        for name in ("left", "bottom"):
            axis = item.getAxis(name)
            axis.setPen(pg.mkPen(c["border"]))
            axis.setTextPen(pg.mkPen(c["muted"]))
        item.setLabel("bottom", "step", color=c["muted"])
        item.setLabel("left", "loss", color=c["muted"])
        accent = QColor(c["accent"])
        self.curve.setPen(pg.mkPen(accent, width=2))
        self.curve.setSymbolBrush(accent)

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self.restyle()
        super().changeEvent(event)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Wheel:
            area = self.parentWidget()
            while area is not None and not isinstance(area, QScrollArea):
                area = area.parentWidget()
            if area is not None:
                QApplication.sendEvent(area.verticalScrollBar(), event)
            return True
        return super().eventFilter(watched, event)

    def clear(self) -> None:
        self.steps, self.losses = [], []
        self.curve.setData([], [])
        self.plot.setXRange(1, 10, padding=0.06)

    def add(self, step: int, loss: float, total: int | None = None) -> None:
        if not math.isfinite(loss):
            return
        self.steps.append(step)
        self.losses.append(loss)
        self.curve.setData(self.steps, self.losses)
        if total:
            self.plot.setXRange(1, max(total, 2), padding=0.06)


def _step_axis():
    """A bottom axis that labels whole steps only (a run has no step 2.5)."""
    import pyqtgraph as pg

    class StepAxis(pg.AxisItem):
        def tickValues(self, minVal, maxVal, size):
            return [(max(spacing, 1.0), [v for v in values if float(v).is_integer()])
                    for spacing, values in super().tickValues(minVal, maxVal, size)]

    return StepAxis("bottom")


class FineTunePanel(QScrollArea):
    """The side panel (a tab beside the token inspector). The window hands it the rating
    counts (``set_counts``); the controller's signals drive the rest.

    Attributes:
        controller: the FineTuneController it shows and drives.
        counts: the newest training_readiness counts.
        tiles, curve, history: the count tiles, the live loss curve, the adapter history.
    """

    compare_requested = Signal()

    def __init__(self, controller: FineTuneController, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.setObjectName("FineTuneScroll")
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)
        inner = QWidget()
        inner.setObjectName("FineTunePanel")
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(14, 12, 14, 12)
        layout.setSpacing(10)
        self._build_header(layout)
        self._build_progress(layout)
        self.curve = LossCurve()
        self._build_result(layout)
        layout.addWidget(self.curve)
        self._build_advanced(layout)
        self.history = AdapterHistory()
        layout.addWidget(self.history)
        layout.addStretch(1)
        self.setWidget(inner)
        self.progress_box.hide()
        self.curve.hide()
        self.counts: dict = {}
        self._connect_controller(controller)
        self.set_counts({})
        self.ready_label.setText("Counting your ratings\u2026")  # the window asks at once (no model needed)

    def _build_header(self, layout) -> None:
        """Title, intro, the four count tiles, the readiness line and the train button."""
        title = styled_label("FINE-TUNE ON YOUR RATINGS", "PanelTitle")
        layout.addWidget(title)
        self.intro = styled_label("Teaches the model a small adapter from your ratings. It is kept only if it "
                                  "helps on your ratings and general text reads as fluently as before.", "Muted",
                                  wrap=True)
        layout.addWidget(self.intro)
        grid = QGridLayout()
        grid.setSpacing(6)
        self.tiles = {"thumbs_up": CountTile("good answers", "thumb-up"),
                      "thumbs_down": CountTile("bad answers", "thumb-down"),
                      "token_ratings": CountTile("rated tokens"),
                      "corrections": CountTile("better answers", "edit")}
        for i, tile in enumerate(self.tiles.values()):
            grid.addWidget(tile, i // 2, i % 2)
        layout.addLayout(grid)
        self.ready_label = QLabel()
        self.ready_label.setWordWrap(True)
        layout.addWidget(self.ready_label)
        self.train_button = QPushButton(icon("train", "#ffffff"), "Fine-tune on my ratings")
        self.train_button.setObjectName("PrimaryButton")
        self.train_button.setMinimumHeight(34)
        self.train_button.clicked.connect(self.start)
        layout.addWidget(self.train_button)

    def _build_progress(self, layout) -> None:
        """The phase line with its Cancel button, the progress bar and the time estimate."""
        self.progress_box = QFrame()
        pl = QVBoxLayout(self.progress_box)
        pl.setContentsMargins(0, 0, 0, 0)
        pl.setSpacing(4)
        row = QHBoxLayout()
        # wrapped: a long phase ("Computing reference log-probabilities") must not widen the dock
        self.phase_label = styled_label("", "PhaseLabel", wrap=True)
        row.addWidget(self.phase_label, 1)
        self.cancel_button = QPushButton(icon("stop"), "Cancel")
        self.cancel_button.setObjectName("SmallButton")
        self.cancel_button.setToolTip("Stop training; the adapter in use stays as it is")
        self.cancel_button.clicked.connect(self.cancel)
        row.addWidget(self.cancel_button)
        pl.addLayout(row)
        self.bar = QProgressBar()
        self.bar.setObjectName("TrainProgress")
        self.bar.setTextVisible(False)
        pl.addWidget(self.bar)
        self.eta_label = styled_label("", "Muted", wrap=True)
        pl.addWidget(self.eta_label)
        # between the run's reports (a phase can take half a minute) the elapsed time keeps counting
        self.run_started: float | None = None
        self.elapsed_timer = QTimer(self, interval=1000)
        self.elapsed_timer.timeout.connect(self._show_elapsed)
        layout.addWidget(self.progress_box)

    def _build_result(self, layout) -> None:
        """The outcome box: title, body, Compare button and the gate's re-asks (hidden until a run ends)."""
        self.result_box = QFrame()
        self.result_box.setObjectName("ResultBox")
        rl = QVBoxLayout(self.result_box)
        rl.setContentsMargins(10, 8, 10, 8)
        rl.setSpacing(4)
        self.result_title = styled_label("", "ResultTitle", wrap=True)
        self.result_body = QLabel()
        self.result_body.setWordWrap(True)
        self.result_body.setTextFormat(Qt.TextFormat.RichText)
        rl.addWidget(self.result_title)
        rl.addWidget(self.result_body)
        self.compare_button = QPushButton(icon("compare"), "Compare before / after\u2026")
        self.compare_button.setObjectName("SmallButton")
        self.compare_button.setToolTip("See per token how the adapter in use changed rated answers")
        self.compare_button.clicked.connect(self.compare_requested)
        rl.addWidget(self.compare_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.compare_button.hide()
        self.taught = TaughtView()  # the gate's re-asks, before and after, side by side
        rl.addWidget(self.taught)
        layout.addWidget(self.result_box)
        self.result_box.hide()

    def _connect_controller(self, c: FineTuneController) -> None:
        """The controller's signals drive the panel; the history's buttons drive the controller."""
        c.progress.connect(self.on_progress)
        c.finished.connect(self.on_finished)
        c.failed.connect(self.on_failed)
        c.running_changed.connect(lambda _r: self._update())
        c.chat.model_loaded.connect(lambda _loaded: self._update())
        c.adapters_changed.connect(self.refresh_adapters)
        h = self.history
        h.activate_requested.connect(lambda aid: c.adapter_action("activate", aid))
        h.deactivate_requested.connect(lambda: c.adapter_action("deactivate"))
        h.rollback_requested.connect(lambda: c.adapter_action("rollback"))
        h.delete_requested.connect(lambda aid: c.adapter_action("delete", aid))
        h.rename_requested.connect(c.rename_adapter)
        h.report_requested.connect(self.show_adapter_report)
        adapter_export.attach(h, c)  # Export... and Import... (issue 14)

    def _build_advanced(self, layout) -> None:
        self.advanced_button = QToolButton()
        self.advanced_button.setObjectName("FlatTool")
        self.advanced_button.setText("\u25b8 Advanced")
        self.advanced_button.setCheckable(True)
        self.advanced_button.toggled.connect(self._toggle_advanced)
        layout.addWidget(self.advanced_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.advanced = QFrame()
        form = QFormLayout(self.advanced)
        form.setContentsMargins(4, 0, 0, 0)
        # 0 shows "auto": the schedule rule chooses from the ratings there are (core/train_schedule.py)
        self.epochs = QSpinBox(minimum=0, maximum=50)
        self.epochs.setSpecialValueText("auto")
        self.max_steps = QSpinBox(minimum=1, maximum=5000)
        self.lr = QDoubleSpinBox(minimum=0.0, maximum=0.1, decimals=5, singleStep=0.0001)
        self.lr.setSpecialValueText("auto")
        self.heldout = QSpinBox(minimum=0, maximum=50, suffix=" %")
        form.addRow("Epochs", self.epochs)
        form.addRow("At most steps", self.max_steps)
        form.addRow("Learning rate", self.lr)
        form.addRow("Held out", self.heldout)
        self.advanced.hide()
        layout.addWidget(self.advanced)
        self.set_settings(self.controller.settings)

    def _toggle_advanced(self, on: bool) -> None:
        self.advanced.setVisible(on)
        self.advanced_button.setText(("\u25be" if on else "\u25b8") + " Advanced")

    def set_settings(self, settings: FineTuneSettings) -> None:
        self.controller.settings = settings
        self.epochs.setValue(settings.epochs or 0)
        self.max_steps.setValue(settings.max_steps)
        self.lr.setValue(settings.lr or 0.0)
        self.heldout.setValue(round(settings.heldout_fraction * 100))

    def settings(self) -> FineTuneSettings:
        return replace(self.controller.settings, epochs=self.epochs.value() or None, max_steps=self.max_steps.value(),
                       min_steps=min(self.controller.settings.min_steps, self.max_steps.value()),
                       lr=self.lr.value() or None, heldout_fraction=self.heldout.value() / 100)

    # ------------------------------------------------------------ state
    def set_counts(self, counts: dict) -> None:
        self.counts = dict(counts)
        for key, tile in self.tiles.items():
            tile.set_value(int(counts.get(key, 0) or 0))
        total = int(counts.get("total", 0) or 0)
        if total:
            pairs = counts.get("pairs", 0)
            extra = f", {pairs} as preference pair{'s' if pairs != 1 else ''}" if pairs else ""
            self.ready_label.setText(f"<b>{total} example{'s' if total != 1 else ''} ready</b>{extra}."
                                     + news_words(counts))
        else:
            self.ready_label.setText("Nothing to learn from yet: rate an answer with \u25b2/\u25bc, right-click a "
                                     "token, or write a better answer.")
        self._update()

    def _update(self) -> None:
        running = self.controller.running
        loaded = self.controller.chat.loaded is not None
        total = int(self.counts.get("total", 0) or 0)
        self.train_button.setEnabled(not running and loaded and total > 0)
        if not running and self.cancel_button.hasFocus() and self.train_button.isEnabled():
            self.train_button.setFocus()  # Cancel hides as the run ends: its focus goes back, not down the panel
        self.train_button.setText("Fine-tuning\u2026" if running else "Fine-tune on my ratings")
        if not loaded:
            self.train_button.setToolTip("Load a model first")
        elif not total:
            self.train_button.setToolTip("Rate something first")
        elif nothing_new(self.counts):
            self.train_button.setToolTip(f"{used_words(self.counts)}: rate more to teach something new "
                                         "(a click asks before training on the same ones again)")
        else:
            self.train_button.setToolTip("Train an adapter on your ratings in the background; chatting goes on")
        self.cancel_button.setVisible(running)
        self.cancel_button.setEnabled(running)
        self.history.set_busy(running or not loaded)  # its choices act on the loaded model
        for w in (self.epochs, self.max_steps, self.lr, self.heldout):
            w.setEnabled(not running)

    def refresh_adapters(self) -> None:
        self.history.set_adapters(self.controller.list_adapters(), loading=self.controller.chat.loaded is None)
        if getattr(self, "last_result", None) and self.last_result[0] == "kept" and not self.result_box.isHidden():
            self._show_result(*self.last_result)  # the card follows the history: which adapter is in use now

    def show_last_run(self, cancelled: bool = False, cancelled_run: int | None = None) -> None:
        """After a start: the result of the newest run, so a restart still says what happened.
        ``cancelled``: a run (``cancelled_run``, if it got an id) was just cancelled; the card
        says so above the report of the run before, which still holds."""
        loaded = self.controller.chat.loaded
        runs = [r for r in self.controller.store.list_runs()
                if loaded is None or r.get("base_model") == loaded.model_id]
        # a cancelled run changed nothing and an interrupted one ("running" after a crash) said
        # nothing: the newest run that finished is the one worth reporting
        finished = [r for r in runs if r["status"] not in ("running", "cancelled")]
        interrupted = runs[0] if runs and runs[0]["status"] == "running" and not self.controller.running else None
        which = "The new run" if cancelled_run is None else f"Run {cancelled_run}"
        if finished and cancelled:
            self.show_run(finished[0], note=("Cancelled: nothing changed",
                                             f"{which} was cancelled; the model you chat with stays as it was. "
                                             f"This is run {finished[0]['id']}'s report:"))
        elif finished and interrupted:  # the newest run never ended: the app closed or was killed while it trained
            self.show_run(finished[0], note=(None, f"Run {interrupted['id']} was interrupted when the app closed; the "
                                                   f"model you chat with stayed as it was. This is run "
                                                   f"{finished[0]['id']}'s report."))
        elif finished:
            self.show_run(finished[0])
        elif cancelled:
            self._show_result("cancelled", None, None, None)
        elif interrupted:
            self._show_result("running", f"run {interrupted['id']}", None, None)
        else:  # another model's report would name adapters this model does not have
            self.last_result = None
            self.result_box.hide()

    def show_run(self, run: dict, note: tuple[str | None, str] | None = None) -> None:
        """A stored run's report (its metrics keep the gate's numbers and re-asks)."""
        self._show_result(run["status"], run.get("reason"), run.get("metrics"), run.get("adapter_id"), note)

    def show_adapter_report(self, adapter_id: int) -> None:
        """The report of the run that made ``adapter_id`` (an imported one: its own judgement)."""
        store = self.controller.store
        adapter = store.get_adapter(adapter_id)
        if adapter.get("run_id") is not None:
            run = store.get_run(adapter["run_id"])
            self.show_run({**run, "adapter_id": adapter_id})
        else:
            self._show_result("kept", None, adapter.get("metrics"), adapter_id)
        QTimer.singleShot(0, lambda: self.ensureWidgetVisible(self.result_box))  # above the history, once laid out

    # ------------------------------------------------------------ actions
    def start(self) -> bool:
        if nothing_new(self.counts) and not self.confirm_same_ratings():
            return False
        self.curve.clear()
        focused = self.train_button.hasFocus()  # it disables itself: the focus goes to Cancel, not "Advanced"
        started = self.controller.start(self.settings())
        if started and focused:
            self.cancel_button.setFocus()
        if started:
            self.result_box.hide()
            self.progress_box.show()
            self.curve.show()
            self.phase_label.setText(f"{PHASE_WORDS['preparing']}\u2026")
            self.bar.setRange(0, 0)
            self.eta_label.setText("")
        self._update()
        return started

    def confirm_same_ratings(self) -> bool:
        """Nothing is new since the last run: ask before minutes of training on the same ratings."""
        c = self.counts
        total, run = int(c.get("total", 0) or 0), c.get("last_run")
        box = QMessageBox(QMessageBox.Icon.Question, "Fine-tune again?",
                          f"Nothing is new since run {run}. Train again on the same {total} "
                          f"example{'s' if total != 1 else ''}?",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self.window())
        box.setObjectName("SameRatingsQuestion")
        took = duration_words(c.get("last_run_seconds"))
        box.setInformativeText(f"{used_words(c)}" + (f", and it took {took}" if took else "")
                               + ". A new run takes about as long. To teach something new, rate more answers "
                               "or write better ones first.")
        box.button(QMessageBox.StandardButton.Yes).setText("Train again")
        box.button(QMessageBox.StandardButton.No).setText("Not now")
        box.setDefaultButton(QMessageBox.StandardButton.No)  # Enter must not start minutes of work
        return box.exec() == QMessageBox.StandardButton.Yes

    def cancel(self) -> None:
        self.controller.cancel()  # (a second press changes nothing: the button stays, and keeps the focus)
        self.phase_label.setText("Cancelling\u2026")

    def _show_elapsed(self) -> None:
        if self.run_started is not None:
            self.eta_label.setText(f"{max(0.0, time.monotonic() - self.run_started):.0f} s so far")

    def on_progress(self, p) -> None:
        self.run_started = time.monotonic() - p.elapsed_s  # the run's own clock, kept in step
        phase = phase_name(p)
        counting = not (p.phase == "training" and p.step) and not (p.phase == "rescoring" and p.total)
        if counting and not self.elapsed_timer.isActive():
            self.elapsed_timer.start()
        elif not counting:
            self.elapsed_timer.stop()
        if p.phase == "training" and p.step:
            self.bar.setRange(0, max(1, p.total))
            self.bar.setValue(p.step)
            self.phase_label.setText(f"{phase}: step {p.step} of {p.total}")
            self.eta_label.setText(" \u00b7 ".join(x for x in (eta_words(p.eta_s),
                                                              f"loss {p.loss:.3f}" if p.loss is not None else "")
                                                   if x))
            if p.loss is not None:
                self.curve.add(p.step, p.loss, p.total)
        elif p.phase == "rescoring" and p.total:
            self.bar.setRange(0, p.total)
            self.bar.setValue(p.step)
            self.phase_label.setText(p.message or phase)
            self.eta_label.setText("")
        else:
            if not (p.phase == "training" and self.curve.steps):
                self.bar.setRange(0, 0)
            self.phase_label.setText(phase_line(p))
            self._show_elapsed()

    def on_finished(self, result) -> None:
        self.elapsed_timer.stop()
        self.progress_box.hide()
        if result.status == "cancelled":  # it changed nothing: the report of the run before stays readable
            self.show_last_run(cancelled=True, cancelled_run=result.run_id)
        else:
            self._show_result(result.status, result.reason, result.metrics, result.adapter_id)
        self.refresh_adapters()
        self._update()

    def on_failed(self, message: str) -> None:
        self.elapsed_timer.stop()
        self.progress_box.hide()
        self._show_result("failed", message, {}, None)
        self._update()

    def _show_result(self, status, reason, metrics, adapter_id, note: tuple[str | None, str] | None = None) -> None:
        """The card of one run. ``note``: (a title instead of the run's, or None; a line above
        the report), e.g. a later run that was cancelled; kept when the history redraws it."""
        title, body = describe_run(status, reason, metrics, adapter_id)
        self.last_result = (status, reason, metrics, adapter_id, note)
        active = self.history.active_id()
        now = "the base model" if active is None else f"adapter {active}"
        gone = status == "kept" and adapter_id not in {row["id"] for row in self.history.rows}
        if gone:  # deleted since (the run's row then names no adapter)
            title = f"Kept, but that adapter has been deleted since; {now} is in use now"
        elif status == "kept" and active != adapter_id:
            title = f"Kept as adapter {adapter_id}; {now} is in use now"
        if note is not None:
            headline, line = note
            body = "<br>".join(x for x in (line, f"<b>{title}</b>" if headline else "", body) if x)
            title = headline or title
        self.result_title.setText(title)
        self.result_body.setText(body.replace("@muted", colors(is_dark())["muted"]))
        self.result_body.setVisible(bool(body))
        self.taught.set_pairs((metrics or {}).get("taught") if status in ("kept", "discarded") else None)
        self.result_box.setProperty("kind", status)
        self.result_box.style().unpolish(self.result_box)
        self.result_box.style().polish(self.result_box)
        # compare is about this card's adapter: only while that adapter is in use
        self.compare_button.setVisible(status == "kept" and not gone and active == adapter_id)
        self.result_box.show()
        self.last_status = status
