"""The one-click fine-tune panel: what is ready, one button, progress with ETA, a live loss
curve, Cancel, the result in words, and the adapter history. What it drives, the fine-tune on
the training lane and the adapter history's changes, is gui/finetune_controller.py's
``FineTuneController`` (no widgets).
"""

from __future__ import annotations

import time
from dataclasses import replace

from PySide6.QtCore import QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtWidgets import (QBoxLayout, QDoubleSpinBox, QFormLayout, QFrame, QGridLayout, QHBoxLayout, QLabel,
                               QProgressBar, QPushButton, QScrollArea, QSpinBox, QTabWidget, QToolButton,
                               QVBoxLayout, QWidget)

from desktop_app.core.adapters import adapter_name
from desktop_app.core.progress_words import (PHASE_WORDS, SLOW_WINDOW, count_eta_words, early_stop_words,
                                             explain_slows_words, progress_line, step_eta_words)
from desktop_app.core.train_settings import FineTuneSettings
from desktop_app.gui import adapter_export
from desktop_app.gui.adapter_history import AdapterHistory
from desktop_app.gui.finetune_controller import FineTuneController
from desktop_app.gui.finetune_widgets import CountTile, LossCurve
from desktop_app.gui.off_words import TRAINING_SETTING_TIP
from desktop_app.gui.finetune_words import (RunCard, changed_facts_words, degenerate_words, figures_tip, run_card,
                                          stopped_run_note)
from desktop_app.gui.ready_words import (conflict_words, during_run_words, news_words, rating_count, ready_details,
                                         ready_words, repeated_run, same_ratings_words, tile_words, train_again_tip)
from desktop_app.gui.question_box import ask
from desktop_app.gui.taught_view import TaughtView
from desktop_app.gui.theme import colors, icon, is_dark, styled_label
from desktop_app.gui.tips import turn
from desktop_app.gui.wheel_guard import wheel_after_click

REPORT_TOP_MARGIN_PX = 8  # over a report's card shown from its title


PANEL_MARGIN = 14
# a view narrower than this (the panel beside the chat on a 480 px screen) gives its words the side margins' room
NARROW_PANEL, NARROW_MARGIN = 240, 6
# the train button's words, and their short form where they do not fit the panel: on a 480 px screen the whole
# words (209 px) asked a horizontal scroll of the panel's 190 px to be read or clicked
TRAIN_WORDS, TRAIN_SHORT_WORDS, TRAINING_WORDS = "Fine-tune on my ratings", "Fine-tune", "Fine-tuning\u2026"
COMPARE_WORDS, COMPARE_SHORT_WORDS = "Compare before / after\u2026", "Compare\u2026"


