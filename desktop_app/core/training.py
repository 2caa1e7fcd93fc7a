"""One-click personal fine-tune: ratings -> a LoRA adapter, kept only if it helps.

``run_finetune`` is meant for a worker thread: it trains a separate model (a float32 copy
loaded fresh from ``loaded.folder``, or, for a float32 chat model, new modules over the chat
model's own frozen tensors), never the chat model itself, reports ``TrainProgress``
through a callback, stops within one step when ``cancel`` is set, and leaves the active
adapter as it was unless the new adapter passes the gate (gate.py); then it is recorded and
made active in the store, and the caller switches the chat model to it
(``adapters.attach_active``).

Objectives (train_losses.py, train_objectives.py): KTO on thumbs, DPO + a likelihood term on pairs
(corrections, liked/disliked siblings), the weighted token term on token ratings; the
reference is the base model (the adapter disabled). Each run trains a fresh adapter on all
ratings; the adapter active before the run is recorded as its parent and is what the gate
compares against. What the run measures before and after, the questions it re-asks and the
re-scoring for the compare view are finetune_effect.py's; the verdict on those measurements (a
step back to an earlier checkpoint, then keep or discard) is train_verdict.py's.
"""

from __future__ import annotations

import contextlib
import logging
import random
import threading
import time
import weakref
from dataclasses import dataclass
from typing import Callable

from desktop_app.core import adapters as adapter_store
from desktop_app.core import work_meter
from desktop_app.core.cancel_hooks import blocks, stoppable
from desktop_app.core.errors import UserFacingError
from desktop_app.core.finetune_effect import EVAL_BATCH, BeforeCache, Meter, digest, plan_reasks
from desktop_app.core.lazy import lazy_module
from desktop_app.core.memory import collection_paused, return_large_allocations_to_os, sweep_heap, trim_heap
from desktop_app.core.train_data import TrainingData, build_training_data, readiness
from desktop_app.core.train_settings import FineTuneSettings
from desktop_app.core.train_verdict import Cancelled, RunResult, decide, previous, step_back

gate = lazy_module("desktop_app.core.gate")  # it imports torch: on first use, so the window opens before torch

log = logging.getLogger(__name__)

PHASES = ("preparing", "training", "evaluating", "rescoring")


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
    eta_s: float | None = None
    elapsed_s: float = 0.0
    message: str = ""


@dataclass
class ResolvedModel:
    """The model a run trains: float32 base weights (a copy, or a float32 chat model's own
    tensors) in modules of its own, never the chat model."""
    tokenizer: object
    base: object  # transformers model, frozen; the LoRA adapter goes on top of it
    device: object
    window: int
    model_id: str
    source: object
    folder: object

    @property
    def pad_id(self) -> int:
        tok = self.tokenizer
        return tok.pad_token_id if tok.pad_token_id is not None else (tok.eos_token_id or 0)


def training_readiness(store, model_id: str | None = None) -> dict:
    """Counts of usable examples: thumbs_up, thumbs_down, token_ratings, corrections, pairs,
    total, ready; plus the active adapter id for ``model_id``."""
    counts = readiness(store)
    if model_id is not None:
        active = store.active_adapter(model_id)
        counts["active_adapter_id"] = active["id"] if active else None
    return counts


# ------------------------------------------------------------------ the run

