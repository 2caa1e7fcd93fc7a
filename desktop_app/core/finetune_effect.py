"""What a fine-tune run changed: measured for the gate, shown to the person, re-scored.

``core.training`` trains; around its steps it takes three things from here:

- ``plan_reasks``: the few questions asked again before and after training (some the run
  trains on, some it never sees), as prompt ids with their text;
- ``Meter.measure``: one model's figures ("before": what the person uses now; "after": the
  new adapter) written into the run's metrics: the margin of liked over disliked text on all
  and on held-out ratings, the general-text probe's perplexity, the greedy re-asks and, after
  training, the before/after pairs the fine-tune panel shows (``metrics["taught"]``), with
  ``BeforeCache`` keeping the "before" figures between runs;
- ``rescore_newest``: per-token records of the newest rated answers under a kept adapter,
  for the compare view.

What these read comes in as arguments; what they find goes into ``metrics`` (the keys are
the run's record: the gate, the panel, ``finetune --json`` and the model card read them).
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from typing import Callable, ContextManager

from desktop_app.core import answer_checks, text_training, work_meter
from desktop_app.core.lazy import lazy_module
from desktop_app.core.store_file import StoreError
from desktop_app.core.train_counts import rated_message_ids
from desktop_app.core.train_data import EarlierSplit, TrainingData

gate = lazy_module("desktop_app.core.gate")  # it imports torch: on first use, so the window opens before torch
reasking = lazy_module("desktop_app.core.reasking")  # it imports torch too

log = logging.getLogger(__name__)

EVAL_BATCH = 8  # answers per forward pass when measuring (no gradients): speed only


# ------------------------------------------------------------------ the questions re-asked

@dataclass(frozen=True)
class Reasks:
    """The questions re-asked before and after training: (prompt ids, question text), the
    first ``unseen_from`` of them trained on, the last ``open_count`` open requests
    (reasking.OPEN_REQUESTS); answered greedily up to ``tokens`` tokens."""
    prompts: list[tuple[list[int], str]]
    unseen_from: int
    tokens: int
    open_count: int = 0
    held_count: int = 0  # the first unseen ones the person rated, held out to judge the run
    # per prompt, the person's own answer to it (a correction, a liked answer), else None: what a
    # rated question's new answer is held to (answer_checks.drops_answer)
    rights: tuple = ()
    # per prompt, the person rated it or gave a better answer after the previous run started
    # (train_counts.new_since_previous): shown first, marked "new since run N"
    news: tuple = ()
    # per prompt, a Text-mode continuation's (the text before it), not a chat question: the card counts
    # "rated continuations" apart (usertest 17: a rated continuation was counted as a "rated question")
    texts: tuple = ()
    # per prompt, its ``rights`` answer is one the person wrote (a correction), not a liked answer of the model's
    written: tuple = ()

    @property
    def open_from(self) -> int:
        return len(self.prompts) - self.open_count

    @property
    def measures(self) -> str:
        """What the re-asks are, a key of progress_words.MEASURED_PARTS: the person's questions ("reask"), their
        rated texts continued ("reask_texts"), or both ("reask_mixed"); read from the rated prompts alone (the
        fixed questions are asked in every run)."""
        rated = [bool(t) for t in self.texts[:self.unseen_from + self.held_count]]
        if not any(rated):
            return "reask"
        return "reask_texts" if all(rated) else "reask_mixed"


NEW_EXTRA = 2  # re-asks added at most for ratings new since the previous run (each costs a row of the batch)


def plan_reasks(store, data: TrainingData, train: TrainingData, held: TrainingData, tokenizer, window: int, *,
                count: int, unseen: int, tokens: int, open_requests: int = 0, canaries: int = 0,
                new: frozenset = frozenset()) -> Reasks:
    """Up to ``count`` questions the run trains on, then up to ``unseen`` it never sees (the
    held-out ones, else fixed everyday questions), then ``open_requests`` fixed open requests
    (a story, a description), so the gate's degeneracy check and the panel's before/after
    also cover new questions, and a person sees whether a style they taught on short answers
    spread to requests where it does not belong. ``canaries``: fixed open questions
    (reasking.CANARY_QUESTIONS) after the unseen ones, where loops show first.

    ``new``: the message ids rated since the previous run (train_counts.new_since_previous). Their
    questions come first among the rated and the held-out ones, and up to NEW_EXTRA more rated ones
    are asked for them, so a person sees whether the run learned what they just taught (usertest 13:
    two fresh corrections were neither re-asked nor shown)."""
    questions = question_texts(store, data)
    new_keys = new_prompt_keys(data, new)
    trained = {tuple(ids) for ids, _q in distinct_prompts(train, questions, len(train))}
    extra = min(len(trained & new_keys), NEW_EXTRA)
    seen_q = distinct_prompts(train, questions, count + extra, new)
    # a held-out answer to a question training has too (a sibling kept apart) is no new question
    fresh = [(ids, q) for ids, q in distinct_prompts(held, questions, len(held), new)
             if tuple(ids) not in trained][:unseen]
    held_count = len(fresh)
    fresh = _with_fixed_questions(fresh, {q for _ids, q in seen_q + fresh}, tokenizer, window, tokens,
                                  unseen=unseen, canaries=canaries)
    requests = [(reasking.fresh_prompt(tokenizer, q, window, tokens), q)
                for q in reasking.OPEN_REQUESTS[:open_requests]]
    known = right_answers(train, tokenizer) | right_answers(held, tokenizer)
    rights = tuple(known.get(tuple(ids)) for ids, _q in seen_q + fresh)
    wrote = written_answers(train) | written_answers(held)
    written = tuple(tuple(ids) in wrote for ids, _q in seen_q + fresh)
    news = tuple(tuple(ids) in new_keys for ids, _q in seen_q + fresh)
    text_keys = continuation_prompt_keys(data)
    texts = tuple(tuple(ids) in text_keys for ids, _q in seen_q + fresh)
    return Reasks(seen_q + fresh + requests, len(seen_q), tokens, len(requests), held_count, rights, news, texts,
                  written)


def _with_fixed_questions(fresh: list, asked: set, tokenizer, window: int, tokens: int, *, unseen: int,
                          canaries: int) -> list:
    """``fresh`` (the held-out questions) filled up to ``unseen`` with the fixed everyday questions, then
    ``canaries`` fixed open questions; none that is ``asked`` already."""
    fresh = list(fresh)
    for question in reasking.FRESH_QUESTIONS:
        if len(fresh) >= unseen:
            break
        if question not in asked:
            fresh.append((reasking.fresh_prompt(tokenizer, question, window, tokens), question))
    return fresh + [(reasking.fresh_prompt(tokenizer, q, window, tokens), q)
                    for q in reasking.CANARY_QUESTIONS[:canaries] if q not in asked]


def continuation_prompt_keys(data: TrainingData) -> set[tuple]:
    """The prompts (as id tuples) of ``data``'s Text-mode continuations (negative message ids:
    core/text_training.py)."""
    return {tuple(e.prompt_ids) for e in (*data.pairs, *data.unpaired, *data.tokens)
            if (getattr(e, "rejected_message_id", None) or e.message_id) < 0}


def _rated_ids(example) -> set:
    """The answers an example comes from: a pair's two (a new thumb on either sibling makes it new)."""
    return {getattr(example, name, None) for name in ("message_id", "rejected_message_id", "chosen_message_id")}


