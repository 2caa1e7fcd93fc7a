"""The fine-tune panel's progress of a running fine-tune: its phase with Cancel, the bar, the time
so far or left, and the notes under them (an early stop, a run on the processor, "Why this token?"
running beside it). A part of ``FineTunePanel`` (gui/finetune_panel.py), whose widgets it reads.
"""

from __future__ import annotations

import dataclasses
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QProgressBar, QPushButton, QVBoxLayout

from desktop_app.core.progress_words import (SLOW_WINDOW, count_eta_words, early_stop_words, explain_slows_words,
                                             kept_aside_line, panel_line, panel_tip, split_words,
                                             step_eta_words)
from desktop_app.core.step_pace import left_now
from desktop_app.core.train_counts import ratings_of_run
from desktop_app.gui.figure_words import KEPT_ASIDE_WORDS
from desktop_app.gui.finetune_card import REPORT_TOP_MARGIN_PX
from desktop_app.gui.theme import icon, styled_label


class _WhenMoved(QObject):
    """Calls ``then`` after each move or resize of the widget it watches."""

    def __init__(self, widget, then):
        super().__init__(widget)
        self.then = then
        widget.installEventFilter(self)

    def eventFilter(self, _watched, event) -> bool:
        if event.type() in (QEvent.Type.Move, QEvent.Type.Resize):
            self.then()
        return False


def run_stretch(p) -> tuple:
    """The stretch of a run a report is of, through which the progress block holds its height (its lines coming
    and going made the chart under it jump: usertest40): the steps with the reference's pass before them, the
    model in use measured between two steps, the check after the steps, an earlier checkpoint measured again,
    the re-scoring; each part of a measuring too (a pause's longer part held about 40 px blank over its next
    part's four lines at 1366x768: panels72)."""
    if p.phase == "training":
        return ("training",)
    return (p.phase, bool(getattr(p, "training_follows", False)), bool(getattr(p, "checking_earlier", False)),
            getattr(p, "part", None))


def _hidden_note(layout, tip: str = ""):
    """A muted, wrapped line added to ``layout``, hidden until there is something to say."""
    note = styled_label("", "Muted", wrap=True)
    if tip:
        note.setToolTip(tip)
    layout.addWidget(note)
    note.hide()
    return note


