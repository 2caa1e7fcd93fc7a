"""A fine-tune's verdict, once its steps are done and measured (core.training runs them).

``previous`` makes the training copy behave as the model the person uses now, for the
"before" measurements. ``step_back``: when the gate would refuse the run for harm alone, one
of the perplexity guard's earlier checkpoints is put back, to be measured and judged once
more. ``decide``: the gate's verdict (gate.py); the adapter is discarded, or saved, made
active and its newest rated answers re-scored.

``run`` below is the run in progress (``core.training._Run``): its metrics, settings, guard,
store row, progress reports, timing and cancel event.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Callable

from desktop_app.core import adapters as adapter_store
from desktop_app.core import answer_checks
from desktop_app.core.fact_changes import fact_sureness, facts_changed, facts_judged, hold_sure_facts
from desktop_app.core.finetune_effect import dropped, rescore_newest
from desktop_app.core.lazy import lazy_module
from desktop_app.core.taught_words import changed_unrated_words

gate = lazy_module("desktop_app.core.gate")  # it imports torch: on first use, so the window opens before torch
reasking = lazy_module("desktop_app.core.reasking")  # it imports torch too

log = logging.getLogger(__name__)


# Why a run stopped when its cancel was set, as its row keeps it. A caller that knows says which: the
# window's Cancel or its closing (usertest 13: after a restart the card could only say "cancelled, or
# the app was closed while it ran", run rows of before this telling the two apart alike).
CANCELLED = "cancelled by the user"  # a caller that does not say (and every such row of before)
CANCELLED_BY_PERSON = "cancelled: Cancel was pressed"
STOPPED_BY_QUIT = "stopped: the app was closed while it ran"
STOPPED_BY_CTRL_C = "stopped: Ctrl+C in the terminal"  # a KeyboardInterrupt (the CLI) is the person stopping it
# the message of a cancelled run's last progress report (phase "evaluating"): a mark for the front ends, each of
# which says it in its own words (the CLI had printed it as it is: "evaluating: Cancelled", cli52)
CANCELLED_MESSAGE = "Cancelled"


@dataclass
class RunResult:
    run_id: int | None
    kept: bool
    adapter_id: int | None
    reason: str
    metrics: dict = field(default_factory=dict)
    status: str = "discarded"  # "kept" | "discarded" | "cancelled" | "failed"

    @property
    def facts_changed(self) -> list:
        """A kept run that changed facts on never-rated questions (fact_changes.facts_changed;
        ``decide`` keeps them in ``metrics``): saved, not in use until the person says so
        (adapters.activate); each {question, before, after, how, ...}. [] for any other run."""
        return self.metrics.get("facts_changed") or []

    @property
    def usable_anyway(self) -> bool:
        """Discarded for degenerate re-asks alone (gate.Verdict.only_degenerate): its adapter is saved,
        not in use, and the person may use it anyway (``metrics["degenerate_answers"]`` says what they accept)."""
        return self.status == "discarded" and self.adapter_id is not None and bool(self.metrics.get(USE_ANYWAY))

    @property
    def needs_consent(self) -> bool:
        """Saved, but not in use: the person decides (``facts_changed`` or ``usable_anyway`` says why)."""
        return (self.kept and bool(self.facts_changed)) or self.usable_anyway

    @property
    def activated(self) -> bool:
        return self.kept and not self.facts_changed


class Cancelled(Exception):
    pass


# metrics key of a discarded run whose adapter was saved for the person to use anyway (``decide``)
USE_ANYWAY = "use_anyway"


@contextlib.contextmanager
def previous(model, parent: dict | None):
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


def step_back(run, work, reasks, meter=None) -> bool:
    """When the gate would refuse the run for harm alone (the margin rose), put back one of
    the guard's earlier checkpoints, to be measured and judged once more, rather than the
    person losing every rating of the run: for the probe's perplexity the one expected
    under the limit (gate.PerplexityGuard.step_back: the guard reads its own text, which
    rises less than the probe for some styles); for degenerate re-asks the latest at or
    under half the updates kept. Answers degenerate as the adapter moves further (measured,
    bench/finetune_vs_trl.py --labels short, seed 0: 8 thumbs down, no thumb up: 2 of 5
    re-asks looped at update 12 of 14, the run discarded). For degenerate re-asks alone, the
    latest kept checkpoint where those re-asks no longer degenerate (``clean_check``); its
    re-asks, asked in the gate's batch under the weights now back, go to ``meter``
    (finetune_effect.Meter.reasked) for the measure that follows: the same greedy answers."""
    m, s, guard = run.metrics, run.settings, run.guard
    failed = set(gate.judge(m, s.max_ppl_rise).failed)
    restated = m.get("reask_restates_after", 0) > m.get("reask_restates_before", 0) or (
        s.step_back_dropped and m.get("reask_dropped_after", 0) > m.get("reask_dropped_before", 0))
    if guard is None or not s.guard_step_back or not (failed or restated) or "margin" in failed:
        return False
    clean = (clean_check(work, reasks, m.get("taught") or [], run.cancel, s.step_back_dropped)
             if failed <= {"degenerate"} else None)
    if clean is not None:
        told = _Trying(run, step_back_why(m, failed), m.get("steps") or guard.kept_step)
        with run.timed("step_back"):
            # a restated (or, with step_back_dropped, a dropped) fact alone (answer_checks.restates: the run is not
            # refused for it) is worth at most half of what the run learned: thumbs x 4 stepped back from 12 to 2
            # for it, keeping nothing taught; blends of the last weights only for a run the gate refused, so a
            # run kept whole before stays whole
            step = guard.step_back_clean(told.counted(clean), floor=0 if failed else guard.kept_step // 2,
                                         trying=told.trying, why=_clean_why(m, failed),
                                         blends=tuple(s.step_back_blend) if failed else ())
        if step is not None and meter is not None:
            meter.reasked = clean.answers
    elif not failed:  # restated answers and nothing to ask again: the run stands as it is
        return False
    else:
        rise = m["probe_ppl_after"] / m["probe_ppl_before"] - 1 if "perplexity" in failed else 0.0
        step = guard.step_back(rise, s.max_ppl_rise, degenerate="degenerate" in failed)
    m["guard"] = guard.summary()
    return step is not None


def _clean_why(m: dict, failed: set) -> str:
    """The step back's reason in the run's metrics: "degenerate" (the gate refused the run), else the fact
    that went wrong without refusing it ("restated", "dropped"): bench/learning_effect.py reads the two apart
    (thumbs x 8 stepped back from 16 to 10 for a looping re-ask, not for the probe)."""
    if failed:
        return "degenerate"
    return "restated" if m.get("reask_restates_after", 0) > m.get("reask_restates_before", 0) else "dropped"


_WENT_WRONG = {"loop": "repeated itself", "echo": "repeated the question", "empty": "came out empty"}


def step_back_why(m: dict, failed: set) -> str:
    """Why a run steps back, in a person's words: "an answer repeated itself", "2 answers went wrong",
    "an answer restated the question" (the re-asks' figures of ``m``, the gate's ``failed`` checks)."""
    if "degenerate" in failed:
        n = max(1, m.get("reask_degenerate_after", 0) - m.get("reask_degenerate_before", 0))
        kinds = set(m.get("reask_problems_after") or [])
        if n == 1 and len(kinds) == 1:
            return f"an answer {_WENT_WRONG.get(kinds.pop(), 'went wrong')}"
        return f"{n} answers went wrong" if n > 1 else "an answer went wrong"
    if "perplexity" in failed:
        return "general text read less fluently"
    return "an answer lost or restated its fact"


def trying_words(why: str, step: int, trained: int, n: int, of: int) -> str:
    """The progress line of a step back's search: "an answer repeated itself, so trying the adapter from
    step 12 of 26 (checkpoint 1 of at most 3)" (a user test: two minutes of "40 of at most 40 tokens …
    almost done" while it ran)."""
    return (f"{why}, so trying the adapter from step {step} of {trained} "
            f"(checkpoint {n} of at most {of})")


