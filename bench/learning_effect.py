"""Does a person's handful of ratings visibly change how the model answers NEW questions?

Simulated people drive the real core (a real SQLite store, ``run_finetune`` with default
settings, the gate, the adapter store) on a real model, each teaching one preference, and
the effect is measured on questions that were never rated (templated question sets: the
training and the unseen questions are disjoint).

Scenarios (``--scenarios``, comma separated):
- ``answer``, ``caps``, ``prefix``, ``signoff``: corrections in one consistent style
  ("Answer: Paris." one-liners; ALL CAPS; answers that start with "Great question!";
  answers that end with "Hope this helps!"). Shown: the style in a greedy answer.
- ``thumbs``: thumbs only. Three sampled answers to each short factual question (siblings,
  as the app's "regenerate" stores them; their lengths vary from a sentence to a ramble
  cut at the token limit); the shortest is liked, the longest disliked. Shown: the greedy
  answer is short (at most ``SHORT_TOKENS`` tokens, ended by the model itself). Half the base
  model's answers to the unseen questions are short already (adoption starts at 0.50), so
  ``parts`` also prints ``len``: the unseen answers' tokens after / before (1.00: no change;
  a finer figure, printed beside the adoption, not instead of it).
- ``tokens``: token ratings only. Every occurrence of a disliked word (``--word``) in sampled
  answers is rated down. Shown: among unseen questions whose base answer has the word,
  the new answer has it no more.
- ``picky``: thumbs only, from a person who likes the shortest of three siblings only when it
  really is short and dislikes the longest only when it is not (``thumbs`` likes the shortest of
  three rambles too); shown: as ``thumbs``.
- ``mix``: a third each of ``answer`` corrections, ``thumbs`` and ``tokens``; shown: the
  mean of the three.

Sizes (``--sizes``): how many ratings the person gave (a correction, a thumb and a rated
token count one each). Per scenario and size one line: adoption (share of greedy answers to
unseen questions that show the preference; the base model's share in brackets), the gate's
margin before -> after (held-out ratings when there are enough, else all), the probe
perplexity change, degenerate unseen answers, kept or discarded, optimizer steps, batch
size, learning rate, training seconds per step, and the run's wall time (data
preparation excluded: the person's rating time is not the app's) and CPU time (with
OMP_NUM_THREADS=1 this is about the wall time on one idle core, whatever else the machine
is doing: the figure to compare with the time targets on a shared machine), both until the
run's result is told (a kept run re-scores its newest rated answers for the compare view after
that, as the window does: ``run_finetune``'s ``verdict``; the whole run's CPU time with it is in
the ``cost:`` line).

The simulated people's answers (sampled by the base model) are cached under ``--cache`` so
a second run, or another part of the table, starts at once. The question sets, the styles and
how each scenario's person rates are in ``learning_scenarios.py``; this file runs and reports.

    python bench/learning_effect.py [--model bundled] [--scenarios answer,caps,prefix,thumbs,tokens,mix]
        [--sizes 4,8,32,100] [--seed 0] [--quick] [--cache DIR]

Ends with summary lines ``adoption_corrections_8`` (mean over the correction styles),
``adoption_thumbs_8``, ``adoption_tokens_8``, ``seconds_8``, ``seconds_100`` (mean wall time of
the runs of that size). ``--unseen 16`` asks 8 more never-rated questions of each kind
(``MORE_UNSEEN_*``): the ``adoption_*`` lines and the table's adoption column stay those of
the first 8 (comparable with earlier runs), and ``adoption16_*`` lines give all 16.

``parts`` also has ``nopunct=N(M)``: unseen answers the model ended itself without a
sentence's final mark ("The capital of Russia is Moscow", "A tomato is a red"), after
training (the base model's count in brackets); ``unfinished_N`` sums them per size. The
adoption does not see this side effect of learning to stop.

With ``--examples`` each run also prints a ``cost:`` line: its CPU seconds per phase (the updates,
the reference pass, the gate's margins, probe and re-asks before and after, re-scoring) and its
training examples' prompt tokens (mean, max), where a run's time goes.

``--one-conversation``: the simulated person asks a scenario's rated questions in ONE
conversation, one after another (``learning_scenarios.Chats``), as people ask (a user test's 8
corrections were made in one chat); without it each has a conversation of its own. The texts
rated are the same either way; the unseen questions are asked alone, as new conversations.
So the table then shows whether what was taught in a long conversation carries to new ones.

Rows that teach a style (the corrections and ``mix``) also have ``spill=N/6(M)``: of six open
requests never rated (``OPEN_REQUESTS``: a story, a poem, a description), how many greedy
answers took the taught style (the base model's count in brackets); ``spill_<group>_N`` sums
them per size (``spill_corrections_8: 0.17 (4 of 24 open requests; base 0)``). A format taught
on short factual answers does not belong in a story.

Every row has ``facts_changed=N/M``: of the M never-rated questions the gate re-asks (its fixed
everyday ones and canaries), N name something else than the base answer's short fact now, lost it,
or only repeat the question (``fact_changes.facts_changed``); ``(waits)``: the run was kept but saved without being put in
use, the person is asked first (the adapter is measured here all the same). ``facts_changed_N``
sums them per size, with the kept runs that would wait; ``--examples`` prints each flagged pair.

ALL CAPS rows also have ``facts=K/C right=R/N(B)``: of the C new answers in capitals, K say what
the base model's own answer said (``learning_scenarios.facts_kept``: the question's subject spelt
right and the base's fact there, "THE CAPITAL OF RUSSIA IS MOSCOW.", not "... IS KOREA."); R of
the N unseen fact answers name the known answer (B: the base model's); summed as ``facts_caps_N``.
The adoption counts the capitals only, whatever they say.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # learning_scenarios, also for a module loaded by path
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from learning_scenarios import (ALL_SCENARIOS, DEFAULT_SCENARIOS, OPEN_REQUESTS, SHORT_TOKENS,  # noqa: E402
                                STYLES, facts_kept, question_pools, right_answer, shows_style, teach, word_count)


# ------------------------------------------------------------------ the model's answers, cached

class Answers:
    """Sampled and greedy answers of the base model, batched through ``generate`` and kept
    on disk (the simulated people's data does not change between runs)."""

    def __init__(self, loaded, cache_dir: Path, max_new_tokens: int):
        self.loaded, self.max_new_tokens = loaded, max_new_tokens
        key = hashlib.sha256(f"{loaded.model_id}:{max_new_tokens}".encode()).hexdigest()[:10]
        self.path = cache_dir / f"answers-{key}.json"
        self.table: dict = json.loads(self.path.read_text()) if self.path.exists() else {}

    def prompt_ids(self, question: str) -> list[int]:
        from desktop_app.core.prompts import Turn, build_prompt

        return build_prompt(self.loaded.tokenizer, [Turn("user", question)], context_window=self.loaded.context_window,
                            max_new_tokens=self.max_new_tokens).ids

    def sampled(self, questions: list[str], n: int, seed: int) -> list[list[list[int]]]:
        """``n`` sampled answers to each question, drawn per question from a seed of its own:
        a draw does not depend on which other questions were missing from the cache, on the
        order they were asked in, or on the padding of a shared batch (it did before session
        38, so two runs of the same scenario could teach from different answers)."""
        keys = [f"draw:{seed}:{n}:{q}" for q in questions]
        missing = [(q, k) for q, k in zip(questions, keys) if k not in self.table]
        for q, k in missing:
            self.table[k] = self.generate([q], sample=True, copies=n, seed=question_seed(seed, q))
        if missing:
            self.save()
        return [self.table[k] for k in keys]

    def greedy(self, questions: list[str], tag: str | None) -> list[list[int]]:
        """Greedy answers under the model's current weights; cached only for ``tag``."""
        if tag is None:
            return self.generate(questions, sample=False)
        keys = [f"greedy:{tag}:{q}" for q in questions]
        missing = [q for q, k in zip(questions, keys) if k not in self.table]
        if missing:
            for q, ids in zip(missing, self.generate(missing, sample=False)):
                self.table[f"greedy:{tag}:{q}"] = ids
            self.save()
        return [self.table[k] for k in keys]

    def generate(self, questions: list[str], *, sample: bool, copies: int = 1, seed: int = 0) -> list[list[int]]:
        import torch

        tok, model = self.loaded.tokenizer, self.loaded.model
        prompts = [self.prompt_ids(q) for q in questions for _ in range(copies)]
        width = max(len(p) for p in prompts)
        pad = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
        ids = torch.tensor([[pad] * (width - len(p)) + p for p in prompts])
        mask = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in prompts])
        torch.manual_seed(seed)
        extra = dict(do_sample=True, temperature=0.8, top_p=0.95) if sample else dict(do_sample=False)
        with self.loaded.lock, torch.inference_mode():
            out = model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=self.max_new_tokens,
                                 pad_token_id=pad, eos_token_id=tok.eos_token_id, **extra)
        answers = []
        for row in out[:, width:].tolist():
            cut = row.index(tok.eos_token_id) if tok.eos_token_id in row else len(row)
            answers.append(row[:cut])
        return answers

    def settings(self, ids: list[int]) -> dict:
        """What the app stores with an answer about how it was made: its budget and why it
        ended (the end-of-text token, or the budget: the sampled answers are cut at it)."""
        return {"max_new_tokens": self.max_new_tokens,
                "finish_reason": "length" if len(ids) >= self.max_new_tokens else "eos"}

    def text(self, ids: list[int]) -> str:
        return self.loaded.tokenizer.decode(ids, skip_special_tokens=True)

    def save(self) -> None:
        """Merged with what another bench process saved meanwhile, and written whole (a reader
        never sees half a file). Draws are per question, so two writers agree on each entry."""
        if self.path.exists():
            self.table = {**json.loads(self.path.read_text()), **self.table}
        partial = self.path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(self.table))
        os.replace(partial, self.path)