def parent_run_metrics(store, parent: dict | None) -> dict | None:
    """The metrics of the run that made the adapter in use (``parent``); None where not known: no
    adapter in use, one imported (no run), or its run deleted."""
    if parent is None or parent.get("run_id") is None:
        return None
    try:
        return store.get_run(parent["run_id"]).get("metrics") or {}
    except StoreError:
        return None


def parent_split(store, parent: dict | None) -> EarlierSplit | None:
    """How the run that made the adapter in use split its ratings, for a run that starts from it to
    keep (EarlierSplit). None: no adapter in use, or its run is gone or older than the split's record
    (a random split then, and ``heldout_trained_by_parent`` says where it drew what that adapter saw)."""
    metrics = parent_run_metrics(store, parent) or {}
    trained, held = metrics.get("trained_groups"), metrics.get("heldout_groups")
    if trained is None or held is None:
        return None
    return EarlierSplit(frozenset(trained), frozenset(held))


def split_record(train: TrainingData, held: TrainingData, earlier: EarlierSplit | None) -> dict:
    """What a run keeps of its split in its metrics, for the next run from its adapter (parent_split),
    and whether it kept its adapter's (the card's words when nothing is held out: taught_words.all_ratings_words)."""
    return {"trained_groups": train.groups(), "heldout_groups": held.groups(), "split_kept": earlier is not None}


