"""Why this token? For one token of a stored answer: what each layer predicted (the logit
lens), which earlier tokens pushed it ahead of an alternative (integrated gradients), and
what the sampler did with it (temperature, top-k, top-p as the answer was written).

Everything runs on the model as it is loaded, with its active adapter on: the explanation
is of the model the person is talking to now, at its precision (under Compact the int8
weights, the attribution's gradient passes included); when the answer was written at
another precision, ``Explanation.precision_note`` says so. The stored message gives the context (its
prompt formatted as generation formatted it, and the answer's own token ids) and the
sampling settings it was written with, so old answers are explained with their settings.
"""

from __future__ import annotations

import bisect
import itertools
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Callable

import torch

from desktop_app.core.cancel_hooks import stoppable
from desktop_app.core.decoding import IncrementalDecoder, token_texts
from desktop_app.core.errors import UserFacingError
from desktop_app.core.generation import SamplingSettings, penalise_repeats, sampling_scores
from desktop_app.core.models import LoadedModel
from desktop_app.core.prompt_sources import CONVERSATION, prompt_sources
from desktop_app.core.prompts import thread_turns

# model_type -> (decoder blocks, final norm) inside the causal-LM model; the unembedding is
# always the model's output embeddings (lm_head). These are the layouts this was tested on.
LENS_LAYOUTS = {
    "gpt2": ("transformer.h", "transformer.ln_f"),
    "llama": ("model.layers", "model.norm"),
}
LENS_COLUMNS = 5  # the chosen token and the 4 most likely others
IG_STEPS = 16
IG_MAX_STEPS = 128
IG_TOLERANCE = 0.05  # contributions must sum to the difference within 5%
IG_ABS_TOLERANCE = 0.01  # nats: a near-zero difference is judged absolutely
IG_TOKENS_PER_BATCH = 1024  # path points per forward pass x context length: bounds memory
# Refinement stops early once IG_STALL_ROUNDS rounds in a row moved no contribution by more than
# IG_STALL_CHANGE of their size: on 16-bit weights the gap can stay put (rounding noise, not the
# path), and further points change nothing shown (bundled model, 230 tokens: 52 of 129 passes)
IG_STALL_ROUNDS = 3
IG_STALL_CHANGE = 1e-3
MASS = 0.95
# weights whose sums round by the order they are done in, enough to move a probability by
# points (bfloat16: 8 bits of mantissa), so a token scored later differs from its record
ROUNDING_PRECISIONS = ("bfloat16", "float16", "int8")


class ExplainError(UserFacingError):
    pass


class ExplainCancelled(UserFacingError):
    """The person moved on (another token): the work stopped between steps."""

    def __init__(self, message: str = "The explanation was stopped."):
        super().__init__(message)