def run_finetune(store, model, paths, settings: FineTuneSettings | None = None,
                 progress: Callable[[TrainProgress], None] | None = None,
                 cancel: threading.Event | None = None, *, device: str = "auto",
                 verdict: Callable[[RunResult], None] | None = None) -> RunResult:
    """Train, judge, and keep or discard one adapter. ``model``: a LoadedModel (the chat
    model; a fresh copy is trained) or a model spec (loaded here). ``verdict(result)``: a kept
    run's result as soon as its adapter is saved, before the re-scoring of the newest rated
    answers for the compare view (seconds), which the run then does: a caller shows the result
    there rather than after it (the returned result is the same but for the re-scoring's seconds
    in its metrics)."""
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
        self.model_arg, self.device_pref = model, device
        self.started = time.perf_counter()
        self.run_id = None
        self.metrics: dict = {}
        self.copy_ref = None  # weakref to the training copy of the model, once loaded
        self.before_cache: BeforeCache | None = None
        self.guard = None  # gate.PerplexityGuard of the steps, when on
        self.precision = settings.precision
        from desktop_app.core.threads import TeamChooser

        self.chooser = TeamChooser()

    def say(self, phase, message="", **fields) -> None:
        self.report(TrainProgress(phase, message=message, elapsed_s=time.perf_counter() - self.started, **fields))

    def counting(self, phase: str, stage: str = ""):
        """The counts of the work inside (core.work_meter) as reports of ``phase``: "measuring
        the new adapter: re-asking 12 questions, token 40 of at most 64", with the time left
        at that count's pace so far, so that no phase of minutes shows only a clock."""
        pace = _Pace()

        def heard(what: str, done: int, total: int) -> None:
            eta = pace.left(what, done, total)
            if eta is not False:
                line = work_meter.words(what, done, total)
                self.say(phase, f"{stage}: {line}" if stage else line, step=done, total=total, eta_s=eta)
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
        parent = self.store.active_adapter(resolved.model_id)
        parent_id = parent["id"] if parent else None
        self.before_cache = BeforeCache(self.paths, resolved.model_id, parent_id, resolved.device)
        self.run_id = self.store.create_run(s.to_dict(), resolved.model_id, parent_adapter_id=parent_id)
        try:
            return self._run(data, resolved, parent)
        except Cancelled:
            self.metrics["elapsed_s"] = round(time.perf_counter() - self.started, 2)
            self.store.update_run(self.run_id, status="cancelled", reason="cancelled by the user", metrics=self.metrics)
            self.say("evaluating", "Cancelled")
            return RunResult(self.run_id, False, None, "cancelled by the user", self.metrics, "cancelled")
        except BaseException as exc:
            self.store.update_run(self.run_id, status="failed", reason=f"{type(exc).__name__}: {exc}"[:500],
                                  metrics=self.metrics)
            raise
        finally:
            if torch.cuda.is_available():
                torch.cuda.empty_cache()

    def _resolve_model(self) -> ResolvedModel:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        import torch

        from desktop_app.core.models import LoadedModel, open_model

        given = self.model_arg
        if not isinstance(given, LoadedModel):  # a spec: this model is ours alone, trained in float32
            given = open_model(given, self.paths, self.device_pref, precision="exact")
            owned = True
        else:
            owned = False
            self.precision = _follow_chat_precision(self.settings.precision, given)
        self.say("preparing", "Loading a separate copy of the model for training")
        # the chat model's tokenizer stays the chat thread's own
        tokenizer = AutoTokenizer.from_pretrained(given.folder) if owned else given.training_tokenizer()
        if owned and given.dtype == torch.float32 and given.adapter_id is None:
            base = given.model
        elif (base := _sharing_weights(given)) is not None:  # a float32 chat model: no second copy
            self.metrics["base_weights"] = "shared with the chat model"
            self.copy_ref = weakref.ref(base)
        else:
            # as a chat model load does (core.memory): no collector passes, each a stall of
            # the window, while the copy is built, and its objects set aside afterwards
            with collection_paused(settle_after=True):
                base = AutoModelForCausalLM.from_pretrained(given.folder, dtype=torch.float32,
                                                            use_safetensors=True, trust_remote_code=False)
            base.to(given.device)
            self.copy_ref = weakref.ref(base)
        base.eval()
        for p in base.parameters():
            p.requires_grad_(False)
        _cpu_attention(base, given.device)
        return ResolvedModel(tokenizer, base, given.device, given.context_window, given.model_id, given.source,
                             given.folder)

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
        train, held = data.split(s.heldout_fraction, s.seed, max_items=s.heldout_max)
        work = self._with_lora(resolved)
        with stoppable(blocks(work.model), self.check_cancel):  # a cancel reaches inside every phase's passes
            return self._phases(work, data, train, held, resolved, parent)

    def _phases(self, work, data: TrainingData, train: TrainingData, held: TrainingData, resolved: ResolvedModel,
                parent: dict | None) -> RunResult:
        s = self.settings
        pad_id = resolved.pad_id
        self.metrics.update({"train_size": train.rated(), "heldout_size": held.rated(),  # ratings, not views
                             **{f"data_{k}": v for k, v in data.counts().items()},
                             "gate_margin_on": "heldout" if len(held) else "all"})
        reasks = plan_reasks(self.store, data, train, held, resolved.tokenizer, resolved.window,
                             count=s.reask_count, unseen=s.reask_unseen, tokens=s.reask_tokens,
                             open_requests=s.reask_open, canaries=s.reask_canaries)
        meter = Meter(self.metrics, self.timed, self.check_cancel, self.cancel, self.before_cache)

        reference = self._train(work, train, pad_id)
        self.check_cancel()
        if parent is None and reference.exact:  # "before" is the reference: its margins on these are known
            meter.reference_sums = reference.sums

        self._measure(meter, work, data, held, reasks, pad_id, parent)
        return decide(self, work, resolved.model_id, parent)

    def _measure(self, meter: Meter, work, data: TrainingData, held: TrainingData, reasks, pad_id: int,
                 parent: dict | None) -> None:
        """The figures the verdict compares: "before" (the model in use), "after" (the new
        adapter), and "after" again at an earlier checkpoint when general text got worse."""
        # "before": what the person has now (the active adapter, else the base model). Measured
        # after the steps, which do not touch it (the new adapter is switched off meanwhile), so
        # that it runs on the thread team the steps found faster: on a busy machine a team of
        # all cores made this phase minutes long; and a cancelled run never pays for it
        self.say("evaluating", "Measuring your current model, to compare the result with")
        with previous(work.model, parent), self.counting("evaluating", "measuring your current model"):
            meter.measure("before", work, data, held, reasks, pad_id)
        self.check_cancel()

        self.say("evaluating", "Measuring the new adapter")
        with self.counting("evaluating", "measuring the new adapter"):
            meter.measure("after", work, data, held, reasks, pad_id)
        self.check_cancel()
        if step_back(self, work, reasks, meter):
            self.say("evaluating", "General text got worse: measuring an earlier checkpoint")
            with self.counting("evaluating", "measuring an earlier checkpoint"):
                meter.measure("after", work, data, held, reasks, pad_id)
            self.check_cancel()

    def _with_lora(self, resolved: ResolvedModel):
        """A LoadedModel of the training copy with a fresh LoRA adapter on it."""
        import warnings

        import torch
        from peft import LoraConfig, get_peft_model

        from desktop_app.core.models import LoadedModel

        s = self.settings
        config = LoraConfig(r=s.lora_r, lora_alpha=s.lora_alpha, lora_dropout=s.lora_dropout,
                            target_modules=s.target_modules, task_type="CAUSAL_LM")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # GPT-2's Conv1D: PEFT notes it sets fan_in_fan_out
            model = get_peft_model(resolved.base, config)
        model.eval()  # no dropout anywhere; gradients still flow to the LoRA weights
        return LoadedModel(model, resolved.tokenizer, resolved.source, resolved.folder, resolved.device,
                           torch.float32, resolved.window)

    # -------------------------------------------------------------- training
    def _train(self, work, train: TrainingData, pad_id: int) -> "_KnownReference":
        from desktop_app.core import train_losses as L

        model, device = work.model, work.device
        sched = self._schedule(train)
        total = sched.updates
        self.say("training", "Computing reference log-probabilities", step=0, total=total)
        amp = _Precision(device, self.precision)
        self.metrics["train_precision"] = amp.label
        s = self.settings
        refs, anchor, practice = self._references(work, train, pad_id, amp)
        self.check_cancel()
        terms = _ExtraTerms(s, anchor, practice, self._loops(work, pad_id))
        weights = self._loss_weights(sched)
        params = [p for p in model.parameters() if p.requires_grad]
        optimizer, scheduler = _optimizer(params, sched.lr, s.lr_end, total)
        batches = _batch_order(train, sched.batch_size, s.seed)
        guard = self.guard = self._guard(work, total)
        train_start, cpu_start = time.perf_counter(), time.process_time()
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
                norm = _update(amp, loss, optimizer, scheduler, params, s.max_grad_norm)
            self.chooser.record(team, time.perf_counter() - step_start, _tokens(batch))
            self._record_step(step, total, team, norm, loss, figures, train_start)
            if guard and not guard.after_update(step):
                break
        self._record_run(step, train_start, cpu_start, guard, terms.loops)
        trim_heap()  # the steps' freed pages, before the measuring passes take their own
        return _KnownReference(gate.reference_sums(train, refs), amp.dtype is None)

    def _references(self, work, train: TrainingData, pad_id: int, amp):
        """What the steps compare with, read once with the adapter off (the reference is fixed):
        the ratings' log-probabilities, the anchor's and the case practice's."""
        from desktop_app.core.train_references import TOKEN_TOP, reference_logps

        s = self.settings
        with work.model.disable_adapter(), amp.autocast(), self.timed("reference"), self.counting("preparing"):
            refs = reference_logps(work.model, train, pad_id, work.device, EVAL_BATCH, token_top=self._token_top(),
                                   disliked_top=TOKEN_TOP if s.disliked_target != "kto" else 0,
                                   packed=s.pair_packing)
            anchor = self._anchor(work, train, pad_id)
            practice = self._case_practice(work, train, pad_id)
        return refs, anchor, practice

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

    def _record_step(self, step: int, total: int, team, norm, loss, figures: dict, train_start: float) -> None:
        """The update's figures in the metrics, and its progress for the person."""
        self.metrics.setdefault("grad_norms", []).append(round(float(norm), 4))  # before clipping
        teams = self.metrics.setdefault("teams", {})
        teams[str(team)] = teams.get(str(team), 0) + 1
        per_step = (time.perf_counter() - train_start) / step
        self.metrics["final_loss"] = float(loss.detach())
        self.say("training", f"Step {step} of {total}", step=step, total=total, loss=float(loss.detach()),
                 eta_s=per_step * (total - step), **figures)

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
        # earlier run's figure, kept with the "before" figures (BeforeCache), saves a read of it
        cache, key = self.before_cache, f"guard_ppl:{digest(gate.guard_text())}"
        guard = gate.PerplexityGuard(work.model, work.tokenizer, work.device, work.context_window, s.guard_ppl_rise,
                                     total, s.guard_checks, s.guard_stretch,
                                     before=cache.get(key, base=True) if cache else None)
        if cache:
            cache.put(key, guard.before, base=True)
        return guard

    def _schedule(self, train: TrainingData):
        from desktop_app.core.train_schedule import plan

        s, counts = self.settings, train.counts()
        sched = plan(train.rated(), liked=counts["thumbs_up"], disliked=counts["thumbs_down"], epochs=s.epochs,
                     batch_size=s.batch_size, lr=s.lr, min_steps=s.min_steps, max_steps=s.max_steps,
                     desirable_weight=s.desirable_weight, undesirable_weight=s.undesirable_weight,
                     tokens=len(train.tokens), token_lr_scale=s.token_lr_scale)
        self.metrics["schedule"] = sched.to_dict()
        return sched


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


