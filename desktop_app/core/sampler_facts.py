"""What the sampler did with a token: its probability before and after temperature, top-k,
top-p, min-p and the repetition penalty (after each of them, to say which one moved it), and
whether it was in the set drawn from."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import torch

from desktop_app.core.generation import SamplingSettings, penalise_repeats, sampling_scores, sampling_stages
from desktop_app.core.sampler_words import settings_words

MASS = 0.95
LOWERED_NAMED = 2  # the tokens a repetition penalty took most from, named to say why a token rose
LOWERED_AT_LEAST = 0.005  # of probability: less is no reason worth naming


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
    # the token's probability after each setting that was on, in the sampler's order
    # (core.generation.sampling_stages): ("repetition penalty", p), ("temperature", p), ...
    stages: tuple[tuple[str, float], ...] = ()
    lowered: tuple[tuple[str, float], ...] = ()  # (text, model's probability) of tokens the penalty took most from
    repeated: bool = False  # the token itself was in the answer before it: the penalty lowered it

    def factors(self) -> list[tuple[str, float]]:
        """How many times likelier each setting made the token, in the sampler's order; they
        multiply to used_prob / raw_prob. A setting that dropped it has 0, and ends the list."""
        out, before = [], self.raw_prob
        for stage, after in self.stages:
            if before <= 0:
                break
            out.append((stage, after / before))
            before = after
        return out

    def movers(self, least: float = 1.25, most: int = 2) -> list[tuple[str, float]]:
        """The settings that moved the token most (at least ``least`` times either way), up to
        ``most`` of them, the biggest first."""
        def size(factor: float) -> float:
            return math.inf if factor <= 0 else abs(math.log(factor))
        moved = [f for f in self.factors() if size(f[1]) >= math.log(least)]
        return sorted(moved, key=lambda f: -size(f[1]))[:most]

    def setting(self, stage: str) -> str:
        """A stage with its value: "temperature 0.4", "the repetition penalty 1.1"."""
        value = {"repetition penalty": self.repetition_penalty, "temperature": self.temperature,
                 "top-k": self.top_k, "min-p": self.min_p, "top-p": self.top_p}.get(stage)
        said = "greedy decoding" if stage == "greedy" else stage if value is None else f"{stage} {value:g}"
        return f"the {said}" if stage == "repetition penalty" else said

    @property
    def how(self) -> str:
        """The settings in words: "temperature 0.6, top-k 50, top-p 0.95, repetition penalty 1.1"."""
        return settings_words(self.temperature, self.top_k, self.top_p, greedy=self.greedy, min_p=self.min_p,
                              repetition_penalty=self.repetition_penalty)

    def to_json(self) -> dict:
        return dict(self.__dict__)


def sampler_facts(logits: torch.Tensor, token_id: int, settings: SamplingSettings, *,
                  settings_known: bool = True, forced: bool = False, answer_before=(),
                  texts: Callable[[int], str] | None = None) -> SamplerFacts:
    """``answer_before``: the answer's tokens before this one (what a repetition penalty saw);
    ``texts``: a token's text, to name the tokens a penalty lowered."""
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
        stages = (("greedy", float(used[token_id])),)
    else:
        scores = sampling_scores(drawn, settings)
        kept = torch.isfinite(scores)
        used = torch.softmax(scores, dim=-1)
        stages = tuple((name, float(torch.softmax(s, dim=-1)[token_id]))
                       for name, s in sampling_stages(logits, seen, settings))
    cumulative = torch.sort(raw, descending=True).values.cumsum(0)
    mass = min(int(torch.searchsorted(cumulative, torch.tensor(MASS, device=cumulative.device))) + 1, raw.numel())
    return SamplerFacts(token_id=token_id, raw_prob=float(raw[token_id]), used_prob=float(used[token_id]),
                        kept=bool(kept[token_id]), kept_size=int(kept.sum()), mass95_size=mass,
                        temperature=settings.temperature, top_k=settings.top_k, top_p=settings.top_p,
                        greedy=settings.is_greedy, settings_known=settings_known, forced=forced,
                        repetition_penalty=settings.repetition_penalty, min_p=settings.min_p, stages=stages,
                        lowered=_lowered(raw, drawn, seen, token_id, texts),
                        repeated=seen is not None and bool(seen[token_id]))


def shifted_to(logits: torch.Tensor, token_id: int, prob: float) -> torch.Tensor:
    """``logits`` with the token's own logit moved so that the model's softmax gives it ``prob``, every
    other token keeping its share of the rest: the distribution an answer's record stands for, where
    the record keeps the token's own figure alone (written token by token, which 16-bit weights round
    apart from a re-read of the whole text). Unchanged where either figure is 0 or 1 (no odds to move)."""
    logits = logits.float()
    now = float(torch.softmax(logits, dim=-1)[token_id])
    if not (0 < prob < 1 and 0 < now < 1):
        return logits
    moved = logits.clone()
    moved[token_id] += math.log(prob / (1 - prob)) - math.log(now / (1 - now))  # the odds, as recorded
    return moved


def _lowered(raw, drawn, seen, token_id: int, texts) -> tuple[tuple[str, float], ...]:
    """The tokens already in the answer that the repetition penalty took most probability
    from (other than the token itself), with the model's probability of each."""
    if seen is None or texts is None:
        return ()
    lost = (raw - torch.softmax(drawn, dim=-1)).masked_fill(~seen, 0.0)
    lost[token_id] = 0.0
    top = torch.topk(lost, min(LOWERED_NAMED, lost.numel()))
    return tuple((texts(int(i)), float(raw[i])) for v, i in zip(top.values, top.indices) if v >= LOWERED_AT_LEAST)
