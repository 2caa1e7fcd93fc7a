"""One-click personal fine-tune: ratings -> a LoRA adapter, kept only if it helps.

``run_finetune`` is meant for a worker thread: it trains a separate copy of the base model
(loaded fresh from ``loaded.folder``), never the chat model, reports ``TrainProgress``
through a callback, stops within one step when ``cancel`` is set, and leaves the active
adapter as it was unless the new adapter passes the gate (gate.py); then it is recorded and
made active in the store, and the caller switches the chat model to it
(``adapters.attach_active``).

Objectives (train_losses.py): KTO on thumbs, DPO + a likelihood term on pairs
(corrections, liked/disliked siblings), the weighted token term on token ratings; the
reference is the base model (the adapter disabled). Each run trains a fresh adapter on all
ratings; the adapter active before the run is recorded as its parent and is what the gate
compares against.
"""

from __future__ import annotations

import contextlib
import logging
import math
import random
import threading
import time
import weakref
from dataclasses import asdict, dataclass, field
from typing import Callable

from desktop_app.core import adapters as adapter_store
from desktop_app.core import gate
from desktop_app.core.errors import UserFacingError
from desktop_app.core.memory import collection_paused, return_large_allocations_to_os, sweep_heap
from desktop_app.core.train_data import (TrainingData, build_training_data, fit, generated_ids, prompt_for_message,
                                         rated_message_ids, readiness)

log = logging.getLogger(__name__)

PHASES = ("preparing", "training", "evaluating", "rescoring")


class NothingToTrainError(UserFacingError):
    pass


class TrainingBusyError(UserFacingError):
    pass


@dataclass
class FineTuneSettings:
    epochs: int = 3
    lr: float = 3e-4  # LoRA wants far more than full fine-tuning's 1e-6 (DESIGN.md)
    lora_r: int = 8
    lora_alpha: int = 16
    lora_dropout: float = 0.0
    target_modules: str = "all-linear"  # GPT-2's Conv1D and Llama-style Linear alike
    beta: float = 0.1
    batch_size: int = 8
    max_steps: int = 200
    min_steps: int = 8  # one thumbs-up still gets a few optimizer steps
    heldout_fraction: float = 0.2
    seed: int = 0
    sft_weight: float = 1.0  # likelihood term on chosen answers of pairs
    token_weight: float = 1.0
    desirable_weight: float = 1.0
    undesirable_weight: float = 1.0
    max_grad_norm: float = 1.0
    max_ppl_rise: float = 0.05
    reask_count: int = 3
    reask_tokens: int = 40
    end_with_eos: bool = True
    rescore: bool = True

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict | None) -> "FineTuneSettings":
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in (data or {}).items() if k in known})


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
class RunResult:
    run_id: int | None
    kept: bool
    adapter_id: int | None
    reason: str
    metrics: dict = field(default_factory=dict)
    status: str = "discarded"  # "kept" | "discarded" | "cancelled" | "failed"


