"""Integrated gradients: which earlier tokens pushed a token ahead of an alternative, each
one's share of the difference in log-probability, computed in float32 arithmetic."""

from __future__ import annotations

import itertools
import math
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable

import torch

from desktop_app.core.decoding import token_texts
from desktop_app.core.explain_errors import ExplainError, check_cancel
from desktop_app.core.lens import LENS_LAYOUTS, base_model, stoppable_blocks
from desktop_app.core.memory import trim_heap, trimmed_after
from desktop_app.core.models import LoadedModel
from desktop_app.core.prompt_sources import CONVERSATION
from desktop_app.core.text_pieces import piece_texts

IG_STEPS = 16
# The path can be rough where no rounding is: the bundled model's " happy" vs " a" after "<|endoftext|>The
# cat sat on the mat. It was" swings by a nat within 0.0005 of the path, in float32 arithmetic, widened
# Fast and Exact alike; after 128 steps its figures missed by 807% (Fast) and 57% (Exact), after 240 by
# 0.1%. A path that adds up sooner stops sooner: only those that do not pay for the further steps.
IG_MAX_STEPS = 256
IG_TOLERANCE = 0.05  # contributions must sum to the difference within 5%
IG_ABS_TOLERANCE = 0.01  # nats: a near-zero difference is judged absolutely
IG_TOKENS_PER_BATCH = 1024  # path points per forward pass x context length: bounds memory
# Refinement stops early once IG_STALL_ROUNDS rounds in a row moved no contribution by more than
# IG_STALL_CHANGE of their size: on 16-bit weights the gap can stay put (rounding noise, not the
# path), and further points change nothing shown (bundled model, 230 tokens: 52 of 129 passes)
IG_STALL_ROUNDS = 3
IG_STALL_CHANGE = 1e-3
# A stubborn interval, whose error is still IG_STUBBORN_DROP of its parent's or more (a jump narrower than
# both halves), can be split in IG_STUBBORN_PARTS rather than halved. Four parts added up 9 of the 9 --cap
# tokens on one machine and 8 of 9 (another token missing) at 1.13x the CPU time on a second of the same kind,
# where halving also gave 8 of 9 (bench/explain.py --split; docs/benchmarks.md): the paths' rough places move
# with the float32 kernels' last bits, so the gain did not hold and halving stays the rule.
IG_STUBBORN_PARTS = 2
IG_STUBBORN_DROP = 0.5


@dataclass(frozen=True)
class ExplainProgress:
    """The attribution under way: ``done`` points of the path computed (one forward-and-backward
    pass over the context each, several per batch), of at most ``total``: it usually ends
    sooner, once the contributions add up. ``elapsed`` seconds since its first pass began."""

    done: int
    total: int
    elapsed: float
    # the contributions so far (the path's points up to now, coarse to fine): shown at once, refined
    # by the passes after; None when nothing asked for them
    estimate: Attribution | None = None
    kept: int = 0  # of ``done``, the points kept from a run paused before this one (not in ``elapsed``)
    sweep: int = IG_STEPS + 1  # the first even sweep's points: the run checks its figures, and may end, after them

    @property
    def seconds_left(self) -> float | None:
        """At most this long still, at the pace so far (None before the first batch ended)."""
        return self._at_pace(self.total)

    @property
    def seconds_to_sweep(self) -> float | None:
        """At least this long still (the first sweep's points left), at the pace so far: a run's time
        left lies between this and ``seconds_left`` (user test: only the most was said, "18 min")."""
        return self._at_pace(self.sweep)

    def _at_pace(self, points: int) -> float | None:
        if self.done <= self.kept or self.elapsed <= 0:
            return None
        return self.elapsed / (self.done - self.kept) * max(0, points - self.done)


WIDENED_PRECISIONS = ("bfloat16", "float16")