def _add_seconds(metrics: dict, phase: str, wall: float, cpu: float) -> None:
    for key, spent in (("phase_s", wall), ("phase_cpu_s", cpu)):
        figures = metrics.setdefault(key, {})
        figures[phase] = round(figures.get(phase, 0.0) + spent, 3)


def _sharing_weights(chat):
    """A model of its own for the run (its own modules, so PEFT's layers and the attention
    setting stay off the chat model) whose weights are the float32 chat model's own tensors:
    the run would otherwise load a second float32 copy of them (540 MB for the bundled model,
    bench/memory.py). Sharing is safe because nothing writes to them: the base is frozen, the
    adapter trains its own tensors, an answer on the model lane meanwhile only reads them, and
    a chat model replaced during the run keeps its tensors alive until the run ends. None for a
    16-bit or Compact chat model (the run trains on float32 weights), or where the model does not
    rebuild from its config: then the run loads its copy as before."""
    import copy

    import torch
    from transformers import AutoModelForCausalLM

    if chat.dtype != torch.float32 or chat.weights is not None:
        return None
    source = chat.model.get_base_model() if hasattr(chat.model, "get_base_model") else chat.model
    try:  # read without the chat model's lock (an answer may be streaming): a switch of adapters
        # meanwhile can only leave a weight out, and a model with any weight left out is not used
        tensors = _base_tensors(source)
        with torch.device("meta"):
            model = AutoModelForCausalLM.from_config(copy.deepcopy(source.config), dtype=torch.float32)
        model.load_state_dict(tensors, strict=False, assign=True)
        for name, buffer in source.named_buffers():  # the non-persistent ones too (rotary tables)
            if name in _own_buffer_names(model):
                module, _, leaf = name.rpartition(".")
                model.get_submodule(module)._buffers[leaf] = buffer
        model.tie_weights()
    except (RuntimeError, ValueError, KeyError, AttributeError, TypeError) as exc:
        log.info("the training run loads its own copy: %s", exc)
        return None
    left = [n for n, t in [*model.named_parameters(), *model.named_buffers()] if t.is_meta]
    if left:
        log.info("the training run loads its own copy: not shared %s", left[:3])
        return None
    model.generation_config = copy.deepcopy(source.generation_config)
    model.requires_grad_(False)  # its own Parameters over the shared storage: the chat model's flags stay
    return model


