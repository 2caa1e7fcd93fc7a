"""Bring back a LoRA adapter trained elsewhere (a cluster, a TRL script, another tool).

The folder must be PEFT's (``adapter_config.json`` + ``adapter_model.safetensors``; pickle
weights are refused), a LoRA, made for this base model (by name, and every one of its
tensors must land on a layer of the same shape), and it is judged by the same gate as a
local run: the margin of liked over disliked text on the person's ratings, the perplexity of
the general-text probe, and greedy re-asks, each against what the person uses now. The
never-rated everyday questions a run asks (reasking.CANARY_QUESTIONS) are asked in the same
batch, and the facts it changes there that the model in use was sure of are named with the
advice, as a run's card names those that hold a run back. It is
then copied into the app's adapter folder and recorded in the history, not activated:
keeping it is the person's choice, with the gate's advice beside it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from desktop_app.core import gate, reasking
from desktop_app.core.answer_checks import restates
from desktop_app.core.adapter_files import (CONFIG_FILE, META_FILE, STAGING_PREFIX, WEIGHTS_FILE, _fsync_dir,
                                           cleanup_unlisted)
from desktop_app.core.errors import UserFacingError
from desktop_app.core.fact_changes import (changes_unrated_words, fact_sureness, facts_changed, facts_judged,
                                           hold_sure_facts)
from desktop_app.core.finetune_effect import BeforeCache, digest, distinct_prompts, question_texts, taught
from desktop_app.core.model_export import hub_id_for
from desktop_app.core.taught_words import kept_margin_words
from desktop_app.core.weights_files import config_problem, safetensors_problem

log = logging.getLogger(__name__)

PICKLE_NAMES = ("adapter_model.bin", "adapter_model.pt", "pytorch_model.bin")
REASK_COUNT, REASK_TOKENS = 3, 40  # as train_settings.FineTuneSettings' defaults

Progress = Callable[[str, int, int], None]


class AdapterImportError(UserFacingError):
    pass


@dataclass
class ImportResult:
    adapter_id: int
    advice_keep: bool
    reason: str
    metrics: dict = field(default_factory=dict)


# ------------------------------------------------------------------ checks before loading

def read_adapter_config(folder) -> dict:
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise AdapterImportError(f"{folder} is not a folder; give the folder PEFT wrote (adapter_config.json "
                                 "and adapter_model.safetensors).")
    if not (folder / WEIGHTS_FILE).is_file():
        pickles = [n for n in PICKLE_NAMES if (folder / n).exists()]
        if pickles:
            raise AdapterImportError(f"{folder} holds only pickle weights ({', '.join(pickles)}), which can run "
                                     "code when loaded; save the adapter with safe_serialization=True.")
        if (folder / "config.json").is_file() and any(folder.glob("*.safetensors")):
            raise AdapterImportError(f"{folder} holds a model, not an adapter: to use it, open it with Model\u2026 (or "
                                     "--model). An adapter folder holds adapter_config.json and "
                                     f"{WEIGHTS_FILE}, as PEFT or Adapter history > Export\u2026 write them.")
        raise AdapterImportError(f"{folder} has no {WEIGHTS_FILE}: an adapter folder holds adapter_config.json and "
                                 f"{WEIGHTS_FILE}, as PEFT or Adapter history > Export\u2026 write them.")
    problem = safetensors_problem(folder / WEIGHTS_FILE, "the adapter")
    if problem:
        raise AdapterImportError(f"In {folder}, {problem}")
    if not (folder / CONFIG_FILE).is_file():
        raise AdapterImportError(f"{folder} has no {CONFIG_FILE}; it is not a PEFT adapter folder.")
    problem = config_problem(folder / CONFIG_FILE, "the adapter")  # garbage or a JSON list: said, not a traceback
    if problem:
        raise AdapterImportError(f"In {folder}, {problem}")
    config = json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8"))
    problem = lora_config_problem(config)
    if problem:  # else PEFT's own words: "Something went wrong: TypeError ..." (robust101)
        raise AdapterImportError(f"In {folder}, {CONFIG_FILE} {problem}. Copy or download the adapter again.")
    if config.get("peft_type") != "LORA":
        raise AdapterImportError(f"{folder} is a {config.get('peft_type') or 'unknown'} adapter; the app uses LoRA.")
    return config


def lora_config_problem(config) -> str | None:
    """What in an adapter_config.json (a JSON object) PEFT would stumble on with a Python error rather than
    words: a rank that is not a whole number above 0, an alpha that is not a number, target modules that
    are not names."""
    rank, alpha, targets = config.get("r", 8), config.get("lora_alpha", 8), config.get("target_modules")
    if not isinstance(rank, int) or isinstance(rank, bool) or rank < 1:
        return f'gives the rank "r" as {rank!r}, not a whole number above 0'
    if not isinstance(alpha, (int, float)) or isinstance(alpha, bool):
        return f'gives "lora_alpha" as {alpha!r}, not a number'
    names = [targets] if isinstance(targets, str) else targets
    if targets is not None and not (isinstance(names, list) and all(isinstance(n, str) for n in names)):
        return f'gives "target_modules" as {targets!r}, not layer names'
    return None


def _short(name: str) -> str:
    return str(name).rstrip("/\\").replace("\\", "/").split("/")[-1].lower()


def check_base_name(config: dict, loaded) -> None:
    """Refuse an adapter whose config names another base model (names compared without owners
    or folders: "gpt2" = "openai-community/gpt2")."""
    named = config.get("base_model_name_or_path")
    if not named:
        return
    ours = {loaded.model_id, str(loaded.folder), loaded.source.location, loaded.source.display_name,
            hub_id_for(loaded.model_id) or ""}
    if _short(named) not in {_short(x) for x in ours if x}:
        raise AdapterImportError(
            f"This adapter was trained for {named}, not {hub_id_for(loaded.model_id) or loaded.source.display_name}. "
            "Open that model first (or, if it is the same model under another name, import with --any-base).")


def _check_fit(model, folder: Path) -> None:
    """Every tensor in the file must have landed on a LoRA weight of the model."""
    from safetensors import safe_open

    params = {name for name, _p in model.named_parameters()}
    with safe_open(str(folder / WEIGHTS_FILE), "np") as handle:
        keys = list(handle.keys())
    lost = []
    for key in keys:
        stem, _, last = key.rpartition(".")
        if f"{stem}.imported.{last}" not in params:
            lost.append(key)
    if lost or not keys:
        raise AdapterImportError(f"This adapter does not fit the model: {len(lost)} of its {len(keys)} tensors "
                                 f"name layers the model does not have (e.g. {lost[0] if lost else '-'}).")


def error_gist(exc: BaseException, most: int = 300) -> str:
    """An error's first line, or the line after it where the first only leads in ("Error(s) in loading
    state_dict for PeftModel:" alone, which said nothing of what did not fit: robust101)."""
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()] or [type(exc).__name__]
    gist = lines[1] if lines[0].endswith(":") and len(lines) > 1 else lines[0]
    return gist[:most].rstrip(".")


