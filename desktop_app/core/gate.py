"""Keep only what helps: the figures a fine-tune is judged by, and the judgement.

- margin: the mean log-probability margin of liked over disliked text. Every rated item
  gives a signed figure and the margin is their mean: a liked answer +(mean token log-prob),
  a disliked one -(mean token log-prob), a pair (chosen - rejected, summed log-probs over the
  two answers' mean length), a liked token +log p, a disliked token -log p. A thumbed answer
  that is half of a pair counts once, through the pair. It rises when liked text becomes
  likelier and disliked text less likely, so "moved the right way" means after > before.
- probe perplexity: of a few paragraphs of plain general English (resources/probe.txt),
  which a personal fine-tune must not make much worse.
- re-asks: greedy answers to a few rated prompts (core.reasking); an answer that echoes the
  question, loops, or is empty is degenerate (core.answer_checks). DPO on a handful of pairs
  can raise the margin while answers to new questions collapse into echoes (DESIGN.md):
  margins alone would keep it.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

import torch

from desktop_app.core import work_meter
from desktop_app.core.count_words import counted
from desktop_app.core.paths import RESOURCES_DIR
from desktop_app.core.taught_words import all_ratings_words, kept_margin_words, margin_figures, margin_texts
from desktop_app.core.train_data import TrainingData
from desktop_app.core.train_logps import pad_batch, per_token_logps
from desktop_app.core.train_measure import prompt_shared_logps

PROBE_PATH = RESOURCES_DIR / "probe.txt"
GUARD_PATH = RESOURCES_DIR / "guard.txt"
PROBE_FALLBACK = (
    "The library opens at nine in the morning and closes at six in the evening. Most visitors come to "
    "read the newspapers, borrow a novel or two, or sit by the window with a cup of tea from the cafe next "
    "door. On rainy days the reading room is full, and the staff put out extra chairs."
)


def guard_text() -> str:
    """The text PerplexityGuard reads during training (not the gate's probe)."""
    try:
        return GUARD_PATH.read_text(encoding="utf-8")
    except OSError:
        return PROBE_FALLBACK


def probe_text() -> str:
    try:
        return PROBE_PATH.read_text(encoding="utf-8")
    except OSError:
        return PROBE_FALLBACK


# ------------------------------------------------------------------ margin

TOKEN_ANSWERS = "scoring {done} of {total} answer{s} with rated tokens"  # the margin's count over them (core.work_meter)

@torch.no_grad()
def margin(model, data: TrainingData, pad_id: int, device, batch_size: int = 8) -> float | None:
    """The signed mean described in the module docstring; None when ``data`` is empty."""
    items = _answer_items(model, data, pad_id, device, batch_size)
    work_meter.advance(TOKEN_ANSWERS, 0, len(data.tokens))
    for start in range(0, len(data.tokens), batch_size):
        chunk = data.tokens[start:start + batch_size]
        batch = pad_batch([(t.prompt_ids, t.completion_ids) for t in chunk], pad_id, device)
        logps, _mask = per_token_logps(model, batch)
        work_meter.advance(TOKEN_ANSWERS, start + len(chunk), len(data.tokens))
        for row, t in enumerate(chunk):
            for index, value in t.ratings.items():
                items.append(value * float(logps[row, len(t.prompt_ids) + index - 1]))
    return sum(items) / len(items) if items else None


def margin_from_sums(data: TrainingData, sums: dict[tuple, float]) -> float | None:
    """``margin``'s figure from answers' summed log-probabilities known already (``sums``:
    ``reference_sums``'s keys -> sum, e.g. the reference's, when the model measured is the
    reference); None when ``data`` is empty, has token ratings or an answer ``sums`` lacks."""
    lone, needed = _margin_sequences(data)
    known = [sums.get(_sum_key(p, c)) for p, c in needed]
    if data.tokens or not needed or any(v is None for v in known):
        return None
    items = [(1.0 if e.label else -1.0) * v / max(len(e.completion_ids), 1) for e, v in zip(lone, known)]
    for i, p in enumerate(data.pairs):
        chosen, rejected = known[len(lone) + 2 * i], known[len(lone) + 2 * i + 1]
        items.append((chosen - rejected) / ((len(p.chosen_ids) + len(p.rejected_ids)) / 2))
    return sum(items) / len(items)


def reference_sums(train: TrainingData, refs) -> dict[tuple, float]:
    """The trained answers' summed log-probabilities under the reference (``refs``:
    train_references.References of ``train``), keyed as ``margin_from_sums`` reads them."""
    sums = {}
    for e, value in zip(train.unpaired, refs.unpaired.tolist()):
        sums[_sum_key(e.prompt_ids, e.completion_ids)] = value
    for p, chosen, rejected in zip(train.pairs, refs.chosen.tolist(), refs.rejected.tolist()):
        sums[_sum_key(p.prompt_ids, p.chosen_ids)] = chosen
        sums[_sum_key(p.prompt_ids, p.rejected_ids)] = rejected
    return sums


def _sum_key(prompt_ids, answer_ids) -> tuple:
    return tuple(prompt_ids), tuple(answer_ids)


def _margin_sequences(data: TrainingData) -> tuple[list, list[tuple]]:
    """(the thumbs that are not half of a pair, the (prompt, answer) sequences the margin reads:
    those thumbs' answers, then each pair's chosen and rejected)."""
    in_pairs = {m for p in data.pairs for m in (p.chosen_message_id, p.rejected_message_id)}
    lone = [e for e in data.unpaired if e.message_id not in in_pairs]
    seqs = [(e.prompt_ids, e.completion_ids) for e in lone]
    seqs += [s for p in data.pairs for s in ((p.prompt_ids, p.chosen_ids), (p.prompt_ids, p.rejected_ids))]
    return lone, seqs


# Why a pair is judged by its summed difference and its thumbs not again on their own: two
# siblings often share an opening ("The answer to this classic question is 4. A cat has four
# legs." liked, a long ramble with the same opening disliked). A run that learns to drop the
# opening makes it less likely in both; per-token means charge that to the short liked answer
# more than to the long one, and a held-out set of one such question read as "moved the wrong
# way" while the re-asks had come out short (bench/learning_effect.py --seed 1, thumbs x 8).
# Summed, the shared opening cancels; over the pair's mean length it stays on the per-token
# scale of the other items.
def _answer_items(model, data: TrainingData, pad_id: int, device, batch_size: int) -> list[float]:
    """The thumbs' and pairs' signed figures (see the module docstring)."""
    lone, seqs = _margin_sequences(data)
    means = prompt_shared_logps(model, seqs, pad_id, device, batch_size=batch_size, reduce="mean").tolist()
    items = [(1.0 if e.label else -1.0) * m for e, m in zip(lone, means)]
    for i, p in enumerate(data.pairs):
        chosen, rejected = means[len(lone) + 2 * i], means[len(lone) + 2 * i + 1]
        n_c, n_r = len(p.chosen_ids), len(p.rejected_ids)
        items.append((chosen * n_c - rejected * n_r) / ((n_c + n_r) / 2))
    return items


# ------------------------------------------------------------------ probe

def rated_down_ids(data: TrainingData) -> frozenset[int]:
    """The token ids the person rated down in ``data``'s token-rated answers: where such a
    token stands in the probe or the guard's text, its getting less likely is what was asked
    for, not harm to general text (``probe_perplexity``'s ``skip``)."""
    return frozenset(t.completion_ids[i] for t in data.tokens for i, value in t.ratings.items() if value < 0)


def skip_key(skip: frozenset[int]) -> str:
    """A cache key's suffix for a perplexity read without ``skip``'s positions ("" when none)."""
    return f":skip{','.join(map(str, sorted(skip)))}" if skip else ""


@torch.no_grad()
def probe_perplexity(model, tokenizer, device, context_window: int, text: str | None = None,
                     chunk: int = 256, skip: frozenset[int] = frozenset()) -> float:
    """Perplexity of the probe, read in independent chunks of at most ``chunk`` tokens, over
    the positions whose token is not in ``skip`` (``rated_down_ids``). A word rated down
    becomes less likely wherever it stands, also in these texts: "that" rated down 32 times
    raised the guard's text +2.7% by update 7, all of it at its 5 "that"s (the other 308
    tokens: -0.45%; bench/guard_trace.py), and the guard stopped a run for the very thing
    taught. Left out, the rest of the text still reads any harm done to general English."""
    text = probe_text() if text is None else text
    ids = list(tokenizer(text, add_special_tokens=False)["input_ids"])
    chunk = max(8, min(chunk, context_window))
    total_nll, count = 0.0, 0
    starts = range(0, len(ids) - 1, chunk)
    for done, start in enumerate(starts):
        work_meter.advance("reading general text: {done} of {total} part{s}", done + 1, len(starts))
        piece = ids[start:start + chunk]
        if len(piece) < 2:
            break
        x = torch.tensor([piece], device=device)
        logits = model(input_ids=x, use_cache=False).logits[0, :-1].float()
        read = torch.tensor([token not in skip for token in piece[1:]], device=device)
        nll = torch.nn.functional.cross_entropy(logits[read], x[0, 1:][read], reduction="sum")
        total_nll += float(nll)
        count += int(read.sum())
    return math.exp(total_nll / max(count, 1))


# ------------------------------------------------------------------ the guard during training

class PerplexityGuard:
    """Stops a run before it harms general text, keeping the last checkpoint that did not.

    A few ratings of one style can take a run past the gate's perplexity limit in its last
    updates, after the style already shows (measured: bench/learning_effect.py); the gate
    would then throw the whole run away. So every few updates the guard reads its own
    general-English text (resources/guard.txt: not the gate's probe, so the gate's check
    stays independent of the choice made here) and, once its perplexity rises more than
    ``max_rise`` over the model's before training, puts back the adapter weights of the last
    check that passed and ends training there. The gate then judges that checkpoint as it
    judges any run: margins, the probe text, the re-asks.

    The two texts do not rise alike: for some styles the probe rises as much as the guard's
    text, for others 2-3.5x more (numbers at ``step_back``). The guard's limit is half the
    gate's, and where the probe still rose past the gate's limit, ``step_back`` puts back
    the earlier checkpoint expected under it, once, for the gate to judge again
    (core.training), rather than the person losing every rating of the run. The checks are
    close (16 a run, ``FineTuneSettings.guard_checks``): at 100 token ratings 8 checks were 5
    updates apart, and the update kept showed the preference in 0.71 of new answers where
    one 3 updates on showed it in all.

    A check costs about as much as an update (its text is longer than a small run's batch:
    measured, 8 thumbs on one core, 1.2 CPU s a check against 1.24 an update: 12 checks were a
    third of the run). Most runs never come near the limit, so while the text's rise is far
    from it a check is put off, up to ``stretch`` times the spacing (``check_gap``); close to
    the limit the checks are ``every`` apart again.
    """

    KEEP = 8  # passing checkpoints kept for step_back

    def __init__(self, model, tokenizer, device, window: int, max_rise: float, total: int, checks: int,
                 stretch: int = 1, before: float | None = None, skip: frozenset[int] = frozenset()):
        """``before``: the text's perplexity under the model before training when known (an
        earlier run's: a fresh adapter starts as the base model), else read here. ``skip``:
        the tokens rated down, whose positions in the text are not read (``probe_perplexity``)."""
        self.model, self.tokenizer, self.device, self.window = model, tokenizer, device, window
        self.skip = skip
        self.max_rise = max_rise
        self.every = max(1, -(-total // max(1, checks)))  # ceil: about ``checks`` checks in a run
        self.stretch = max(1, stretch)
        self.next_check = self.every
        self.total, self.seconds, self.cpu_seconds = total, 0.0, 0.0
        self.before = self._ppl() if before is None else before
        # the weights of the last passing check: the model's own once the steps end (a check is due at the
        # last update, and a failed one puts them back); a copy no one changes in place (put_back reads it)
        self.kept_step, self.kept = 0, self.weights()
        self.history: list[tuple[int, float]] = []
        self.passed: dict[int, dict] = {}  # step -> adapter weights of the latest passing checks (and between them)
        self.stepped_back: dict | None = None

    def summary(self) -> dict:
        """For the run's metrics: the text's perplexity before, at each check, the step kept."""
        out = {"ppl_before": round(self.before, 4), "checks": self.history, "kept_step": self.kept_step,
               "seconds": round(self.seconds, 2), "cpu_seconds": round(self.cpu_seconds, 2)}
        if self.stepped_back:
            out["stepped_back"] = self.stepped_back
        return out

    def due(self, step: int) -> bool:
        return step == self.next_check or step == self.total

    def after_update(self, step: int) -> bool:
        """Called after every update: checks when one is due (False: training ends, the weights
        were put back to the last passing check); between checks, keeps the weights every
        ``every`` updates for ``step_back`` (a copy costs milliseconds, a check a second): an
        update before a passing check is taken as passing too, the gate measures it anyway."""
        if self.due(step):
            return self.passes(step)
        if step % self.every == 0:
            self._remember(step, self.weights())
        return True

    def passes(self, step: int) -> bool:
        """Check after ``step``; False: the weights were put back to the last passing check."""
        ppl = self._ppl()
        self.history.append((step, round(ppl, 4)))
        if ppl <= self.before * (1 + self.max_rise):
            self.next_check = step + check_gap(step, ppl / self.before - 1, self.max_rise, self.every, self.stretch)
            self.kept_step, self.kept = step, self.weights()
            self._remember(step, self.kept)
            return True
        self._check_back(step)
        return False

    def _check_back(self, failed: int) -> None:
        """After a failed check at update ``failed``: the updates kept between it and the last
        passing check, latest first, are checked until one passes, and that one is kept. A
        check put off (``check_gap``) may land past the limit by a few updates, and the rise
        can speed up near it (measured, a mix of 8 ratings: checks at 10 and 15, the limit
        crossed between 14 and 16): without this the run would keep update 10, not 14."""
        for step in sorted((s for s in self.passed if self.kept_step < s < failed), reverse=True):
            weights = self.passed.pop(step)
            self.put_back(weights)
            ppl = self._ppl()
            self.history.append((step, round(ppl, 4)))
            if ppl <= self.before * (1 + self.max_rise):
                self.kept_step, self.kept = step, weights
                self._remember(step, weights)
                return
        self.put_back(self.kept)

    def _remember(self, step: int, weights: dict) -> None:
        self.passed[step] = weights
        for old in sorted(self.passed)[:-self.KEEP]:  # the latest few: ~10 MB each for the bundled model
            del self.passed[old]

    def step_back(self, probe_rise: float, limit: float, aim: float = 0.8, degenerate: bool = False) -> int | None:
        """Once the gate found the probe's perplexity ``probe_rise`` over its ``limit`` at the
        kept checkpoint: put back the latest earlier passing check expected under ``aim * limit``
        and return its update (None: there is none, the weights stay). ``degenerate``: the gate
        found degenerate re-asks there: a check at or under half the kept updates (and under
        the probe's bound, if any).

        The guard's text and the gate's probe disagree by how much a style costs them (measured,
        bench/learning_effect.py: the probe rose 1.0x the guard text for thumbs x 8, 1.9x for
        "Great question!" x 8, 3.5x for "stop early" x 100), so the guard's own figure cannot
        say where the probe crossed. The probe's rise grows with the updates about in proportion
        (thumbs x 8: +0.6%, +1.6%, +2.8% of the guard text at updates 4, 8, 12), so the step
        taken is the latest passing one at or under ``kept_step * aim * limit / probe_rise``."""
        bounds, why = [], {}
        if probe_rise > 0:
            bounds.append(self.kept_step * aim * limit / probe_rise)
            why["probe_rise"] = round(probe_rise, 4)
        if degenerate:  # no measure says how far back: half the updates
            bounds.append(self.kept_step / 2)
            why["degenerate"] = True
        if not bounds or self.kept_step <= 0:
            return None
        bound = min(bounds)
        earlier = [s for s in self.passed if 0 < s < self.kept_step and s <= bound]
        if not earlier:
            return None
        step = max(earlier)
        self.stepped_back = {"from": self.kept_step, "to": step, **why}
        self.kept_step, self.kept = step, self.passed[step]
        self.put_back(self.kept)
        return step

    def step_back_clean(self, clean, floor: int = 0,
                        trying: Callable[[int, int, int], None] | None = None,
                        why: str = "degenerate", blends: Sequence[float] = ()) -> int | None:
        """Once the gate found re-asks that degenerated at the kept checkpoint: the latest earlier
        checkpoint kept (passing checks, and the weights between them) where ``clean()`` (the
        re-asks that degenerated, asked again under the weights put back) says they no longer do.
        None: none is, and the kept weights are back. Answers degenerate as the adapter moves
        further, so the latest clean one keeps the most of what the run learned: half the
        updates (``step_back(degenerate=True)``) gave up more than needed or not enough.
        ``floor``: no checkpoint before it is tried (see ``train_verdict.step_back``: a restated fact).
        ``trying(step, n, of)``: told before each check, the ``n``th of at most ``of`` (for its progress:
        each check re-asks every question, up to a minute on a CPU). ``why``: the summary's reason for the
        step back ("degenerate"; "restated" or "dropped" when only a fact went wrong, the run not refused).
        ``blends``: where no earlier checkpoint is clean, the kept weights with their change to the model
        scaled by each share in turn (``blended``), tried last, so a run that a checkpoint saves keeps it."""
        kept_step, kept = self.kept_step, self.kept
        steps = sorted((s for s in self.passed if max(0, floor - 1) < s < kept_step), reverse=True)
        tries = [(step, None, self.passed[step]) for step in steps]
        tries += [(kept_step, share, self.blended(kept, share)) for share in blends]
        for n, (step, share, weights) in enumerate(tries, 1):
            self.put_back(weights)
            if trying is not None:
                trying(step, n, len(tries))
            if clean():
                self.stepped_back = {"from": kept_step, "to": step, why: True}
                if share is not None:
                    self.stepped_back["blend"] = share
                self.kept_step, self.kept = step, weights
                return step
        self.put_back(kept)
        return None

    @staticmethod
    def blended(weights: dict, share: float) -> dict:
        """The adapter's weights with its change to the model scaled by ``share``: LoRA's change is
        B @ A, so scaling B alone scales it (WiSE-FT's blend of the base model and the fine-tuned one,
        on the line between them rather than back along the run's path). Why: a run that loops on one
        re-ask may have no clean earlier checkpoint and still a clean point on that line
        (FineTuneSettings.step_back_blend)."""
        return {name: w * share if "lora_B" in name else w for name, w in weights.items()}

    def put_back(self, weights: dict) -> None:
        with torch.no_grad():
            for name, p in self._trainable():
                p.copy_(weights[name])

    def _ppl(self) -> float:
        start, cpu_start = time.perf_counter(), time.process_time()
        ppl = probe_perplexity(self.model, self.tokenizer, self.device, self.window, text=guard_text(), skip=self.skip)
        self.seconds += time.perf_counter() - start
        self.cpu_seconds += time.process_time() - cpu_start
        return ppl

    def _trainable(self):
        return [(n, p) for n, p in self.model.named_parameters() if p.requires_grad]

    def weights(self) -> dict:
        return {n: p.detach().clone() for n, p in self._trainable()}


def check_gap(step: int, rise: float, limit: float, every: int, stretch: int) -> int:
    """Updates from a passing check at ``step`` (the guard's text ``rise`` over its perplexity
    before training) to the next: taking the rise as growing in proportion to the updates
    (it about does: +0.6%, +1.6%, +2.8% at updates 4, 8, 12 for 8 thumbs), half the updates it
    would take to reach ``limit``, within [``every``, ``stretch * every``]. A rise at or
    under zero puts the check off the most."""
    if stretch <= 1:
        return every
    per_update = max(rise, 0.0) / max(step, 1)
    if per_update <= 0:
        return every * stretch
    return max(every, min(every * stretch, int(0.5 * (limit - rise) / per_update)))


# ------------------------------------------------------------------ the decision

SMALL_HELDOUT = 3  # held-out items up to which judge() also asks the all-ratings margin to rise
# ... and up to which a held-out margin that fell by at most this share of its size reads as "not moved":
# one item's margin moves by chance (bench/learning_effect.py --unseen 16, a mix of 4: its one held-out
# token rating 1.758 -> 1.748 discarded a run whose all-ratings margin rose, ppl +2.1%, 0 degenerate)
SMALL_HELDOUT_NOISE = 0.01


def all_ratings_margin_needed(heldout_size: int) -> bool:
    """Whether judge() reads the margin over all ratings: when nothing is held out (it is then
    the gate's margin) or the held-out set is small. Past that it is not measured: it costs a
    pass over every rating before and after training, for a figure nothing reads (measured,
    bench/learning_effect.py, 100 corrections on one core: the margins took 171 s of a 497 s
    run, 5/6 of their passes over all ratings)."""
    return heldout_size <= SMALL_HELDOUT


@dataclass
class Verdict:
    kept: bool
    reasons: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # the checks that failed: "margin", "perplexity", "degenerate"

    @property
    def only_perplexity(self) -> bool:
        """Refused for general-text harm alone: an earlier checkpoint may pass (PerplexityGuard.step_back)."""
        return self.failed == ["perplexity"]

    @property
    def only_degenerate(self) -> bool:
        """Refused for degenerate re-asks alone: the margin moved the right way and general text
        kept within the limit, by their figures. Such a run learned what it was taught, and the
        answer that went wrong can be a weakness the model in use shows too when sampled (a user
        test: a desert question's answer said its sentence twice, 1 of 13 re-asks, four runs in a
        row), so the person may use it anyway (train_verdict.decide saves its adapter, not in use)."""
        return self.failed == ["degenerate"]

    margin_on: str = "heldout"  # the ratings whose margin judged the run: "heldout", else "all" (none held out)
    split_kept: bool = False  # the run kept the split of the adapter it started from (train_data.EarlierSplit)
    margin: tuple[float, float] | None = None  # that margin (before, after), worded in a kept run's reason

    @property
    def reason(self) -> str:
        if self.reasons:
            return "; ".join(self.reasons)
        rated = "held-out ratings" if self.margin_on == "heldout" else all_ratings_words(self.split_kept)
        moved = kept_margin_words(*self.margin) if self.margin else "moved the right way"
        return f"{rated} {moved} and general text reads as fluently as before"


def judge(metrics: dict, max_ppl_rise: float = 0.05) -> Verdict:
    """Kept only if the (held-out, else all-ratings) margin rose, the probe perplexity rose by
    at most ``max_ppl_rise`` and the re-asks are no more degenerate than before.

    A held-out set of 1-3 items (5-15 ratings) is a small sample: an adapter that learned
    nothing that carries over moves its mean margin up about half the time by chance. So
    then the margin on all ratings must rise too (the adapter learned what it was shown at
    all), and the two guards against harm do not depend on the held-out size at all: the
    probe perplexity (general text) and the re-asks, which include questions training never
    saw (held-out and fixed everyday ones): an adapter that wrecks new answers is discarded
    however few the ratings. What can slip through is an adapter that learned the rated
    answers but transfers little: harmless by those two checks, undone by one rollback, and
    better kept than throwing away the person's only few ratings. For the same reason a small
    held-out set's margin that fell by at most ``SMALL_HELDOUT_NOISE`` of its size counts as
    not moved, not as moved the wrong way: the all-ratings margin then decides.
    """
    checks = (("margin", _margin_failure(metrics)), ("perplexity", _perplexity_failure(metrics, max_ppl_rise)),
              ("degenerate", _reask_failure(metrics)))
    reasons = [reason for _kind, reason in checks if reason]
    on = metrics.get("gate_margin_on", "heldout")
    before, after = metrics.get(f"margin_{on}_before"), metrics.get(f"margin_{on}_after")
    return Verdict(not reasons, reasons, [kind for kind, reason in checks if reason], on,
                   bool(metrics.get("split_kept")), None if before is None or after is None else (before, after))


def _margin_failure(metrics: dict) -> str | None:
    """Why the margin fails ``judge`` (None: it passes)."""
    on = metrics.get("gate_margin_on", "heldout")
    small = on == "heldout" and all_ratings_margin_needed(metrics.get("heldout_size") or 0)
    if metrics.get("started_from_adapter") is not None and metrics.get(f"margin_{on}_base") is not None:
        return _from_adapter_failure(metrics, on, small)
    return _against_failure(metrics, on, small, "before")


def _from_adapter_failure(metrics: dict, on: str, small: bool) -> str | None:
    """``_margin_failure`` for a run that started from an adapter in use. The run trains a fresh
    adapter on all the ratings, most of which the adapter in use trained on too, so that adapter's
    margin on them is no baseline: a fresh run on nearly the same ratings lands a little above or
    below the last one by chance (user tests 13 and 14: one rating added after a kept run, the
    margin over the ratings 3.22 -> 2.68 against adapter 1's, discarded after six minutes, twice).
    So what the run learned reads against the base model, as a first run's does, and what it adds
    against the adapter in use: the ratings new since it (which it never trained on) must rise
    there, and the run must keep at least ``KEPT_SHARE`` of what the adapter in use had learned over
    the base model (a re-run lands near it, not far below: a kept run that learned the new ratings
    but lost most of the old ones would be a worse model for the person). With nothing new the run
    must beat the adapter in use, as before: else why switch."""
    failure = _against_failure(metrics, on, small, "base")
    new_before, new_after = metrics.get("margin_new_before"), metrics.get("margin_new_after")
    if failure or new_before is None or new_after is None:
        return failure or _against_failure(metrics, on, small, "before")
    if not new_after - new_before > MIN_MARGIN_RISE:
        n = metrics.get("new_rated") or 0
        return (f"the margin on your {counted(n, 'new rating')} did not rise over the adapter in use "
                f"({_figures(new_before, new_after)})")
    if on == "heldout" and metrics.get("heldout_trained_by_parent"):
        # the adapter in use trained on these held-out ratings (its run held none out): its margin there is
        # what it memorised, no share of it to keep for a run that never saw them (bench/second_run.py,
        # thumbs: 1.58 base, 5.22 in use, 1.64 now: refused). The run still rose over the base model on
        # them and on the new ratings over the adapter in use, above.
        return None
    base, before, after = (metrics.get(f"margin_{on}_{k}") for k in ("base", "before", "after"))
    if before is not None and before > base and after - base < KEPT_SHARE * (before - base):
        base_text, before_text, after_text = margin_texts((base, before, after))  # as the other reasons write them
        return (f"the margin kept less than half of what the adapter in use had learned over the base model "
                f"({base_text} -> {before_text} in use, {after_text} now)")
    return None


# a run from an adapter in use keeps at least this share of that adapter's margin over the base model
# (_from_adapter_failure): a re-run on nearly the same ratings lands within a quarter of it (user tests 13-14:
# 3.218 -> 2.682; bench/second_run.py, thumbs: 1.631 -> 1.545 over a base of 0.595), not below half
KEPT_SHARE = 0.5


def _against_failure(metrics: dict, on: str, small: bool, against: str) -> str | None:
    """Why the margin (held-out or all, ``on``) fails against ``against``: "before" (the model in
    use) or "base" (the base model, adapters off)."""
    before, after = metrics.get(f"margin_{on}_{against}"), metrics.get(f"margin_{on}_after")
    than = " over the base model's" if against == "base" else ""
    if not _moved_right(before, after, SMALL_HELDOUT_NOISE if small else 0.0):
        label = "held-out" if on == "heldout" else "rated"
        return f"the {label} margin did not move the right way{than} ({_figures(before, after)})"
    if small:  # the all-ratings margin must rise strictly: the adapter learned what it was shown
        b_all, a_all = metrics.get(f"margin_all_{against}"), metrics.get("margin_all_after")
        if b_all is None or a_all is None or not a_all > b_all:
            return f"the margin over all ratings did not move the right way{than} ({_figures(b_all, a_all)})"
    return None


def _perplexity_failure(metrics: dict, max_ppl_rise: float) -> str | None:
    """Why the probe perplexity fails ``judge`` (None: it passes)."""
    p0, p1 = metrics.get("probe_ppl_before"), metrics.get("probe_ppl_after")
    if p0 is None or p1 is None or not math.isfinite(p1) or p1 > p0 * (1 + max_ppl_rise):
        rise = (p1 / p0 - 1) * 100 if p0 and p1 and math.isfinite(p1) else float("inf")
        return (f"general-text perplexity rose {rise:.1f}% ({_fmt(p0)} -> {_fmt(p1)}), "
                f"more than the {max_ppl_rise * 100:.0f}% allowed")
    return None


def _reask_failure(metrics: dict) -> str | None:
    """Why the re-asks fail ``judge`` (None: it passes)."""
    bad0, bad1 = metrics.get("reask_degenerate_before", 0), metrics.get("reask_degenerate_after", 0)
    if bad1 > bad0:
        kinds = ", ".join(sorted(set(metrics.get("reask_problems_after", []))))
        return (f"{bad1} of {metrics.get('reask_count', 0)} re-asked answers degenerated ({kinds}); "
                f"before training {bad0} did")
    return None


# A rise this small is float rounding, not learning: "before" may come from the reference's
# sums (read with a pair packed in one row) and "after" from the measuring pass (batched
# otherwise), and an update at rate 0 must not read as "moved".
MIN_MARGIN_RISE = 1e-4


def _moved_right(before, after, noise: float) -> bool:
    """The margin rose by more than rounding, or (a small held-out set, ``noise`` > 0) fell by
    at most ``noise`` of its size."""
    if before is None or after is None:
        return False
    return after - before > MIN_MARGIN_RISE or (noise > 0 and before - after <= noise * abs(before))


def _fmt(value) -> str:
    return "n/a" if value is None else f"{value:.4g}"


def _figures(before, after) -> str:
    """A margin's "before -> after" as the printed summary and ``finetune --json``'s ``margins`` give it
    (taught_words.margin_figures), where "0.03802 -> 0.03802" had stood beside "0.0380 -> 0.0380" (cli63)."""
    if before is None or after is None:
        return f"{_fmt(before)} -> {_fmt(after)}"
    return margin_figures(before, after, arrow=" -> ")
