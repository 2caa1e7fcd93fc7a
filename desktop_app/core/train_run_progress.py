"""What a fine-tune tells while it runs, and where its time goes: ``TrainProgress`` (one report), and the
run's ``RunProgress`` part: ``say`` a report, ``counting`` the measuring's work (core.work_meter) as reports
with their time left (``Pace``), ``timed`` a phase's seconds, the thread ``team`` for the next piece of work,
and ``check_cancel``. The run (core.training._Run) is made of this part, its set-up (train_run_setup.py)
and its steps (train_step_loop.py); each part reads the run's fields that ``_Run.__init__`` sets."""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from typing import Callable

from desktop_app.core import work_meter
from desktop_app.core.check_time import CheckClock, part_of
from desktop_app.core.train_verdict import Cancelled


@dataclass
class TrainProgress:
    phase: str  # "preparing" | "training" | "evaluating" | "rescoring"
    step: int = 0
    total: int = 0
    loss: float | None = None
    kl: float | None = None
    reward_chosen: float | None = None
    reward_rejected: float | None = None
    reward_margin: float | None = None
    eta_s: float | None = None  # a training step's: the steps' time left; a count's: its measuring's time left
    elapsed_s: float = 0.0
    message: str = ""
    # a training step's: the estimated seconds of the check after the steps (core.check_time), None: not known yet
    check_s: float | None = None
    # a count of the measuring of the model in use, done between two steps: the steps go on after it
    training_follows: bool = False
    # (this part, of the parts) of that measuring: its margins, the probe, the re-asks, a run from an adapter's
    # base margins; each part's count starts at 0 again, so the parts say how far the whole measuring is
    part: tuple[int, int] | None = None
    # what a count of a measuring measures, a key of progress_words.MEASURED_PARTS ("held_out", "probe", "reask"):
    # the panel and the CLI name it (usertest32: two unnamed scoring counts in one part)
    measures: str = ""
    # (the step of the checkpoint tried, of the steps trained) while the gate steps back (train_verdict.step_back)
    stepping_back: tuple[int, int] | None = None
    # the earlier checkpoint a step back put back, measured again for the verdict (not the run's last point)
    checking_earlier: bool = False
    # a training step's: the recent steps' seconds per step (core.step_pace), from which the window's time left
    # grows while a step runs past it; None while the time left is held
    step_s: float | None = None
    # (ratings learnt from, ratings kept aside to test the result) once the run has split them: the panel says it
    # from the start (verdict75: "0 of 5 pairs" after 6 ratings, the one kept aside explained only after the run)
    split: tuple[int, int] | None = None
    # a count of a measuring in parts: its ``eta_s`` covers the parts still to come (False: this part's alone,
    # a later part's time not known yet; the window then says no time left that would begin again at that part)
    eta_whole: bool = True
    # the rated exchanges kept aside (their questions' message ids, rating_group), once split: the panel names
    # their questions, so who just wrote a correction sees it was kept aside this time (waiting83)
    held_groups: tuple[int, ...] = ()
    # and their questions' words, read from the store on the run's thread as it splits: the window names them from
    # the report without reading the store on its own thread (inspector86); None: not read (a report made elsewhere)
    held_questions: tuple[str, ...] | None = None
    # the ratings the run read, per kind, as train_counts.readiness counts them (train_counts.run_rating_counts),
    # once read: "examples made from your N ratings" says this run's N, however many were rated since (split91)
    rating_counts: dict | None = None