class _Trying:
    """Tells a step back's search as it goes: which checkpoint, then the count of its re-asks."""

    def __init__(self, run, why: str, trained: int):
        self.run, self.why, self.trained = run, why, trained
        self.line, self.fields = why, {}

    def trying(self, step: int, n: int, of: int) -> None:
        self.line = trying_words(self.why, step, self.trained, n, of)
        self.fields = {"stepping_back": (step, self.trained)}
        self.run.say("evaluating", self.line, **self.fields)

    def counted(self, clean: Callable[[], bool]) -> Callable[[], bool]:
        def told() -> bool:
            with self.run.counting("evaluating", self.line, **self.fields):
                return clean()
        return told


# why the run's last point was set aside, by the keys of the guard's ``stepped_back`` (gate.PerplexityGuard)
_SET_ASIDE = (("probe_rise", "made general text read less fluently"), ("degenerate", "made an answer go wrong"),
              ("restated", "restated a fact"), ("dropped", "lost a fact"))


def measuring_again_words(m: dict) -> str:
    """The line while an earlier checkpoint is measured again, after a step back (``m["guard"]``), saying
    why (a new user read "measuring the adapter from step 16 of 22" and did not know why step 16):
    "checking an earlier point of the run (step 16 of 22), since the last one made general text read
    less fluently"."""
    back = (m.get("guard") or {}).get("stepped_back") or {}
    why = " and ".join(words for key, words in _SET_ASIDE if back.get(key)) or "changed answers too much"
    if back.get("blend"):
        return f"checking the run's adapter at {back['blend']:.0%} of its change, since at full strength it {why}"
    if back.get("to"):
        step = f" (step {back['to']} of {m.get('steps') or back.get('from')})"
        return f"checking an earlier point of the run{step}, since the last one {why}"
    return f"checking an earlier point of the run, since the last one {why}"