class Cancelled(Exception):
    pass


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
                 cancel: threading.Event | None = None, *, device: str = "auto") -> RunResult:
    """Train, judge, and keep or discard one adapter. ``model``: a LoadedModel (the chat
    model; a fresh copy is trained) or a model spec (loaded here)."""
    settings = settings or FineTuneSettings()
    cancel = cancel or threading.Event()
    report = progress or (lambda p: None)
    return_large_allocations_to_os()
    with _training_lock(paths):
        _mark_interrupted_runs(store)
        adapter_store.cleanup_staging(paths)
        run = _Run(store, model, paths, settings, report, cancel, device)
        result = run.run()
        run.free_training_copy()
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
    def __init__(self, store, model, paths, settings, report, cancel, device):
        self.store, self.paths, self.settings = store, paths, settings
        self.report, self.cancel = report, cancel
        self.model_arg, self.device_pref = model, device
        self.started = time.perf_counter()
        self.run_id = None
        self.metrics: dict = {}
        self.copy_ref = None  # weakref to the training copy of the model, once loaded

    def say(self, phase, message="", **fields) -> None:
        self.report(TrainProgress(phase, message=message, elapsed_s=time.perf_counter() - self.started, **fields))

    def check_cancel(self) -> None:
        if self.cancel.is_set():
            raise Cancelled()

    def run(self) -> RunResult:
        import torch

        s = self.settings
        self.say("preparing", "Reading ratings")
        loaded_info = self._resolve_model()
        tokenizer = loaded_info["tokenizer"]
        data = build_training_data(self.store, tokenizer, loaded_info["window"], end_with_eos=s.end_with_eos)
        if len(data) == 0:
            raise NothingToTrainError("No ratings yet: rate an answer (thumbs up or down), a token, or write a "
                                      "better answer, then fine-tune.")
        model_id = loaded_info["model_id"]
        parent = self.store.active_adapter(model_id)
        parent_id = parent["id"] if parent else None
        self.run_id = self.store.create_run(s.to_dict(), model_id, parent_adapter_id=parent_id)
        try:
            return self._run(data, loaded_info, parent)
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

    def _resolve_model(self) -> dict:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        import torch

        from desktop_app.core.models import LoadedModel, open_model

        given = self.model_arg
        if not isinstance(given, LoadedModel):  # a spec: this model is ours alone
            given = open_model(given, self.paths, self.device_pref)
            owned = True
        else:
            owned = False
        self.say("preparing", "Loading a separate copy of the model for training")
        # the chat model's tokenizer stays the chat thread's own
        tokenizer = AutoTokenizer.from_pretrained(given.folder) if owned else given.training_tokenizer()
        if owned and given.dtype == torch.float32 and given.adapter_id is None:
            base = given.model
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
        return {"tokenizer": tokenizer, "base": base, "device": given.device, "window": given.context_window,
                "model_id": given.model_id, "source": given.source, "folder": given.folder}

    def free_training_copy(self) -> None:
        """Reference counting frees the copy as the run returns; should a garbage cycle hold
        it instead (it was set aside from the collector), sweep, or its memory stays taken."""
        if self.copy_ref is not None and self.copy_ref() is not None:
            log.info("the training copy outlived its run; sweeping")
            sweep_heap(including_settled=True)

    # -------------------------------------------------------------- the steps
    def _run(self, data: TrainingData, info: dict, parent: dict | None) -> RunResult:
        import torch
        from peft import LoraConfig, get_peft_model

        from desktop_app.core.models import LoadedModel

        s = self.settings
        torch.manual_seed(s.seed)
        device, tokenizer = info["device"], info["tokenizer"]
        pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else (tokenizer.eos_token_id or 0)
        train, held = data.split(s.heldout_fraction, s.seed)
        config = LoraConfig(r=s.lora_r, lora_alpha=s.lora_alpha, lora_dropout=s.lora_dropout,
                            target_modules=s.target_modules, task_type="CAUSAL_LM")
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # GPT-2's Conv1D: PEFT notes it sets fan_in_fan_out
            model = get_peft_model(info["base"], config)
        model.eval()  # no dropout anywhere; gradients still flow to the LoRA weights
        work = LoadedModel(model, tokenizer, info["source"], info["folder"], device, torch.float32, info["window"])
        self.metrics.update({"train_size": len(train), "heldout_size": len(held), **{f"data_{k}": v for k, v in data.counts().items()},
                             "gate_margin_on": "heldout" if len(held) else "all"})
        questions = self._questions(data)
        reask_prompts = self._reask_prompts(held, train, questions)

        # before: what the person has now (the active adapter, else the base model)
        self.say("evaluating", "Measuring the model before training")
        with self._previous(model, parent):
            self._measure("before", work, data, held, reask_prompts, pad_id)
        self.check_cancel()

        self._train(model, train, pad_id, device)
        self.check_cancel()

        self.say("evaluating", "Measuring the new adapter")
        self._measure("after", work, data, held, reask_prompts, pad_id)
        self.check_cancel()
        verdict = gate.judge(self.metrics, s.max_ppl_rise)
        self.metrics["margin_before"] = self.metrics[f"margin_{self.metrics['gate_margin_on']}_before"]
        self.metrics["margin_after"] = self.metrics[f"margin_{self.metrics['gate_margin_on']}_after"]
        self.metrics["elapsed_s"] = round(time.perf_counter() - self.started, 2)
        if not verdict.kept:
            self.store.update_run(self.run_id, status="discarded", reason=verdict.reason, metrics=self.metrics)
            self.say("evaluating", f"Discarded: {verdict.reason}")
            return RunResult(self.run_id, False, None, verdict.reason, self.metrics, "discarded")

        adapter_id = adapter_store.save_adapter(
            self.store, model, self.paths, base_model=info["model_id"], run_id=self.run_id,
            parent_id=parent["id"] if parent else None, settings=s.to_dict(), metrics=self.metrics)
        self.store.set_active_adapter(adapter_id, info["model_id"])
        self.store.update_run(self.run_id, status="kept", reason=verdict.reason, metrics=self.metrics,
                              adapter_id=adapter_id)
        if s.rescore:
            try:
                self._rescore(work, adapter_id)
            except _StopRescoring:
                pass
            except Exception:  # the adapter is kept either way; the GUI can re-score later
                log.exception("re-scoring after run %s failed", self.run_id)
        self.say("rescoring", "Done: the new adapter is active")
        return RunResult(self.run_id, True, adapter_id, verdict.reason, self.metrics, "kept")

    @contextlib.contextmanager
    def _previous(self, model, parent):
        """Inside: ``model`` behaves as the model the person uses now."""
        if parent is None:
            with model.disable_adapter():
                yield
            return
        try:
            model.load_adapter(parent["path"], adapter_name="previous", is_trainable=False)
        except Exception as exc:
            log.warning("previous adapter %s cannot be loaded (%s): comparing with the base model", parent["id"], exc)
            with model.disable_adapter():
                yield
            return
        model.set_adapter("previous")
        try:
            yield
        finally:
            model.set_adapter("default")
            model.delete_adapter("previous")
            for name, p in model.named_parameters():
                p.requires_grad_(".default." in name and "lora_" in name)

    def _questions(self, data: TrainingData) -> dict[int, str]:
        out = {}
        for mid in {e.message_id for e in data.unpaired} | {p.rejected_message_id for p in data.pairs} | {
                t.message_id for t in data.tokens}:
            turns = self.store.thread(mid)[:-1]
            out[mid] = next((m["text"] for m in reversed(turns) if m["role"] == "user"), "")
        return out

    def _reask_prompts(self, held: TrainingData, train: TrainingData, questions) -> list[tuple[list[int], str]]:
        seen, out = set(), []
        for part in (held, train):
            for e in (*part.pairs, *part.unpaired, *part.tokens):
                mid = getattr(e, "rejected_message_id", None) or e.message_id
                key = tuple(e.prompt_ids)
                if key not in seen and len(out) < self.settings.reask_count:
                    seen.add(key)
                    out.append((list(e.prompt_ids), questions.get(mid, "")))
        return out

    def _measure(self, when: str, work, data, held, reask_prompts, pad_id) -> None:
        import torch

        m, device = self.metrics, work.device
        with torch.no_grad():
            m[f"margin_all_{when}"] = gate.margin(work.model, data, pad_id, device, self.settings.batch_size)
            m[f"margin_heldout_{when}"] = gate.margin(work.model, held, pad_id, device, self.settings.batch_size) if len(held) else None
            self.check_cancel()
            m[f"probe_ppl_{when}"] = gate.probe_perplexity(work.model, work.tokenizer, device, work.context_window)
        answers = gate.reask(work, reask_prompts, self.settings.reask_tokens, self.cancel)
        self.check_cancel()
        m["reask_count"] = len(answers)
        m[f"reask_degenerate_{when}"] = sum(a.problem is not None for a in answers)
        m[f"reask_problems_{when}"] = [a.problem for a in answers if a.problem]
        m[f"reask_answers_{when}"] = [a.answer[:300] for a in answers]

    # -------------------------------------------------------------- training
    def _train(self, model, train: TrainingData, pad_id: int, device) -> None:
        import torch

        from desktop_app.core import train_losses as L

        s = self.settings
        items = ([("u", i) for i in range(len(train.unpaired))] + [("p", i) for i in range(len(train.pairs))]
                 + [("t", i) for i in range(len(train.tokens))])
        steps_per_epoch = math.ceil(len(items) / s.batch_size)
        total = max(1, min(s.max_steps, max(s.min_steps, s.epochs * steps_per_epoch)))
        self.say("training", "Computing reference log-probabilities", step=0, total=total)

        # The reference (base model) is fixed: its log-probabilities are computed once.
        u, pairs = train.unpaired, train.pairs
        kl_seqs = [(u[i].prompt_ids, u[i - 1].completion_ids) for i in range(len(u))]  # mismatched, as in TRL
        answers = [(e.prompt_ids, e.completion_ids) for e in u]
        chosen = [(p.prompt_ids, p.chosen_ids) for p in pairs]
        rejected = [(p.prompt_ids, p.rejected_ids) for p in pairs]
        with torch.no_grad(), model.disable_adapter():
            ref_u, ref_kl, ref_ch, ref_rj = [L.sequence_logps(model, seqs, pad_id, device, batch_size=s.batch_size)
                                             for seqs in (answers, kl_seqs, chosen, rejected)]
        self.check_cancel()

        params = [p for p in model.parameters() if p.requires_grad]
        optimizer = torch.optim.AdamW(params, lr=s.lr, weight_decay=0.0)
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda k: 1.0 - 0.9 * k / max(total, 1))
        use_cuda = getattr(device, "type", str(device)) == "cuda"
        amp_dtype = (torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16) if use_cuda else None
        scaler = torch.amp.GradScaler("cuda") if amp_dtype == torch.float16 else None
        rng = random.Random(s.seed)
        order: list = []
        train_start = time.perf_counter()
        for step in range(1, total + 1):
            self.check_cancel()
            if len(order) < s.batch_size:
                fresh = list(items)
                rng.shuffle(fresh)
                order += fresh
            batch, order = order[:s.batch_size], order[s.batch_size:]
            autocast = torch.autocast("cuda", dtype=amp_dtype) if amp_dtype else contextlib.nullcontext()
            with autocast:
                loss, figures = self._step_loss(model, batch, train, pad_id, device, ref_u, ref_kl, ref_ch, ref_rj, L)
            if scaler is not None:
                scaler.scale(loss).backward()
                scaler.unscale_(optimizer)
            else:
                loss.backward()
            torch.nn.utils.clip_grad_norm_(params, s.max_grad_norm)
            if scaler is not None:
                scaler.step(optimizer)
                scaler.update()
            else:
                optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            per_step = (time.perf_counter() - train_start) / step
            self.metrics["final_loss"] = float(loss.detach())
            self.say("training", f"Step {step} of {total}", step=step, total=total, loss=float(loss.detach()),
                     eta_s=per_step * (total - step), **figures)
        self.metrics["steps"] = total
        self.metrics["train_s"] = round(time.perf_counter() - train_start, 2)

    def _step_loss(self, model, batch, train, pad_id, device, ref_u, ref_kl, ref_ch, ref_rj, L):
        import torch

        s = self.settings
        parts, figures = [], {}
        n = len(batch)
        ui = [i for k, i in batch if k == "u"]
        pi = [i for k, i in batch if k == "p"]
        ti = [i for k, i in batch if k == "t"]
        if ui:
            es = [train.unpaired[i] for i in ui]
            idx = torch.tensor(ui, device=device)
            logps = L.sequence_logps(model, [(e.prompt_ids, e.completion_ids) for e in es], pad_id, device)
            with torch.no_grad():
                prev = [train.unpaired[i - 1].completion_ids for i in ui]
                kl_logps = L.sequence_logps(model, [(e.prompt_ids, c) for e, c in zip(es, prev)], pad_id, device)
            kl = L.kto_kl(kl_logps, ref_kl[idx])
            labels = torch.tensor([e.label for e in es], device=device)
            loss, f = L.kto_loss(logps, ref_u[idx], labels, kl, s.beta, s.desirable_weight, s.undesirable_weight)
            parts.append(loss * len(ui) / n)
            figures.update(f)
        if pi:
            ps = [train.pairs[i] for i in pi]
            idx = torch.tensor(pi, device=device)
            seqs = [(p.prompt_ids, p.chosen_ids) for p in ps] + [(p.prompt_ids, p.rejected_ids) for p in ps]
            logps, mask = L.per_token_logps(model, L.pad_batch(seqs, pad_id, device))
            sums = logps.sum(-1)
            k = len(ps)
            loss, f = L.dpo_loss(sums[:k], sums[k:], ref_ch[idx], ref_rj[idx], s.beta,
                                 logps[:k], mask[:k], s.sft_weight)
            parts.append(loss * len(pi) / n)
            for key, value in f.items():
                figures.setdefault(key, value)
        if ti:
            ts = [train.tokens[i] for i in ti]
            logps, _mask = L.per_token_logps(model, L.pad_batch([(t.prompt_ids, t.completion_ids) for t in ts],
                                                                 pad_id, device))
            positions = [(row, len(t.prompt_ids) + index - 1, value)
                         for row, t in enumerate(ts) for index, value in t.ratings.items()]
            loss, _f = L.token_loss(logps, positions)
            parts.append(s.token_weight * loss * len(ti) / n)
        figures = {k: v for k, v in figures.items() if k in ("kl", "reward_chosen", "reward_rejected", "reward_margin")}
        if "reward_margin" not in figures and "reward_chosen" in figures and "reward_rejected" in figures:
            figures["reward_margin"] = figures["reward_chosen"] - figures["reward_rejected"]
        return sum(parts), figures

    # -------------------------------------------------------------- re-scoring
    def _rescore(self, work, adapter_id: int) -> None:
        from desktop_app.core.scoring import score_ids

        mids = rated_message_ids(self.store)
        for n, mid in enumerate(mids, 1):
            self.check_cancel_soft()
            try:
                prompt_ids, message = prompt_for_message(self.store, work.tokenizer, mid, work.context_window)
            except ValueError:
                continue
            prompt_ids, ids = fit(prompt_ids, generated_ids(self.store, message, work.tokenizer), work.context_window)
            if not ids:
                continue
            self.store.set_token_records(mid, score_ids(work, prompt_ids, ids), adapter_id=adapter_id, kind="rescored")
            if not self.store.token_records(mid, adapter_id=None, kind="rescored"):
                with work.model.disable_adapter():
                    base = score_ids(work, prompt_ids, ids)
                self.store.set_token_records(mid, base, adapter_id=None, kind="rescored")
            self.say("rescoring", f"Re-scoring rated answers ({n} of {len(mids)})", step=n, total=len(mids))

    def check_cancel_soft(self) -> None:
        """Re-scoring after a kept run is not undone by cancel; it just stops early."""
        if self.cancel.is_set():
            raise _StopRescoring()


class _StopRescoring(Exception):
    pass
