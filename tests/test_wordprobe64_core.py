"""How likely was …? (core/word_probe.py) on the tiny GPT-2, a real store and a generated answer: the written
token's own text gives the figure the inspector shows, a phrase's chance is the product of its tokens', each
read after those before it, and the first token's rank is its place in a brute-force softmax of the vocabulary."""

from __future__ import annotations

import math

import pytest
import torch

from desktop_app.core import session
from desktop_app.core.explain_errors import ExplainError
from desktop_app.core.generation import SamplingSettings, generate
from desktop_app.core.prompts import Turn, build_prompt, encode
from desktop_app.core.word_probe import probe_lines, scored_text_for

QUESTION = "What is the capital of France?"


@pytest.fixture
def answer(store, tiny_model):
    """A sampled answer stored as the window stores one: (message id, prompt ids, its records)."""
    settings = SamplingSettings(max_new_tokens=40, temperature=1.0, top_k=0, top_p=1.0, seed=3)
    prompt = build_prompt(tiny_model.tokenizer, [Turn("user", QUESTION)], context_window=tiny_model.context_window,
                          max_new_tokens=40)
    run = generate(tiny_model, prompt.ids, settings)
    conversation = store.create_conversation("t")
    user = store.add_message(conversation, "user", QUESTION)
    mid = store.add_message(conversation, "assistant", run.text, parent_id=user, model_id=tiny_model.model_id,
                            settings=settings.to_dict(), records=run.records)
    return mid, list(prompt.ids), run.records


def _whole_tokens(tiny_model, records, spaced: bool) -> list[int]:
    """The answer's tokens whose text the tokenizer makes back into that one token (leading space or not)."""
    return [i for i, r in enumerate(records) if r.text.strip() and r.text.startswith(" ") == spaced
            and encode(tiny_model.tokenizer, r.text) == [r.id]]


def _brute_probs(tiny_model, ids: list[int]) -> torch.Tensor:
    """The model's whole-vocabulary distribution after ``ids``, from one plain forward pass."""
    with torch.inference_mode():
        logits = tiny_model.model(input_ids=torch.tensor([ids])).logits[0, -1]
    return torch.softmax(logits.float(), -1)


def test_the_written_tokens_own_text_gives_its_shown_probability(store, tiny_model, answer):
    mid, _prompt, records = answer
    found = _whole_tokens(tiny_model, records, spaced=False) + _whole_tokens(tiny_model, records, spaced=True)
    assert found, "the sampled answer has no token that reads back as itself"
    for index in found:
        probe = session.probe_word(store, tiny_model, mid, index, records[index].text)
        assert probe.is_written and not probe.spaced
        assert abs(probe.prob - records[index].prob) < 1e-4  # the inspector's figure (the stored record's)
        assert probe.first_rank == records[index].rank
        assert "That is the written token." in probe_lines(probe)


def test_a_word_without_the_written_tokens_space_is_scored_with_it(store, tiny_model, answer):
    mid, _prompt, records = answer
    spaced = _whole_tokens(tiny_model, records, spaced=True)
    assert spaced, "the sampled answer has no token that starts with a space"
    index = spaced[0]
    typed = records[index].text.lstrip(" ")
    probe = session.probe_word(store, tiny_model, mid, index, typed)
    assert probe.spaced and probe.scored_text == " " + typed
    assert abs(probe.prob - records[index].prob) < 1e-4
    assert probe_lines(probe)[0].startswith("Scored as \u201c\u2423")
    assert scored_text_for("x", "y") == "x" and scored_text_for(" x", " y") == " x"


def test_a_phrase_is_the_product_of_its_tokens_each_after_those_before(store, tiny_model, answer):
    mid, prompt, records = answer
    index = 5
    probe = session.probe_word(store, tiny_model, mid, index, "the capital is")
    ids = [t.id for t in probe.tokens]
    assert len(ids) > 1 and ids == encode(tiny_model.tokenizer, probe.scored_text)
    assert math.isclose(probe.prob, math.prod(t.prob for t in probe.tokens), rel_tol=1e-9)
    seen = prompt + [r.id for r in records[:index]]
    for k, token in enumerate(ids):
        assert abs(probe.tokens[k].prob - float(_brute_probs(tiny_model, seen + ids[:k])[token])) < 1e-5
    lines = probe_lines(probe)
    assert any(" \u00d7 " in line for line in lines)  # each token's chance, in order


def test_the_first_tokens_rank_is_its_place_in_the_whole_vocabulary(store, tiny_model, answer):
    mid, prompt, records = answer
    for index, word in ((3, "Paris"), (10, " London"), (0, "q")):
        probe = session.probe_word(store, tiny_model, mid, index, word)
        probs = _brute_probs(tiny_model, prompt + [r.id for r in records[:index]])
        first = probe.tokens[0].id
        assert probe.first_rank == int((probs > probs[first]).sum()) + 1
        assert probe.vocabulary == probs.shape[0]
        written = float(probs[records[index].id])
        assert abs(probe.written.prob - written) < 1e-5
        ratio = probe.prob / probe.written.prob
        said = probe_lines(probe)
        assert any(("less likely" in line) == (ratio < 1) and "written token" in line for line in said)


def test_a_phrase_that_is_not_there_is_refused_in_words(store, tiny_model, answer):
    mid, _prompt, _records = answer
    with pytest.raises(ExplainError, match="Type a word"):
        session.probe_word(store, tiny_model, mid, 0, "   ")
    with pytest.raises(ExplainError, match="at most"):
        session.probe_word(store, tiny_model, mid, 0, "word " * 40)
    with pytest.raises(ExplainError, match="no token 999"):
        session.probe_word(store, tiny_model, mid, 999, "Paris")


@pytest.mark.parametrize("repeats", [1, 12])  # a short text, and one past the tiny model's 128-token window
def test_a_text_tokens_own_text_gives_its_analysis_figure(tiny_model, repeats):
    from desktop_app.core.scoring import first_scored, score_text
    from desktop_app.core.token_context import context_for_text

    ids, records = score_text(tiny_model, " ".join(["The capital of France is Paris, a city on the Seine."] * repeats))
    whole = [i for i, r in enumerate(records) if r.text.strip() and encode(tiny_model.tokenizer, r.text) == [r.id]]
    assert len(ids) - first_scored(tiny_model.tokenizer) == len(records) and whole
    for index in (whole[0], whole[len(whole) // 2], whole[-1]):
        context = context_for_text(tiny_model, ids, index, SamplingSettings(), by_model=False,
                                   recorded_prob=records[index].prob, written_precision=records[index].precision)
        probe = session.probe_text_word(tiny_model, context, index, records[index].text)
        assert probe.is_written and probe.in_text and probe.message_id is None and probe.index == index
        assert abs(probe.prob - records[index].prob) < 1e-4
        assert probe.first_rank == records[index].rank