def question_seed(seed: int, question: str) -> int:
    return seed * 1_000_003 + zlib.crc32(question.encode())


# ------------------------------------------------------------------ measuring

SENTENCE_END = re.compile(r"[.!?\u2026][\"')\]*]*$")


def unfinished(answers, ids: list[int]) -> bool:
    """The model ended the answer itself (before the token budget) but not after a sentence's
    final mark: "The capital of Russia is Moscow", "A tomato is a red". Counted beside the
    adoption, which does not see it (a "short" answer may be a cut one)."""
    return len(ids) < answers.max_new_tokens and not SENTENCE_END.search(answers.text(ids).strip())


def adoption(kind: str, arg, unseen: list[str], before: list[str], after: list[str], answers) -> tuple[float, float]:
    """(share after, share of the base model) of unseen answers that show the preference."""
    if kind == "style":
        return (sum(shows_style(arg, a) for a in after) / len(after),
                sum(shows_style(arg, b) for b in before) / len(before))
    if kind == "short":  # ended by the model within SHORT_TOKENS (the answers are cut at 48)
        def short(text):
            return len(answers.loaded.tokenizer(text, add_special_tokens=False)["input_ids"]) <= SHORT_TOKENS

        return sum(map(short, after)) / len(after), sum(map(short, before)) / len(before)
    if kind == "word":
        having = [i for i, b in enumerate(before) if word_count(arg, b)]
        if not having:
            return float("nan"), 1.0
        return sum(word_count(arg, after[i]) == 0 for i in having) / len(having), 0.0
    raise ValueError(kind)