def load_with_adapter(loaded, folder: Path):
    """A float32 copy of the base with the adapter attached as "imported" (the chat model is left alone)."""
    import warnings

    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(loaded.folder, dtype=torch.float32, use_safetensors=True,
                                                trust_remote_code=False).to(loaded.device)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = PeftModel.from_pretrained(base, str(folder), adapter_name="imported", is_trainable=False)
    except (ValueError, RuntimeError, KeyError, TypeError) as exc:
        raise AdapterImportError(f"This adapter does not fit {loaded.source.display_name}: {error_gist(exc)}.") from exc
    _check_fit(model, folder)
    return model.eval()


# ------------------------------------------------------------------ the gate

def _reask_prompts(store, data) -> list[tuple[list[int], str]]:
    """The first few rated questions, as a local run re-asks the ones it trains on."""
    return distinct_prompts(data, question_texts(store, data), REASK_COUNT)


@contextlib.contextmanager
def _as_now(model, active: dict | None):
    """Inside: the model behaves as what the person uses now (active adapter, else the base)."""
    if active is None:
        with model.disable_adapter():
            yield
        return
    model.load_adapter(active["path"], adapter_name="previous", is_trainable=False)
    model.set_adapter("previous")
    try:
        yield
    finally:
        model.set_adapter("imported")
        model.delete_adapter("previous")


def _canary_prompts(tokenizer, window: int, rated: list[tuple[list[int], str]]) -> list[tuple[list[int], str]]:
    """The never-rated everyday questions a run asks (reasking.CANARY_QUESTIONS), as it asks them, where a
    fact the adapter moves shows (usertest46: an import said nothing of the 3 its own run was held back for)."""
    asked = {q for _ids, q in rated}
    return [(reasking.fresh_prompt(tokenizer, q, window, REASK_TOKENS), q)
            for q in reasking.CANARY_QUESTIONS if q not in asked]