def heldout_trained_by_parent(store, parent: dict | None, held: TrainingData, new: frozenset) -> bool:
    """The adapter in use trained on some of this run's held-out ratings: its own run held none out (too
    few ratings) and a held-out rating is older than it (not in ``new``, train_counts.new_since_previous).
    Its margin there is then no baseline for what it had learned (gate._from_adapter_failure)."""
    parent_metrics = parent_run_metrics(store, parent) if len(held) else None
    if parent_metrics is None or parent_metrics.get("heldout_size") != 0:
        return False
    return any(not (_rated_ids(e) & new) for e in (*held.pairs, *held.unpaired, *held.tokens))


def new_prompt_keys(data: TrainingData, new: frozenset) -> set[tuple]:
    """The prompts (as id tuples) of ``data``'s examples rated since the previous run."""
    fresh = new_ratings(data, new)
    return {tuple(e.prompt_ids) for e in (*fresh.pairs, *fresh.unpaired, *fresh.tokens)}


def new_ratings(data: TrainingData, new: frozenset) -> TrainingData:
    """The examples of ``data`` rated since the previous run (``new``: train_counts.new_since_previous),
    a question-alone view of such a rating included: what the adapter in use never trained on."""
    def fresh(part: list) -> list:
        return [e for e in part if _rated_ids(e) & new]

    return TrainingData(fresh(data.unpaired), fresh(data.pairs), fresh(data.tokens))


def right_answers(part: TrainingData, tokenizer) -> dict[tuple, str]:
    """The person's own answer to each prompt of ``part``, by prompt ids: a pair's chosen answer
    (their correction, the sibling they preferred), else an answer they liked. A prompt only
    disliked has none: a thumbs-down says what is wrong, not what is right."""
    out = {}
    for ids, answer, _written in _right_sources(part):
        out.setdefault(tuple(ids), tokenizer.decode(answer, skip_special_tokens=True).strip()[:300])
    return out


def written_answers(part: TrainingData) -> set[tuple]:
    """The prompts (as id tuples) whose answer in ``right_answers`` the person wrote (a correction),
    not one of the model's they liked or preferred: the card labels it "your answer" only then
    (usertest 20: "your answer: Hamlet, a timeless masterpiece…" over the model's own words, liked)."""
    first: dict[tuple, bool] = {}
    for ids, _answer, written in _right_sources(part):
        first.setdefault(tuple(ids), written)
    return {key for key, written in first.items() if written}


def _right_sources(part: TrainingData) -> list[tuple[list[int], list[int], bool]]:
    """(prompt ids, the person's answer's ids, whether they wrote it), in ``right_answers``' order."""
    return [(p.prompt_ids, p.chosen_ids, p.source == "correction") for p in part.pairs] + [
        (e.prompt_ids, e.completion_ids, False) for e in part.unpaired if e.label]