@dataclass
class Row:
    scenario: str
    size: int
    given: int
    status: str
    adoption: float
    base_adoption: float
    parts: str
    margin_before: float | None
    margin_after: float | None
    margin_on: str
    ppl_change: float | None
    degenerate: int
    unseen: int
    steps: int
    batch: int
    lr: float
    train_s: float
    per_step_s: float
    wall_s: float
    other_s: float  # the run's time outside the optimizer steps: loading, measuring before/after, saving
    rescore_s: float  # saving and re-scoring rated answers for the compare view, after a kept run's verdict
    # CPU seconds of the run (all threads) until its result is told (a kept run's re-scoring for the compare view
    # follows: in the cost line): what the person waits for on an idle machine, whatever the load
    cpu_s: float
    examples: list = field(default_factory=list)
    adoption16: float | None = None  # with --unseen 16: the share over all 16 unseen questions per kind
    base_adoption16: float | None = None
    unfinished: int = 0  # unseen answers the model ended without a sentence mark (``unfinished``)
    base_unfinished: int = 0
    spill: int | None = None  # OPEN_REQUESTS answered in the taught style (rows that teach a style; ``spill``)
    base_spill: int = 0
    spill_of: int = 0
    reason: str = ""  # the gate's verdict, in its words
    reasks: list = field(default_factory=list)  # the gate's own re-asks (metrics["taught"]): what it judged
    cost: str = ""  # where the run's CPU seconds went (phases) and its examples' prompt lengths (``cost_line``)
    facts: tuple | None = None  # ALL CAPS rows: ``facts_in_caps`` (kept, in capitals, right, base right, asked)
    facts_changed: list = field(default_factory=list)  # never-rated re-asks whose fact changed (finetune_effect)
    facts_judged: int = 0  # never-rated re-asks (the gate's everyday questions and canaries)
    waits: bool = False  # kept, but saved without being put in use: the person is asked first
    guard: str = ""  # what the perplexity guard read and kept (``guard_line``)