def _base_tensors(source) -> dict:
    """{name as in a plain model: the tensor, not copied} of the base weights under any PEFT
    layers ("q_proj.base_layer.weight" -> "q_proj.weight"; the adapters' own left out)."""
    import torch

    out = {}
    for name, tensor in [*source.named_parameters(remove_duplicate=False), *source.named_buffers()]:
        if "lora_" in name or "modules_to_save" in name:
            continue
        out[name.replace(".base_layer.", ".")] = torch.nn.Parameter(tensor.detach(), requires_grad=False) \
            if isinstance(tensor, torch.nn.Parameter) else tensor
    return out


def _own_buffer_names(model) -> set:
    return {name for name, _ in model.named_buffers()}


def _cpu_attention(model, device) -> None:
    """On a CPU the training copy computes attention with plain products ("eager") rather
    than PyTorch's fused kernel (SDPA): measured on the bundled model, one thread, a step
    (forward and backward) took 2.17 CPU-s eager and 3.38 SDPA under bfloat16 autocast (the
    fused kernel's backward is slow in bfloat16 on a CPU), and 3.90 against 4.29 in float32,
    with the same loss to 5 digits. GPUs keep SDPA."""
    if getattr(device, "type", str(device)) != "cpu":
        return
    try:
        model.set_attn_implementation("eager")
    except (AttributeError, ValueError) as exc:  # a model without the choice keeps its own
        log.info("training copy keeps its attention implementation: %s", exc)