def clean_check(work, reasks, taught: list[dict], cancel: threading.Event,
                with_dropped: bool = False) -> Callable[[], bool] | None:
    """A check for ``PerplexityGuard.step_back_clean``: all the re-asks asked again, in the
    one batch the gate asks them in, and none degenerates or restates its question
    (``answer_checks.restates``) where it did not before training; ``with_dropped`` (the setting
    step_back_dropped): nor lost its fact (finetune_effect.dropped). None when none did after
    training (``taught``: the run's before/after re-asks, ``metrics["taught"]``).
    Asked in the gate's own batch, not only the ones that went wrong: a greedy answer can
    change with the batch it is decoded in, and a checkpoint where two looping canaries
    were clean asked alone looped again when the gate measured it (bench/learning_effect.py,
    ALL CAPS x 8: discarded after a step back that the gate's batch then refused).
    ``clean.answers``: the re-asks of its last call (cut short where it answered False)."""
    def wrong(pair, answer, problem=None) -> bool:
        question = pair["question"]
        return bool(problem or answer_checks.degenerate(question, answer) or answer_checks.restates(question, answer)
                    or (with_dropped and dropped(pair, answer)))

    if not any(wrong(t, t["after"], t["problem_after"]) and not wrong(t, t["before"]) for t in taught):
        return None

    watched = [not wrong(t, t["before"]) for t in taught]  # a re-ask wrong before training as well never refuses

    def settles(i: int, answer) -> bool:  # one ended answer gone wrong refuses the checkpoint, whatever the rest say
        return i < len(watched) and watched[i] and wrong(taught[i], answer.answer, answer.problem)

    def clean() -> bool:
        if cancel.is_set():
            raise Cancelled()
        # decoding stops at the first answer that ended wrong: a restated fact ends in a few tokens where the
        # batch's other answers run to the limit (measured, bench/learning_effect.py --one-conversation, thumbs
        # x 8: 4 checkpoints tried, none clean, 63 -> 27 CPU-s: three stopped after "The sky is blue." at 6 tokens,
        # the fourth's wrong answer was a loop, which shows only at the limit; thumbs x 4 apart 39 -> 9)
        answers = clean.answers = reasking.reask(work, reasks.prompts, reasks.tokens, cancel, until=settles,
                                                  texts=reasks.texts)
        return not any(wrong(t, a.answer, a.problem) and w for a, t, w in zip(answers, taught, watched))

    clean.answers = None
    return clean