BASELINE = dict(epochs=3, batch_size=8, lr=3e-4, min_steps=8)  # the fixed schedule before the rule



def run_one(loaded, answers: Answers, scenario: str, size: int, seed: int, pools: dict, word: str,
            workdir: Path, overrides: dict | None = None, one_conversation: bool = False) -> Row:
    from desktop_app.core import adapters, answer_checks
    from desktop_app.core.fact_changes import facts_changed, facts_judged
    from desktop_app.core.paths import AppPaths
    from desktop_app.core.store import Store
    from desktop_app.core.train_settings import FineTuneSettings
    from desktop_app.core.training import run_finetune

    paths = AppPaths.resolve(workdir / f"{scenario}-{size}-{seed}").ensure()
    store = Store.open(paths.db_path)
    given, checks = teach(store, loaded, answers, scenario, size, seed, pools, word, one_conversation)
    adapters.detach(loaded)  # the base model's answers: computed (and cached) before any adapter is on
    base_answers = [answers.greedy(unseen, "base") for _kind, _arg, unseen in checks]
    styles = [arg for kind, arg, _unseen in checks if kind == "style"]
    base_open = answers.greedy(OPEN_REQUESTS, "base") if styles else []  # a batch of its own: the rows' figures stay
    prompts = prompt_lengths(store, loaded, FineTuneSettings(**(overrides or {})))
    start, cpu_start = time.perf_counter(), time.process_time()
    if (overrides or {}).get("case_practice"):  # its made-up questions never the ones measured here
        overrides = {**overrides, "case_practice_avoid": tuple(q for _k, _a, unseen in checks for q in unseen)
                     + tuple(OPEN_REQUESTS)}
    told: list = []  # (wall, CPU) when a kept run's result was told, before its re-scoring for the compare view
    result = run_finetune(store, loaded, paths, FineTuneSettings(seed=seed, **(overrides or {})),
                          progress=_phases(f"{scenario}-{size}"),
                          verdict=lambda _r: told.append((time.perf_counter() - start,
                                                          time.process_time() - cpu_start)))
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    total_wall, total_cpu = wall, cpu
    if told:  # the person's wait: until the result (the re-scoring after it is in the cost line)
        wall, cpu = told[0]
    m = result.metrics
    if result.kept:  # the run's adapter, in use or waiting for the person's word (facts_changed): measured alike
        adapters.switch_to(loaded, store, result.adapter_id)
    else:
        adapters.attach_active(loaded, store)
    shares, bases, shares16, bases16, parts, degenerate, count, examples = [], [], [], [], [], 0, 0, []
    facts = None
    cut, cut_base = 0, 0
    for (kind, arg, unseen), base_ids in zip(checks, base_answers):
        before = [answers.text(ids) for ids in base_ids]
        after_ids = answers.greedy(unseen, None) if result.kept else base_ids
        after = [answers.text(ids) for ids in after_ids]
        share, base = adoption(kind, arg, unseen[:8], before[:8], after[:8], answers)  # the first 8: as always
        shares.append(share)
        bases.append(base)
        parts.append(f"{kind}={share:.2f}")
        if len(unseen) > 8:  # --unseen 16: the finer figure beside it
            share16, base16 = adoption(kind, arg, unseen, before, after, answers)
            shares16.append(share16)
            bases16.append(base16)
            parts.append(f"16q={share16:.2f}({base16:.2f})")
        if kind == "short":  # a finer figure beside it (not the adoption): tokens after / tokens before
            parts.append(f"len={sum(map(len, after_ids)) / max(1, sum(map(len, base_ids))):.2f}")
        degenerate += sum(answer_checks.degenerate(q, a, ids) is not None
                          for q, a, ids in zip(unseen, after, after_ids))
        cut += sum(unfinished(answers, ids) for ids in after_ids)
        cut_base += sum(unfinished(answers, ids) for ids in base_ids)
        count += len(unseen)
        examples += list(zip(unseen, before, after))
        if kind == "style" and arg == "caps":
            facts = facts_in_caps(unseen, before, after)
            parts.append(f"facts={facts[0]}/{facts[1]} right={facts[2]}/{facts[4]}({facts[3]})")
    spilled = spill(answers, styles, base_open, result.kept)
    examples += spilled[2]
    adapters.detach(loaded)
    store.close()
    guard = m.get("guard") or {}
    if guard and guard.get("kept_step") != m.get("steps"):  # the guard stopped it: the update it kept
        parts.append(f"kept@{guard.get('kept_step')}")
    parts.append(f"nopunct={cut}({cut_base})")  # unseen answers ended without a sentence mark (base)
    if styles:  # open requests answered in the taught style (base)
        parts.append(f"spill={spilled[0]}/{len(OPEN_REQUESTS)}({spilled[1]})")
    # discarded runs too: what a kept one would have asked about; a kept run's own pairs carry how sure the
    # model was before (``sure``) and ``held=K``: those it held back (SURE_OF_FACT), the others were guesses
    measured = {c["question"]: c.get("sure") for c in (m.get("facts_changed") or []) + (m.get("facts_unsure") or [])}
    changed = [{**c, "sure": measured.get(c["question"])} for c in facts_changed(m.get("taught") or [])]
    parts.append(f"facts_changed={len(changed)}/{facts_judged(m.get('taught') or [])}"
                 + (f",held={len(m.get('facts_changed') or [])}" if result.kept else "")
                 + ("(waits)" if result.needs_consent else ""))
    if guard.get("stepped_back"):  # stepped back from "from" (to the kept@), and why: probe_rise, degenerate, restated
        back = guard["stepped_back"]
        parts.append(f"back@{back['from']}:" + "+".join(k for k in back if k not in ("from", "to")))
    if m.get("loop_looks"):  # the repeats term (loop_weight): loop tokens found over its looks, penalised, CPU-s
        parts.append(f"loops={m['loop_tokens_found']}/{m['loop_looks']}looks,pen={m['loop_tokens_penalised']},"
                     f"{(m.get('phase_cpu_s') or {}).get('loops', 0):.0f}cpu-s,"
                     f"per-look={'/'.join(map(str, m.get('loop_tokens_per_look') or []))}")
        if "loop_armed_at" in m:  # loop_wait: the update before which a look first found a loop, or never
            parts.append("armed@" + str(m["loop_armed_at"]) if m["loop_armed_at"] is not None else "never-armed")
    if m.get("case_practice_rows"):  # case_practice: texts made, CPU-s, made-up questions that are unseen ones here
        unseen_all = {q.lower() for _kind, _arg, unseen in checks for q in unseen}
        texts = m.get("case_practice_texts") or []
        overlap = sum(t.split(" -> ")[0].lower() in unseen_all for t in texts)
        parts.append(f"practice={m['case_practice_rows']},{(m.get('phase_cpu_s') or {}).get('case_practice', 0):.0f}"
                     f"cpu-s,unseen-overlap={overlap}")
        print("\n".join(f"  practice: {t}" for t in texts))
    p0, p1 = m.get("probe_ppl_before"), m.get("probe_ppl_after")
    steps = int(m.get("steps") or 0)
    sched = m.get("schedule") or {}
    return Row(scenario, size, given, result.status, _mean(shares), _mean(bases), " ".join(parts),
               m.get("margin_before"), m.get("margin_after"), m.get("gate_margin_on", "?"),
               (p1 / p0 - 1) * 100 if p0 and p1 else None, degenerate, count, steps,
               int(sched.get("batch_size") or FineTuneSettings().batch_size), float(sched.get("lr") or FineTuneSettings().lr),
               float(m.get("train_s") or 0.0), float(m.get("train_s") or 0.0) / max(steps, 1), wall,
               float(m.get("elapsed_s") or wall) - float(m.get("train_s") or 0.0),
               total_wall - float(m.get("elapsed_s") or total_wall), cpu, examples,
               _mean(shares16) if shares16 else None, _mean(bases16) if bases16 else None, cut, cut_base,
               spilled[0] if styles else None, spilled[1], len(OPEN_REQUESTS) if styles else 0,
               result.reason, m.get("taught") or [], cost_line(m, prompts, total_cpu), facts, changed,
               facts_judged(m.get("taught") or []), result.needs_consent, guard_line(m))