@dataclass
class _ExtraTerms:
    """The terms a step adds to the ratings' loss, each None when it is off: the anchor on open
    requests, the case practice, and the unlikelihood on the model's own loops."""

    settings: FineTuneSettings
    anchor: object = None
    practice: object = None
    loops: object = None

    def added_to(self, loss, model, step: int, pad_id: int, device):
        """``loss`` with each term that is on added in turn, by its weight."""
        s = self.settings
        if self.anchor is not None:
            loss = loss + s.anchor_weight * self.anchor.loss(model, step, pad_id, device)
        if self.practice is not None:
            loss = loss + s.case_practice_weight * self.practice.loss(model, step, pad_id, device)
        repeats = self.loops.loss(model, device) if self.loops else None
        if repeats is not None:
            loss = loss + s.loop_weight * repeats
        return loss


def _optimizer(params, lr: float, lr_end: float, updates: int):
    """AdamW with no weight decay, its rate falling linearly to ``lr_end`` x ``lr`` at the last update."""
    import torch

    optimizer = torch.optim.AdamW(params, lr=lr, weight_decay=0.0)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda k: 1.0 - (1.0 - lr_end) * k / max(updates, 1))
    return optimizer, scheduler


def _update(amp, loss, optimizer, scheduler, params, max_grad_norm: float):
    """One optimizer update from ``loss`` (scaled where float16 needs it); returns the gradient
    norm before clipping."""
    import torch

    amp.scaler.scale(loss).backward()
    amp.scaler.unscale_(optimizer)
    norm = torch.nn.utils.clip_grad_norm_(params, max_grad_norm)
    amp.scaler.step(optimizer)
    amp.scaler.update()
    scheduler.step()
    optimizer.zero_grad(set_to_none=True)
    return norm


