"""What the sampler did with a token: its probability before and after temperature, top-k,
top-p, min-p and the repetition penalty, and whether it was in the set drawn from."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from desktop_app.core.generation import SamplingSettings, penalise_repeats, sampling_scores

MASS = 0.95


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