def guard_line(m: dict) -> str:
    """The schedule and what the perplexity guard read: its text's rise at each check (update:
    percent over before training), the update kept, a step back and the probe's rise that asked
    for it; where a short run's guard stopped and why."""
    sched, guard = m.get("schedule") or {}, m.get("guard") or {}
    head = (f"schedule {sched.get('updates')} updates at batch {sched.get('batch_size')} of "
            f"{sched.get('examples')} examples, lr {sched.get('lr', 0):.0e}; ran {m.get('steps')}")
    if not guard:
        return head
    before = guard.get("ppl_before") or 0
    checks = " ".join(f"{step}:{(ppl / before - 1) * 100:+.2f}%" for step, ppl in guard.get("checks") or []
                      ) if before else ""
    back = guard.get("stepped_back")
    return (f"{head}; guard text ppl {before:.3f}, checks {checks}; kept {guard.get('kept_step')}"
            + (f"; stepped back {back}" if back else ""))


def facts_in_caps(questions: list[str], before: list[str], after: list[str]) -> tuple[int, int, int, int, int]:
    """(kept, in capitals, right, base right, asked): of the new answers in capitals, how many
    say what the base model's own answer said (``learning_scenarios.facts_kept``: the copied
    subject spelt right and the base's fact there); and how many answers after / before name the
    known answer (``right_answer``), so a style that arrives without the facts shows."""
    caps = [(q, b, a) for q, b, a in zip(questions, before, after) if shows_style("caps", a)]
    kept = sum(facts_kept(q, b, a) for q, b, a in caps)
    right = sum(bool(right_answer(q, a)) for q, a in zip(questions, after))
    base_right = sum(bool(right_answer(q, b)) for q, b in zip(questions, before))
    return kept, len(caps), right, base_right, len(questions)