def question_texts(store, data: TrainingData) -> dict[int, str]:
    """The question each rated answer in ``data`` replied to, by message id."""
    out = {}
    for mid in {e.message_id for e in data.unpaired} | {p.rejected_message_id for p in data.pairs} | {
            t.message_id for t in data.tokens}:
        if mid < 0:  # a text-mode continuation (core/text_training.py): the text before it
            out[mid] = text_training.question_for(store, -mid)
            continue
        turns = store.thread(mid)[:-1]
        out[mid] = next((m["text"] for m in reversed(turns) if m["role"] == "user"), "")
    return out


def distinct_prompts(part: TrainingData, questions: dict[int, str], limit: int,
                     new: frozenset = frozenset()) -> list[tuple[list[int], str]]:
    """Up to ``limit`` different prompts of ``part`` (those rated since the previous run, ``new``,
    first; then pairs, then thumbs, then token-rated answers), each with its question from
    ``questions`` (``question_texts``). The question-alone views come after all of those, a new
    rating's too: one asks a rated question again, where its slot could show another rating
    (usertest 14: five ratings, the spider's question re-asked twice and the liked answer never)."""
    seen, out = set(), []
    examples = (*part.pairs, *part.unpaired, *part.tokens)
    for e in sorted(examples, key=lambda e: (e.alone, not (_rated_ids(e) & new))):
        mid = getattr(e, "rejected_message_id", None) or e.message_id
        key = tuple(e.prompt_ids)
        if key not in seen and len(out) < limit:
            seen.add(key)
            out.append((list(e.prompt_ids), questions.get(mid, "")))
    return out


# ------------------------------------------------------------------ measuring one model

