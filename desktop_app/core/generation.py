"""Streaming generation: one TokenRecord per new token, as soon as it exists; cancellable.

A plain KV-cache loop rather than ``model.generate``: each step needs the model's raw
distribution (for the record) and the sampling distribution (for the choice), and a loop
this small is as fast as ``generate`` (bench/generation_overhead.py measures it).
"""

from __future__ import annotations

import math
import random
import threading
import time
from dataclasses import asdict, dataclass, fields, replace
from typing import TYPE_CHECKING, Callable, Iterator

from desktop_app.core.decoding import IncrementalDecoder, records_from_logits, token_texts
from desktop_app.core.models import LoadedModel
from desktop_app.core.records import TokenRecord
from desktop_app.core.sentence_end import only_closers, sentence_end
from desktop_app.core.threads import answer_team, answering

if TYPE_CHECKING:  # torch is imported where it is used: the window shows before torch has loaded
    import torch

# Which path answers: True / False for every model; None (the default) takes the fast path
# where a compiled step was prepared for the model (core.fast_decode.prepare: on CUDA, CUDA
# graphs), the plain path elsewhere. On a CPU the static cache alone was not faster
# (bench/generation_speed.py); both give the same tokens and records (tests/test_fast_decode.py).
FAST_DECODING: bool | None = None
# Elsewhere on a CPU the lean decode step (core.lean_decode) answers where it knows the model;
# False: always the model's own forward (the plain path). Same tokens and records in float32
# (tests/test_lean_decode.py).
LEAN_DECODING = True


@dataclass
class SamplingSettings:
    max_new_tokens: int = 128
    temperature: float = 0.8
    top_k: int = 50
    top_p: float = 0.95
    seed: int | None = None
    greedy: bool = False
    alternatives: int = 10
    stop_sequences: tuple[str, ...] = ()
    # HF-style: a logit of a token already in the answer is divided (if > 0) or multiplied
    # (if < 0) by this before sampling; 1.0 is off, and what a stored message without it meant
    repetition_penalty: float = 1.0
    # min-p: after temperature, drop every token less than this share as likely as the most
    # likely one (0: off, what a stored message without it meant). It cuts the long tail
    # that gave a new user a 3.8% first token and a Spanish ramble, yet keeps many choices
    # where the model is unsure (Nguyen et al. 2024, "Min-p sampling")
    min_p: float = 0.0

    @property
    def is_greedy(self) -> bool:
        return self.greedy or self.temperature <= 0

    def to_dict(self) -> dict:
        data = asdict(self)
        data["stop_sequences"] = list(self.stop_sequences)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "SamplingSettings":
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in (data or {}).items() if k in known}
        if "stop_sequences" in values:
            values["stop_sequences"] = tuple(values["stop_sequences"])
        return cls(**values)


# What a new user starts with (GUI Settings, CLI): chosen by bench/sampling_defaults.py on the
# bundled SmolLM2-135M; the dataclass's own defaults stay the old ones, so seeded settings
# written out in full (and stored messages) mean what they meant. Temperature 0.4 rather than
# 0.6 since the seventh user test (French nonsense for "What is the capital of France?"): on
# short facts the model answers right greedily, 19% odd answers instead of 30%, while two
# seeds' answers to open questions still never came out the same (docs/measurements.md).
RECOMMENDED_SAMPLING = dict(temperature=0.4, repetition_penalty=1.1, min_p=0.1)


def recommended_sampling(**overrides) -> "SamplingSettings":
    return SamplingSettings(**{**RECOMMENDED_SAMPLING, **overrides})


def same_again_reason(settings: SamplingSettings) -> str | None:
    """Why a regenerated answer will be the one already there (None: it will differ)."""
    if settings.is_greedy:
        return ("Greedy settings (temperature 0): another answer will be the same one again. "
                "Raise the temperature in Settings for a different one.")
    if settings.seed is not None:
        return (f"A fixed seed ({settings.seed}): another answer will be the same one again. "
                "Set the seed to random in Settings for a different one.")
    return None