def prompt_lengths(store, loaded, settings) -> list[int]:
    """Prompt tokens of every training example the run will build (views included)."""
    from desktop_app.core.train_data import build_training_data

    data = build_training_data(store, loaded.training_tokenizer(), loaded.context_window,
                               end_with_eos=settings.end_with_eos, alone_views=settings.alone_views,
                               history=settings.history_exchanges)
    return [len(e.prompt_ids) for e in (*data.pairs, *data.unpaired, *data.tokens)]


def cost_line(m: dict, prompts: list[int], total_cpu: float | None = None) -> str:
    """CPU seconds per phase of the run (train, reference, the gate's before/after measures,
    its re-asks, re-scoring), the whole run's with the re-scoring after its result was told
    (``total_cpu``), and the training examples' prompt tokens: where a run's time goes."""
    phases = " ".join(f"{k}={v:.0f}" for k, v in sorted((m.get("phase_cpu_s") or {}).items(), key=lambda kv: -kv[1]))
    lengths = (f"prompt tokens mean {sum(prompts) / len(prompts):.0f}, max {max(prompts)}, {len(prompts)} examples"
               if prompts else "no examples")
    whole = f"; {total_cpu:.1f} with the re-scoring after the result" if total_cpu is not None else ""
    return f"cpu-s {phases}{whole}; {lengths}"


def spill(answers, styles: list[str], base_ids: list[list[int]], kept: bool) -> tuple[int, int, list]:
    """(after, base, examples): how many of ``OPEN_REQUESTS`` get a greedy answer in one of the
    taught ``styles`` under the adapter now attached (the base model's ``base_ids`` when the
    run was discarded). A correction's format is for the questions it answered; a story
    request answered "Answer: 1. The Tale of..." is the style spilling where it should not."""
    if not styles:
        return 0, 0, []
    after = [answers.text(ids) for ids in (answers.greedy(OPEN_REQUESTS, None) if kept else base_ids)]
    before = [answers.text(ids) for ids in base_ids]

    def count(texts):
        return sum(any(shows_style(style, t) for style in styles) for t in texts)

    return count(after), count(before), list(zip(OPEN_REQUESTS, before, after))