class RunProgress:
    """The progress part of the fine-tune panel (a mixin of ``FineTunePanel``: its ``controller``,
    ``curve`` and ``cancel`` are the panel's)."""

    def _build_progress(self, layout) -> None:
        """The phase line with its Cancel button, the progress bar and the time estimate."""
        self.progress_box = QFrame(layout.parentWidget())
        pl = QVBoxLayout(self.progress_box)
        pl.setContentsMargins(0, 0, 0, 0)
        pl.setSpacing(4)
        pl.addLayout(self._phase_row())
        self.bar = QProgressBar()
        self.bar.setObjectName("TrainProgress")
        self.bar.setTextVisible(False)
        pl.addWidget(self.bar)
        self.eta_label = styled_label("", "Muted", wrap=True)
        pl.addWidget(self.eta_label)
        # how the run split the ratings, from its start: its counts of pairs or examples are not the ratings;
        # "kept aside" said nothing of why, nor which (usertest47)
        self.split_note = _hidden_note(pl, KEPT_ASIDE_WORDS)
        self.kept_note = _hidden_note(pl, KEPT_ASIDE_WORDS)  # which questions were kept aside (_show_kept_aside)
        self.stop_note = _hidden_note(pl)  # training ended before its planned steps (_note_stop)
        self.slow_note = styled_label(SLOW_WINDOW, "Muted", wrap=True)  # a run on the processor (start)
        pl.addWidget(self.slow_note)
        self.explain_note = styled_label("", "Muted", wrap=True)  # "Why this token?" runs too (set_explain_busy)
        self.explain_note.hide()
        pl.addWidget(self.explain_note)
        pl.addStretch(1)  # the room the block holds past its lines' (_hold_height) goes under them
        self._progress_state()
        self.elapsed_timer = QTimer(self, interval=1000)
        self.elapsed_timer.timeout.connect(self._show_elapsed)
        layout.addWidget(self.progress_box)
        self.following_progress = False  # the progress kept in view as the panel lays out a run's start
        _WhenMoved(self.progress_box, self._progress_moved)
        # the person's own scrolling (the bar, the wheel, the keys) is theirs: the progress no longer follows
        self.verticalScrollBar().actionTriggered.connect(self._stop_following)

    def _phase_row(self) -> QHBoxLayout:
        """The run's phase and, at the row's end, Cancel."""
        row = QHBoxLayout()
        # wrapped: a long phase ("Computing reference log-probabilities") must not widen the dock
        self.phase_label = styled_label("", "PhaseLabel", wrap=True)
        row.addWidget(self.phase_label, 1)
        self.cancel_button = QPushButton(icon("stop"), "Cancel")
        self.cancel_button.setObjectName("SmallButton")
        self.cancel_button.setToolTip("Stop training; the adapter in use stays as it is")
        self.cancel_button.clicked.connect(self.cancel)
        row.addWidget(self.cancel_button)
        return row

    def _progress_state(self) -> None:
        """What the block knows of the run under way (nothing before one)."""
        self.explain_busy = False
        self.kept_groups: tuple[int, ...] | None = None  # the run's kept-aside exchanges, as last named
        self.measuring_began: float | None = None  # the run's clock at a measuring's first part (_measuring_so_far)
        self.trained_to: tuple[int, int] | None = None  # (step, of steps) of the run's last training report
        self.step_heard = None  # (the last report, when it came) while it is a training step's
        self.held_height = 0  # the most the block needed during this stretch of the run (_hold_height)
        self.stretch: tuple | None = None  # the stretch of the run the last report was of (run_stretch)
        # between the run's reports (a phase can take half a minute) the elapsed time keeps counting
        self.run_started: float | None = None

    def _follow_progress(self) -> None:
        """The run's phase, Cancel, bar and time left in view: at 1024x600 they began under the panel's
        bottom edge, and a person who started from the top saw only "Fine-tuning…" (usertest26). Followed
        as the box moves or grows (the curve shown over it, a note wrapping in it) until the person scrolls:
        scrolled once, from a timer that could run before the layout, it was left out of view under load."""
        self.following_progress = True
        QTimer.singleShot(0, self, self._progress_in_view)

    def _progress_moved(self) -> None:
        if self.following_progress:
            QTimer.singleShot(0, self, self._progress_in_view)

    def _stop_following(self, _action: int = 0) -> None:
        self.following_progress = False

    def _end_progress(self) -> None:
        """The run ended (its card or its failure shows instead)."""
        self.elapsed_timer.stop()
        self.step_heard = None
        self.progress_box.hide()
        self.let_go_height()
        self._stop_following()

    def _progress_in_view(self) -> None:
        if self.progress_box.isHidden():
            self.following_progress = False
        elif self.following_progress:
            # the chart under the lines too (at 1366x768 a step back's eight lines put its "step" axis under the
            # panel's edge: panels72), then the lines, which win where both do not fit
            if not self.curve.isHidden():
                self.ensureWidgetVisible(self.curve, 0, 0)
            self.ensureWidgetVisible(self.progress_box, 0, REPORT_TOP_MARGIN_PX)  # as over a report's card

    def _show_elapsed(self) -> None:
        if self.step_heard is not None:
            self._show_steps_left()
        elif self.run_started is not None:
            self.eta_label.setText(f"{max(0.0, time.monotonic() - self.run_started):.0f} s so far")
        self._hold_height()

    def _new_stretch(self, p) -> None:
        """Another stretch of the run begins: the block lets go of the last one's lines and holds its own from
        there. The pause between two steps ("Training paused: measuring your current model (part 3 of 3, ...)",
        five lines) held 75 px blank above the chart for the rest of the run (leftovers70); a step back's
        "checking an earlier point of the run (step 4 of 18), since ...", eight lines at 1366x768, held them over
        the re-scoring's shorter line after it (panels72)."""
        stretch = run_stretch(p)
        if self.stretch is not None and stretch != self.stretch:
            self.let_go_height()
        self.stretch = stretch

    def _hold_height(self) -> None:
        """The block keeps the most height its lines needed during this stretch of the run (until the next
        stretch begins, ``_new_stretch``): as its phase line went from three lines to one and its time
        left came and went, the chart and the card under it jumped (usertest40). Measured at the width the
        panel's layout gives it, once the panel shows."""
        box = self.progress_box
        if not self.isVisible() or box.isHidden():
            return
        margins = self.widget().layout().contentsMargins()
        width = self.widget().width() - margins.left() - margins.right()
        layout = box.layout()
        for row in (layout.itemAt(i).layout() for i in range(layout.count())):
            if row is not None:  # the phase line's row caches its own height: measured after a pause it was the
                row.invalidate()  # pause's five lines, held again for the rest of the run (leftovers70)
        layout.invalidate()  # its lines' new words: the layout's cached height is their old words'
        needed = box.heightForWidth(width)
        if width > 0 and needed > self.held_height:
            self.held_height = needed
            box.setMinimumHeight(needed)

    def let_go_height(self) -> None:
        """A run ended or starts: the block takes the height of its lines again."""
        self.held_height = 0
        self.progress_box.setMinimumHeight(0)

    def _show_steps_left(self) -> None:
        """A training step's time left, told again each second from the steps' pace: a step that runs past it
        makes it grow (it had stood at "about 33 min left" through minutes of one step, usertest40)."""
        p, heard = self.step_heard
        left = p.eta_s
        if p.step_s is not None:
            left = left_now(p.step_s, p.total - p.step, time.monotonic() - heard)
            self.time_left_retold.emit(dataclasses.replace(p, eta_s=left))  # the status bar says it too
        loss = f"loss {p.loss:.3f}" if p.loss is not None else ""
        self.eta_label.setText(" \u00b7 ".join(x for x in (step_eta_words(left, p.check_s), loss) if x))

    def on_progress(self, p) -> None:
        self.run_started = time.monotonic() - p.elapsed_s  # the run's own clock, kept in step
        if self.controller.cancel_pending:  # "Cancelling…" stays until the run ends (a step came after it)
            return
        self._note_stop(p)
        self._new_stretch(p)
        if p.phase == "training" and p.total:
            self.curve.plan(p.total)  # the chart's axis counts the run's steps before the first one
        # the CLI's finetune prints the same words (terminal_line), the pause's whole count too: here in its tooltip
        self.phase_label.setText(panel_line(p))
        self.phase_label.setToolTip(panel_tip(p))
        self._show_split(p)
        counted = p.phase != "training" and bool(p.total)  # a count of the work (core.work_meter), a re-scoring
        stepped = p.phase == "training" and bool(p.step)
        if not counted:
            self.measuring_began = None  # a measuring's time so far counts from its own first part
        self.step_heard = (p, time.monotonic()) if stepped else None
        ticking = (not stepped and not counted) or (stepped and p.step_s is not None)
        if ticking and not self.elapsed_timer.isActive():
            self.elapsed_timer.start()
        elif not ticking:
            self.elapsed_timer.stop()
        self._show_count(p, stepped, counted)
        self._hold_height()

    def _show_split(self, p) -> None:
        """The held-out split the run made and the ratings it read, under the phase line."""
        # the ratings the run read (a run from before runs recorded them: those the tab counted as it started)
        ratings = ratings_of_run(getattr(p, "rating_counts", None), self.total_at_run_start)
        self.split_note.setText(split_words(p.split, ratings))
        self.split_note.setVisible(bool(p.split))
        self._show_kept_aside(tuple(getattr(p, "held_groups", ()) or ()), getattr(p, "held_questions", None))

    def _show_count(self, p, stepped: bool, counted: bool) -> None:
        """The bar and the time left: the steps (and the loss curve), a counted phase's parts, else a busy bar."""
        if stepped:
            self.bar.setRange(0, max(1, p.total))
            self.bar.setValue(p.step)
            self._show_steps_left()
            if p.loss is not None:
                self.curve.add(p.step, p.loss, p.total)
        elif counted:
            self.bar.setRange(0, p.total)
            self.bar.setValue(p.step)
            self.eta_label.setText(count_eta_words(p, self.trained_to, self._measuring_so_far(p)))
        else:
            if not (p.phase == "training" and self.curve.steps):
                self.bar.setRange(0, 0)
            self._show_elapsed()

    def _measuring_so_far(self, p) -> float | None:
        """Seconds since the measuring in parts that ``p`` counts began (its time so far, where the time left of
        its later parts is not known yet: core.progress_words.parts_to_come_words)."""
        if not p.part:
            self.measuring_began = None
            return None
        if self.measuring_began is None:  # a measuring's first count (part 1 holds several, each from 0)
            self.measuring_began = p.elapsed_s
        return p.elapsed_s - self.measuring_began

    def _show_kept_aside(self, groups: tuple[int, ...], questions: tuple[str, ...] | None) -> None:
        """The questions kept aside, named under the split's counts (waiting83), as the run's report carries them
        (it reads them where it splits: no store read here); worded once per run's split, not at each report."""
        if groups != self.kept_groups:
            self.kept_groups = groups
            self.kept_note.setText(kept_aside_line(self.controller.store, groups, questions))
        self.kept_note.setVisible(bool(self.kept_note.text()))

    def _note_stop(self, p) -> None:
        """Training that ends before its planned steps says so at once: only the perplexity guard ends
        it early (core.train_step_loop.StepLoop._steps), and the card that said why came ten minutes later
        (usertest 10)."""
        if p.phase == "training" and p.step:
            self.trained_to = (p.step, p.total)
        elif (p.phase in ("evaluating", "rescoring") and not p.training_follows and self.trained_to
              and self.stop_note.isHidden()):  # the model in use, measured between two steps, is no stop
            step, total = self.trained_to
            if step < total:
                self.stop_note.setText(early_stop_words(step, total))
                self.stop_note.show()

    def set_explain_busy(self, busy: bool) -> None:
        """"Why this token?" started or ended: while it runs beside a run, the progress says it slows the run."""
        self.explain_busy = busy
        self._show_explain_note()

    def _show_explain_note(self) -> None:
        shown = self.explain_busy and self.controller.running
        if shown:
            self.explain_note.setText(explain_slows_words(self.controller.on_processor))
        self.explain_note.setVisible(shown)
        self._hold_height()