@dataclass
class Meter:
    """Measures the model a run has in hand into the run's ``metrics``. ``timed(phase)``
    counts a body's seconds in the run's metrics (and runs it on the run's thread team);
    ``check_cancel()`` raises the run's own exception once ``cancel`` is set; ``cache``: what
    the model in use gave in earlier runs, used and filled when measuring "before"; ``reasked``:
    the re-asks already asked under the weights in place (a step back's clean check,
    train_verdict.step_back), taken by the next measure instead of asking them again."""
    metrics: dict
    timed: Callable[[str], ContextManager]
    check_cancel: Callable[[], None]
    cancel: threading.Event
    cache: BeforeCache | None = None
    reasked: list | None = None
    # the training references' summed answer log-probabilities, (prompt, answer) -> sum, when the model
    # measured "before" is the reference (no adapter in use) read in the same precision: its margins over
    # the examples trained on are already known (gate.margin_from_sums)
    reference_sums: dict | None = None
    # core.check_time.CheckClock: told what each part of a measuring took, for the time left of the
    # check after training
    clock: object | None = None
    # the tokens the person rated down: their positions in the probe are not read (gate.probe_perplexity)
    skip: frozenset = frozenset()
    # a run that starts from an adapter in use: the ratings new since it (``new_ratings``), whose margin is
    # measured under it and under the new adapter (gate._from_adapter_failure); None: no adapter in use
    new: TrainingData | None = None

    def measure(self, when: str, work, data, held, reasks: Reasks, pad_id) -> None:
        import torch

        m, device = self.metrics, work.device
        cache = self.cache if when == "before" else None
        margins_key = f"{len(data)}:{len(held)}"
        with torch.no_grad(), self.timed(f"{when}_margins"), self._part("margins", margins_key, len(data)) as computed:
            self._margins(when, work, data, held, pad_id, computed)
        self.check_cancel()
        probe_key = "probe" + gate.skip_key(self.skip)
        with torch.no_grad(), self.timed(f"{when}_probe"), self._part("probe") as computed:
            probe = cache.get(probe_key) if cache else None
            if probe is None:
                computed.append(True)
                probe = gate.probe_perplexity(work.model, work.tokenizer, device, work.context_window, skip=self.skip)
            m[f"probe_ppl_{when}"] = probe
        reask_key = f"{reasks.tokens}:{len(reasks.prompts)}"
        with (self.timed(f"{when}_reask"), work_meter.naming(reasks.measures),
              self._part("reask", reask_key, len(reasks.prompts)) as computed):
            answers = self.reasked if self.reasked is not None else self._reask(work, reasks, cache, computed)
            self.reasked = None
        if cache:
            cache.put(probe_key, probe)
        if self.cache:  # the seconds the parts took (CheckClock), kept whichever model was measured
            self.cache.save()
        self.check_cancel()
        m["reask_count"] = len(answers)
        m[f"reask_degenerate_{when}"] = sum(a.problem is not None for a in answers)
        m[f"reask_problems_{when}"] = [a.problem for a in answers if a.problem]
        m[f"reask_restates_{when}"] = sum(a.restates for a in answers)
        m[f"reask_answers_{when}"] = [a.answer[:ANSWER_CHARS] for a in answers]
        m[f"reask_cut_{when}"] = [unfinished(a) for a in answers]
        if when == "after":
            m["taught"] = taught(m.get("reask_answers_before") or [], answers, reasks.unseen_from, reasks.open_from,
                                 reasks.held_count, reasks.rights, reasks.news, m.get("reask_cut_before") or (),
                                 reasks.texts, reasks.written)
            m["reask_dropped_before"] = sum(t["dropped_before"] for t in m["taught"])
            m["reask_dropped_after"] = sum(t["dropped_after"] for t in m["taught"])

    def measure_base(self, work, data, held, pad_id) -> None:
        """The margins under the base model (``work``'s adapters off), for a run that starts from an
        adapter in use: the gate reads what the new adapter learned against them, as a first run's
        "before" (gate._from_adapter_failure)."""
        import torch

        m = self.metrics
        with torch.no_grad(), self.timed("base_margins"), self._part("margins", f"base:{len(data)}:{len(held)}"):
            needed = gate.all_ratings_margin_needed(held.rated())
            with work_meter.naming("trained"):
                m["margin_all_base"] = (gate.margin(work.model, data, pad_id, work.device, EVAL_BATCH)
                                        if needed else None)
            with work_meter.naming("held_out"):
                m["margin_heldout_base"] = (gate.margin(work.model, held, pad_id, work.device, EVAL_BATCH)
                                            if len(held) else None)
        self.check_cancel()

    @contextlib.contextmanager
    def _part(self, part: str, key: str = "", pieces: int = 1):
        """Times a part of a measuring for ``clock``: the body appends True to the list it is given
        when it computed the part (rather than taking it from a cache or the reference's sums). A part
        that counted nothing says it was known already, with a count of its own: a first run's "training
        paused" lines began at "part 2 of 3", its margins read from the reference's sums (leftovers56)."""
        computed: list = []
        start = time.perf_counter()
        with work_meter.overheard() as heard:
            yield computed
        if not heard:
            work_meter.advance(KNOWN_PARTS.get(work_meter.subject() or part, KNOWN_PARTS[part]), pieces, pieces)
        if self.clock is not None:
            self.clock.took(part, time.perf_counter() - start, bool(computed), key)

    def _margins(self, when: str, work, data, held, pad_id, computed: list) -> None:
        """The margins over the ratings trained on, the held-out ones and those new since the last run."""
        m = self.metrics
        needed = gate.all_ratings_margin_needed(held.rated())  # else None: judge() does not read it
        m[f"margin_all_{when}"] = self._margin(when, work, data, pad_id, computed, "trained") if needed else None
        m[f"margin_heldout_{when}"] = (self._margin(when, work, held, pad_id, computed, "held_out")
                                       if len(held) else None)
        if self.new is not None:
            m["new_rated"] = self.new.rated()
            m[f"margin_new_{when}"] = (self._margin(when, work, self.new, pad_id, computed, "new")
                                       if len(self.new) else None)

    def _margin(self, when: str, work, part, pad_id, computed: list, ratings: str) -> float | None:
        """The margin over ``part``, its counts named as of ``ratings`` (progress_words.MEASURED_PARTS' key)."""
        known = (gate.margin_from_sums(part, self.reference_sums)
                 if when == "before" and self.reference_sums is not None else None)
        if known is not None:
            return known
        computed.append(True)
        with work_meter.naming(ratings):
            return gate.margin(work.model, part, pad_id, work.device, EVAL_BATCH)

    def _reask(self, work, reasks: Reasks, cache, computed: list) -> list:
        """Greedy re-asks; before training, those the model in use answered in an earlier run
        come from ``cache`` (the same weights give the same greedy answer)."""
        prompts, tokens = reasks.prompts, reasks.tokens
        keys = [f"reask:{tokens}:{digest(ids)}" for ids, _q in prompts]
        found = {k: cache.get(k) for k in keys} if cache else {}
        missing = [p for p, k in zip(prompts, keys) if found.get(k) is None]
        if len(missing) == len(prompts):  # all asked now: their seconds are the re-asks' (none cached)
            computed.append(True)
        texts = [t for (_p, k), t in zip(zip(prompts, keys), (*reasks.texts, *[False] * len(prompts)))
                 if found.get(k) is None]
        answered = iter(reasking.reask(work, missing, tokens, self.cancel, texts=tuple(texts)))
        out = []
        for (ids, question), key in zip(prompts, keys):
            hit = found.get(key)
            cut = len(hit) > 2 and hit[2] if hit is not None else False  # an older cache's answer: not known, as before
            answer = (reasking.Reask(question, hit[0], hit[1], answer_checks.restates(question, hit[0]), cut)
                      if hit is not None else next(answered, None))
            if answer is None:  # cancelled meanwhile
                break
            if cache:
                cache.put(key, [answer.answer, answer.problem, answer.cut])
            out.append(answer)
        return out