def decide(run, work, model_id: str, parent: dict | None) -> RunResult:
    """The gate's verdict: discard, or save, activate and re-score (the result told to
    ``run.verdict`` before the re-scoring, which can wait). A kept run whose answers to
    never-rated questions changed or dropped a fact the model named before (fact_changes.facts_changed;
    setting ask_before_changed_facts) is saved and re-scored but not activated: the person decides.
    A user test: 9 ratings about France, kept and put in use at once, then "What is the capital of
    Australia?" -> "...is Sydney." (before: Canberra) in the chat."""
    m, s = run.metrics, run.settings
    verdict = gate.judge(m, s.max_ppl_rise)
    m["margin_before"] = m[f"margin_{m['gate_margin_on']}_before"]
    m["margin_after"] = m[f"margin_{m['gate_margin_on']}_after"]
    m["elapsed_s"] = round(time.perf_counter() - run.started, 2)
    drop_unused(run.store)  # an earlier run's adapter left waiting: this run's verdict replaces its offer
    if not verdict.kept:
        adapter_id = _save_over_check(run, work, model_id, parent) if verdict.only_degenerate else None
        run.store.update_run(run.run_id, status="discarded", reason=verdict.reason, metrics=m, adapter_id=adapter_id)
        run.say("evaluating", f"Discarded: {verdict.reason}")
        return RunResult(run.run_id, False, adapter_id, verdict.reason, m, "discarded")
    taught_pairs = m.get("taught") or []
    flagged = facts_changed(taught_pairs) if s.ask_before_changed_facts else []
    changed, m["facts_unsure"] = _sure_facts(run, work, parent, flagged)
    m["facts_changed"], m["facts_judged"], m["activated"] = changed, facts_judged(taught_pairs), not changed
    adapter_id = _keep(run, work, model_id, parent, verdict.reason, activate=not changed)
    result = RunResult(run.run_id, True, adapter_id, verdict.reason, m, "kept")
    if s.rescore:
        # the verdict is known and the adapter saved: the person hears it now (``run.verdict``), and the
        # compare view's re-scoring, which nothing of the verdict waits for, follows; a copy, as the
        # re-scoring adds its seconds to the metrics on this thread while the person's side reads them
        run.verdict(replace(result, metrics=copy.deepcopy(m)))
        _rescore(run, work, adapter_id)
    n = len(changed) + len(m["facts_unsure"])  # the guesses it moved too: the card names every one (usertest 10)
    run.say("rescoring", f"Done: adapter {adapter_id} is saved, not in use: {changed_unrated_words(n)}" if changed
            else "Done: the new adapter is active")
    return result


def degenerate_answers(taught_pairs: list[dict]) -> list[dict]:
    """The re-asks that degenerated after training, for the person to read before using a discarded
    run anyway: {question, before, after, problem, before_too} (``before_too``: the answer before
    training degenerated as well)."""
    return [{"question": t["question"], "before": t.get("before") or "", "after": t.get("after") or "",
             "problem": t["problem_after"],
             "before_too": bool(t.get("before")) and answer_checks.degenerate(t["question"], t["before"]) is not None}
            for t in taught_pairs if t.get("problem_after")]


def _save_over_check(run, work, model_id: str, parent: dict | None) -> int | None:
    """A run refused for degenerate re-asks alone: the adapter the gate judged last, saved, not in use,
    for the person to use anyway (``settle_consent``); None when it cannot be saved (the run is
    discarded as before)."""
    m = run.metrics
    m["degenerate_answers"] = degenerate_answers(m.get("taught") or [])
    m[USE_ANYWAY] = True
    try:
        with run.timed("save"):
            return adapter_store.save_adapter(
                run.store, work.model, run.paths, base_model=model_id, run_id=run.run_id,
                parent_id=parent["id"] if parent else None, settings=run.settings.to_dict(), metrics=m)
    except Exception:
        log.exception("the adapter of discarded run %s could not be saved to use anyway", run.run_id)
        m[USE_ANYWAY] = False
        return None


def drop_unused(store) -> list[int]:
    """Deletes the adapters of discarded runs nobody used anyway (still waiting: ``waiting_for_consent``),
    files and rows, so they do not pile up on disk; returns their ids."""
    dropped = []
    for run in store.list_runs():
        if run.get("status") == "discarded" and waiting_for_consent(run, None):
            try:
                adapter_store.delete(store, run["adapter_id"])
            except Exception:  # the active one (used through another path) or gone already: left alone
                log.warning("adapter %s of discarded run %s was not removed", run["adapter_id"], run["id"], exc_info=True)
                continue
            dropped.append(run["adapter_id"])
    return dropped


def _sure_facts(run, work, parent: dict | None, flagged: list[dict]) -> tuple[list[dict], list[dict]]:
    """(held, unsure): ``flagged`` split by whether the model in use before the run was sure of the
    fact it named (fact_changes.hold_sure_facts; its guesses are not held against the run). One
    short forward pass per flagged pair, under ``previous``: the model that gave the answer."""
    if not any(c["how"] != "restated" for c in flagged):
        return flagged, []
    tokens = run.settings.reask_tokens
    try:
        with previous(work.model, parent):
            return hold_sure_facts(flagged, lambda q, before: fact_sureness(work, q, before, tokens))
    except Exception:  # not measured: every flagged fact holds the run back, as before this check
        log.exception("how sure the model was of the facts run %s changed could not be measured", run.run_id)
        return flagged, []