def fit_words(button, whole: str, short: str, room: int) -> None:
    """``button`` says ``whole`` where it fits ``room`` px, else ``short``; ``whole`` stays its accessible name."""
    button.setAccessibleName(whole)
    button.setText(whole)
    if button.sizeHint().width() > room:
        button.setText(short)


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
        self.parked_on = None  # where a run started from the keyboard left the focus (_park_focus)
        self.ask_before_cancel = True  # Cancel asks once steps are trained (tests about other things turn it off)
        self.setObjectName("FineTuneScroll")
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # as needed in a narrow one: resizeEvent
        self.setFrameShape(QFrame.Shape.NoFrame)
        inner = QWidget()
        inner.setObjectName("FineTunePanel")
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(PANEL_MARGIN, 12, PANEL_MARGIN, 12)
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
        wheel_after_click(inner)  # scrolling the panel past Advanced changed its settings (usertest 12)
        self.progress_box.hide()
        self.curve.hide()
        self.counts: dict = {}
        self.total_at_run_start: int | None = None  # the ratings counted when the running fine-tune started
        self.last_run_id: int | None = None  # the run whose card shows: what Use it anyway / Keep answer
        self._connect_controller(controller)
        self.set_counts({})
        self.ready_label.setText("Counting your ratings\u2026")  # the window asks at once (no model needed)
        for box in (self.epochs, self.max_steps, self.lr, self.heldout):  # the train button's tooltip compares them
            box.valueChanged.connect(lambda _value: self._update())

    def _build_header(self, layout) -> None:
        """Title, intro, the four count tiles, the readiness line and the train button."""
        title = styled_label("FINE-TUNE ON YOUR RATINGS", "PanelTitle", wrap=True)  # wraps on a narrow screen
        layout.addWidget(title)
        self.intro = styled_label("Teaches the model a small adapter from your ratings. It is kept only if it "
                                  "helps on your ratings and general text reads as fluently as before.", "Muted",
                                  wrap=True)
        layout.addWidget(self.intro)
        self.tile_grid = grid = QGridLayout()
        grid.setSpacing(6)
        self.tiles = {"thumbs_up": CountTile("good answers", "thumb-up"),
                      "thumbs_down": CountTile("bad answers", "thumb-down"),
                      "token_ratings": CountTile("rated tokens"),
                      "corrections": CountTile("better answers", "edit")}
        self.tile_columns = 0
        self._lay_tiles(2)
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
        self.stop_note = styled_label("", "Muted", wrap=True)  # training ended before its planned steps (_note_stop)
        pl.addWidget(self.stop_note)
        self.stop_note.hide()
        self.slow_note = styled_label(SLOW_WINDOW, "Muted", wrap=True)  # a run on the processor (start)
        pl.addWidget(self.slow_note)
        self.explain_note = styled_label("", "Muted", wrap=True)  # "Why this token?" runs too (set_explain_busy)
        self.explain_note.hide()
        pl.addWidget(self.explain_note)
        self.explain_busy = False
        self.trained_to: tuple[int, int] | None = None  # (step, of steps) of the run's last training report
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
        self.result_details = QLabel()  # a discarded run's figures, under its why and what to do
        self.result_details.setWordWrap(True)
        self.result_details.setTextFormat(Qt.TextFormat.RichText)
        self.result_details.hide()
        rl.addWidget(self.result_title)
        self._build_consent(rl)  # right under the title: the question comes before the figures
        rl.addWidget(self.result_body)
        rl.addWidget(self.result_details)
        self.compare_button = QPushButton(icon("compare"), COMPARE_WORDS)
        self.compare_button.setObjectName("SmallButton")
        self.compare_button.setToolTip("See per token how the adapter in use changed rated answers")
        self.compare_button.clicked.connect(self.compare_requested)
        rl.addWidget(self.compare_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.compare_button.hide()
        self.taught = TaughtView()  # the gate's re-asks, before and after, side by side
        rl.addWidget(self.taught)
        layout.addWidget(self.result_box)
        self.result_box.hide()

    def _build_consent(self, layout) -> None:
        """The two answers to a kept adapter that waits (it changed facts on questions never rated):
        side by side, or one above the other where the panel is too narrow for both."""
        self.consent_text = QLabel()  # the answers it changed, before and after, then what the buttons do
        self.consent_text.setObjectName("ConsentText")
        self.consent_text.setWordWrap(True)
        self.consent_text.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.consent_text)
        self.consent_text.hide()
        self.consent_box = ConsentButtons()
        self.use_anyway_button, self.keep_current_button = self.consent_box.use, self.consent_box.keep
        self.use_anyway_button.clicked.connect(lambda: self._settle(True))
        self.keep_current_button.clicked.connect(lambda: self._settle(False))
        layout.addWidget(self.consent_box)
        self.consent_box.hide()

    def _settle(self, use: bool) -> None:
        run_id = self.last_run_id
        if run_id is None:
            return
        self.consent_box.setEnabled(False)  # one answer; the card redraws once it is stored
        self.controller.settle_consent(run_id, use)

    def _consent_settled(self, run_id: int, choice: str) -> None:
        """The card of that run follows the answer: in use, or kept in the history only."""
        self.consent_box.setEnabled(True)
        if self.last_run_id != run_id or not getattr(self, "last_result", None):
            return
        status, reason, metrics, adapter_id, note = self.last_result
        stored = self.controller.store.get_run(run_id).get("metrics") or {}  # with what became of a left adapter
        self.last_result = (status, reason, {**(metrics or {}), **stored, "consent": choice}, adapter_id, note)
        self.refresh_adapters()
        focus = self.compare_button if choice == "used" and self.compare_button.isVisible() else self.train_button
        if self.consent_box.isHidden() and self.window().focusWidget() in (None, self.use_anyway_button,
                                                                           self.keep_current_button):
            focus.setFocus()  # the buttons hid: the keyboard's place moves to what comes next, not to the start

    def _connect_controller(self, c: FineTuneController) -> None:
        """The controller's signals drive the panel; the history's buttons drive the controller."""
        c.progress.connect(self.on_progress)
        c.finished.connect(self.on_finished)
        c.failed.connect(self.on_failed)
        c.running_changed.connect(self._run_started_or_ended)
        c.chat.model_loaded.connect(lambda _loaded: self._update())
        c.adapters_changed.connect(self.refresh_adapters)
        c.consent_settled.connect(self._consent_settled)
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
        for key, (value, note, tip, caption) in tile_words(counts).items():
            self.tiles[key].set_value(value, note, tip, caption)
        total = int(counts.get("total", 0) or 0)
        if total:
            self.ready_label.setText(ready_words(counts) + news_words(counts) + conflict_words(counts)
                                     + during_run_words(rating_count(counts), self.total_at_run_start))
            self.ready_label.setToolTip(ready_details(counts))
        else:
            self.ready_label.setToolTip("")
            # the card's thumbs, as it draws them (usertest23: "▲/▼" matched nothing on screen)
            self.ready_label.setText("Nothing to learn from yet: rate an answer with its thumbs up or down, "
                                     "right-click a token, or write a better answer.")
        self._update()

    def _run_started_or_ended(self, running: bool) -> None:
        """A run reads the ratings when it starts: what is counted then is what it trains on."""
        self.total_at_run_start = rating_count(self.counts) if running else None
        if not running and self.counts:
            self.set_counts(self.counts)  # "N new since this run started" goes with the run
        self._update()

    def _update(self) -> None:
        running = self.controller.running
        loaded = self.controller.chat.loaded is not None
        total = int(self.counts.get("total", 0) or 0)
        self.train_button.setEnabled(not running and loaded and total > 0)
        parked = self.parked_on is not None and self.parked_on.hasFocus()
        if not running and (self.cancel_button.hasFocus() or parked) and self.train_button.isEnabled():
            self.train_button.setFocus()  # Cancel hides as the run ends: its focus goes back, not down the panel
        if not running:
            self.parked_on = None
        self._fit_train_words()
        if not loaded:
            self.train_button.setToolTip("Load a model first")
        elif not total:
            self.train_button.setToolTip("Rate something first")
        elif train_again_tip(self.counts, self.settings()):
            self.train_button.setToolTip(train_again_tip(self.counts, self.settings()))
        else:
            self.train_button.setToolTip("Train an adapter on your ratings in the background; chatting goes on")
        self.cancel_button.setVisible(running)
        self.cancel_button.setEnabled(running)
        self._show_explain_note()
        self.history.set_busy(running or not loaded)  # its choices act on the loaded model
        for w in (self.epochs, self.max_steps, self.lr, self.heldout):
            turn(w, not running, TRAINING_SETTING_TIP if running else "")

    def refresh_adapters(self) -> None:
        self.consent_box.setEnabled(True)  # an answer that could not be stored (its error is shown) may be given again
        self.history.set_adapters(self.controller.list_adapters(), loading=self.controller.chat.loaded is None)
        shown = getattr(self, "last_result", None)
        if shown and (shown[0] == "kept" or shown[3] is not None) and not self.result_box.isHidden():
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
        stopped = runs[0] if runs and runs[0]["status"] == "cancelled" and not cancelled else None
        which = "The new run" if cancelled_run is None else f"Run {cancelled_run}"
        if finished and cancelled:
            self.show_run(finished[0], note=("Cancelled: nothing changed",
                                             f"{which} was cancelled; the model you chat with stays as it was. "
                                             f"This is run {finished[0]['id']}'s report:"))
        elif finished and interrupted:  # the newest run never ended: the app closed or was killed while it trained
            self.show_run(finished[0], note=stopped_run_note(interrupted, finished[0]["id"], interrupted=True))
        elif finished and stopped:  # after a restart: cancelled, or stopped by quitting, before this start
            self.show_run(finished[0], note=stopped_run_note(stopped, finished[0]["id"]))
        elif finished:
            self.show_run(finished[0])
        elif cancelled:
            self._show_result("cancelled", None, None, None)
        elif stopped:  # after a restart, the first run stopped (by quitting): it said nothing (usertest26)
            self._show_result("cancelled", stopped.get("reason"), None, None, note=stopped_run_note(stopped, None))
        elif interrupted:
            self._show_result("running", f"run {interrupted['id']}", None, None)
        else:  # another model's report would name adapters this model does not have
            self.last_result = None
            self.history.set_after_discard(False)
            self.result_box.hide()

    def show_run(self, run: dict, note: tuple[str | None, str] | None = None) -> None:
        """A stored run's report (its metrics keep the gate's numbers and re-asks)."""
        self.last_run_id = run.get("id")
        self._show_result(run["status"], run.get("reason"), run.get("metrics"), run.get("adapter_id"), note)

    def show_adapter_report(self, adapter_id: int) -> None:
        """The report of the run that made ``adapter_id`` (an imported one: its own judgement)."""
        store = self.controller.store
        adapter = store.get_adapter(adapter_id)
        if adapter.get("run_id") is not None:
            run = store.get_run(adapter["run_id"])
            self.show_run({**run, "adapter_id": adapter_id})
        else:
            self.last_run_id = None
            self._show_result("kept", None, adapter.get("metrics"), adapter_id)
        QTimer.singleShot(0, self._show_result_top)  # above the history, once laid out

    def _show_result_top(self) -> None:
        """The report's card in view from its title: a card taller than the panel was centred by
        ``ensureWidgetVisible``, its title and first lines above the view (usertest 24: Report… opened on the
        card's middle pairs)."""
        self.ensureWidgetVisible(self.result_box)
        top = self.result_box.mapTo(self.widget(), QPoint(0, 0)).y()
        if self.result_box.height() > self.viewport().height():
            self.verticalScrollBar().setValue(top - REPORT_TOP_MARGIN_PX)

    # ------------------------------------------------------------ actions
    def start(self) -> bool:
        if repeated_run(self.counts, self.settings()) is not None and not self.confirm_same_ratings():
            return False
        self.curve.clear()
        focused = self.train_button.hasFocus()  # it disables itself: the focus must not drift to "Advanced"
        started = self.controller.start(self.settings())
        if started and focused:
            self._park_focus()
        if started:
            self.result_box.hide()
            self.trained_to = None
            self.stop_note.hide()
            self.slow_note.setVisible(self.controller.on_processor)
            self.progress_box.show()
            self.curve.show()
            self.phase_label.setText(f"{PHASE_WORDS['preparing']}\u2026")
            self.bar.setRange(0, 0)
            self.eta_label.setText("")
            QTimer.singleShot(0, self._progress_in_view)  # once laid out
        self._update()
        return started

    def _progress_in_view(self) -> None:
        """The run's phase, Cancel, bar and time left in view: at 1024x600 they began under the panel's
        bottom edge, and a person who started from the top saw only "Fine-tuning…" (usertest26)."""
        if not self.progress_box.isHidden():
            self.ensureWidgetVisible(self.progress_box, 0, REPORT_TOP_MARGIN_PX)

    def confirm_same_ratings(self) -> bool:
        """A finished run already trained on these ratings: ask before minutes of training on them again."""
        question, detail = same_ratings_words(self.counts)
        return ask(self.window(), "SameRatingsQuestion", "Fine-tune again?", question, detail, "Train again", "Not now")

    def _park_focus(self) -> None:
        """A run started from the keyboard leaves the focus on the Fine-tune tab, where Space and
        letters do nothing: on Cancel, the first space of a question typed next (after Ctrl+1, or
        before the person saw where the focus went) cancelled a 20-minute run (usertest9)."""
        parent = self.parentWidget()
        while parent is not None and not isinstance(parent, QTabWidget):
            parent = parent.parentWidget()
        self.parked_on = parent.tabBar() if parent is not None else self.cancel_button
        self.parked_on.setFocus(Qt.FocusReason.OtherFocusReason)

    def cancel(self) -> None:
        asks = self.ask_before_cancel and self.curve.steps and not self.controller.cancel_pending
        if asks and not self.confirm_cancel():
            return
        self.controller.cancel()  # (a second press changes nothing: the button stays, and keeps the focus)
        self.phase_label.setText("Cancelling\u2026")
        self.eta_label.setText("")  # "about 5 min left" is no longer what happens

    def confirm_cancel(self) -> bool:
        """Once steps are trained, one stray key or click must not throw them away: ask, with
        "Keep training" the default and Esc's answer."""
        # the training steps' count, as the status bar and the loss chart say it: between two steps the
        # bar counts other work ("2 of 40 steps" was 40 tokens of the re-asked answers, usertest 12)
        done, total = self.trained_to or (self.curve.steps[-1], self.curve.total or self.curve.steps[-1])
        return ask(self.window(), "CancelRunQuestion", "Cancel the fine-tune?",
                   f"The run has trained {done} of {total} steps. Cancel it?",
                   "Its steps are thrown away; the model you chat with stays as it was.",
                   "Cancel the run", "Keep training") and self.controller.running

    def _show_elapsed(self) -> None:
        if self.run_started is not None:
            self.eta_label.setText(f"{max(0.0, time.monotonic() - self.run_started):.0f} s so far")

    def on_progress(self, p) -> None:
        self.run_started = time.monotonic() - p.elapsed_s  # the run's own clock, kept in step
        if self.controller.cancel_pending:  # "Cancelling…" stays until the run ends (a step came after it)
            return
        self._note_stop(p)
        self.phase_label.setText(progress_line(p))  # the CLI's finetune prints the same words (terminal_line)
        counted = p.phase != "training" and bool(p.total)  # a count of the work (core.work_meter), a re-scoring
        counting = not (p.phase == "training" and p.step) and not counted
        if counting and not self.elapsed_timer.isActive():
            self.elapsed_timer.start()
        elif not counting:
            self.elapsed_timer.stop()
        if p.phase == "training" and p.step:
            self.bar.setRange(0, max(1, p.total))
            self.bar.setValue(p.step)
            self.eta_label.setText(" \u00b7 ".join(x for x in (step_eta_words(p.eta_s, p.check_s),
                                                              f"loss {p.loss:.3f}" if p.loss is not None else "")
                                                   if x))
            if p.loss is not None:
                self.curve.add(p.step, p.loss, p.total)
        elif counted:
            self.bar.setRange(0, p.total)
            self.bar.setValue(p.step)
            self.eta_label.setText(count_eta_words(p, self.trained_to))
        else:
            if not (p.phase == "training" and self.curve.steps):
                self.bar.setRange(0, 0)
            self._show_elapsed()

    def _note_stop(self, p) -> None:
        """Training that ends before its planned steps says so at once: only the perplexity guard ends
        it early (core.training._steps), and the card that said why came ten minutes later (usertest 10)."""
        if p.phase == "training" and p.step:
            self.trained_to = (p.step, p.total)
        elif (p.phase in ("evaluating", "rescoring") and not p.training_follows and self.trained_to
              and self.stop_note.isHidden()):  # the model in use, measured between two steps, is no stop
            step, total = self.trained_to
            if step < total:
                self.stop_note.setText(early_stop_words(step, total))
                self.stop_note.show()

    def on_finished(self, result) -> None:
        self.elapsed_timer.stop()
        self.progress_box.hide()
        if result.status == "cancelled":  # it changed nothing: the report of the run before stays readable
            self.show_last_run(cancelled=True, cancelled_run=result.run_id)
        else:
            self.last_run_id = result.run_id
            self._show_result(result.status, result.reason, result.metrics, result.adapter_id)
        self.refresh_adapters()
        self._update()

    def on_failed(self, message: str) -> None:
        self.elapsed_timer.stop()
        self.progress_box.hide()
        self._show_result("failed", message, {}, None)
        self._update()

    def _place_card(self, first: bool) -> None:
        """A card that waits for the person's word goes right under the intro, above the count tiles
        and "Fine-tune on my ratings": the first big button after a run was "train again", not the
        question (usertest 10). Any other card stays under the progress, where a run reports."""
        layout = self.widget().layout()
        anchor = self.intro if first else self.progress_box
        if layout.indexOf(self.result_box) != layout.indexOf(anchor) + 1:
            layout.removeWidget(self.result_box)
            layout.insertWidget(layout.indexOf(anchor) + 1, self.result_box)

    def _steady_card(self, kept: bool, adapter_id) -> None:
        """A kept run's card keeps its height whichever adapter is in use: "Use selected" and
        "Roll back" changed its title's lines and hid its Compare button, and the adapter
        history's buttons under it moved by 10 px between two clicks."""
        policy = self.compare_button.sizePolicy()
        policy.setRetainSizeWhenHidden(kept)
        self.compare_button.setSizePolicy(policy)
        label, least = self.result_title, 0
        if kept and label.width() > 0:
            longest = f"Kept as {adapter_name(adapter_id)}; {adapter_name(None)} is in use now"
            area = QRect(0, 0, label.contentsRect().width(), 10_000)
            least = max(label.fontMetrics().boundingRect(area, Qt.TextFlag.TextWordWrap, text).height()
                        for text in (longest, label.text()))
        label.setMinimumHeight(least)

    def _show_result(self, status, reason, metrics, adapter_id, note: tuple[str | None, str] | None = None) -> None:
        """The card of one run. ``note``: (a title instead of the run's, or None; a line above
        the report), e.g. a later run that was cancelled; kept when the history redraws it."""
        self.last_result = (status, reason, metrics, adapter_id, note)
        self.history.set_after_discard(status == "discarded")
        active = self.history.active_id()
        card = run_card(status, reason, metrics, adapter_id, note, active, {row["id"] for row in self.history.rows})
        self.result_title.setText(card.title)
        self._show_body(card, figures_tip(status, metrics))
        self.taught.set_pairs((metrics or {}).get("taught") if status in ("kept", "discarded") else None,
                              since_run=(metrics or {}).get("new_since_run_id"))
        self._show_consent(status, metrics, card)
        self._place_card(first=card.waiting)
        # a note with its own title (a later run cancelled) is not this run's verdict: no green or red;
        # an adapter waiting for the person's word is no plain success either
        kind = "waiting" if card.waiting else status
        self._style_card(kind if note is None or note[0] is None else "note")
        # compare is about this card's adapter: only while that adapter is in use
        self.compare_button.setVisible((status == "kept" or card.used_anyway) and not card.gone
                                       and active == adapter_id)
        self._steady_card(status == "kept" and not card.gone, adapter_id)
        self.result_box.show()

    def _show_body(self, card: RunCard, tip: str) -> None:
        """The card's words. A discarded run's in three blocks, a paragraph apart: why and what to do, then its
        question (Use it anyway / Leave it), then the figures; the question of any other card comes first."""
        muted = colors(is_dark())["muted"]
        spaced = bool(card.details)
        self.result_body.setText((paragraphs(card.body) if spaced else card.body).replace("@muted", muted))
        self.result_body.setVisible(bool(card.body))
        self.result_details.setText(paragraphs(card.details).replace("@muted", muted))
        self.result_details.setVisible(spaced)
        for label in (self.result_body, self.result_details):
            label.setToolTip(tip)  # what the figures mean, for who wants them
        layout = self.result_box.layout()
        if (layout.indexOf(self.consent_text) > layout.indexOf(self.result_body)) != spaced:
            for widget in (self.consent_text, self.consent_box):
                layout.removeWidget(widget)
            at = layout.indexOf(self.result_body) + (1 if spaced else 0)
            layout.insertWidget(at, self.consent_text)
            layout.insertWidget(at + 1, self.consent_box)
        layout.setSpacing(10 if spaced else 4)

    def _show_consent(self, status, metrics, card: RunCard) -> None:
        """The question under a saved adapter waiting for the person's word, and its buttons."""
        offered = card.waiting and status == "discarded"  # used anyway, or left (core.train_verdict.decide)
        question = (degenerate_words if offered else changed_facts_words)(metrics, card.now) if card.waiting else ""
        question = paragraphs(question) if offered else question  # a discarded run's listed answers, apart
        self.consent_text.setText(question.replace("@muted", colors(is_dark())["muted"]))
        self.consent_box.set_words(leave=offered)
        self.consent_text.setVisible(card.waiting)
        self.consent_box.setVisible(card.waiting and self.last_run_id is not None)

    def _style_card(self, kind: str) -> None:
        """The card's colours follow its ``kind`` (the style sheet's ``kind`` property)."""
        self.result_box.setProperty("kind", kind)
        self.result_box.style().unpolish(self.result_box)
        self.result_box.style().polish(self.result_box)

    def _lay_tiles(self, columns: int) -> None:
        if columns == self.tile_columns:
            return
        self.tile_columns = columns
        for i, tile in enumerate(self.tiles.values()):
            self.tile_grid.addWidget(tile, i // columns, i % columns)  # moves a tile already in the grid

    def _tiles_fit_two_columns(self, room: int) -> bool:
        spacing = self.tile_grid.horizontalSpacing()
        return sum(tile.minimumSizeHint().width() for tile in list(self.tiles.values())[:2]) + spacing <= room

    def set_explain_busy(self, busy: bool) -> None:
        """"Why this token?" started or ended: while it runs beside a run, the progress says it slows the run."""
        self.explain_busy = busy
        self._show_explain_note()

    def _show_explain_note(self) -> None:
        shown = self.explain_busy and self.controller.running
        if shown:
            self.explain_note.setText(explain_slows_words(self.controller.on_processor))
        self.explain_note.setVisible(shown)

    def _fit_train_words(self) -> None:
        """The train button's and the run card's Compare button's whole words where they fit the panel's width,
        else their short form (the whole words stay their accessible names)."""
        whole = TRAINING_WORDS if self.controller.running else TRAIN_WORDS
        margins = self.widget().layout().contentsMargins()
        room = self.viewport().width() - margins.left() - margins.right()
        fit_words(self.train_button, whole, TRAIN_SHORT_WORDS if whole == TRAIN_WORDS else whole, room)
        card = self.result_box.layout().contentsMargins()
        fit_words(self.compare_button, COMPARE_WORDS, COMPARE_SHORT_WORDS, room - card.left() - card.right())

    def resizeEvent(self, event) -> None:
        """The adapter history fits the view whole, its buttons with it (its list scrolls where it is short). The
        count tiles go one under another where two side by side do not fit: on a 480 px screen the panel beside
        the chat had about 230 px, and the second column ran off its edge."""
        super().resizeEvent(event)
        narrow = self.viewport().width() < NARROW_PANEL
        self.widget().layout().setContentsMargins(*((NARROW_MARGIN, 12) * 2 if narrow else (PANEL_MARGIN, 12) * 2))
        # on the narrowest screens (the panel under its 280 px) what does not fit scrolls into view rather than
        # being cut off for good; at its usual width no bar: a run's before/after pairs asked a few px more, and
        # a bar for them took a line of the panel's height
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded if narrow
                                          else Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        margins = self.widget().layout().contentsMargins()
        self._fit_train_words()
        self._lay_tiles(2 if self._tiles_fit_two_columns(self.viewport().width() - margins.left()
                                                         - margins.right()) else 1)
        self.history.fit_to(self.viewport().width() - margins.left() - margins.right(),
                            self.viewport().height() - margins.top() - margins.bottom())


def paragraphs(text: str) -> str:
    """Lines joined by "<br>" as paragraphs a little apart (a narrow card's block of lines read as a wall); an
    indented line (a listed answer's before and after) stays with the line above it."""
    blocks: list[str] = []
    for line in text.split("<br>"):
        if blocks and line.startswith("&nbsp;"):
            blocks[-1] += "<br>" + line
        elif line:
            blocks.append(line)
    return "".join(f"<p style='margin:0 0 6px 0'>{block}</p>" for block in blocks)


class ConsentButtons(QWidget):
    """"Use it anyway" and "Keep the current model": side by side where both fit whole, else one
    above the other (the side panel is narrow at 800x600), never cut."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.use = QPushButton("Use it anyway")
        self.use.setObjectName("SmallButton")
        self.keep = QPushButton("Keep the current model")
        self.keep.setObjectName("SmallButton")
        self.box = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self.box.setContentsMargins(0, 4, 0, 0)
        self.box.setSpacing(6)
        # the safe answer first and default: after a run that taught a wrong fact, "Use it anyway" on the
        # left read as the way on (usertest 10)
        self.keep.setDefault(True)
        self.box.addWidget(self.keep)
        self.box.addWidget(self.use)
        self.box.addStretch(1)
        self.setTabOrder(self.keep, self.use)
        self.set_words(leave=False)

    def set_words(self, leave: bool) -> None:
        """``leave``: the adapter of a run the check discarded (its answers went wrong): "Leave it"
        deletes it; else a kept one that changed facts: "Keep the current model" keeps it in the history."""
        if leave:
            self.keep.setText("Leave it")
            self.keep.setToolTip("Keep the model in use as it is and delete the discarded adapter")
            self.use.setToolTip("Put the discarded adapter in use, with the answers shown; it then appears in "
                                "the adapter history")
        else:
            self.keep.setText("Keep the current model")
            self.keep.setToolTip("Leave the model in use as it is; the new adapter stays in the history below")
            self.use.setToolTip("Put the new adapter in use, with the changed answers")
        # an explicit minimum width: the side-by-side row's would keep the panel from ever being narrow
        # enough to put them one above the other (the layout keeps its own minimum height)
        self.setMinimumWidth(max(self.use.sizeHint().width(), self.keep.sizeHint().width()))

    def _both_fit(self, width: int) -> bool:
        return self.use.sizeHint().width() + self.keep.sizeHint().width() + self.box.spacing() <= width

    def resizeEvent(self, event) -> None:
        side = self._both_fit(event.size().width())
        want = QBoxLayout.Direction.LeftToRight if side else QBoxLayout.Direction.TopToBottom
        if self.box.direction() != want:
            self.box.setDirection(want)
        super().resizeEvent(event)