def penalise_repeats(logits: torch.Tensor, seen: torch.Tensor | None, penalty: float) -> torch.Tensor:
    """HF's repetition penalty (transformers' RepetitionPenaltyLogitsProcessor) on a copy:
    ``seen`` is a bool mask over the vocabulary of the tokens already in the answer. The
    records keep the model's own logits; only the draw sees the penalised ones."""
    import torch

    if seen is None or penalty == 1.0:
        return logits
    logits = logits.float()
    penalised = torch.where(logits > 0, logits / penalty, logits * penalty)
    return torch.where(seen, penalised, logits)


def eos_ids(loaded: LoadedModel) -> set[int]:
    found: set[int] = set()
    for source in (getattr(loaded.model, "generation_config", None), loaded.tokenizer):
        value = getattr(source, "eos_token_id", None)
        if isinstance(value, int):
            found.add(value)
        elif value:
            found.update(int(v) for v in value)
    return found


def sampling_scores(logits: torch.Tensor, settings: SamplingSettings) -> torch.Tensor:
    """Logits after temperature, with -inf for every token top-k, min-p or top-p drops
    (sampled settings only: greedy keeps just the argmax)."""
    import torch

    ids, scores = _kept_scores(logits, settings)
    if ids is None:
        return scores
    return torch.full_like(logits, float("-inf"), dtype=torch.float32).scatter(0, ids, scores)


def _kept_scores(logits: torch.Tensor, settings: SamplingSettings) -> tuple[torch.Tensor | None, torch.Tensor]:
    """(ids, their scores after temperature, -inf where top-p drops one) for the tokens top-k
    keeps (ties with the k-th too); ids None: every token, scores over the whole vocabulary.
    On a CPU top-p then sorts the k kept scores, not the whole vocabulary (49k for SmolLM2:
    the default settings took 5.9 ms of a ~60 ms token, now 2.9, most of it the draw itself);
    elsewhere the subset's size would be a host sync, so the whole vector is kept. The
    distribution, and so a seeded draw, is the one the whole-vector sort gave."""
    import torch

    scores = logits.float() / settings.temperature
    ids = None
    if 0 < settings.top_k < scores.shape[-1]:
        kth = top_k_floor(scores, settings.top_k)
        if scores.device.type == "cpu":
            ids = (scores >= kth).nonzero().view(-1)
            scores = scores[ids]
        else:
            scores = scores.masked_fill(scores < kth, float("-inf"))
    if settings.min_p > 0:
        scores = drop_below_min_p(scores, settings.min_p)
    if 0 < settings.top_p < 1:
        scores = drop_past_top_p(scores, settings.top_p)
    return ids, scores


def drop_below_min_p(scores: torch.Tensor, min_p: float) -> torch.Tensor:
    """-inf where p < min_p * p_max; in logits: score < max score + log(min_p) (no host sync)."""
    return scores.masked_fill(scores < scores.max() + math.log(min_p), float("-inf"))


def drop_past_top_p(scores: torch.Tensor, top_p: float) -> torch.Tensor:
    """-inf for the tokens, most likely first, once the mass before them reaches top_p (the
    first always stays)."""
    import torch

    sorted_scores, order = torch.sort(scores, descending=True)
    probs = torch.softmax(sorted_scores, dim=-1)
    remove = (probs.cumsum(-1) - probs) >= top_p
    return scores.scatter(0, order[remove], float("-inf"))


def sampling_stages(logits: torch.Tensor, seen: torch.Tensor | None,
                    settings: SamplingSettings) -> list[tuple[str, torch.Tensor]]:
    """The scores over the whole vocabulary after each setting that is on, in the order the
    sampler applies them (``_choose``: the repetition penalty, then ``_kept_scores``), so the
    explanation can say which setting moved a token (usertest 13). The last equals
    ``sampling_scores(penalise_repeats(logits, seen, penalty), settings)``; sampled settings only."""
    stages = []
    scores = logits.float()
    if seen is not None and settings.repetition_penalty != 1.0:
        scores = penalise_repeats(scores, seen, settings.repetition_penalty)
        stages.append(("repetition penalty", scores))
    scores = scores / settings.temperature
    stages.append(("temperature", scores))
    if 0 < settings.top_k < scores.shape[-1]:
        scores = scores.masked_fill(scores < top_k_floor(scores, settings.top_k), float("-inf"))
        stages.append(("top-k", scores))
    if settings.min_p > 0:
        scores = drop_below_min_p(scores, settings.min_p)
        stages.append(("min-p", scores))
    if 0 < settings.top_p < 1:
        scores = drop_past_top_p(scores, settings.top_p)
        stages.append(("top-p", scores))
    return stages