# a part of a measuring that computed nothing, in its count's words (core.check_time.part_of reads the part back)
KNOWN_PARTS = {"margins": "scoring your rated answers: {done} of {total}, known already from before training",
               "probe": "reading general text: known already from an earlier run, {done} of {total} part{s}",
               "reask": "re-asking questions: {done} of {total} answer{s} known already from an earlier run",
               # the re-asks of rated Text continuations (Reasks.measures), not questions alone (textwords107)
               "reask_texts": "re-asking questions, continuing texts: {done} of {total} known already from an earlier run"}
KNOWN_PARTS["reask_mixed"] = KNOWN_PARTS["reask_texts"]
ANSWER_CHARS = 300  # of a re-ask's answer kept in the run's metrics


def unfinished(answer) -> bool:
    """A re-ask's answer that did not end: stopped at the token limit or kept to ANSWER_CHARS."""
    return answer.cut or len(answer.answer) > ANSWER_CHARS


def taught(before: list[str], after: list, unseen_from: int, open_from: int | None = None,
           held_count: int = 0, rights: tuple = (), news: tuple = (), cut_before: tuple = (),
           texts: tuple = (), written: tuple = ()) -> list[dict]:
    """Before/after pairs for the person: the same greedy question, answered by the model
    they had and by the new adapter; ``seen``: the question was trained on; ``held``: the
    person rated it, but it was kept out of training to judge the run (the ``held_count``
    after ``unseen_from``); ``open``: an open request (from ``open_from`` on), never trained on;
    ``restates_before``/``restates_after``: the answer only repeats the question (``answer_checks.restates``),
    which the panel names, since a run is not refused for it; ``right``: the person's own answer
    to a rated question (``rights``, by position), else None; ``right_written``: they wrote it (a correction;
    ``written``, by position), not liked the model's; ``dropped_before``/``dropped_after``:
    the answer lost the fact (``dropped``); ``changed_after``: a new question's answer names
    something else (``changed``); ``checked``: the pair can be held to one; ``new``: the person rated
    the question since the previous run (``news``, by position); ``cut_before``/``cut_after``: the
    answer stopped unfinished (``unfinished``; ``cut_before`` by position), shown ending in "…";
    ``continuation``: the question is the text before a rated Text-mode continuation (``texts``, by position)."""
    out = []
    open_from = len(after) if open_from is None else open_from
    for i, a in enumerate(after):
        was = before[i] if i < len(before) else ""
        out.append({"question": a.question[:300], "seen": i < unseen_from, "open": i >= open_from,
                    "held": unseen_from <= i < unseen_from + held_count,
                    "before": was, "after": a.answer[:ANSWER_CHARS], "problem_after": a.problem,
                    "cut_before": bool(cut_before[i]) if i < len(cut_before) else False, "cut_after": unfinished(a),
                    "continuation": bool(texts[i]) if i < len(texts) else False,
                    "restates_before": bool(was) and answer_checks.restates(a.question, was),
                    "restates_after": a.restates,
                    "right": rights[i] if i < len(rights) else None,
                    "right_written": bool(written[i]) if i < len(written) else None,
                    "new": bool(news[i]) if i < len(news) else False})
        out[-1]["checked"] = checked(out[-1])
        out[-1]["dropped_before"] = bool(out[-1]["right"]) and dropped(out[-1], was)
        out[-1]["dropped_after"] = dropped(out[-1], a.answer)
        out[-1]["changed_after"] = changed(out[-1], a.answer)
    return out