def _keep(run, work, model_id: str, parent: dict | None, reason: str, activate: bool = True) -> int:
    """Saves the adapter, makes it the active one (``activate``) and records the run as kept: its id."""
    m = run.metrics
    with run.timed("save"):
        adapter_id = adapter_store.save_adapter(
            run.store, work.model, run.paths, base_model=model_id, run_id=run.run_id,
            parent_id=parent["id"] if parent else None, settings=run.settings.to_dict(), metrics=m)
        if activate:
            run.store.set_active_adapter(adapter_id, model_id)
        run.store.update_run(run.run_id, status="kept", reason=reason, metrics=m, adapter_id=adapter_id)
    return adapter_id


def _rescore(run, work, adapter_id: int) -> None:
    """The newest rated answers under the kept adapter, for the compare view."""
    def say_rescoring(n: int, total: int) -> None:
        run.say("rescoring", f"Re-scoring for the compare view: {n} of {total} rated answers", step=n, total=total)

    try:
        with run.timed("rescore"):
            rescore_newest(run.store, work, adapter_id, run.settings.rescore_limit, run.cancel, say_rescoring)
    except Cancelled:  # the adapter is kept either way; the GUI can re-score later
        log.info("re-scoring after run %s was cancelled", run.run_id)
    except Exception:  # the adapter is kept either way; the GUI can re-score later
        log.exception("re-scoring after run %s failed", run.run_id)


# ------------------------------------------------------------------ the person's word on a waiting adapter

CONSENT_USED, CONSENT_DECLINED = "used", "declined"


def waits_for_consent(status: str | None, metrics: dict | None, adapter_id, active_id: int | None) -> bool:
    """A run's adapter waits for the person's word: kept, it changed facts on never-rated questions, or
    discarded for degenerate re-asks alone (``decide`` saved it without putting it in use, either way);
    it is not in use, and they have not answered yet (``metrics["consent"]``)."""
    m = metrics or {}
    asks = (status == "kept" and bool(m.get("facts_changed"))) or (status == "discarded" and bool(m.get(USE_ANYWAY)))
    return asks and not m.get("consent") and adapter_id is not None and adapter_id != active_id


def used_over_check(status: str | None, metrics: dict | None) -> bool:
    """A discarded run whose adapter the person put in use anyway."""
    m = metrics or {}
    return status == "discarded" and bool(m.get(USE_ANYWAY)) and m.get("consent") == CONSENT_USED


def waiting_for_consent(run: dict, active_id: int | None) -> bool:
    """``waits_for_consent`` of a stored run (``store.get_run``)."""
    return waits_for_consent(run.get("status"), run.get("metrics"), run.get("adapter_id"), active_id)


def settle_consent(store, run_id: int, use: bool, model_id: str | None = None) -> dict | None:
    """The person's answer about a run's waiting adapter: ``use`` puts it in use (adapters.activate,
    which checks its folder and base model), else the model in use stays; either way the answer is
    written into the run's metrics (``consent``), so the report stops asking. A discarded run's
    adapter not used is deleted, files and row: nothing else would ever use it. Returns the adapter
    now in use when ``use``, else None."""
    run = store.get_run(run_id)
    if run.get("adapter_id") is None:
        raise adapter_store.AdapterError(f"Run {run_id} kept no adapter.")
    row = adapter_store.activate(store, run["adapter_id"], model_id) if use else None
    metrics = dict(run.get("metrics") or {})
    if not use and run.get("status") == "discarded":
        metrics.update(_leave(store, run["adapter_id"]))
    metrics["consent"] = CONSENT_USED if use else CONSENT_DECLINED
    store.update_run(run_id, metrics=metrics)
    return row


LEFT_ADAPTER, FILES_LEFT = "left_adapter", "files_left"  # in a run's metrics, after "Leave it"


def _leave(store, adapter_id: int) -> dict:
    """Deletes a discarded run's adapter the person left, row and files, and says what became of
    it for the run's card: its id (the run's row no longer names it) and, should its folder have
    outlived the delete (which goes on past an error: adapters.delete), where that folder is."""
    from pathlib import Path

    folder = Path(store.get_adapter(adapter_id)["path"])
    adapter_store.delete(store, adapter_id)
    return {LEFT_ADAPTER: adapter_id, FILES_LEFT: str(folder) if folder.exists() else None}


def note_activated(store, adapter: dict) -> None:
    """An adapter put in use by any path (the history's Use, ``adapters activate``): the run that made
    it, if it waited for the person's word, has it now."""
    run_id = adapter.get("run_id")
    if run_id is None:
        return
    run = store.get_run(run_id)
    if waiting_for_consent(run, None):
        store.update_run(run_id, metrics={**(run.get("metrics") or {}), "consent": CONSENT_USED})