def _check(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise ExplainCancelled()


def _base_model(model):
    return model.get_base_model() if hasattr(model, "get_base_model") else model


@dataclass(frozen=True)
class ExplainProgress:
    """The attribution under way: ``done`` points of the path computed (one forward-and-backward
    pass over the context each, several per batch), of at most ``total``: it usually ends
    sooner, once the contributions add up. ``elapsed`` seconds since its first pass began."""

    done: int
    total: int
    elapsed: float

    @property
    def seconds_left(self) -> float | None:
        """At most this long still, at the pace so far (None before the first batch ended)."""
        if self.done <= 0 or self.elapsed <= 0:
            return None
        return self.elapsed / self.done * max(0, self.total - self.done)


def _stoppable_layers(model, cancel: threading.Event | None):
    """Checks ``cancel`` as every decoder block starts, forwards and backwards, so a pass over
    a long context stops within a layer's time, not a whole batch's (the blocks of a model the
    lens knows; others stop between batches only)."""
    try:
        layers = lens_parts(model)[0] if cancel is not None else []
    except ExplainError:
        layers = []
    return stoppable(layers, lambda: _check(cancel))


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
    prepacked copies decoding uses are separate and untouched. Compact's int8 weights stay."""
    if loaded.precision not in WIDENED_PRECISIONS:
        yield
        return
    widened = []
    try:
        for tensor in itertools.chain(loaded.model.parameters(), loaded.model.buffers()):
            if tensor.dtype in (torch.bfloat16, torch.float16):
                widened.append((tensor, tensor.dtype))
                tensor.data = tensor.data.float()
        yield
    finally:
        for tensor, dtype in widened:
            tensor.data = tensor.data.to(dtype)


# ------------------------------------------------------------------ the token and its context

@dataclass(frozen=True)
class TokenContext:
    """``ids`` ends with the explained token; everything before it is what the model saw."""

    ids: list[int]
    prompt_len: int
    settings: SamplingSettings
    settings_known: bool = True  # False: the message stored no sampling settings (defaults shown)
    forced: bool = False  # put there by a branch (the person's choice), not sampled
    message_id: int | None = None
    written_with_adapter: int | None = None
    recorded_prob: float | None = None  # the probability stored when the answer was written
    written_precision: str | None = None  # the weights that wrote it (core.precision names; None: not recorded)
    in_text: bool = False  # a token of a Text mode text (no message): everything before it is "the text"
    # per prompt token: core.prompt_sources' CONVERSATION, SYSTEM or TEMPLATE (None: not known)
    prompt_sources: tuple[str, ...] | None = None

    @property
    def position(self) -> int:
        return len(self.ids) - 1

    @property
    def index(self) -> int:
        return self.position - self.prompt_len

    @property
    def chosen(self) -> int:
        return self.ids[-1]


def context_for_message(store, loaded: LoadedModel, message_id: int, index: int) -> TokenContext:
    """Token ``index`` (0-based) of an assistant message, with the prompt generation used."""
    from desktop_app.core.train_data import fit, generated_ids, prompt_for_message

    message = store.get_message(message_id)
    if message["role"] != "assistant":
        raise ExplainError(f"Message {message_id} is a {message['role']} message; only answer tokens can be "
                           "explained.")
    try:
        prompt_ids, message = prompt_for_message(store, loaded.tokenizer, message_id, loaded.context_window)
    except ValueError as exc:
        raise ExplainError(f"Message {message_id} cannot be explained: {exc}.") from exc
    prompt_ids, answer = fit(prompt_ids, generated_ids(store, message, loaded.tokenizer), loaded.context_window)
    if not 0 <= index < len(answer):
        raise ExplainError(f"Message {message_id} has {len(answer)} tokens (0 to {len(answer) - 1}); "
                           f"there is no token {index}.")
    stored = message.get("settings") or {}
    branched_at = stored.get("branched_at")
    records = store.token_records(message_id)
    recorded = records[index].prob if index < len(records) and records[index].id == answer[index] else None
    turns, system = thread_turns(store.thread(message_id))  # as the answer's prompt was made
    sources = prompt_sources(loaded.tokenizer, turns, system, piece_texts(loaded.tokenizer, prompt_ids))
    return TokenContext(ids=list(prompt_ids) + answer[:index + 1], prompt_len=len(prompt_ids),
                        settings=SamplingSettings.from_dict(stored), settings_known="temperature" in stored,
                        forced=branched_at is not None and index <= int(branched_at), message_id=message_id,
                        written_with_adapter=message.get("adapter_id"), recorded_prob=recorded,
                        written_precision=next((r.precision for r in records if r.precision), None),
                        prompt_sources=None if sources is None else tuple(sources))


# ------------------------------------------------------------------ the logit lens

@dataclass(frozen=True)
class LogitLens:
    """Row r is layer r's residual stream (row 0: the embeddings) read through the final
    norm and the unembedding; column 0 is the chosen token."""

    layer_names: list[str]
    token_ids: list[int]
    token_texts: list[str]
    probs: list[list[float]]  # [row][column]
    ranks: list[list[int]]  # 1 = that layer's most likely token
    layer_top: list[tuple[int, str, float]]  # each layer's own most likely token
    first_top1: int | None  # first row where the chosen token is that layer's top-1

    def to_json(self) -> dict:
        return {"layers": self.layer_names, "tokens": [{"id": i, "text": t} for i, t in
                                                       zip(self.token_ids, self.token_texts)],
                "probs": self.probs, "ranks": self.ranks, "first_top1": self.first_top1,
                "layer_top": [{"id": i, "text": t, "prob": p} for i, t, p in self.layer_top]}


def lens_parts(model):
    """(decoder blocks, final norm, unembedding) of a supported model, else a clear error."""
    base = _base_model(model)
    kind = getattr(base.config, "model_type", "unknown")
    if kind not in LENS_LAYOUTS:
        known = ", ".join(LENS_LAYOUTS)
        raise ExplainError(f"The layer-by-layer view is not available for '{kind}' models: it needs to know where "
                           f"the model keeps its final norm and output layer, which it knows for {known}.")
    blocks_path, norm_path = LENS_LAYOUTS[kind]
    return base.get_submodule(blocks_path), base.get_submodule(norm_path), base.get_output_embeddings()


def _residual_streams(model, blocks, ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Each block's input to the first block and output of every block at the last position
    ([layers + 1, d]), and the model's own logits there, from one forward pass."""
    captured: list[torch.Tensor] = []

    def before(_module, args, kwargs):
        hidden = args[0] if args else kwargs["hidden_states"]
        captured.append(hidden[0, -1].detach())

    def after(_module, _args, output):
        hidden = output[0] if isinstance(output, tuple) else output
        captured.append(hidden[0, -1].detach())

    handles = [blocks[0].register_forward_pre_hook(before, with_kwargs=True)]
    handles += [block.register_forward_hook(after) for block in blocks]
    try:
        logits = model(input_ids=ids, logits_to_keep=1).logits[0, -1]
    finally:
        for handle in handles:
            handle.remove()
    return torch.stack(captured), logits


def logit_lens(loaded: LoadedModel, ids: list[int], chosen: int, *, columns: int = LENS_COLUMNS,
               cancel: threading.Event | None = None) -> tuple[LogitLens, torch.Tensor]:
    """The lens for the token following ``ids``, and the model's own logits there."""
    blocks, norm, head = lens_parts(loaded.model)
    with loaded.lock, torch.inference_mode(), _stoppable_layers(loaded.model, cancel):
        streams, logits = _residual_streams(loaded.model, blocks, torch.tensor([ids], device=loaded.device))
        logprobs = torch.log_softmax(head(norm(streams)).float(), dim=-1)  # [layers + 1, V]
    others = [i for i in torch.topk(logits.float(), columns + 1).indices.tolist() if i != chosen][:columns - 1]
    cols = torch.tensor([chosen] + others, device=logprobs.device)
    picked = logprobs[:, cols]  # [rows, columns]
    ranks = (logprobs[:, None, :] > picked[:, :, None]).sum(-1) + 1
    top_lp, top_ids = logprobs.max(dim=-1)
    table = token_texts(loaded.tokenizer)
    chosen_ranks = ranks[:, 0].tolist()
    lens = LogitLens(
        layer_names=["embeddings"] + [f"layer {n}" for n in range(1, len(blocks) + 1)],
        token_ids=cols.tolist(), token_texts=[table.text(i) for i in cols.tolist()],
        probs=picked.exp().tolist(), ranks=ranks.tolist(),
        layer_top=[(i, table.text(i), p) for i, p in zip(top_ids.tolist(), top_lp.exp().tolist())],
        first_top1=next((row for row, rank in enumerate(chosen_ranks) if rank == 1), None))
    return lens, logits


def final_logits(loaded: LoadedModel, ids: list[int]) -> torch.Tensor:
    with loaded.lock, torch.inference_mode():
        return loaded.model(input_ids=torch.tensor([ids], device=loaded.device), logits_to_keep=1).logits[0, -1]


# ------------------------------------------------------------------ integrated gradients

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
    progress: Callable[[ExplainProgress], None] | None = None
    most: int = 0  # the points it may take in all (for the progress)
    points: dict = field(default_factory=dict)  # alpha -> (objective, densities [T])
    started: float = field(default_factory=time.monotonic)

    def add(self, alphas: list[float]) -> None:
        per_batch = max(1, IG_TOKENS_PER_BATCH // self.inputs.shape[0])
        delta = (self.inputs - self.baseline).float()
        for start in range(0, len(alphas), per_batch):
            _check(self.cancel)
            chunk = alphas[start:start + per_batch]
            values, grads = self._objective(torch.tensor(chunk, device=self.inputs.device, dtype=self.inputs.dtype))
            if not torch.isfinite(grads).all():
                raise ExplainError("The attribution overflowed on this model (a gradient is not finite).")
            densities = (grads * delta).sum(-1)  # [B, T]
            for alpha, value, density in zip(chunk, values.tolist(), densities):
                self.points[alpha] = (value, density)
            if self.progress is not None:
                self.progress(ExplainProgress(len(self.points), self.most, time.monotonic() - self.started))

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
        base = _base_model(self.model)
        body = getattr(base, "base_model", None)
        if whole or getattr(base.config, "model_type", None) not in LENS_LAYOUTS or body is None or body is base:
            keep = self.inputs.shape[0] - self.predict_at
            return self.model(inputs_embeds=path, attention_mask=mask, logits_to_keep=keep).logits[:, 0]
        hidden = body(inputs_embeds=path, attention_mask=mask).last_hidden_state  # after the final norm
        return base.get_output_embeddings()(hidden[:, self.predict_at])

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
                         progress: Callable[[ExplainProgress], None] | None = None) -> Attribution:
    """Attribution of logp(target) - logp(other), predicted at position ``predict_at`` (default:
    after the last token), to each input token's embedding: ``steps`` even steps, then more
    points in the roughest intervals until the contributions sum to the difference within 5%
    (or ``max_steps`` intervals). ``progress`` hears after every batch of passes; ``cancel``
    is checked at every layer."""
    model = loaded.model
    predict_at = len(ids) - 1 if predict_at is None else predict_at
    from desktop_app.core.compact import int8_with_gradients

    with loaded.lock, float32_arithmetic(loaded), torch.enable_grad(), int8_with_gradients(), \
            _stoppable_layers(model, cancel):
        ids_t = torch.tensor(ids, device=loaded.device)  # Compact: the int8 weights, as answered
        embed = model.get_input_embeddings()
        inputs = embed(ids_t).detach()
        blank = torch.full_like(ids_t, baseline_token(loaded.tokenizer))
        mask = None if attention_mask is None else torch.tensor([attention_mask], device=loaded.device)
        path = _Path(model, inputs, embed(blank).detach(), predict_at, target, other, mask, cancel, progress,
                     max(max_steps, steps) + 1)
        path.add([k / max(1, steps) for k in range(max(1, steps) + 1)])
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
            worst = sorted(errors, reverse=True)[:min(refine, room)]
            path.add([(a + b) / 2 for _error, a, b in worst])


def _barely_moved(before: torch.Tensor, after: torch.Tensor) -> bool:
    return float((after - before).norm()) <= IG_STALL_CHANGE * float(before.norm())


def piece_texts(tokenizer, ids: list[int]) -> list[str]:
    """Each token's exact share of the decoded text (a character split over several tokens
    sits on the one that completes it), so the pieces join to the text the model read."""
    decoder = IncrementalDecoder(tokenizer)
    pieces = [decoder.push(i) for i in ids]
    if pieces:
        pieces[-1] += decoder.flush()
    return pieces


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


# ------------------------------------------------------------------ the sampler

@dataclass(frozen=True)
class SamplerFacts:
    token_id: int
    raw_prob: float  # the model's own distribution
    used_prob: float  # the distribution actually sampled from (0 outside the kept set)
    kept: bool
    kept_size: int
    mass95_size: int  # tokens, most likely first, that hold 95% of the raw mass
    temperature: float
    top_k: int
    top_p: float
    greedy: bool
    settings_known: bool = True
    forced: bool = False
    repetition_penalty: float = 1.0  # 1.0: off
    min_p: float = 0.0  # 0.0: off

    @property
    def how(self) -> str:
        """The settings in words: "temperature 0.6, top-k 50, top-p 0.95, repetition penalty 1.1"."""
        if self.greedy:
            words = "greedy"
        else:
            words = f"temperature {self.temperature:g}, top-k {self.top_k}, top-p {self.top_p:g}"
        if self.min_p and not self.greedy:
            words += f", min-p {self.min_p:g}"
        if self.repetition_penalty != 1.0:
            words += f", repetition penalty {self.repetition_penalty:g}"
        return words

    def to_json(self) -> dict:
        return dict(self.__dict__)


def sampler_facts(logits: torch.Tensor, token_id: int, settings: SamplingSettings, *,
                  settings_known: bool = True, forced: bool = False, answer_before=()) -> SamplerFacts:
    """``answer_before``: the answer's tokens before this one (what a repetition penalty saw)."""
    logits = logits.float()
    raw = torch.softmax(logits, dim=-1)
    seen = None
    if answer_before and settings.repetition_penalty != 1.0:
        seen = torch.zeros(logits.shape[-1], dtype=torch.bool, device=logits.device)
        seen[torch.tensor(list(answer_before), device=logits.device)] = True
    drawn = penalise_repeats(logits, seen, settings.repetition_penalty)  # as the sampler saw them
    if settings.is_greedy:
        kept = torch.zeros_like(raw, dtype=torch.bool).scatter(0, torch.argmax(drawn)[None], True)
        used = kept.float()
    else:
        scores = sampling_scores(drawn, settings)
        kept = torch.isfinite(scores)
        used = torch.softmax(scores, dim=-1)
    cumulative = torch.sort(raw, descending=True).values.cumsum(0)
    mass = min(int(torch.searchsorted(cumulative, torch.tensor(MASS, device=cumulative.device))) + 1, raw.numel())
    return SamplerFacts(token_id=token_id, raw_prob=float(raw[token_id]), used_prob=float(used[token_id]),
                        kept=bool(kept[token_id]), kept_size=int(kept.sum()), mass95_size=mass,
                        temperature=settings.temperature, top_k=settings.top_k, top_p=settings.top_p,
                        greedy=settings.is_greedy, settings_known=settings_known, forced=forced,
                        repetition_penalty=settings.repetition_penalty, min_p=settings.min_p)


# ------------------------------------------------------------------ all three

@dataclass(frozen=True)
class Explanation:
    context: TokenContext
    token_text: str
    lens: LogitLens | None
    lens_error: str | None
    attribution: Attribution | None  # None: still being worked out (the part reported first)
    sampler: SamplerFacts
    adapter_id: int | None  # the adapter on the model that explained it
    precision: str | None = None  # the weights that explained it (LoadedModel.precision: int8 under Compact)

    @property
    def precision_note(self) -> str | None:
        """Words for an explanation made with other weights than the answer (None: the same,
        or the answer's were not recorded)."""
        from desktop_app.core.precision import label

        written = self.context.written_precision
        if written is None or self.precision is None or written == self.precision:
            return None
        made, whose = ("Analysed", "the heatmap's") if self.context.in_text else ("Written", "the answer's")
        return (f"{made} with {label(written)} weights; explained with {label(self.precision)} weights (the "
                f"precision loaded now): the figures can differ a little from {whose}.")

    @property
    def recorded_note(self) -> str | None:
        """Why the probability here differs from the one stored when the answer was written
        (what the inspector shows), or None when they agree. With 16-bit weights it is rounding:
        writing goes token by token, this reads the whole text at once, and bfloat16 rounds the
        two sums differently (measured on the bundled model: up to 4.8 points, 1.2 on average;
        float32 agrees exactly)."""
        from desktop_app.core.precision import label

        c, now = self.context, self.sampler.raw_prob
        if c.recorded_prob is None or abs(c.recorded_prob - now) < 5e-4:
            return None
        if c.in_text:  # a text's token was scored by its analysis, whoever wrote it (the person, often)
            written = f"When the text was analysed: {c.recorded_prob * 100:.2f}% (the figure the heatmap and the " \
                      "inspector show)"
        else:
            written = f"When written: {c.recorded_prob * 100:.2f}% (the figure the answer and the inspector show)"
        if c.written_with_adapter != self.adapter_id:
            return f"{written}; the adapter has changed since."
        if self.precision_note:
            return f"{written}; other weights {'analysed' if c.in_text else 'wrote'} it."
        if self.precision in ROUNDING_PRECISIONS:
            how = ("differently for each way the text is read (the analysis reads it in windows, this reads what "
                   "comes before this token)" if c.in_text else
                   "differently when they read the whole text at once than when they write it token by token")
            return f"{written}. The same {label(self.precision)} weights round {how}; Exact precision gives one figure."
        return f"{written}; the model has changed since."

    def to_json(self) -> dict:
        c = self.context
        return {"message_id": c.message_id, "token_index": c.index, "token": {"id": c.chosen, "text": self.token_text},
                "adapter_id": self.adapter_id, "written_with_adapter": c.written_with_adapter,
                "precision": self.precision, "written_precision": c.written_precision,
                "recorded_prob": c.recorded_prob, "lens": self.lens.to_json() if self.lens else None,
                "lens_error": self.lens_error,
                "attribution": self.attribution.to_json() if self.attribution else None,
                "sampler": self.sampler.to_json()}


def runner_up(logits: torch.Tensor, chosen: int) -> int:
    """The most likely token other than the chosen one."""
    top = torch.topk(logits.float(), 2).indices.tolist()
    return top[1] if top[0] == chosen else top[0]


def explain(loaded: LoadedModel, context: TokenContext, *, vs: int | None = None, steps: int = IG_STEPS,
            max_steps: int = IG_MAX_STEPS, cancel: threading.Event | None = None,
            report: Callable[[object], None] | None = None) -> Explanation:
    """The lens (where the architecture allows), the attribution against ``vs`` (default:
    the runner-up) and the sampler facts for the last token of ``context.ids``.

    ``report`` hears the cheap part first (this Explanation without its attribution: the
    lens and the sampler, one forward pass), then an ExplainProgress after every batch of
    the attribution's passes."""
    seen, chosen = context.ids[:-1], context.chosen
    _check(cancel)
    try:
        lens, logits = logit_lens(loaded, seen, chosen, cancel=cancel)
        lens_error = None
    except ExplainError as exc:
        lens, lens_error, logits = None, str(exc), final_logits(loaded, seen)
    other = runner_up(logits, chosen) if vs is None else vs
    if other == chosen:
        raise ExplainError("The alternative to compare with is the chosen token itself; pick another token.")
    if not 0 <= other < logits.shape[-1]:
        raise ExplainError(f"Token id {other} is outside this model's vocabulary (0 to {logits.shape[-1] - 1}).")
    facts = sampler_facts(logits, chosen, context.settings, settings_known=context.settings_known,
                          forced=context.forced, answer_before=context.ids[context.prompt_len:-1])
    first = Explanation(context, token_texts(loaded.tokenizer).text(chosen), lens, lens_error, None, facts,
                        loaded.adapter_id, loaded.precision)
    if report is not None:
        report(first)
    attribution = integrated_gradients(loaded, seen, chosen, other, steps=steps, max_steps=max_steps, cancel=cancel,
                                       progress=report)
    return replace(first, attribution=replace(attribution, prompt_len=context.prompt_len,
                                              sources=context.prompt_sources))


def explain_message_token(store, loaded: LoadedModel, message_id: int, index: int, *, vs: int | None = None,
                          steps: int = IG_STEPS, cancel: threading.Event | None = None,
                          report: Callable[[object], None] | None = None) -> Explanation:
    return explain(loaded, context_for_message(store, loaded, message_id, index), vs=vs, steps=steps, cancel=cancel,
                   report=report)


def context_for_text(loaded: LoadedModel, ids: list[int], index: int, settings: SamplingSettings, *,
                     by_model: bool, recorded_prob: float | None = None, scored_with_adapter: int | None = None,
                     written_precision: str | None = None) -> TokenContext:
    """Token ``index`` of an analysed Text mode text, whose ``ids`` are the analysis's (its
    records start at the second token: record ``index`` is ``ids[index + 1]``), after the text
    before it as far as the analysis's window read it (core.scoring.window_plan). ``by_model``:
    a continuation wrote it (sampled with ``settings``, which a continuation does not store:
    the ones now); else the person did."""
    from desktop_app.core.scoring import window_plan

    position = index + 1
    if not 0 < position < len(ids):
        raise ExplainError(f"The text has {max(0, len(ids) - 1)} scored tokens; there is no token {index}.")
    # the text before it as the analysis read it: a long text is scored window by window
    begin = next(w.begin for w in window_plan(len(ids), 1, loaded.context_window) if w.start <= position < w.stop)
    seen = ids[begin:position + 1]
    return TokenContext(ids=list(seen), prompt_len=len(seen) - 1, settings=settings, settings_known=False,
                        forced=not by_model, written_with_adapter=scored_with_adapter, recorded_prob=recorded_prob,
                        written_precision=written_precision, in_text=True)


def segments_in_texts(pieces: list[str], scores: list[float], texts: list[str]
                      ) -> list[list[tuple[int, int, float]] | None]:
    """Where the context's scores fall in texts shown elsewhere (the transcript's messages, in
    order): for each text, (start, end, score) of every context piece inside it, in the text's
    own characters; None for a text the context does not hold (left out to fit the window).
    Pieces outside every text (a chat template's role markers) are in no list."""
    joined = "".join(pieces)
    starts = [0]
    for piece in pieces:
        starts.append(starts[-1] + len(piece))
    found, cursor = [], 0
    for text in texts:
        body = text.strip()
        at = joined.find(body, cursor) if body else -1
        if at < 0:
            found.append(None)
            continue
        lead, end = len(text) - len(text.lstrip()), at + len(body)
        segments = []
        for i in range(max(0, bisect.bisect_right(starts, at) - 1), len(pieces)):
            if starts[i] >= end:
                break
            a, b = max(starts[i], at), min(starts[i + 1], end)
            if b > a:
                segments.append((a - at + lead, b - at + lead, scores[i]))
        found.append(segments)
        cursor = end
    return found
