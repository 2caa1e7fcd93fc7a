"""Which sampler setting moved a token (usertest 13, finding 9): the token's probability after
each setting, in the sampler's own order, on fixed logits over the tiny model's vocabulary."""

from __future__ import annotations

import math

import torch

from desktop_app.core.decoding import token_texts
from desktop_app.core.generation import (SamplingSettings, penalise_repeats, recommended_sampling, sampling_scores,
                                         sampling_stages)
from desktop_app.core.sampler_facts import sampler_facts

# the user's case: " France" (33%) and " capital" (15%) already in the answer, the token at
# rank 6 with 5.4%; logits the size a real model's are, so the penalty's division bites
SHARES = [0.33, 0.15, 0.12, 0.08, 0.07, 0.054]
CHOSEN = 5


def _logits(vocab: int) -> torch.Tensor:
    """SHARES on the tokens 0..5 (PLACES moves them onto words), the rest spread evenly."""
    rest = (1 - sum(SHARES)) / (vocab - len(SHARES))
    return torch.tensor([math.log(p) for p in SHARES] + [math.log(rest)] * (vocab - len(SHARES))) + 20


def placed_logits(loaded) -> tuple[torch.Tensor, list[int]]:
    """``_logits`` with its shares on words of the tiny model (not its special tokens), and those ids."""
    ids = list(dict.fromkeys(loaded.tokenizer.encode(" The capital of France is Paris, also known")))[:len(SHARES)]
    logits = _logits(loaded.model.get_output_embeddings().weight.shape[0])
    order = ids + [i for i in range(logits.numel()) if i not in ids]
    return torch.empty_like(logits).scatter(0, torch.tensor(order), logits), ids


def _product(facts) -> float:
    return math.prod(factor for _, factor in facts.factors())


def test_the_repetition_penalty_is_named_with_the_tokens_it_lowered(tiny_model):
    texts = token_texts(tiny_model.tokenizer).text
    logits, ids = placed_logits(tiny_model)
    facts = sampler_facts(logits, ids[CHOSEN], recommended_sampling(), answer_before=ids[:2] + ids[:1], texts=texts)
    assert [stage for stage, _ in facts.stages] == ["repetition penalty", "temperature", "top-k", "min-p", "top-p"]
    (first, up), (second, down) = facts.movers()
    assert first == "repetition penalty" and up > 1.5  # it took from the two repeated tokens
    assert second == "temperature" and down < 0.9  # a low temperature lowers a rank-6 token
    assert [text for text, _ in facts.lowered] == [texts(ids[0]), texts(ids[1])]
    assert abs(facts.lowered[0][1] - 0.33) < 1e-4 and not facts.repeated
    assert facts.used_prob > facts.raw_prob
    assert math.isclose(_product(facts), facts.used_prob / facts.raw_prob, rel_tol=1e-5)
    assert facts.setting(first) == "the repetition penalty 1.1" and facts.setting(second) == "temperature 0.4"


def test_temperature_is_named_when_it_moved_the_token_most(tiny_model):
    vocab = tiny_model.model.get_output_embeddings().weight.shape[0]
    settings = SamplingSettings(temperature=0.4, top_k=50, top_p=0.95)  # no penalty, no min-p
    facts = sampler_facts(_logits(vocab), 2, settings)
    assert [stage for stage, _ in facts.stages] == ["temperature", "top-k", "top-p"]
    stage, factor = facts.movers()[0]
    assert stage == "temperature" and factor < 0.8 and facts.kept
    assert math.isclose(_product(facts), facts.used_prob / facts.raw_prob, rel_tol=1e-5)
    dropped = sampler_facts(_logits(vocab), CHOSEN, settings)  # rank 6 falls outside top-p 0.95 at 0.4
    assert not dropped.kept and dropped.factors()[-1] == ("top-p", 0.0) and _product(dropped) == 0.0
    assert dropped.movers()[0] == ("top-p", 0.0)


def test_a_repeated_token_is_lowered_by_the_penalty_itself(tiny_model):
    vocab = tiny_model.model.get_output_embeddings().weight.shape[0]
    facts = sampler_facts(_logits(vocab), 0, recommended_sampling(), answer_before=[0])
    assert facts.repeated and facts.factors()[0][0] == "repetition penalty" and facts.factors()[0][1] < 1
    assert facts.lowered == ()  # no table of texts given: nothing named


def test_the_stages_end_where_the_sampler_draws_from():
    torch.manual_seed(3)
    for settings in (recommended_sampling(), SamplingSettings(temperature=1.3, top_k=7, top_p=0.8, min_p=0.05,
                                                              repetition_penalty=1.3), SamplingSettings(top_k=0)):
        logits = torch.randn(300) * 4
        seen = torch.zeros(300, dtype=torch.bool)
        seen[torch.randint(0, 300, (12,))] = True
        last = sampling_stages(logits, seen, settings)[-1][1]
        assert torch.equal(last, sampling_scores(penalise_repeats(logits, seen, settings.repetition_penalty), settings))


def test_greedy_is_one_stage_that_keeps_only_the_likeliest(tiny_model):
    logits, ids = placed_logits(tiny_model)
    top = sampler_facts(logits, ids[0], SamplingSettings(greedy=True))
    other = sampler_facts(logits, ids[1], SamplingSettings(greedy=True))
    assert top.factors() == [("greedy", top.used_prob / top.raw_prob)] and top.setting("greedy") == "greedy decoding"
    assert other.movers() == [("greedy", 0.0)]