def _ask(work, prompts, canaries, cancel, cache: BeforeCache | None = None):
    """(the rated questions' answers, the canaries') from one batch. ``cache``: the model in use's answers a
    run keeps (finetune_effect.BeforeCache, read as a run reads it); a canary found there is not asked again,
    and one asked is kept there for the next run."""
    keys = [f"reask:{REASK_TOKENS}:{digest(ids)}" for ids, _q in canaries]
    known = {k: cache.get(k) for k in keys} if cache is not None else {}
    missing = [c for c, k in zip(canaries, keys) if known.get(k) is None]
    answers = reasking.reask(work, prompts + missing, REASK_TOKENS, cancel)
    fresh, out = iter(answers[len(prompts):]), []
    for (_ids, question), key in zip(canaries, keys):
        hit = known.get(key)
        answer = (reasking.Reask(question, hit[0], hit[1], restates(question, hit[0]), len(hit) > 2 and bool(hit[2]))
                  if hit is not None else next(fresh, None))
        if answer is None:  # cancelled meanwhile
            break
        if cache is not None:
            cache.put(key, [answer.answer, answer.problem, answer.cut])
        out.append(answer)
    return answers[:len(prompts)], out


def _measure(metrics, when, work, data, prompts, pad_id, cancel, canaries=(), cache=None) -> list:
    """The gate's figures of the model as it is now, under ``when``; returns the canaries' answers."""
    import torch

    with torch.no_grad():
        metrics[f"margin_all_{when}"] = gate.margin(work.model, data, pad_id, work.device) if len(data) else None
        metrics[f"probe_ppl_{when}"] = gate.probe_perplexity(work.model, work.tokenizer, work.device,
                                                             work.context_window)
    answers, canary_answers = _ask(work, prompts, list(canaries), cancel, cache)
    metrics["reask_count"] = len(answers)
    metrics[f"reask_degenerate_{when}"] = sum(a.problem is not None for a in answers)
    metrics[f"reask_problems_{when}"] = [a.problem for a in answers if a.problem]
    metrics[f"reask_answers_{when}"] = [a.answer[:300] for a in answers]
    return canary_answers


def _changed_facts(metrics, work, before: list, after: list, sure_under) -> None:
    """The canaries whose answer the adapter changed (fact_changes.facts_changed over the pairs a run builds,
    finetune_effect.taught), split by how sure the model in use (``sure_under``: a context in which the model
    is it) was of the fact, as a run splits them (train_verdict.decide): ``facts_changed``, ``facts_unsure``."""
    pairs = taught([a.answer for a in before], after, 0, cut_before=tuple(a.cut for a in before))
    flagged = facts_changed(pairs)
    metrics["facts_judged"], metrics["facts_changed"], metrics["facts_unsure"] = facts_judged(pairs), flagged, []
    if not any(c["how"] != "restated" for c in flagged):
        return
    try:
        with sure_under():
            held, unsure = hold_sure_facts(flagged, lambda q, was: fact_sureness(work, q, was, REASK_TOKENS))
    except Exception:  # not measured: every flagged fact is named, as a run holds them all then
        log.exception("how sure the model in use was of the facts an imported adapter changes was not measured")
        return
    metrics["facts_changed"], metrics["facts_unsure"] = held, unsure


def canaries_gone_wrong(before: list, after: list) -> list[dict]:
    """The never-rated questions whose answer degenerates (loops, echoes, is empty: answer_checks.degenerate)
    under the adapter where the model in use's answer did not: {question, answer, problem}."""
    was = {a.question: a.problem for a in before}
    return [{"question": a.question, "answer": a.answer[:300], "problem": a.problem}
            for a in after if a.problem and a.question in was and not was[a.question]]


_GOES_WRONG = {"loop": "repeats itself (a loop)", "echo": "repeats the question", "empty": "is empty"}


def canary_loop_words(gone_wrong: list[dict], asked: int) -> str:
    """"its answer to 1 of 7 questions you never rated goes wrong where the model in use's did not: “Why is the
    sky blue?” repeats itself (a loop)": the import's reason, in the present tense (it has not been used)."""
    n = len(gone_wrong)
    named = "; ".join(f"\u201c{c['question']}\u201d {_GOES_WRONG.get(c['problem'], 'goes wrong')}" for c in gone_wrong)
    return (f"its answer{'s' if n > 1 else ''} to {n} of {asked} questions you never rated "
            f"{'go' if n > 1 else 'goes'} wrong where the model in use's did not: {named}")