@contextmanager
def float32_arithmetic(loaded: LoadedModel):
    """Inside, a model with 16-bit weights (Fast) computes in float32 on those very weights,
    widened: every bfloat16 and float16 value is exactly a float32, so it is the same model,
    without 16-bit rounding in its sums. The attribution needs that: its path's small steps
    drowned in bfloat16 rounding, and on Fast the contributions added up only within tens of
    percent (the bundled model, " France" in "The capital of France is Paris.": 48% off after
    128 steps) where float32 gets within 5%. Widened in place under the caller's hold of the
    model's lock, and narrowed back after, which gives every weight back bit for bit; the
    prepacked copies decoding uses are separate and untouched. Compact's int8 weights stay.
    The float32 weights the process may hold anyway (the converted file a fine-tune reads) are
    the unrounded numbers, another model than Fast's, so they cannot stand in for the widened
    ones. Those cost their size while the attribution runs (the bundled model: 540 MB for
    270 MB of bfloat16); the freed pages go back to the system (core.memory.trim_heap)."""
    if loaded.precision not in WIDENED_PRECISIONS:
        yield
        return
    widened = []
    try:
        for tensor in itertools.chain(loaded.model.parameters(), loaded.model.buffers()):
            if tensor.dtype in (torch.bfloat16, torch.float16):
                widened.append((tensor, tensor.dtype))
                tensor.data = tensor.data.float()
        trim_heap()  # the 16-bit weights' freed pages, kept by glibc otherwise (~190 MB of the bundled model's)
        yield
    finally:
        for tensor, dtype in widened:
            tensor.data = tensor.data.to(dtype)


@dataclass(frozen=True)
class Attribution:
    """Per context token: its share of logp(target) - logp(other) against a baseline input where
    every token is the blank token (``baseline_token``). Completeness: the shares sum to
    ``difference - baseline_difference``; a token equal to the blank one gets exactly zero."""

    token_ids: list[int]
    token_texts: list[str]
    scores: list[float]
    target_id: int
    other_id: int
    target_text: str
    other_text: str
    difference: float
    baseline_difference: float
    steps: int
    prompt_len: int = 0
    sources: tuple[str, ...] | None = None  # per prompt token, as TokenContext.prompt_sources

    @property
    def total(self) -> float:
        return sum(self.scores)

    @property
    def expected(self) -> float:
        return self.difference - self.baseline_difference

    @property
    def gap(self) -> float:
        """|sum of contributions - expected| relative to |expected|."""
        return abs(self.total - self.expected) / max(abs(self.expected), 1e-9)

    @property
    def complete(self) -> bool:
        return self.gap <= IG_TOLERANCE or abs(self.total - self.expected) <= IG_ABS_TOLERANCE

    def top(self, n: int = 5, *, shown_only: bool = False) -> list[int]:
        """Indices of the n tokens with the largest contributions (either sign); ``shown_only``:
        among the tokens the person can see (not the chat template or the system text)."""
        indices = [i for i in range(len(self.scores)) if not shown_only or not self.hidden(i)]
        return sorted(indices, key=lambda i: -abs(self.scores[i]))[:n]

    def source(self, i: int) -> str | None:
        """Where token ``i`` came from: core.prompt_sources' CONVERSATION, SYSTEM or TEMPLATE for
        a prompt token, "answer" for one of the answer's own; None where that is not known."""
        if i >= self.prompt_len:
            return "answer"
        return None if self.sources is None else self.sources[i]

    def hidden(self, i: int) -> bool:
        """Token ``i`` is one the chat does not show (the template, the settings' system text)."""
        return self.source(i) not in (None, "answer", CONVERSATION)

    def hidden_share(self) -> float:
        """The part of the contributions' total size (either sign) on hidden tokens."""
        size = sum(abs(s) for s in self.scores)
        return sum(abs(s) for i, s in enumerate(self.scores) if self.hidden(i)) / size if size else 0.0

    def to_json(self) -> dict:
        return {"target": {"id": self.target_id, "text": self.target_text},
                "other": {"id": self.other_id, "text": self.other_text},
                "difference": self.difference, "baseline_difference": self.baseline_difference,
                "sum": self.total, "gap": self.gap, "complete": self.complete, "steps": self.steps,
                "prompt_tokens": self.prompt_len,
                "tokens": [{"id": i, "text": t, "score": s, "source": self.source(n)}
                           for n, (i, t, s) in enumerate(zip(self.token_ids, self.token_texts, self.scores))]}