def _phases(label: str):
    """Progress on stderr: one line per phase of the run (the table goes to stdout)."""
    state = {"phase": None}

    def report(p) -> None:
        if p.phase != state["phase"]:
            state["phase"] = p.phase
            print(f"  [{label}] {p.elapsed_s:6.1f} s  {p.phase}: {p.message}", file=sys.stderr, flush=True)

    return report


def _mean(values: list[float]) -> float:
    vals = [v for v in values if v == v]
    return sum(vals) / len(vals) if vals else float("nan")


def _f(value, fmt: str) -> str:
    return "n/a" if value is None else format(value, fmt)


def print_row(r: Row) -> None:
    print(f"| {r.scenario:<8} | {r.size:>4} | {r.given:>4} | {r.status:<9} | {r.adoption:>5.2f} ({r.base_adoption:.2f}) "
          f"| {r.parts:<18} | {_f(r.margin_before, '.3f')} -> {_f(r.margin_after, '.3f')} ({r.margin_on}) "
          f"| {_f(r.ppl_change, '+.1f')}% | {r.degenerate}/{r.unseen} | {r.steps:>3} | {r.batch:>2} | {r.lr:.0e} "
          f"| {r.per_step_s:5.2f} | {r.train_s:6.1f} | {r.other_s:5.1f} | {r.rescore_s:5.1f} | {r.wall_s:6.1f} | {r.cpu_s:6.1f} |",
          flush=True)


def print_examples(r: Row) -> None:
    """The unseen answers before/after, then what the gate judged by: its verdict and its own
    re-asks (the checkpoint it kept; a problem the gate saw after training is marked)."""
    from desktop_app.core.fact_changes import sure_words

    for q, b, a in r.examples:
        print(f"    {q!r}\n      before: {b[:120]!r}\n      after:  {a[:120]!r}")
    print(f"    gate: {r.reason}")
    print(f"    cost: {r.cost}")
    print(f"    guard: {r.guard}")
    for t in r.reasks:
        kind = "seen" if t.get("seen") else "open" if t.get("open") else "held" if t.get("held") else "unseen"
        mark = f" [{t['problem_after']}]" if t.get("problem_after") else ""
        print(f"    re-ask ({kind}) {t['question'][:60]!r}: {t['before'][:70]!r} -> {t['after'][:70]!r}{mark}")
    for c in r.facts_changed:  # what the person would be asked about before the adapter is used
        print(f"    fact {c['how']}{' (waits)' if r.waits else ''}: {c['question'][:60]!r}: {c['before'][:90]!r}"
              f"{sure_words(c)} -> {c['after'][:90]!r}")