def top_k_floor(scores: torch.Tensor, k: int) -> torch.Tensor:
    """The k-th highest score: top-k keeps every token at or above it (ties with it too)."""
    import torch

    return torch.topk(scores, k).values[-1]


def sampling_probs(logits: torch.Tensor, settings: SamplingSettings) -> torch.Tensor:
    """The distribution a token is drawn from (zeros outside the kept set); greedy puts all
    of it on the argmax. The sampler and the explanation of a token (core.explain) both
    read it, so they cannot disagree."""
    import torch

    if settings.is_greedy:
        return torch.zeros_like(logits, dtype=torch.float32).scatter(0, torch.argmax(logits)[None], 1.0)
    return torch.softmax(sampling_scores(logits, settings), dim=-1)


def sample_token(logits: torch.Tensor, settings: SamplingSettings, generator: torch.Generator) -> torch.Tensor:
    """Choose a token from the (temperature, top-k, top-p) reshaped distribution; the choice
    stays on the logits' device (a 0-d tensor), so the fast path need not wait for it."""
    import torch

    if settings.is_greedy:
        return torch.argmax(logits)
    return draw_one(sampling_probs(logits, settings), generator)


def draw_one(probs: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """``torch.multinomial(probs, 1, generator=generator)[0]``: the same token from the same
    generator state, which it leaves as multinomial does, in about 40% of the time on a CPU.

    For one sample torch draws q ~ Exp(1) per token and takes argmax(probs / q) (the
    exponential trick); its CPU exponential_ draws a uniform double per element, one by one,
    with a log1p each (1.1 ms for GPT-2's 50,257 tokens, 4% of a Fast token). The same
    uniforms drawn in one call and one vectorised log1p give the same float32 q, so the same
    argmax (tests/test_core_generation.py checks this against torch.multinomial, so a torch
    that draws differently is caught). Elsewhere (a GPU, other dtypes, or probabilities that
    are not finite, where multinomial raises its error) torch.multinomial draws."""
    import torch

    if probs.device.type != "cpu" or probs.dtype != torch.float32 or probs.dim() != 1 \
            or not 0 < float(probs.sum()) < float("inf"):
        return torch.multinomial(probs, 1, generator=generator)[0]
    uniform = torch.empty(probs.shape, dtype=torch.float64).uniform_(0, 1, generator=generator)
    q = uniform.neg_().log1p_().neg_().float()  # -log(1 - u): torch's exponential transform
    return torch.argmax(torch.div(probs, q, out=q))


def sample_next(logits: torch.Tensor, settings: SamplingSettings, generator: torch.Generator) -> int:
    """Choose a token from the (temperature, top-k, top-p) reshaped distribution."""
    return int(sample_token(logits, settings, generator))


class Generation:
    """Iterate to stream records; afterwards ``records``, ``text``, ``finish_reason`` hold the result.

    ``prefix_ids`` are answer tokens forced before sampling (branching from an alternative):
    their records are scored, then generation continues after them. ``prefix_records``: the
    figures the first of them were written with (a branch's shared prefix), kept as they were
    rather than scored again by the model now in use (it may wear another adapter).

    Attributes:
        loaded: the LoadedModel it runs on (its lock is held while it streams).
        prompt_ids, prefix_ids: the prompt, and the answer tokens forced first (a branch).
        settings: the SamplingSettings; stop_sequences: where the answer ends early.
        cancel: a threading.Event checked before every new token.
        seed: the sampling seed (chosen at random when the settings give none).
        records: the TokenRecords streamed so far; generated: how many were sampled.
        finish_reason: None while it runs, then why it stopped.
        elapsed_s: the time the new tokens took, for ``tokens_per_s``; reading_s: the time before the first
            (waiting for the model, reading the prompt and a branch's forced tokens), which is not in it."""

    def __init__(self, loaded: LoadedModel, prompt_ids: list[int], settings: SamplingSettings, *,
                 cancel: threading.Event | None = None, prefix_ids: list[int] | tuple = (),
                 prefix_records: list[TokenRecord] | tuple = (), stop_sequences: tuple[str, ...] | None = None,
                 fast: bool | None = None, lean: bool | None = None, run_on: int = 0):
        """``run_on``: where the length is reached mid-sentence, up to so many tokens more to the sentence's end
        (core.sentence_end; never past the model's window); finish_reason "sentence" where they found it.
        ``fast``: the static-cache path (core.fast_decode), same tokens and records; None
        decides as FAST_DECODING says (by default: fast where a compiled step is prepared).
        ``lean``: off the fast path, the lean step (core.lean_decode) where it applies; None:
        as LEAN_DECODING says. ``path`` says afterwards which answered: static, lean or plain."""
        self.loaded = loaded
        self.prompt_ids = list(prompt_ids)
        self.prefix_ids = list(prefix_ids)
        self.prefix_records = list(prefix_records)
        self.settings = settings
        self.cancel = cancel or threading.Event()
        self.stop_sequences = tuple(settings.stop_sequences if stop_sequences is None else stop_sequences)
        self.seed = settings.seed if settings.seed is not None else random.randrange(2**31)
        self.records: list[TokenRecord] = []
        self.finish_reason: str | None = None  # "eos" | "stop" | "length" | "context" | "cancelled"
        self.elapsed_s = self.reading_s = 0.0
        self._sampling_from: float | None = None  # when the first new token was asked for (perf_counter)
        self.generated = 0
        self.fast = fast
        self.lean = lean
        self.run_on = max(0, run_on)
        self.path: str | None = None
        self.on_reading = None  # (read, total) while a long prompt is read, chunk by chunk (core.fast_decode)
        # called between two tokens, where other short work may use the model (the window's
        # layer grid for a token the person clicked); its time counts neither in the speed
        # nor in the thread team's measuring
        self.between: Callable[[], None] | None = None
        self._paused_s = 0.0
        self._seen = None  # the answer's tokens, while a repetition penalty is on

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.records)

    @property
    def tokens_per_s(self) -> float:
        """The new tokens over the time they took: a branch read its ~130 prompt tokens and its shared prefix in
        its first second, which had counted as writing (inspector78: 0.7 tok/s against its first answer's 2.0)."""
        return self.generated / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def __iter__(self) -> Iterator[TokenRecord]:
        start = time.perf_counter()
        try:
            yield from self._run()
        finally:
            end = time.perf_counter()
            sampling_from = self._sampling_from if self._sampling_from is not None else end
            self.reading_s = sampling_from - start
            self.elapsed_s = end - sampling_from - self._paused_s

    def _pause(self, team) -> None:
        """Between two tokens: let ``between`` run (the answer's state is untouched by it)."""
        if self.between is None:
            return
        paused = time.perf_counter()
        self.between()
        spent = time.perf_counter() - paused
        if spent > 1e-3:
            self._paused_s += spent
            team.restart()  # the window being timed would count the pause as a token's work

    # -- internals

    def _run(self) -> Iterator[TokenRecord]:
        import torch

        from desktop_app.core.fast_decode import compile_wanted, compiled_step_ready

        loaded = self.loaded
        if self.fast is None:
            self.fast = FAST_DECODING if FAST_DECODING is not None else compiled_step_ready(loaded)
        decoder = IncrementalDecoder(loaded.tokenizer)
        held = _Holdback(self.stop_sequences)
        context = self.prompt_ids + self.prefix_ids
        budget = min(self.settings.max_new_tokens, loaded.context_window - len(context))
        run_on = max(0, min(self.run_on, loaded.context_window - len(context) - max(0, budget)))
        # the thread team is measured per model, except where a compiled step is guarded on it
        team = answer_team(loaded.model, measured=not compile_wanted(loaded.device))
        with loaded.lock, torch.inference_mode(), team, answering():
            steps = self._steps(len(context) + max(0, budget) + run_on)
            logits = self._prefill(steps, context)
            if logits is None:
                return
            if self.prefix_ids:
                yield from self._force_prefix(logits[:-1], decoder, held)
            yield from self._sample(steps, logits[-1], (budget, run_on), decoder, held, team)
        if not held.stopped:
            yield from self._release(held.drain(decoder.flush()))

    def _sample(self, steps, next_logits, budgets: tuple[int, int], decoder: IncrementalDecoder, held: _Holdback,
                team) -> Iterator[TokenRecord]:
        """The new tokens, one a step, until the budget is spent (then, within ``budgets``' run-on, until a
        sentence ends), the model ends its text, a stop sequence shows or a cancel comes (``finish_reason`` says
        which); between two tokens the thread team may change and ``between`` may run, never inside one."""
        import torch

        budget, run_on = budgets
        generator = torch.Generator(device=self.loaded.device)
        generator.manual_seed(self.seed)
        stop_ids = eos_ids(self.loaded)
        self._seen = self._seen_mask(next_logits)
        team.restart()
        self._sampling_from = time.perf_counter()
        self.finish_reason = "length" if budget == self.settings.max_new_tokens else "context"
        for step in range(max(0, budget) + run_on):
            if self.cancel.is_set():
                self.finish_reason = "cancelled"
                break
            ending = self._sentence_ending(held) if step >= budget else None
            if ending == "whole":
                break
            token, chosen, record = self._choose(next_logits, generator, decoder, stop_ids)
            if record is None:
                self.finish_reason = "eos"
                break
            if ending == "mark" and not only_closers(record.text):
                break  # the sentence ended at its mark: the token after it is not the continuation's
            self.generated += 1
            held.add(record, decoder.pending)
            yield from self._release(held.ready())
            if held.stopped:
                self.finish_reason = "stop"
                break
            next_logits = steps.step(chosen)
            team.tick()  # between tokens: the team may change here, never inside one
            self._pause(team)
        if self.finish_reason == "length" and self.generated > budget and self._sentence_ending(held):
            self.finish_reason = "sentence"

    def _sentence_ending(self, held: _Holdback) -> str | None:
        """How the text written so far ends (core.sentence_end): None inside a sentence, or while a character
        or a stop sequence is held back."""
        if held.records or held.partial:
            return None
        return sentence_end("".join(r.text for r in self.records[-4:]))

    def _force_prefix(self, logits, decoder: IncrementalDecoder, held: _Holdback) -> Iterator[TokenRecord]:
        """The records of the prefix a branch put there, from the prompt pass's ``logits`` over it,
        held back at a stop sequence like sampled tokens."""
        import torch

        loaded = self.loaded
        texts = [decoder.push(t) for t in self.prefix_ids]
        forced = records_from_logits(logits, torch.tensor(self.prefix_ids), texts, token_texts(loaded.tokenizer),
                                     self.settings.alternatives, loaded.precision)
        for i, record in enumerate(forced):
            held.add(self._as_written(i, record), decoder.pending)
        yield from self._release(held.ready())

    def _as_written(self, i: int, record: TokenRecord) -> TokenRecord:
        """The prefix's ``i``-th record with the figures it was first written with, where given."""
        kept = self.prefix_records[i] if i < len(self.prefix_records) else None
        return replace(kept, text=record.text) if kept is not None and kept.id == record.id else record

    def _steps(self, needed: int):
        """The model calls of this answer: the static path, the lean step, or the plain loop."""
        from desktop_app.core.fast_decode import PlainSteps, StaticSteps
        from desktop_app.core.lean_decode import lean_steps

        if self.fast:
            self.path = "static"
            return StaticSteps(self.loaded, needed)
        lean = (LEAN_DECODING if self.lean is None else self.lean) and lean_steps(self.loaded, needed)
        self.path = "lean" if lean else "plain"
        return lean or PlainSteps(self.loaded, needed)

    def _prefill(self, steps, context: list[int]):
        """The prompt's logits (the forced prefix's and the next token's), or None when Stop
        was pressed while a long prompt was being read."""
        from desktop_app.core.fast_decode import PrefillCancelled

        try:
            return steps.prefill(context, len(self.prefix_ids) + 1, self.cancel, self.on_reading)
        except PrefillCancelled:
            self.finish_reason = "cancelled"
            return None

    def _seen_mask(self, logits):
        """The answer's tokens so far (a branch's forced ones too) as a vocabulary mask, or
        None when no repetition penalty is asked for. The prompt is left out: an answer that
        restates the question ("The capital of France is ...") is not a repeat."""
        import torch

        if self.settings.repetition_penalty == 1.0:
            return None
        seen = torch.zeros(logits.shape[-1], dtype=torch.bool, device=logits.device)
        if self.prefix_ids:
            seen[torch.tensor(self.prefix_ids, device=logits.device)] = True
        return seen

    def _choose(self, logits, generator, decoder, stop_ids):
        """The next token (int and device tensor) and its record; record None at end of text.
        The fast path reads the token and its record's figures in one host copy."""
        import torch

        from desktop_app.core.fast_decode import packed_record, unpack_record

        settings, loaded = self.settings, self.loaded
        table = token_texts(loaded.tokenizer)
        chosen = sample_token(penalise_repeats(logits, self._seen, settings.repetition_penalty), settings, generator)
        if self._seen is not None:
            self._seen[chosen] = True  # on the device: no host sync for the fast path
        if self.fast:
            values = packed_record(logits, chosen, settings.alternatives).tolist()
            token = int(values[0])
            if token in stop_ids:
                return token, chosen, None
            return token, chosen, unpack_record(values, decoder.push(token), table, settings.alternatives,
                                                loaded.precision)
        token = int(chosen)
        if token in stop_ids:
            return token, chosen, None
        record = records_from_logits(logits[None], torch.tensor([token]), [decoder.push(token)], table,
                                     settings.alternatives, loaded.precision)[0]
        return token, torch.tensor([token]), record

    def _release(self, records: list[TokenRecord]) -> Iterator[TokenRecord]:
        for record in records:
            self.records.append(record)
            yield record