def checked(pair: dict) -> bool:
    """A pair's answers can be held to a fact (``dropped``): a short factual question whose
    reference (the person's answer, else for a new question the model's before) names one."""
    if pair.get("open"):
        return False
    reference = pair.get("right") or ("" if pair.get("seen") or pair.get("held") else pair.get("before"))
    return bool(reference) and answer_checks.names_a_fact(pair["question"], reference, right=bool(pair.get("right")))


def changed(pair: dict, answer: str) -> bool:
    """A new question's ``answer`` names something else than the model's answer before the run
    (answer_checks.changes_answer); rated questions are held to the person's answer instead (``dropped``)."""
    if pair.get("open") or pair.get("seen") or pair.get("held") or not answer or not pair.get("before"):
        return False
    return answer_checks.changes_answer(pair["question"], pair["before"], answer)



def dropped(pair: dict, answer: str) -> bool:
    """``answer`` to a before/after pair's question (``taught``) lost its fact (answer_checks.drops_answer):
    a rated question's against the person's own answer, whatever the model said before; a new
    question's against the model's answer before the run. A rated question with no answer of
    the person's (only disliked) and an open request are not judged."""
    if pair.get("open") or not answer:
        return False
    if pair.get("right"):
        return answer_checks.drops_answer(pair["question"], pair["right"], answer, right=True)
    if pair.get("seen") or pair.get("held"):
        return False
    return bool(pair.get("before")) and answer_checks.drops_answer(pair["question"], pair["before"], answer)