HEADER = ("| scenario | size | given | result    | adoption (base) | parts              | margin before -> after (on) "
          "| ppl change | degenerate | steps | batch | lr | s/step | train s | other s | rescore s | wall s | cpu s |")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="bundled")
    parser.add_argument("--scenarios", default=",".join(DEFAULT_SCENARIOS),
                        help=f"comma separated, of {', '.join(ALL_SCENARIOS)}")
    parser.add_argument("--sizes", default="4,8,32,100")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--word", default="that", help="the disliked word of the tokens scenario")
    parser.add_argument("--quick", action="store_true", help="4 unseen questions per kind instead of 8")
    parser.add_argument("--unseen", type=int, choices=(4, 8, 16), default=8,
                        help="unseen questions per kind; with 16 the table's adoption is still that of the "
                             "first 8 (comparable with earlier runs) and the 16-question figure is printed beside it")
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "gpt2desk-learning-cache"))
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--examples", action="store_true", help="print the unseen answers before/after per run")
    parser.add_argument("--baseline", action="store_true",
                        help="the earlier fixed schedule (3 epochs at batch 8, lr 3e-4) instead of the defaults")
    parser.add_argument("--one-conversation", action="store_true",
                        help="the person asks a scenario's rated questions in one conversation, one after another "
                             "(as people do), not each in its own; the unseen questions are still asked alone")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="override a FineTuneSettings field (repeatable), e.g. --set lr=1e-3")
    args = parser.parse_args()
    args.scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = set(args.scenarios) - set(ALL_SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    args.sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    args.overrides = dict(BASELINE) if args.baseline else {}
    for item in args.set:
        name, _, value = item.partition("=")
        args.overrides[name] = json.loads(value)
    return args


def main() -> int:
    args = parse_args()
    from transformers.utils import logging as hf_logging

    import desktop_app.core.training  # noqa: F401  (imported now: edits made while the bench runs do not mix in)
    from desktop_app.core.models import open_model
    from desktop_app.core.paths import AppPaths

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    loaded = open_model(args.model, AppPaths.resolve(cache / "app").ensure(), device=args.device)
    answers = Answers(loaded, cache, max_new_tokens=48)
    n_unseen = 4 if args.quick else args.unseen
    pools = question_pools(n_unseen)
    workdir = Path(tempfile.mkdtemp(prefix="learning-effect-"))
    print(f"model {loaded.describe()}; settings {args.overrides or 'defaults'}; seed {args.seed}; "
          f"unseen questions per kind {n_unseen}; rated questions "
          f"{'in one conversation' if args.one_conversation else 'each in its own conversation'}; cache {cache}; "
          f"load: {os.getloadavg()[0]:.1f} (1-min average, {os.cpu_count()} cores)")
    print(HEADER)
    print("|" + "---|" * (HEADER.count("|") - 1))
    rows: list[Row] = []
    for size in args.sizes:
        for scenario in args.scenarios:
            row = run_one(loaded, answers, scenario, size, args.seed, pools, args.word, workdir, args.overrides,
                          args.one_conversation)
            rows.append(row)
            print_row(row)
            if args.examples:
                print_examples(row)
    print(f"load after: {os.getloadavg()[0]:.1f}")
    summarize(rows)
    return 0


SUMMARY_GROUPS = {"corrections": STYLES, "thumbs": ("thumbs",), "picky_thumbs": ("picky",), "tokens": ("tokens",),
                  "mix": ("mix",)}


def summarize(rows: list[Row]) -> None:
    for size in sorted({r.size for r in rows}):
        at = [r for r in rows if r.size == size]
        for name, scenarios in SUMMARY_GROUPS.items():
            values = [r.adoption for r in at if r.scenario in scenarios]
            if values:
                print(f"adoption_{name}_{size}: {_mean(values):.2f}")
        for name, scenarios in SUMMARY_GROUPS.items():  # --unseen 16: over all 16 questions per kind
            values = [r.adoption16 for r in at if r.scenario in scenarios and r.adoption16 is not None]
            if values:
                print(f"adoption16_{name}_{size}: {_mean(values):.2f}")
        print(f"seconds_{size}: {_mean([r.wall_s for r in at]):.0f}")
        print(f"cpu_seconds_{size}: {_mean([r.cpu_s for r in at]):.0f}")
        print(f"ppl_change_max_{size}: {max((r.ppl_change or 0.0) for r in at):+.1f}%")
        print(f"degenerate_{size}: {sum(r.degenerate for r in at)}")
        print(f"unfinished_{size}: {sum(r.unfinished for r in at)} (base {sum(r.base_unfinished for r in at)})")
        for r in at:  # ALL CAPS: the capitals with the base's facts in them (``facts_in_caps``)
            if r.facts:
                kept, caps, right, base_right, asked = r.facts
                print(f"facts_caps_{size}: {kept / caps if caps else float('nan'):.2f} ({kept} of {caps} answers in "
                      f"capitals keep the base's answer; right {right} of {asked}, base {base_right})")
        kept = [r for r in at if r.status == "kept"]
        print(f"facts_changed_{size}: {sum(len(r.facts_changed) for r in at)} of {sum(r.facts_judged for r in at)} "
              f"never-rated re-asks changed their answer; {sum(r.waits for r in kept)} of {len(kept)} kept runs "
              f"wait for the person's word")
        for name, scenarios in SUMMARY_GROUPS.items():  # open requests that took the taught style
            spilled = [r for r in at if r.scenario in scenarios and r.spill is not None]
            if spilled:
                n, of = sum(r.spill for r in spilled), sum(r.spill_of for r in spilled)
                print(f"spill_{name}_{size}: {n / of:.2f} ({n} of {of} open requests; "
                      f"base {sum(r.base_spill for r in spilled)})")


if __name__ == "__main__":
    raise SystemExit(main())