def refuse_for_canaries(metrics: dict, verdict: gate.Verdict) -> None:
    """A run's gate reads its canaries among the re-asks, and a loop there refuses the run; an import asked
    them for the facts alone, so an adapter whose canaries looped was still advised "keep" (export81). The
    gate's own checks stay as they are: its verdict is refused here, with the answers that went wrong named."""
    gone_wrong = metrics.get("canaries_degenerate") or []
    if not gone_wrong:
        return
    verdict.reasons.append(canary_loop_words(gone_wrong, metrics.get("canaries_asked") or len(gone_wrong)))
    if "degenerate" not in verdict.failed:
        verdict.failed.append("degenerate")
    verdict.kept = False


def judge_imported(store, loaded, model, report: Progress, cancel, cache: BeforeCache | None = None
                   ) -> tuple[dict, gate.Verdict]:
    import torch

    from desktop_app.core.models import LoadedModel
    from desktop_app.core.train_data import build_training_data

    tokenizer = loaded.training_tokenizer()
    data = build_training_data(store, tokenizer, loaded.context_window)
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else (tokenizer.eos_token_id or 0)
    work = LoadedModel(model, tokenizer, loaded.source, loaded.folder, loaded.device, torch.float32,
                       loaded.context_window)
    prompts = _reask_prompts(store, data)
    canaries = _canary_prompts(tokenizer, loaded.context_window, prompts)
    metrics = {"gate_margin_on": "all", **{f"data_{k}": v for k, v in data.counts().items()}}
    active = store.active_adapter(loaded.model_id)
    report("Measuring what you use now", 0, 2)
    with _as_now(model, active):
        before = _measure(metrics, "before", work, data, prompts, pad_id, cancel, canaries, cache)
    report("Measuring the imported adapter", 1, 2)
    after = _measure(metrics, "after", work, data, prompts, pad_id, cancel, canaries)
    _changed_facts(metrics, work, before, after, lambda: _as_now(model, active))
    metrics["canaries_asked"], metrics["canaries_degenerate"] = len(after), canaries_gone_wrong(before, after)
    metrics["margin_before"], metrics["margin_after"] = metrics["margin_all_before"], metrics["margin_all_after"]
    verdict = gate.judge(metrics)
    refuse_for_canaries(metrics, verdict)
    if not len(data):
        verdict.reasons = [r for r in verdict.reasons if "margin" not in r] + [
            "there are no ratings to judge it by (only general text "
            + ("and re-asks were checked)" if prompts else "was checked)")]
        verdict.kept = False
    report("Measuring the imported adapter", 2, 2)  # the bar fills under the step it measured
    return metrics, verdict


def _weights_hash(folder: Path) -> str | None:
    path = Path(folder) / WEIGHTS_FILE
    if not path.is_file():
        return None
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def same_weights_as(store, base_model: str, folder) -> int | None:
    """The stored adapter whose weights file is byte-identical to ``folder``'s (usertest 13: a
    person imported their own export, and the gate judged it against itself), or None."""
    size = (Path(folder) / WEIGHTS_FILE).stat().st_size
    wanted = None
    for row in store.list_adapters(base_model):
        theirs = Path(row["path"]) / WEIGHTS_FILE
        if not theirs.is_file() or theirs.stat().st_size != size:
            continue
        wanted = wanted or _weights_hash(Path(folder))
        if _weights_hash(theirs.parent) == wanted:
            return row["id"]
    return None


# ------------------------------------------------------------------ recording it

def _copy_in(folder: Path, adapters_dir: Path, meta: dict) -> Path:
    adapters_dir.mkdir(parents=True, exist_ok=True)
    name = f"imported-{uuid.uuid4().hex[:8]}"
    staging = adapters_dir / f"{STAGING_PREFIX}{name}"
    staging.mkdir()
    try:
        for item in (CONFIG_FILE, WEIGHTS_FILE):
            shutil.copy2(folder / item, staging / item)
        (staging / META_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True, default=str))
        _fsync_dir(staging)
        os.replace(staging, adapters_dir / name)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return adapters_dir / name