class BeforeCache:
    """What the model in use (the parent adapter, else the base model) gives on fixed inputs
    does not change between runs: the probe perplexity and greedy re-asks of the same
    prompts. A run after a discarded one (or after new ratings) reuses them from a small JSON
    file in the cache folder, keyed by the model, the parent adapter and the device."""

    FILE = "finetune-before.json"
    LIMIT = 200  # entries kept; the oldest go first

    def __init__(self, paths, model_id: str, parent_id: int | None, device):
        self.path = paths.cache_dir / self.FILE
        self.model_id, self.device = model_id, device
        self.scope = self._scope(parent_id)
        self.base_scope = f"{model_id}|base|{device}"  # the base model's figures, whatever adapter is in use
        try:
            self.table = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.table = {}

    def get(self, key: str, base: bool = False):
        """``base``: a figure of the base model itself (not of the model in use)."""
        return self.table.get(f"{self.base_scope if base else self.scope}|{key}")

    def put(self, key: str, value, base: bool = False) -> None:
        self.table[f"{self.base_scope if base else self.scope}|{key}"] = value

    def _scope(self, parent_id: int | None) -> str:
        return f"{self.model_id}|{parent_id}|{self.device}|{digest(gate.probe_text())}"

    def for_adapter(self, adapter_id: int) -> "BeforeCache":
        """The same table (one file, saved by either) under the scope of a run starting from ``adapter_id``."""
        other = copy.copy(self)
        other.scope = self._scope(adapter_id)
        return other

    def save(self) -> None:
        items = list(self.table.items())[-self.LIMIT:]
        try:
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(dict(items)), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError as exc:  # a cache: losing it costs time, not data
            log.info("before-cache not saved: %s", exc)


def remember_after(cache: BeforeCache, adapter_id: int, metrics: dict, reasks: Reasks, skip=frozenset()) -> None:
    """A saved adapter's "after" figures are the "before" figures of a run that starts from it (the
    same weights, read the same way): its probe perplexity and its greedy re-asks, kept for that run
    (a user test's second run spent minutes "measuring your current model", which the first had just
    measured). The answers as the metrics keep them (ANSWER_CHARS), as the "before" answers are shown."""
    later = cache.for_adapter(adapter_id)
    if isinstance(metrics.get("probe_ppl_after"), float):
        later.put("probe" + gate.skip_key(skip), metrics["probe_ppl_after"])
    for (ids, _question), pair in zip(reasks.prompts, metrics.get("taught") or []):
        later.put(f"reask:{reasks.tokens}:{digest(ids)}", [pair["after"], pair["problem_after"], pair["cut_after"]])
    later.save()


def digest(value) -> str:
    """A short key for a cache entry: the first 16 hex digits of the value's JSON's SHA-256."""
    return hashlib.sha256(json.dumps(value).encode()).hexdigest()[:16]


# ------------------------------------------------------------------ re-scoring for the compare view

def rescore_newest(store, work, adapter_id: int, limit: int, cancel: threading.Event,
                   progress: Callable[[int, int], None]) -> None:
    """Per-token records of the newest rated answers under the new adapter (and the base
    model where no record of it exists), for the compare view. Only the newest ``limit``:
    the compare view scores any other answer when it is opened, so a person with a hundred
    ratings does not wait for all of them here. The answers of one conversation are read in
    one pass per model (session.rescore_groups). ``progress(n, of)`` after each group stored."""
    from desktop_app.core.session_compare import rescore_group_and_store, rescore_groups

    mids = rated_message_ids(store)[-limit:]
    done = 0
    for group in rescore_groups(store, work, mids):  # the answers of one conversation read together
        if cancel.is_set():  # a kept run's re-scoring is not undone by cancel; it just stops early
            return
        rescore_group_and_store(store, work, group, adapter_id)
        done += len(group)
        progress(done, len(mids))



def repeated_opening(answer: str | None, longest: int = 4) -> str | None:
    """The words an answer opens with twice in a row ("Answer: Answer: Paris." -> "Answer:"), else
    None: a doubled format reads as broken, yet ``answer_checks.degenerate`` passes it (too short for a loop,
    no words of the question). Named on the card only; what the gate keeps does not read it. One
    word counts only with its mark ("Answer:", "Yes."): "very very good" is English."""
    words = (answer or "").split()
    for n in range(1, longest + 1):
        same = len(words) >= 2 * n and [w.lower() for w in words[:n]] == [w.lower() for w in words[n:2 * n]]
        if same and (n > 1 or words[0][-1] in ":.,;!?"):
            return " ".join(words[:n])
    return None