class _Holdback:
    """Holds records back while their text is incomplete (a split character) or might be the
    start of a stop sequence, so nothing streamed ever has to be taken back.

    Attributes:
        stops: the stop sequences watched for.
        records: the records held back, not yet released.
        partial: whether the newest token ends inside a split character.
        stopped: a stop sequence was found; nothing more is released."""

    def __init__(self, stop_sequences: tuple[str, ...]):
        self.stops = tuple(s for s in stop_sequences if s)
        self.records: list[TokenRecord] = []
        self.partial = False
        self.stopped = False

    def add(self, record: TokenRecord, partial: bool) -> None:
        self.records.append(record)
        self.partial = partial

    def ready(self) -> list[TokenRecord]:
        if self.partial:
            return []
        text = "".join(r.text for r in self.records)
        cut = len(text)
        for stop in self.stops:
            at = text.find(stop)
            if at >= 0:
                self.stopped = True
                cut = min(cut, at)
        if not self.stopped:
            cut = min([cut] + [len(text) - n for stop in self.stops for n in range(1, len(stop))
                               if text.endswith(stop[:n])])
        released, offset = [], 0
        for record in self.records:
            end = offset + len(record.text)
            if end > cut:  # a token that holds the start of a stop sequence goes with the stop
                break
            released.append(record)
            offset = end
        self.records = [] if self.stopped else self.records[len(released):]
        return released

    def drain(self, tail: str) -> list[TokenRecord]:
        records, self.records = self.records, []
        if tail and records:
            first = records[0]
            records[0] = replace(first, text=first.text + tail)
        return records


def generate(loaded: LoadedModel, prompt_ids: list[int], settings: SamplingSettings, **kwargs) -> Generation:
    """Run a whole generation (no streaming) and return it."""
    generation = Generation(loaded, prompt_ids, settings, **kwargs)
    for _ in generation:
        pass
    return generation