def rescore_rated(store, loaded, model, adapter_id: int, cancel=None) -> int:
    """Token records of every rated answer under the new adapter (and the base, when missing),
    as a kept fine-tune leaves them, so the compare view can show what it changes."""
    import torch

    from desktop_app.core.models import LoadedModel
    from desktop_app.core.session_compare import base_scored
    from desktop_app.core.session_scoring import score_answer
    from desktop_app.core.train_counts import rated_message_ids
    from desktop_app.core.train_data import scored_answer_ids

    tokenizer = loaded.training_tokenizer()
    work = LoadedModel(model, tokenizer, loaded.source, loaded.folder, loaded.device, torch.float32,
                       loaded.context_window)
    done = 0
    for mid in rated_message_ids(store):
        if cancel is not None and cancel.is_set():
            break
        try:
            prompt_ids, ids, ended = scored_answer_ids(store, tokenizer, mid, loaded.context_window)
        except ValueError:
            continue
        if not ids:
            continue
        model_id = loaded.model_id
        store.set_token_records(mid, score_answer(work, prompt_ids, ids, ended), adapter_id=adapter_id,
                                kind="rescored", model_id=model_id)
        if not base_scored(store, mid, ids, model_id):
            with model.disable_adapter():
                store.set_token_records(mid, score_answer(work, prompt_ids, ids, ended), adapter_id=None,
                                        kind="rescored", model_id=model_id)
        done += 1
    return done


def kept_reason(metrics: dict) -> str:
    """Why the gate would keep an imported adapter, its margin's move worded by its size, with the figures."""
    before, after = metrics.get("margin_before"), metrics.get("margin_after")
    moved = "moved the right way" if before is None or after is None else kept_margin_words(before, after, " \u2192 ")
    return f"your ratings {moved} and general text reads as fluently as before"


def imported_reason(metrics: dict, verdict) -> str:
    """The gate's reason, and the answers to never-rated questions it changes that the model in use was
    sure of (fact_changes.changes_unrated_words): a run that changed them waits for the person's word, and
    the person's word is all an import waits for."""
    reason = verdict.reason if verdict.reasons else kept_reason(metrics)
    changes = changes_unrated_words(metrics)
    if not changes:
        return reason
    return f"{reason}, but {changes}" if verdict.kept else f"{reason}; and {changes}"


def import_adapter(store, paths, loaded, folder, *, any_base: bool = False, progress: Progress | None = None,
                   cancel: threading.Event | None = None) -> ImportResult:
    """Check, judge and record the adapter in ``folder`` for ``loaded``'s base model."""
    report = progress or (lambda *a: None)
    folder = Path(folder).expanduser().resolve()
    config = read_adapter_config(folder)
    cleanup_unlisted(store, paths)  # an earlier import killed before its row was written left its folder
    if not any_base:
        check_base_name(config, loaded)
    same_as = same_weights_as(store, loaded.model_id, folder)
    report("Loading the adapter onto a copy of the model", 0, 0)
    model = load_with_adapter(loaded, folder)
    in_use = store.active_adapter(loaded.model_id)
    cache = BeforeCache(paths, loaded.model_id, in_use["id"] if in_use else None, loaded.device)
    metrics, verdict = judge_imported(store, loaded, model, report, cancel or threading.Event(), cache)
    cache.save()
    metrics.update({"same_as": same_as, "judged_against": in_use["id"] if in_use else None})
    reason = imported_reason(metrics, verdict)
    metrics.update({"imported": True, "gate_advice": "keep" if verdict.kept else "discard", "gate_reason": reason})
    settings = {"imported_from": str(folder), "lora_r": config.get("r"), "lora_alpha": config.get("lora_alpha"),
                "target_modules": config.get("target_modules"), "trained_for": config.get("base_model_name_or_path")}
    meta = {"base_model": loaded.model_id, "run_id": None, "parent_id": None, "settings": settings,
            "metrics": metrics}
    target = _copy_in(folder, Path(paths.adapters_dir), meta)
    try:
        adapter_id = store.add_adapter(str(target), base_model=loaded.model_id, settings=settings, metrics=metrics)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    from desktop_app.core.train_counts import rated_message_ids

    if rated_message_ids(store):  # nothing rated: no step to announce
        report("Re-scoring your rated answers for the compare view", 0, 0)
        rescore_rated(store, loaded, model, adapter_id, cancel)
    log.info("imported adapter %s from %s: %s", adapter_id, folder, reason)
    return ImportResult(adapter_id, verdict.kept, reason, metrics)