class RunProgress:
    """The run's reports, its seconds and its thread team. Reads the run's ``report``, ``started``,
    ``split``, ``held_groups``, ``held_questions``, ``rating_counts``, ``cancel``, ``chooser`` and ``metrics``."""

    def say(self, phase, message="", **fields) -> None:
        fields.setdefault("split", self.split)
        fields.setdefault("held_groups", self.held_groups)
        fields.setdefault("held_questions", self.held_questions)
        fields.setdefault("rating_counts", self.rating_counts)
        self.report(TrainProgress(phase, message=message, elapsed_s=time.perf_counter() - self.started, **fields))

    def counting(self, phase: str, stage: str = "", clock: CheckClock | None = None,
                 part: Callable[[str], tuple[int, int]] | None = None, **fields):
        """The counts of the work inside (core.work_meter) as reports of ``phase``: "measuring
        the new adapter: re-asking 12 questions at once: 40 of at most 64 tokens of each answer", with the time left
        at that count's pace so far, so that no phase of minutes shows only a clock; with a
        ``clock``, the time left of the whole measuring (its later parts' estimates added, and
        the part's estimate before its count has a pace). ``part(what)``: which part of the
        work a count is, (3, 3), in the report's ``part``."""
        pace = Pace()

        def heard(what: str, done: int, total: int) -> None:
            eta = pace.left(what, done, total)
            if eta is not False:
                eta = (clock.left(part_of(what), eta, done / total, pace.elapsed()) if clock is not None
                       else eta)
                line = work_meter.words(what, done, total)
                measures = (work_meter.subject() or part_of(what)) if phase == "evaluating" else ""
                numbered = part(what) if part else None
                self.say(phase, f"{stage}: {line}" if stage else line, step=done, total=total, eta_s=eta,
                         part=numbered, measures=measures, eta_whole=eta_whole(clock, what, numbered), **fields)
        return work_meter.listening(heard)

    def check_cancel(self) -> None:
        if self.cancel.is_set():
            raise Cancelled()

    def team(self, n: int | None = None):
        """The intra-op team for the next piece of work: ``n``, else the team the steps found
        faster so far (core.threads.TeamChooser), fewer while an answer is being decoded.
        Work done beside an answer is counted in ``metrics["team_reduced"]``."""
        from desktop_app.core import threads

        n = self.chooser.best() if n is None else n
        if threads.answer_running():
            self.metrics["team_reduced"] = self.metrics.get("team_reduced", 0) + 1
        return threads.limited(n)

    @contextlib.contextmanager
    def timed(self, phase: str):
        """Adds the body's wall seconds to ``metrics["phase_s"][phase]`` and its CPU seconds (all
        threads of the process) to ``metrics["phase_cpu_s"][phase]``: where a run's time goes
        (bench/finetune_time.py prints it; bench/finetune_vs_trl.py budgets in CPU seconds, which
        other jobs on a shared core do not inflate as they do wall seconds)."""
        start, cpu_start = time.perf_counter(), time.process_time()
        try:
            with self.team():
                yield
        finally:
            add_seconds(self.metrics, phase, time.perf_counter() - start, time.process_time() - cpu_start)


def eta_whole(clock: CheckClock | None, what: str, numbered: tuple[int, int] | None) -> bool:
    """Whether a count's time left covers its measuring's later parts (TrainProgress.eta_whole)."""
    if numbered is None or numbered[0] >= numbered[1]:
        return True
    return clock is not None and clock.covers_rest(part_of(what), numbered[1] - numbered[0])


class Pace:
    """Time left for a count (``RunProgress.counting``) at its pace so far; a count's clock starts
    when the count before it last moved. ``left`` is False for a report too soon after the
    last one (a re-ask counts every token; the panel needs a few a second)."""
    EVERY_S = 0.25

    def __init__(self):
        self.what, self.since = None, time.perf_counter()
        self.last = self.since - self.EVERY_S

    def left(self, what: str, done: int, total: int) -> float | None | bool:
        now = time.perf_counter()
        if what != self.what:
            self.what, self.since = what, self.last if self.what is not None else self.since
        elif now - self.last < self.EVERY_S and 0 < done < total:
            return False
        self.last = now
        return (now - self.since) / done * (total - done) if done else None

    def elapsed(self) -> float:
        """Seconds since the count now heard began."""
        return time.perf_counter() - self.since


def add_seconds(metrics: dict, phase: str, wall: float, cpu: float) -> None:
    """Adds a phase's wall and CPU seconds to the run's ``phase_s`` and ``phase_cpu_s``."""
    for key, spent in (("phase_s", wall), ("phase_cpu_s", cpu)):
        figures = metrics.setdefault(key, {})
        figures[phase] = round(figures.get(phase, 0.0) + spent, 3)
