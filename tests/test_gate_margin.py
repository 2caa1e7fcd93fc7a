"""gate.margin: a pair counts by its summed difference over the two answers' mean length, and
a thumbed answer that is half of a pair counts once, through the pair (not again on its own)."""

from __future__ import annotations

import pytest
import torch

from desktop_app.core import gate
from desktop_app.core.train_data import Pair, TokenRated, TrainingData, Unpaired
from desktop_app.core.train_logps import sequence_logps


def _ids(tok, text: str) -> list[int]:
    return tok(text, add_special_tokens=False)["input_ids"]


def _data(tok) -> TrainingData:
    prompt = _ids(tok, "User: How many legs does a cat have?\nAssistant:")
    liked = _ids(tok, " The answer is four. A cat has four legs.")
    disliked = _ids(tok, " The answer is four, and cats are lovely animals that sleep all day long.")
    other_prompt = _ids(tok, "User: Hello\nAssistant:")
    lone = _ids(tok, " Hello, how can I help?")
    return TrainingData(
        unpaired=[Unpaired(prompt, liked, True, message_id=1, group=1),
                  Unpaired(prompt, disliked, False, message_id=2, group=1),
                  Unpaired(other_prompt, lone, False, message_id=3, group=2)],
        pairs=[Pair(prompt, liked, disliked, "siblings", rejected_message_id=2, chosen_message_id=1, group=1)],
        tokens=[TokenRated(other_prompt, lone, {1: -1.0}, message_id=3, group=2)])


def test_a_pair_counts_once_by_its_summed_difference(tiny_model):
    model, tok = tiny_model.model, tiny_model.tokenizer
    data = _data(tok)
    pad = tok.eos_token_id
    pair = data.pairs[0]
    with torch.no_grad():
        sums = sequence_logps(model, [(pair.prompt_ids, pair.chosen_ids), (pair.prompt_ids, pair.rejected_ids)],
                              pad, "cpu", reduce="sum").tolist()
        lone_mean = sequence_logps(model, [(data.unpaired[2].prompt_ids, data.unpaired[2].completion_ids)],
                                   pad, "cpu", reduce="mean").item()
        token = data.tokens[0]
        logps = torch.log_softmax(model(torch.tensor([token.prompt_ids + token.completion_ids])).logits.float(), -1)[0]
        token_logp = float(logps[len(token.prompt_ids), token.completion_ids[1]])
    mean_len = (len(pair.chosen_ids) + len(pair.rejected_ids)) / 2
    expected = [-lone_mean, (sums[0] - sums[1]) / mean_len, -token_logp]  # the siblings' thumbs: not again
    assert gate.margin(model, data, pad, "cpu") == pytest.approx(sum(expected) / 3, rel=1e-3, abs=1e-3)


def test_the_shared_opening_cancels_in_a_pair(tiny_model):
    """Two siblings with the same first words: the pair's figure is the difference of the rest,
    however likely the opening is, where the per-token means would weigh it by length."""
    model, tok = tiny_model.model, tiny_model.tokenizer
    data = _data(tok)
    only_pair = TrainingData(unpaired=[], pairs=data.pairs, tokens=[])
    pad = tok.eos_token_id
    pair = data.pairs[0]
    with torch.no_grad():
        sums = sequence_logps(model, [(pair.prompt_ids, pair.chosen_ids), (pair.prompt_ids, pair.rejected_ids)],
                              pad, "cpu", reduce="sum").tolist()
        means = sequence_logps(model, [(pair.prompt_ids, pair.chosen_ids), (pair.prompt_ids, pair.rejected_ids)],
                               pad, "cpu", reduce="mean").tolist()
    measured = gate.margin(model, only_pair, pad, "cpu")
    mean_len = (len(pair.chosen_ids) + len(pair.rejected_ids)) / 2
    assert measured == pytest.approx((sums[0] - sums[1]) / mean_len, rel=1e-3, abs=1e-3)
    assert measured != pytest.approx(means[0] - means[1], rel=1e-3, abs=1e-3)
