"""One-click personal fine-tune: ratings -> a LoRA adapter, kept only if it helps.

``run_finetune`` is meant for a worker thread: it trains a separate model (train_copy.py: a
float32 copy loaded fresh from ``loaded.folder``, or, for a float32 chat model, new modules over
the chat model's own frozen tensors), never the chat model itself, reports ``TrainProgress``
through a callback, stops within one step when ``cancel`` is set, and leaves the active
adapter as it was unless the new adapter passes the gate (gate.py); then it is recorded and
made active in the store, and the caller switches the chat model to it
(``adapters.attach_active``).

Objectives (train_losses.py, train_objectives.py): KTO on thumbs, DPO + a likelihood term on
pairs (corrections, liked/disliked siblings), the weighted token term on token ratings; the
reference is the base model (the adapter disabled). The steps' other parts (the batches' order,
the mixed precision, the optimizer, the added terms) are train_steps.py's. Each run trains a
fresh adapter on all ratings; the adapter active before the run is recorded as its parent and is
what the gate compares against. What the run measures before and after, the questions it
re-asks and the re-scoring for the compare view are finetune_effect.py's; the verdict on those
measurements (a step back to an earlier checkpoint, then keep or discard) is train_verdict.py's.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable

from desktop_app.core import adapters as adapter_store
from desktop_app.core import train_steps as steps
from desktop_app.core import work_meter
from desktop_app.core.cancel_hooks import blocks, stoppable
from desktop_app.core.check_time import PARTS, REASK_TOKEN_PER_UPDATE, CheckClock, part_of
from desktop_app.core.errors import UserFacingError
from desktop_app.core.finetune_effect import (EVAL_BATCH, BeforeCache, Meter, digest, heldout_trained_by_parent,
                                             new_ratings, parent_split, plan_reasks, remember_after, split_record)
from desktop_app.core.lazy import lazy_module
from desktop_app.core.memory import return_large_allocations_to_os, sweep_heap, trim_heap
from desktop_app.core.progress_words import kept_aside_questions
from desktop_app.core.step_pace import StepPace
from desktop_app.core.train_copy import SHARED, ResolvedModel, follow_chat_precision, resolve_model, with_lora
from desktop_app.core.train_counts import new_since_previous, readiness
from desktop_app.core.train_data import TrainingData, build_training_data
from desktop_app.core.train_settings import FineTuneSettings
from desktop_app.core.train_verdict import (CANCELLED, CANCELLED_MESSAGE, STOPPED_BY_CTRL_C, Cancelled, RunResult,
                                           decide, measuring_again_words, previous, step_back)

gate = lazy_module("desktop_app.core.gate")  # it imports torch: on first use, so the window opens before torch

log = logging.getLogger(__name__)

ETA_AFTER_STEPS = 3  # a training step's time left is told from this step on (the pace of fewer swings by minutes)
# the model in use is measured ("before") after this many steps: by then the steps know both thread teams'
# pace (core.threads.TeamChooser, seeded by the reference pass), so it runs on the faster, and the check after
# training knows its length
BEFORE_AT_STEP = 2


# the steps of getting ready that generate text, and say so (raw: core.progress_words.STEP_WORDS puts them in a
# person's words for both front ends)
ANSWERING_REQUESTS = "Answering general requests with the model as it is"
WRITING_PRACTICE = "Writing practice answers in capitals"
# said once the ratings are read, until the first step's own report: the first step is the slowest (and a
# first run reads the guard's general text before it); the last count had stood meanwhile, read as stuck
FIRST_STEP = "Taking the first training step"
# the stages of the measuring of the model in use between two steps (_Before), each count's line after one
MEASURING_IN_USE = "measuring your current model"
MEASURING_BASE = "measuring the base model too"

class NothingToTrainError(UserFacingError):
    pass


NO_RATINGS = ("No ratings yet: rate an answer (thumbs up or down), a token, or write a better answer, "
              "then fine-tune.")


class TrainingBusyError(UserFacingError):
    pass


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


def training_readiness(store, model_id: str | None = None, tokenizer=None) -> dict:
    """Counts of usable examples: thumbs_up, thumbs_down, token_ratings, corrections, pairs,
    total, ready; plus the active adapter id for ``model_id``. ``tokenizer``: the loaded model's, where
    at hand (train_counts.readiness)."""
    counts = readiness(store, model_id, tokenizer)
    if model_id is not None:
        active = store.active_adapter(model_id)
        counts["active_adapter_id"] = active["id"] if active else None
    return counts


# ------------------------------------------------------------------ the run

def run_finetune(store, model, paths, settings: FineTuneSettings | None = None,
                 progress: Callable[[TrainProgress], None] | None = None,
                 cancel: threading.Event | None = None, *, device: str = "auto",
                 verdict: Callable[[RunResult], None] | None = None,
                 cancel_reason: Callable[[], str] | None = None) -> RunResult:
    """Train, judge, and keep or discard one adapter. ``model``: a LoadedModel (the chat
    model; a fresh copy is trained) or a model spec (loaded here). ``verdict(result)``: a kept
    run's result as soon as its adapter is saved, before the re-scoring of the newest rated
    answers for the compare view (seconds), which the run then does: a caller shows the result
    there rather than after it (the returned result is the same but for the re-scoring's seconds
    in its metrics). ``cancel_reason()``: why ``cancel`` was set, read once the run stops
    (``CANCELLED_BY_PERSON`` or ``STOPPED_BY_QUIT``; the run row's reason); else ``CANCELLED``."""
    settings = settings or FineTuneSettings()
    cancel = cancel or threading.Event()
    report = progress or (lambda p: None)
    return_large_allocations_to_os()
    from desktop_app.core.threads import fine_tuning

    # fine_tuning(): answers meanwhile keep to one core fewer than the machine, the run takes the rest
    with _training_lock(paths), fine_tuning():
        _mark_interrupted_runs(store)
        adapter_store.cleanup_staging(paths)
        run = _Run(store, model, paths, settings, report, cancel, device, verdict)
        if cancel_reason is not None:  # else the run's own default, CANCELLED
            run.cancel_reason = cancel_reason
        result = run.run()
        run.free_training_copy()
        trim_heap()  # the steps' and the measuring's freed pages, kept by glibc otherwise (core.memory)
        return result


def _training_lock(paths):
    return adapter_store.training_lock(paths, TrainingBusyError)  # removes its file when done


def _mark_interrupted_runs(store) -> None:
    """Runs left "running" by a process that died (we hold the lock, so none is live)."""
    for run in store.list_runs():
        if run["status"] == "running":
            store.update_run(run["id"], status="failed",
                             reason="interrupted: the app stopped during training; the active adapter was left as it was")


class _Run:
    def __init__(self, store, model, paths, settings, report, cancel, device, verdict=None):
        self.store, self.paths, self.settings = store, paths, settings
        self.report, self.cancel = report, cancel
        self.verdict = verdict or (lambda result: None)
        self.cancel_reason: Callable[[], str] = lambda: CANCELLED  # why the cancel was set (run_finetune)
        self.model_arg, self.device_pref = model, device
        self.started = time.perf_counter()
        self.run_id = None
        self.split: tuple[int, int] | None = None  # (ratings learnt from, kept aside), once split (TrainProgress)
        self.held_groups: tuple[int, ...] = ()  # the exchanges kept aside, once split (TrainProgress)
        self.held_questions: tuple[str, ...] = ()  # their questions (TrainProgress.held_questions)
        self.since_run, self.new_ids = None, frozenset()  # set as the run starts (new_since_previous)
        self.metrics: dict = {}
        self.copy_ref = None  # weakref to the training copy of the model, once loaded
        self.before_cache: BeforeCache | None = None
        self.guard = None  # gate.PerplexityGuard of the steps, when on
        self.rated_down: frozenset[int] = frozenset()  # the tokens the person rated down (gate.rated_down_ids)
        self.clock: CheckClock | None = None  # how long the check after the steps takes (core.check_time)
        self.precision = settings.precision
        from desktop_app.core.threads import TeamChooser

        self.chooser = TeamChooser()

    def say(self, phase, message="", **fields) -> None:
        fields.setdefault("split", self.split)
        fields.setdefault("held_groups", self.held_groups)
        fields.setdefault("held_questions", self.held_questions)
        self.report(TrainProgress(phase, message=message, elapsed_s=time.perf_counter() - self.started, **fields))

    def counting(self, phase: str, stage: str = "", clock: CheckClock | None = None,
                 part: Callable[[str], tuple[int, int]] | None = None, **fields):
        """The counts of the work inside (core.work_meter) as reports of ``phase``: "measuring
        the new adapter: re-asking 12 questions at once: 40 of at most 64 tokens of each answer", with the time left
        at that count's pace so far, so that no phase of minutes shows only a clock; with a
        ``clock``, the time left of the whole measuring (its later parts' estimates added, and
        the part's estimate before its count has a pace). ``part(what)``: which part of the
        work a count is, (3, 3), in the report's ``part``."""
        pace = _Pace()

        def heard(what: str, done: int, total: int) -> None:
            eta = pace.left(what, done, total)
            if eta is not False:
                eta = (clock.left(part_of(what), eta, done / total, pace.elapsed()) if clock is not None
                       else eta)
                line = work_meter.words(what, done, total)
                measures = (work_meter.subject() or part_of(what)) if phase == "evaluating" else ""
                numbered = part(what) if part else None
                self.say(phase, f"{stage}: {line}" if stage else line, step=done, total=total, eta_s=eta,
                         part=numbered, measures=measures, eta_whole=_eta_whole(clock, what, numbered), **fields)
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
            _add_seconds(self.metrics, phase, time.perf_counter() - start, time.process_time() - cpu_start)

    def run(self) -> RunResult:
        import torch

        resolved, data = self._prepare()
        parent = self.store.active_adapter(resolved.model_id)
        parent_id = parent["id"] if parent else None
        self.before_cache = BeforeCache(self.paths, resolved.model_id, parent_id, resolved.device)
        self.since_run, self.new_ids = new_since_previous(self.store, parent, resolved.model_id)
        self.run_id = self.store.create_run(self.settings.to_dict(), resolved.model_id, parent_adapter_id=parent_id)
        try:
            return self._run(data, resolved, parent)
        except Cancelled:
            return self._cancelled()
        except KeyboardInterrupt:  # Ctrl+C: the person stopped the run, nothing failed (it was "failed")
            self._cancelled(STOPPED_BY_CTRL_C)
            raise
        except BaseException as exc:
            self.store.update_run(self.run_id, status="failed", reason=f"{type(exc).__name__}: {exc}"[:500],
                                  metrics=self.metrics)
            raise
        finally:
            if torch.cuda.is_available():
                torch.cuda.empty_cache()

    def _prepare(self) -> tuple[ResolvedModel, TrainingData]:
        """The model the run trains and the examples from the ratings (NothingToTrainError: none)."""
        s = self.settings
        self.say("preparing", "Reading ratings")
        if not readiness(self.store)["ready"]:  # the GUI button's count: say so before seconds of loading a copy
            raise NothingToTrainError(NO_RATINGS)
        with self.timed("load"):
            resolved = self._resolve_model()
        with self.timed("data"):
            data = build_training_data(self.store, resolved.tokenizer, resolved.window, end_with_eos=s.end_with_eos,
                                       paired_thumbs_kto=s.paired_thumbs_kto, alone_views=s.alone_views,
                                       history=s.history_exchanges)
        if len(data) == 0:
            raise NothingToTrainError(NO_RATINGS)
        return resolved, data

    def _cancelled(self, reason: str | None = None) -> RunResult:
        """``reason``: why it stopped, where the run itself knows; else the caller's ``cancel_reason()``."""
        self.metrics["elapsed_s"] = round(time.perf_counter() - self.started, 2)
        reason = reason or self.cancel_reason()
        self.store.update_run(self.run_id, status="cancelled", reason=reason, metrics=self.metrics)
        self.say("evaluating", CANCELLED_MESSAGE)
        return RunResult(self.run_id, False, None, reason, self.metrics, "cancelled")

    def _resolve_model(self) -> ResolvedModel:
        from desktop_app.core.models import LoadedModel

        if isinstance(self.model_arg, LoadedModel):  # a spec's run keeps the precision set
            self.precision = follow_chat_precision(self.settings.precision, self.model_arg)
        resolved = resolve_model(self.model_arg, self.paths, self.device_pref, lambda line: self.say("preparing", line))
        if resolved.shared:
            self.metrics["base_weights"] = SHARED
        self.copy_ref = resolved.copy_ref
        return resolved

    def free_training_copy(self) -> None:
        """Reference counting frees the copy as the run returns; should a garbage cycle hold
        it instead (it was set aside from the collector), sweep, or its memory stays taken."""
        if self.copy_ref is not None and self.copy_ref() is not None:
            log.info("the training copy outlived its run; sweeping")
            sweep_heap(including_settled=True)

    # -------------------------------------------------------------- the steps
    def _run(self, data: TrainingData, resolved: ResolvedModel, parent: dict | None) -> RunResult:
        import torch

        s = self.settings
        torch.manual_seed(s.seed)
        earlier = parent_split(self.store, parent)
        train, held = data.split(s.heldout_fraction, s.seed, max_items=s.heldout_max, earlier=earlier)
        self.metrics.update(split_record(train, held, earlier))
        work = with_lora(resolved, s)
        with stoppable(blocks(work.model), self.check_cancel):  # a cancel reaches inside every phase's passes
            return self._phases(work, data, train, held, resolved, parent)

    def _phases(self, work, data: TrainingData, train: TrainingData, held: TrainingData, resolved: ResolvedModel,
                parent: dict | None) -> RunResult:
        s = self.settings
        pad_id = resolved.pad_id
        self.split = (train.rated(), held.rated())
        self.held_groups = tuple(held.groups())
        self.held_questions = tuple(kept_aside_questions(self.store, self.held_groups))
        self.metrics.update({"train_size": train.rated(), "heldout_size": held.rated(),  # ratings, not views
                             **{f"data_{k}": v for k, v in data.counts().items()},
                             # what the held-out ratings are: a discarded run's why words them (a thumbs-down
                             # alone is no "what you liked more", words84)
                             "heldout_counts": held.counts(),
                             # their questions, which the run's card names without reading the store (inspector86)
                             "heldout_questions": list(self.held_questions),
                             "gate_margin_on": "heldout" if len(held) else "all"})
        reasks = plan_reasks(self.store, data, train, held, resolved.tokenizer, resolved.window,
                             count=s.reask_count, unseen=s.reask_unseen, tokens=s.reask_tokens,
                             open_requests=s.reask_open, canaries=s.reask_canaries, new=self.new_ids)
        # what the card says of where the run starts and what is new since when (gui.finetune_words)
        self.metrics.update({"started_from_adapter": parent["id"] if parent else None,
                             "new_since_run_id": self.since_run if any(reasks.news) else None,
                             "heldout_trained_by_parent": heldout_trained_by_parent(self.store, parent, held,
                                                                                    self.new_ids)})
        self.clock = CheckClock(self.before_cache)
        self.rated_down = gate.rated_down_ids(data)  # their positions in the probe and the guard's text are not read
        meter = Meter(self.metrics, self.timed, self.check_cancel, self.cancel, self.before_cache, clock=self.clock,
                      skip=self.rated_down, new=new_ratings(data, self.new_ids) if parent else None)
        before = _Before(self, meter, (work, data, held, reasks, pad_id), parent)

        self._train(work, train, pad_id, before)
        self.check_cancel()
        before.measure(training_follows=False)  # when the steps ended before it was due (the guard stopped them)
        self._measure_after(meter, work, data, held, reasks, pad_id)
        result = decide(self, work, resolved.model_id, parent)
        if result.adapter_id is not None and self.before_cache is not None:
            remember_after(self.before_cache, result.adapter_id, self.metrics, reasks, self.rated_down)
        return result

    def _measure_after(self, meter: Meter, work, data: TrainingData, held: TrainingData, reasks,
                       pad_id: int) -> None:
        """The figures the verdict compares with "before" (measured during the steps, _Before):
        "after" (the new adapter), and "after" again at an earlier checkpoint when general text
        got worse. Its time left from its first report: the "before" measuring's parts (CheckClock)."""
        self.say("evaluating", "Measuring the new adapter", eta_s=self.clock.total())
        with self.counting("evaluating", "measuring the new adapter", self.clock):
            meter.measure("after", work, data, held, reasks, pad_id)
        self.check_cancel()
        passed = self.guard is not None and gate.judge(self.metrics, self.settings.max_ppl_rise).kept
        # the weights as trained are the guard's kept ones (PerplexityGuard.kept): no second copy of the adapter
        as_trained = (copy.deepcopy(self.metrics), self.guard.kept) if passed else None
        if step_back(self, work, reasks, meter):
            again = measuring_again_words(self.metrics)
            # its time left: the first measuring's parts, just timed (the clock), as that one's first report took them
            self.say("evaluating", again[:1].upper() + again[1:], eta_s=self.clock.total(), checking_earlier=True)
            with self.counting("evaluating", again, self.clock, checking_earlier=True):
                meter.measure("after", work, data, held, reasks, pad_id)
            self.check_cancel()
            if as_trained is not None:
                self._undo_refused_step_back(*as_trained)

    def _undo_refused_step_back(self, metrics: dict, weights: dict) -> None:
        """A run the gate passed steps back only for a restated fact (train_verdict.step_back), which
        is no reason to refuse it; where the gate refuses the earlier checkpoint, the run stands as it
        was trained (bench/second_run.py, thumbs: a second run that passed, stepped back for a restated
        answer to a checkpoint that had lost most of what the adapter in use had learned, was discarded).
        The restated answer stays on the card either way."""
        verdict = gate.judge(self.metrics, self.settings.max_ppl_rise)
        if verdict.kept:
            return
        self.metrics.clear()
        self.metrics.update(metrics, step_back_undone=verdict.reason)
        self.guard.put_back(weights)

    # -------------------------------------------------------------- training
    def _train(self, work, train: TrainingData, pad_id: int, before: "_Before") -> None:
        sched = self._schedule(train)
        self.say("training", "Computing reference log-probabilities", step=0, total=sched.updates)
        amp = steps.Precision(work.device, self.precision)
        self.metrics["train_precision"] = amp.label
        refs, anchor, practice = self._references(work, train, pad_id, amp)
        self.check_cancel()
        terms = steps.ExtraTerms(self.settings, anchor, practice, self._loops(work, pad_id))
        before.known_reference(_KnownReference(gate.reference_sums(train, refs), amp.dtype is None))
        self._steps(work, train, refs, sched, amp, terms, pad_id, before)
        trim_heap()  # the steps' freed pages, before the measuring passes take their own

    def _steps(self, work, train: TrainingData, refs, sched, amp, terms, pad_id: int, before: "_Before") -> None:
        """The updates: the schedule's, unless the guard ends them sooner."""
        from desktop_app.core import train_losses as L

        s, model, device, total = self.settings, work.model, work.device, sched.updates
        weights = self._loss_weights(sched)
        params = [p for p in model.parameters() if p.requires_grad]
        optimizer, scheduler = steps.optimizer(params, sched.lr, s.lr_end, total)
        batches = steps.batch_order(train, sched.batch_size, s.seed)
        self.say("training", FIRST_STEP, step=0, total=total)
        guard = self.guard = self._guard(work, total)
        train_start, cpu_start = time.perf_counter(), time.process_time()
        pace, mark = StepPace(), train_start
        for step in range(1, total + 1):
            self.check_cancel()
            batch = L.Batch.select(train, refs, next(batches), device)
            if terms.loops and terms.loops.due(step):
                with self.timed("loops"):
                    terms.loops.look(model, device, step)
            team, step_start = self.chooser.team(), time.perf_counter()
            with self.team(team):
                with amp.autocast():
                    loss, figures = L.batch_loss(model, batch, pad_id, device, weights)
                    loss = terms.added_to(loss, model, step, pad_id, device)
                norm = steps.update(amp, loss, optimizer, scheduler, params, s.max_grad_norm)
            self.chooser.record(team, time.perf_counter() - step_start, steps.step_tokens(batch))
            pace.record(time.perf_counter() - mark)
            mark = time.perf_counter()
            self._record_step(step, total, team, norm, loss, figures, pace.per_step())
            if guard and not guard.after_update(step):
                break
            if step >= min(BEFORE_AT_STEP, total) and not before.done:
                before.measure(training_follows=step < total)
                mark = time.perf_counter()  # its minutes are no step's
        self._record_run(step, train_start + before.wall, cpu_start + before.cpu, guard, terms.loops)

    def _references(self, work, train: TrainingData, pad_id: int, amp):
        """What the steps compare with, read once with the adapter off (the reference is fixed):
        the ratings' log-probabilities, the anchor's and the case practice's."""
        from desktop_app.core.train_references import TOKEN_TOP, reference_logps

        s = self.settings
        with work.model.disable_adapter(), amp.autocast(), self.timed("reference"), self.counting("preparing"):
            with self.measured_passes(work.model):
                refs = reference_logps(work.model, train, pad_id, work.device, EVAL_BATCH,
                                       token_top=self._token_top(),
                                       disliked_top=TOKEN_TOP if s.disliked_target != "kto" else 0,
                                       packed=s.pair_packing, exact=amp.dtype is None)
            anchor = self._anchor(work, train, pad_id)
            practice = self._case_practice(work, train, pad_id)
        return refs, anchor, practice

    @contextlib.contextmanager
    def measured_passes(self, model):
        """The reference pass's batches on the team measured faster for them (core.threads.measured_passes),
        as the steps choose theirs: it comes before the first step, and on a busy machine the fallback
        team of all cores doubled its cost (bench/learning_effect.py, thumbs x 100: 156 CPU-s on two
        threads, 61 on one). What it found seeds the steps' choice, so they need not try the slower team
        for a step. The teams it used: ``metrics["reference_teams"]``."""
        from desktop_app.core.threads import TeamChooser, measured_passes

        chooser = TeamChooser(self.chooser.cores)
        with measured_passes(model, chooser, self.metrics.setdefault("reference_teams", {})):
            yield
        self.chooser.seed(chooser)

    def _loss_weights(self, sched):
        from desktop_app.core.train_losses import LossWeights

        s = self.settings
        return LossWeights(s.beta, s.sft_weight, s.token_weight, sched.desirable_weight, sched.undesirable_weight,
                           s.liked_sft_weight, s.sibling_sft_weight, s.end_weight, s.end_mark,
                           s.token_keep_weight, s.token_target, s.disliked_target, s.disliked_ref_weight,
                           pair_norm_beta=s.pair_norm_beta, pair_packed=s.pair_packing)

    def _record_run(self, step: int, train_start: float, cpu_start: float, guard, loops) -> None:
        """The run's figures once its updates end."""
        self.metrics["steps"] = step  # updates made (the guard may have put back the weights of an earlier one)
        self.metrics["train_s"] = round(time.perf_counter() - train_start, 2)
        _add_seconds(self.metrics, "train", self.metrics["train_s"], time.process_time() - cpu_start)
        if guard:
            self.metrics["guard"] = guard.summary()
        if loops:
            self.metrics.update(loops.summary())

    def _record_step(self, step: int, total: int, team, norm, loss, figures: dict, per_step: float) -> None:
        """The update's figures in the metrics, and its progress for the person; ``per_step``: the recent
        steps' pace (core.step_pace)."""
        self.metrics.setdefault("grad_norms", []).append(round(float(norm), 4))  # before clipping
        teams = self.metrics.setdefault("teams", {})
        teams[str(team)] = teams.get(str(team), 0) + 1
        steady = step >= min(ETA_AFTER_STEPS, total)  # the first steps' pace says little on a busy machine
        self.metrics["final_loss"] = float(loss.detach())
        self.say("training", f"Step {step} of {total}", step=step, total=total, loss=float(loss.detach()),
                 eta_s=per_step * (total - step) if steady else None, check_s=self._check_estimate(per_step),
                 step_s=per_step if steady else None, **figures)

    def _check_estimate(self, per_step: float) -> float | None:
        """The check after the steps, in seconds (core.check_time): what the "before" measuring
        took, and for a part it took from a cache with no seconds kept, a share of a step's."""
        if self.clock is None:
            return None
        self.clock.guess("reask", self.settings.reask_tokens * per_step * REASK_TOKEN_PER_UPDATE)
        self.clock.guess("margins", self.metrics.get("phase_s", {}).get("reference"))  # a pass over the ratings too
        return self.clock.total()

    def _token_top(self) -> int:
        """Columns of the token-rated answers' reference distributions, 0 when no term reads them."""
        from desktop_app.core.train_references import TOKEN_TOP

        s = self.settings
        return TOKEN_TOP if s.token_keep_weight > 0 or s.token_target != "unlikelihood" else 0

    def _anchor(self, work, train: TrainingData, pad_id: int):
        """The brake on a corrected format spreading to open requests (core.train_anchor), for
        runs with corrections: thumbs and token ratings teach no format of their own."""
        from desktop_app.core.train_anchor import build_anchor, format_tokens

        s, anchor = self.settings, None
        if s.anchor_weight and any(p.source == "correction" for p in train.pairs):
            self.say("training", ANSWERING_REQUESTS, step=0)  # a minute or more of generating, uncounted
            anchor = build_anchor(work.model, work.tokenizer, work.context_window, work.device, pad_id,
                                  tokens=s.anchor_tokens, per_update=s.anchor_per_update,
                                  format_ids=format_tokens(train.pairs) if s.anchor_format else None)
        self.metrics["anchor_requests"] = len(anchor.seqs) if anchor else 0
        return anchor

    def _case_practice(self, work, train: TrainingData, pad_id: int):
        """The base's own answers upper-cased as extra targets (core.case_practice), for runs
        whose corrections are in capitals, when on."""
        from desktop_app.core.case_practice import build_case_practice, in_capitals
        from desktop_app.core.finetune_effect import question_texts
        from desktop_app.core.train_data import eos_suffix

        s, practice = self.settings, None
        if s.case_practice and in_capitals(work.tokenizer, train.pairs):
            self.say("training", WRITING_PRACTICE, step=0)
            asked = question_texts(self.store, train)
            rated = [asked[p.rejected_message_id] for p in train.pairs
                     if p.source == "correction" and asked.get(p.rejected_message_id)]
            with self.timed("case_practice"):
                practice = build_case_practice(work.model, work.tokenizer, work.context_window, work.device, pad_id,
                                               rated, made_up=s.case_practice,
                                               eos_suffix=eos_suffix(work.tokenizer, s.end_with_eos), seed=s.seed,
                                               per_update=s.case_practice_per_update,
                                               exclude=tuple(s.case_practice_avoid))
        self.metrics["case_practice_rows"] = len(practice) if practice else 0
        if practice:
            self.metrics["case_practice_texts"] = [f"{q} -> {a}" for q, a in practice.texts]
        return practice

    def _loops(self, work, pad_id: int):
        """The unlikelihood term on the adapter's own repeats (core.train_loops), when on."""
        from desktop_app.core.train_loops import build_loop_penalty

        s = self.settings
        if not s.loop_weight:
            return None
        return build_loop_penalty(work.tokenizer, work.context_window, pad_id, every=s.loop_every,
                                  per_look=s.loop_questions, tokens=s.loop_tokens, n=s.loop_ngram,
                                  only_loops=s.loop_only_loops, wait_for_loop=s.loop_wait)

    def _guard(self, work, total: int):
        s = self.settings
        if not s.guard_ppl_rise:
            return None
        # the text's perplexity before training is the base model's (a fresh adapter adds nothing): an
        # earlier run's figure, kept with the "before" figures (BeforeCache), saves a read of it. Not
        # keyed by the training precision: the guard reads in float32, outside the steps' autocast, so
        # a run at either precision reads the same figure (tests/test_training.py)
        cache, key = self.before_cache, f"guard_ppl:{digest(gate.guard_text())}{gate.skip_key(self.rated_down)}"
        guard = gate.PerplexityGuard(work.model, work.tokenizer, work.device, work.context_window, s.guard_ppl_rise,
                                     total, s.guard_checks, s.guard_stretch,
                                     before=cache.get(key, base=True) if cache else None, skip=self.rated_down)
        if cache:
            cache.put(key, guard.before, base=True)
        return guard

    def _schedule(self, train: TrainingData):
        from desktop_app.core.train_schedule import plan

        s, counts = self.settings, train.counts()
        sched = plan(train.rated(), liked=counts["thumbs_up"], disliked=counts["thumbs_down"], epochs=s.epochs,
                     batch_size=s.batch_size, lr=s.lr, min_steps=s.min_steps, max_steps=s.max_steps,
                     desirable_weight=s.desirable_weight, undesirable_weight=s.undesirable_weight,
                     tokens=len(train.tokens), token_lr_scale=s.token_lr_scale,
                     thumbs=counts["thumbs_up"] + counts["thumbs_down"] + counts["sibling_pairs"],
                     sibling_pairs=counts["sibling_pairs"], thumbs_lr_scale=s.thumbs_lr_scale)
        self.metrics["schedule"] = sched.to_dict()
        return sched


class _Before:
    """The measuring of the model in use ("before": the active adapter, else the base model),
    once, between two steps (BEFORE_AT_STEP). The steps do not change that model (the new
    adapter is switched off while it is measured), so its figures are the same whenever they are
    read; read during the steps rather than after them: the check after training measures only the
    new adapter (usertest 9, B9: it measured both, 10 minutes after "about 50 s left"), and what
    "before" took is that check's estimate. Not before the first step: by then the reference pass and
    the first step have found the faster thread team, and on a busy machine a team of all cores made
    this measuring minutes long.
    ``wall``/``cpu``: its seconds, which the steps' pace and time leave out."""

    def __init__(self, run: "_Run", meter: Meter, args: tuple, parent: dict | None):
        self.run, self.meter, self.args, self.parent = run, meter, args, parent
        self.done = False
        self.wall = self.cpu = 0.0

    def known_reference(self, known: "_KnownReference") -> None:
        if self.parent is None and known.exact:  # "before" is the reference: its margins on these are known
            self.meter.reference_sums = known.sums

    def measure(self, training_follows: bool = True) -> None:
        """Every part counted and numbered (usertest 14: minutes under one unnumbered line read as a
        stall; a run from an adapter scored the ratings with the base model with no count at all)."""
        if self.done:
            return
        self.done = True
        run, work = self.run, self.args[0]
        start, cpu_start = time.perf_counter(), time.process_time()
        parts = len(PARTS) + (self.parent is not None)
        run.say("evaluating", "Measuring your current model, to compare the result with",
                training_follows=training_follows)
        with previous(work.model, self.parent), run.counting(
                "evaluating", MEASURING_IN_USE, run.clock, training_follows=training_follows,
                part=lambda what: (PARTS.index(part_of(what)) + 1, parts)):
            self.meter.measure("before", *self.args)
        if self.parent is not None:  # what a fresh adapter learned reads against these (gate._from_adapter_failure)
            work, data, held, _reasks, pad_id = self.args
            with previous(work.model, None), run.counting("evaluating", MEASURING_BASE,
                                                          training_follows=training_follows,
                                                          part=lambda what: (parts, parts)):
                self.meter.measure_base(work, data, held, pad_id)
        self.wall, self.cpu = time.perf_counter() - start, time.process_time() - cpu_start
        run.check_cancel()


def _eta_whole(clock: CheckClock | None, what: str, numbered: tuple[int, int] | None) -> bool:
    """Whether a count's time left covers its measuring's later parts (TrainProgress.eta_whole)."""
    if numbered is None or numbered[0] >= numbered[1]:
        return True
    return clock is not None and clock.covers_rest(part_of(what), numbered[1] - numbered[0])


@dataclass
class _KnownReference:
    """The reference's summed log-probabilities of the trained answers: the 'before' margins
    of a run with no adapter in use, when read as the measuring passes read."""

    sums: dict  # (prompt ids, answer ids) -> the reference's summed log-probability
    exact: bool  # read in float32, as the measuring passes read (no autocast)


class _Pace:
    """Time left for a count (``_Run.counting``) at its pace so far; a count's clock starts
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


def _add_seconds(metrics: dict, phase: str, wall: float, cpu: float) -> None:
    for key, spent in (("phase_s", wall), ("phase_cpu_s", cpu)):
        figures = metrics.setdefault(key, {})
        figures[phase] = round(figures.get(phase, 0.0) + spent, 3)