def _tokens(batch) -> int:
    """Tokens a step puts through the model: its measure of work (the thread team's speed)."""
    pairs = sum(len(p.prompt_ids) + len(p.chosen_ids) + len(p.rejected_ids) for p in batch.pairs)  # packed
    unpaired = sum(2 * (len(e.prompt_ids) + len(e.completion_ids)) for e in batch.unpaired)  # and KTO's KL pass
    return pairs + unpaired + sum(len(t.prompt_ids) + len(t.completion_ids) for t in batch.tokens)


def _follow_chat_precision(precision: str, chat) -> str:
    """A person who chose Exact for the chat model (float32 where Fast was possible) gets a
    float32 fine-tune too; otherwise ``precision`` as set."""
    import torch

    from desktop_app.core.precision import EXACT, fast_dtype

    if chat.dtype == torch.float32 and fast_dtype(chat.device) is not None:
        return EXACT
    return precision


def _batch_order(train: TrainingData, batch_size: int, seed: int):
    """Endless batches of ("u" | "p" | "t", index): every rating once per shuffled pass, a
    batch running on into the next pass rather than coming out short. A rating with a
    question-alone view (train_data.add_alone_views) is visited in its two views in turn:
    in place in even passes, alone in odd ones, each at half the visits."""
    items = ([("u", i) for i in range(len(train.unpaired))] + [("p", i) for i in range(len(train.pairs))]
             + [("t", i) for i in range(len(train.tokens))])
    views = _alone_views(train)
    items = [item for item in items if item not in views.values()]
    rng = random.Random(seed)
    order: list = []
    passes = 0
    while True:
        if len(order) < batch_size:
            fresh = list(items)
            rng.shuffle(fresh)
            order += [views.get(item, item) if passes % 2 else item for item in fresh]
            passes += 1
        batch, order = order[:batch_size], order[batch_size:]
        yield batch


def _alone_views(train: TrainingData) -> dict:
    """{(kind, index of an example in place): (kind, index of its question-alone view)}."""
    out = {}
    for kind, part in (("u", train.unpaired), ("p", train.pairs), ("t", train.tokens)):
        in_place = {_rating_key(e): i for i, e in enumerate(part) if not e.alone}
        out.update({(kind, in_place[_rating_key(e)]): (kind, i) for i, e in enumerate(part)
                    if e.alone and _rating_key(e) in in_place})
    return out


def _rating_key(e) -> tuple:
    return tuple(getattr(e, name, None) for name in ("rejected_message_id", "chosen_message_id", "message_id"))


class _Precision:
    """Mixed precision where the device has fast 16-bit products (core.precision): bfloat16
    autocast on a CPU with native bfloat16 and on most GPUs, float16 with a loss scaler on
    older GPUs; float32 throughout with ``exact`` or elsewhere (the scaler a pass-through).
    The reference log-probabilities are computed under the same autocast as the steps, so a
    step's log-ratio starts at zero rather than at the rounding difference of two precisions."""

    def __init__(self, device, precision: str = "auto"):
        import torch

        from desktop_app.core.precision import training_autocast_dtype

        self.device_type = getattr(device, "type", str(device))
        self.dtype = training_autocast_dtype(device, precision)
        self.scaler = torch.amp.GradScaler(self.device_type if self.device_type == "cuda" else "cpu",
                                           enabled=self.dtype == torch.float16)

    @property
    def label(self) -> str:
        return "float32" if self.dtype is None else f"float32 weights, {str(self.dtype).replace('torch.', '')} autocast"

    def autocast(self):
        import torch

        if self.dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(self.device_type, dtype=self.dtype)