@dataclass
class _Path:
    """Points on the straight path from the baseline to the input: at each alpha, the objective
    and each token's contribution density ((input - baseline) . gradient). Between two points
    the trapezoid of the densities must add up to the objective's own change there, so every
    interval carries its own error and refinement goes where the path is rough."""

    model: object
    inputs: torch.Tensor  # [T, d]
    baseline: torch.Tensor
    predict_at: int
    target: int
    other: int
    mask: torch.Tensor | None
    cancel: threading.Event | None
    after_batch: Callable[[], None] | None = None  # told after every batch of passes
    points: dict = field(default_factory=dict)  # alpha -> (objective, densities [T])
    even: float = 1.0  # the even steps' width: an interval that wide or wider has no parent

    def add(self, alphas: list[float]) -> None:
        alphas = [alpha for alpha in alphas if alpha not in self.points]  # kept from a paused run
        per_batch = max(1, IG_TOKENS_PER_BATCH // self.inputs.shape[0])
        delta = (self.inputs - self.baseline).float()
        for start in range(0, len(alphas), per_batch):
            check_cancel(self.cancel)
            chunk = alphas[start:start + per_batch]
            values, grads = self._objective(torch.tensor(chunk, device=self.inputs.device, dtype=self.inputs.dtype))
            if not torch.isfinite(grads).all():
                raise ExplainError("The attribution overflowed on this model (a gradient is not finite).")
            densities = (grads * delta).sum(-1)  # [B, T]
            for alpha, value, density in zip(chunk, values.tolist(), densities):
                self.points[alpha] = (value, density)
            if self.after_batch is not None:
                self.after_batch()

    def _objective(self, alphas: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        path = (self.baseline + alphas[:, None, None] * (self.inputs - self.baseline)).requires_grad_(True)
        mask = None if self.mask is None else self.mask.expand(len(alphas), -1)
        logits = self._logits(path, mask)
        logprobs = torch.log_softmax(logits.float(), dim=-1)
        values = logprobs[:, self.target] - logprobs[:, self.other]
        (grads,) = torch.autograd.grad(values.sum(), path)
        return values.detach(), grads.float()

    def _logits(self, path: torch.Tensor, mask, *, whole: bool = False) -> torch.Tensor:
        """[B, V] at ``predict_at``: the model's body, then its output layer on a 2-D [B, d]
        input (for the layouts the lens knows, whose logits are just that; ``whole``: through
        the whole model, as before, for bench/explain.py). Through the whole model the output layer got [B, 1, d], whose bfloat16 backward
        on a CPU copied the 49k x 576 weight once per path point (4 s a batch on the bundled
        model, during which Cancel could not be heard)."""
        base = base_model(self.model)
        body = getattr(base, "base_model", None)
        if whole or getattr(base.config, "model_type", None) not in LENS_LAYOUTS or body is None or body is base:
            keep = self.inputs.shape[0] - self.predict_at
            return self.model(inputs_embeds=path, attention_mask=mask, logits_to_keep=keep).logits[:, 0]
        hidden = body(inputs_embeds=path, attention_mask=mask).last_hidden_state  # after the final norm
        return base.get_output_embeddings()(hidden[:, self.predict_at])

    def parent_error(self, a: float, b: float) -> float:
        """The error of the interval twice as wide that [a, b] halves (aligned to its width, as the even
        steps and their halvings are), where both its ends are points: what [a, b]'s own error fell from.
        Infinite where there is none (an even step's interval, or steps that are not powers of two)."""
        if b - a >= self.even:
            return math.inf
        size = 2 * (b - a)
        start = math.floor(a / size) * size
        end = start + size
        if (start, end) == (a, b) or start not in self.points or end not in self.points:
            return math.inf
        (fa, da), (fb, db) = self.points[start], self.points[end]
        return abs(float((end - start) / 2 * (da + db).sum()) - (fb - fa))

    def estimate(self) -> tuple[torch.Tensor, list[tuple[float, float, float]]]:
        """Per-token contributions, and (error, a, b) for every interval."""
        alphas = sorted(self.points)
        scores = torch.zeros_like(self.points[alphas[0]][1])
        errors = []
        for a, b in zip(alphas, alphas[1:]):
            (fa, da), (fb, db) = self.points[a], self.points[b]
            part = (b - a) / 2 * (da + db)
            scores += part
            errors.append((abs(float(part.sum()) - (fb - fa)), a, b))
        return scores, errors


def integrated_gradients(loaded: LoadedModel, ids: list[int], target: int, other: int, *,
                         predict_at: int | None = None, attention_mask: list[int] | None = None,
                         steps: int = IG_STEPS, max_steps: int = IG_MAX_STEPS,
                         cancel: threading.Event | None = None,
                         progress: Callable[[ExplainProgress], None] | None = None,
                         points: dict | None = None) -> Attribution:
    """Attribution of logp(target) - logp(other), predicted at position ``predict_at`` (default:
    after the last token), to each input token's embedding: ``steps`` even steps, then more
    points in the roughest intervals until the contributions sum to the difference within 5%
    (or ``max_steps`` intervals). ``progress`` hears after every batch of passes; ``cancel``
    is checked at every layer.

    ``points``: the path's points done so far, filled in place after every batch, so a run
    stopped for something else (the chat's answer: the model is shared) keeps them, and one
    given them again, on the same model, ids, target and other, goes on from there: every point
    is a function of those alone, and the refinement picks its next points from the ones it has
    (only the stall rule counts its rounds anew)."""
    model = loaded.model
    predict_at = len(ids) - 1 if predict_at is None else predict_at
    from desktop_app.core.compact import int8_with_gradients

    # trimmed last, after the weights are narrowed back and the passes' buffers freed
    with trimmed_after(), loaded.lock, float32_arithmetic(loaded), torch.enable_grad(), int8_with_gradients(), \
            stoppable_blocks(model, cancel):
        ids_t = torch.tensor(ids, device=loaded.device)  # Compact: the int8 weights, as answered
        embed = model.get_input_embeddings()
        inputs = embed(ids_t).detach()
        blank = torch.full_like(ids_t, baseline_token(loaded.tokenizer))
        mask = None if attention_mask is None else torch.tensor([attention_mask], device=loaded.device)
        path = _Path(model, inputs, embed(blank).detach(), predict_at, target, other, mask, cancel,
                     points=points if points is not None else {}, even=1 / max(1, steps))
        if progress is not None:
            _report_each_batch(path, progress, loaded, ids, target, other, (steps + 1, max(max_steps, steps) + 1))
        ends, *finer = coarse_to_fine(max(1, steps))
        path.add(ends)  # a batch of its own: the first figures come after two passes
        path.add([alpha for points in finer for alpha in points])  # coarse first, in full batches
        return _refined(path, loaded, ids, target, other, max_steps)


def _report_each_batch(path: _Path, progress: Callable[[ExplainProgress], None], loaded: LoadedModel,
                       ids: list[int], target: int, other: int, counts: tuple[int, int]) -> None:
    """``progress`` told the figures so far after each of ``path``'s batches (``counts``: its even points, and at
    most); at once where the path goes on from a paused run's points."""
    path.after_batch = _reporter(path, progress, counts,
                                 lambda scores: _attribution(loaded, ids, target, other, scores, path.points,
                                                             len(path.points) - 1))
    if path.points:  # going on from a paused run: its figures and steps at once
        path.after_batch()


def _refined(path: _Path, loaded: LoadedModel, ids: list[int], target: int, other: int,
             max_steps: int) -> Attribution:
    """The attribution once the path's even steps are done: more points in the roughest intervals,
    a batch at a time, until it is complete, ``max_steps`` intervals are spent, or the scores stall."""
    refine = max(1, min(8, IG_TOKENS_PER_BATCH // len(ids)))
    previous, still = None, 0
    while True:
        scores, errors = path.estimate()
        still = still + 1 if previous is not None and _barely_moved(previous, scores) else 0
        previous = scores
        result = _attribution(loaded, ids, target, other, scores, path.points, len(errors))
        room = max_steps - len(errors)
        if result.complete or room <= 0 or still >= IG_STALL_ROUNDS:
            return result
        path.add(split_points(path, errors, min(refine, room)))


def split_points(path: _Path, errors: list[tuple[float, float, float]], count: int) -> list[float]:
    """At most ``count`` new path points in the roughest intervals ((error, a, b) each), the worst first:
    each halved, or a stubborn one split in IG_STUBBORN_PARTS. Stubborn: its error is still at least
    IG_STUBBORN_DROP of its parent's (``_parent_error``), read from the points alone, so a run that goes
    on from a paused one's points picks the points it would have picked."""
    points: list[float] = []
    for error, a, b in sorted(errors, reverse=True):
        parts = IG_STUBBORN_PARTS if error >= IG_STUBBORN_DROP * path.parent_error(a, b) else 2
        new = [a + (b - a) * k / parts for k in range(1, parts)][:count - len(points)]
        if len(new) < parts - 1 and points:
            break  # a whole split next round rather than part of one now
        points += new
        if len(points) >= count:
            break
    return points


def coarse_to_fine(steps: int) -> list[list[float]]:
    """The even path points k / steps in rounds, coarse first: both ends, then the points that
    halve the widest gaps (for 16 steps: 0 and 1, then 1/2, then 1/4 and 3/4, then the eighths,
    then the sixteenths). The ends go in a batch of their own, the rest in full batches (smaller
    ones cost more per point: 0.85 CPU-s a point in twos against 0.75 in nines over 112 tokens
    of the bundled model); after each batch the points so far are a coarser path whose
    contributions are shown at once. All rounds together are the points of one even sweep,
    so the finished result is the same."""
    def level(k: int) -> int:  # trailing zero bits: how coarse a point k / steps is
        return (k & -k).bit_length() if 0 < k < steps else steps.bit_length() + 1

    rounds: dict[int, list[float]] = {}
    for k in range(steps + 1):
        rounds.setdefault(level(k), []).append(k / steps)
    return [rounds[key] for key in sorted(rounds, reverse=True)]


def _reporter(path: _Path, progress: Callable[[ExplainProgress], None], counts: tuple[int, int],
              attribution_of: Callable[[torch.Tensor], "Attribution"]) -> Callable[[], None]:
    """After every batch: the points done (``counts``: of the first sweep's, of at most so many), and
    the contributions so far (once both ends of the path are in, which the first round computes)."""
    started, kept = time.monotonic(), len(path.points)
    sweep, most = counts

    def report() -> None:
        estimate = attribution_of(path.estimate()[0]) if {0.0, 1.0} <= path.points.keys() else None
        progress(ExplainProgress(len(path.points), most, time.monotonic() - started, estimate, kept, sweep))

    return report


def _barely_moved(before: torch.Tensor, after: torch.Tensor) -> bool:
    return float((after - before).norm()) <= IG_STALL_CHANGE * float(before.norm())


def baseline_token(tokenizer) -> int:
    """The token every position holds at the baseline: the padding (else end-of-text) token,
    an input that says nothing. Not the all-zero embedding: a model that normalises its input
    (Llama's RMSNorm) jumps at zero, and its gradient there is not even finite."""
    for name in ("pad_token_id", "eos_token_id", "bos_token_id"):
        value = getattr(tokenizer, name, None)
        if isinstance(value, int):
            return value
    return 0


def _attribution(loaded, ids, target, other, scores, points, intervals) -> Attribution:
    table = token_texts(loaded.tokenizer)
    ends = {0.0: points[0.0][0], 1.0: points[1.0][0]}
    return Attribution(token_ids=list(ids), token_texts=piece_texts(loaded.tokenizer, ids), scores=scores.tolist(),
                       target_id=target, other_id=other, target_text=table.text(target),
                       other_text=table.text(other), difference=ends[1.0], baseline_difference=ends[0.0],
                       steps=intervals)
