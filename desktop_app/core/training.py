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
The run's own parts: its reports and seconds (train_run_progress.py), what the steps compare with
(train_run_setup.py), the steps (train_step_loop.py) and the measuring of the model in use between two
of them (train_before.py); its phases are here.
"""

from __future__ import annotations

import copy
import logging
import threading
import time
from typing import Callable

from desktop_app.core import adapters as adapter_store
from desktop_app.core.cancel_hooks import blocks, stoppable
from desktop_app.core.check_time import CheckClock
from desktop_app.core.errors import UserFacingError
from desktop_app.core.finetune_effect import (BeforeCache, Meter, heldout_trained_by_parent, new_ratings, parent_split,
                                             plan_reasks, remember_after, split_record)
from desktop_app.core.lazy import lazy_module
from desktop_app.core.memory import return_large_allocations_to_os, sweep_heap, trim_heap
from desktop_app.core.progress_words import kept_aside_questions
from desktop_app.core.rating_conflicts import find_conflicts
from desktop_app.core.train_before import BeforeMeasuring
from desktop_app.core.train_copy import SHARED, ResolvedModel, follow_chat_precision, resolve_model, with_lora
from desktop_app.core.train_counts import new_since_previous, readiness, run_rating_counts
from desktop_app.core.train_data import TrainingData, build_training_data
from desktop_app.core.train_repeat import same_examples_as, trained_key
from desktop_app.core.train_run_progress import RunProgress, TrainProgress
from desktop_app.core.train_run_setup import RunSetup
from desktop_app.core.train_settings import FineTuneSettings
from desktop_app.core.train_step_loop import StepLoop
from desktop_app.core.train_verdict import (CANCELLED, CANCELLED_MESSAGE, STOPPED_BY_CTRL_C, Cancelled, RunResult,
                                           decide, measuring_again_words, step_back)

gate = lazy_module("desktop_app.core.gate")  # it imports torch: on first use, so the window opens before torch

log = logging.getLogger(__name__)

# importable from here, the fine-tune's entry, as before the run was split into its parts
__all__ = ["NothingToTrainError", "RunResult", "TrainProgress", "TrainingBusyError", "run_finetune",
           "training_readiness"]


class NothingToTrainError(UserFacingError):
    pass


NO_RATINGS = ("No ratings yet: rate an answer (thumbs up or down), a token, or write a better answer, "
              "then fine-tune.")


class TrainingBusyError(UserFacingError):
    pass


def training_readiness(store, model_id: str | None = None, tokenizer=None) -> dict:
    """Counts of usable examples: thumbs_up, thumbs_down, token_ratings, corrections, pairs,
    total, ready; plus the active adapter id for ``model_id``. ``tokenizer``: the loaded model's, where
    at hand (train_counts.readiness). ``conflicts``: the ratings that disagree (core/rating_conflicts.py),
    which the Fine-tune tab says before a run."""
    counts = readiness(store, model_id, tokenizer)
    counts["conflicts"] = find_conflicts(store)
    counts["same_examples_as"] = same_examples_as(store, model_id)  # the tab checks its own settings against it
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
        # the lock held, every run recorded so far is over: a folder one moved in and never recorded goes now
        adapter_store.cleanup_unlisted(store, paths, runs_over=[run_id for run_id, _status in store.run_statuses()])
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


class _Run(RunProgress, RunSetup, StepLoop):
    """One run: its phases here (prepare, split, train, measure, decide); its reports and seconds are
    train_run_progress.py's, what the steps compare with train_run_setup.py's, the steps train_step_loop.py's
    and the measuring of the model in use between two steps train_before.py's."""

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
        self.rating_counts: dict | None = None  # the ratings read, per kind, once read (TrainProgress)
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
        counts = readiness(self.store)
        if not counts["ready"]:  # the GUI button's count: say so before seconds of loading a copy
            raise NothingToTrainError(NO_RATINGS)
        # the ratings this run reads, which its words count its examples against: every later report carries them
        self.rating_counts = run_rating_counts(counts)
        self.metrics["rating_counts"] = dict(self.rating_counts)
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

    # -------------------------------------------------------------- the phases
    def _run(self, data: TrainingData, resolved: ResolvedModel, parent: dict | None) -> RunResult:
        import torch

        s = self.settings
        torch.manual_seed(s.seed)
        earlier = parent_split(self.store, parent)
        train, held = data.split(s.heldout_fraction, s.seed, max_items=s.heldout_max, earlier=earlier)
        self.metrics.update(split_record(train, held, earlier))
        # the ratings it trains on, as stored: a later run on only new ratings of its held-out questions is told
        # before it starts that it repeats these examples (train_repeat.same_examples_as)
        self.metrics["trained_ratings_key"] = trained_key(self.store, held.groups())
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
        before = BeforeMeasuring(self, meter, (work, data, held, reasks, pad_id), parent)

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
        """The figures the verdict compares with "before" (measured during the steps,
        train_before.BeforeMeasuring): "after" (the new adapter), and "after" again at an earlier
        checkpoint when general text got worse. Its time left from its first report: the "before"
        measuring's parts (CheckClock)."""
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
