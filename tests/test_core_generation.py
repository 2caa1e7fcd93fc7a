"""Generation, scoring and the token-record invariants, on the tiny GPT-2 and the real offline model."""

from __future__ import annotations

import threading

import pytest

from desktop_app.core.generation import Generation, SamplingSettings, generate
from desktop_app.core.prompts import Turn, answer_ids, build_prompt, plain_text_start
from desktop_app.core.records import TokenRecord, joined_text
from desktop_app.core.scoring import score_ids, score_text


def prompt_for(loaded, text="Hello 😀, what is 日本語?", max_new_tokens=40):
    return build_prompt(loaded.tokenizer, [Turn("user", text)], context_window=loaded.context_window,
                        max_new_tokens=max_new_tokens)


def check_invariants(records: list[TokenRecord], k: int):
    assert records
    for r in records:
        assert 0 < r.prob <= 1
        assert r.rank >= 1 and r.entropy >= 0
        assert len(r.top) == k
        probs = [a.prob for a in r.top]
        assert probs == sorted(probs, reverse=True)
        ids = [a.id for a in r.top]
        if r.id in ids:  # rank agrees with the position among the alternatives
            assert r.rank == ids.index(r.id) + 1 or abs(r.top[r.rank - 1].prob - r.prob) < 1e-6
        else:
            assert r.rank > k and r.prob <= r.top[-1].prob + 1e-7


def test_records_are_consistent_and_join_to_the_decoded_answer(tiny_model):
    prompt = prompt_for(tiny_model)
    gen = generate(tiny_model, prompt.ids, SamplingSettings(max_new_tokens=60, seed=7, alternatives=5))
    check_invariants(gen.records, 5)
    ids = [r.id for r in gen.records]
    assert gen.text == tiny_model.tokenizer.decode(ids, clean_up_tokenization_spaces=False)


def test_same_seed_same_answer_and_different_seed_differs(tiny_model):
    prompt = prompt_for(tiny_model)
    settings = SamplingSettings(max_new_tokens=30, seed=11)
    first = [r.id for r in generate(tiny_model, prompt.ids, settings).records]
    again = [r.id for r in generate(tiny_model, prompt.ids, settings).records]
    other = [r.id for r in generate(tiny_model, prompt.ids, SamplingSettings(max_new_tokens=30, seed=12)).records]
    assert first == again
    assert first != other


def test_probabilities_are_the_models_own_not_the_sampling_ones(tiny_model):
    """Temperature changes which token is drawn, never the recorded distribution."""
    prompt = prompt_for(tiny_model)
    hot = generate(tiny_model, prompt.ids, SamplingSettings(max_new_tokens=1, seed=3, temperature=5.0))
    greedy = generate(tiny_model, prompt.ids, SamplingSettings(max_new_tokens=1, greedy=True))
    assert [a.prob for a in hot.records[0].top] == pytest.approx([a.prob for a in greedy.records[0].top])
    assert greedy.records[0].rank == 1


def test_scoring_reproduces_generation(tiny_model):
    prompt = prompt_for(tiny_model)
    gen = generate(tiny_model, prompt.ids, SamplingSettings(max_new_tokens=50, seed=5))
    scored = score_ids(tiny_model, prompt.ids, [r.id for r in gen.records])
    assert [r.id for r in scored] == [r.id for r in gen.records]
    assert [r.text for r in scored] == [r.text for r in gen.records]
    for g, s in zip(gen.records, scored):
        assert s.logprob == pytest.approx(g.logprob, abs=1e-4)
        assert s.rank == g.rank
        assert s.entropy == pytest.approx(g.entropy, abs=1e-4)
        assert [a.id for a in s.top[:3]] == [a.id for a in g.top[:3]]


def test_text_longer_than_the_window_is_scored_with_a_sliding_window(tiny_model):
    window = tiny_model.context_window  # 128
    text = " ".join(f"line {i}: the quick brown fox jumps over the lazy dog." for i in range(40))
    ids, records = score_text(tiny_model, text)
    assert len(ids) > 3 * window and len(records) == len(ids)  # the first token too, after the start token
    assert [r.id for r in records] == ids
    assert joined_text(records) == text
    # the text is read after the start token (prompts.plain_text_start): the windows plan over both
    full = plain_text_start(tiny_model.tokenizer) + ids
    s = len(full) - len(ids)
    # the first window: one pass, as for a short text
    head = score_ids(tiny_model, full[:s], ids[:window - s])
    assert [r.logprob for r in records[:window - s]] == pytest.approx([r.logprob for r in head], abs=1e-4)
    # later tokens: each from the half window (at least) of text before it
    stride = window // 2
    start = window + stride  # the third pass predicts positions [start, start + stride) of ``full``
    later = score_ids(tiny_model, full[start + stride - window:start], full[start:start + stride])
    got = records[start - s:start - s + stride]
    assert [r.logprob for r in got] == pytest.approx([r.logprob for r in later], abs=1e-4)
    assert [r.rank for r in got] == [r.rank for r in later]


def test_split_characters_show_once_on_the_completing_token(tiny_model):
    text = "Emoji 😀🎉 and 日本語"
    ids, records = score_text(tiny_model, text)
    assert joined_text(records) == text  # every token scored, after the start token
    # at least one character is split over several byte tokens; its pieces carry ""
    assert any(r.text == "" for r in records)
    assert "😀" in [r.text.strip() for r in records] or any("😀" in r.text for r in records)
    assert not any("\ufffd" in r.text for r in records)


def test_cancel_stops_within_one_token(tiny_model):
    prompt = prompt_for(tiny_model)
    cancel = threading.Event()
    gen = Generation(tiny_model, prompt.ids, SamplingSettings(max_new_tokens=80, seed=1), cancel=cancel)
    seen = 0
    for _ in gen:
        seen += 1
        if seen == 3:
            cancel.set()
    assert gen.finish_reason == "cancelled"
    assert len(gen.records) == 3


def test_stop_sequence_ends_the_answer_without_streaming_it(tiny_model):
    prompt = prompt_for(tiny_model)
    free = generate(tiny_model, prompt.ids, SamplingSettings(max_new_tokens=60, seed=5))
    # pick a piece of the free-running answer as the stop sequence: the same seed must stop there
    assert len(free.text) > 12
    stop = free.text[8:11]
    stopped = generate(tiny_model, prompt.ids, SamplingSettings(max_new_tokens=60, seed=5, stop_sequences=(stop,)))
    assert stopped.finish_reason == "stop"
    assert stop not in stopped.text
    assert free.text.startswith(stopped.text)
    assert len(stopped.text) <= 8


def test_branching_forces_a_prefix_and_continues(tiny_model):
    prompt = prompt_for(tiny_model)
    base = generate(tiny_model, prompt.ids, SamplingSettings(max_new_tokens=20, seed=2))
    alternative = next(a.id for a in base.records[3].top if a.id != base.records[3].id)
    prefix = [r.id for r in base.records[:3]] + [alternative]
    branch = generate(tiny_model, prompt.ids, SamplingSettings(max_new_tokens=10, seed=2), prefix_ids=prefix)
    assert [r.id for r in branch.records[:4]] == prefix
    assert len(branch.records) > 4
    for a, b in zip(base.records[:3], branch.records[:3]):
        assert a.logprob == pytest.approx(b.logprob, abs=1e-4)


def test_answer_budget_is_bounded_by_the_context_window(tiny_model):
    prompt = build_prompt(tiny_model.tokenizer, [Turn("user", "word " * 20)], context_window=128,
                          max_new_tokens=500)
    gen = generate(tiny_model, prompt.ids, SamplingSettings(max_new_tokens=prompt.max_new_tokens, seed=1))
    assert len(prompt.ids) + len(gen.records) <= 128


@pytest.mark.slow
def test_real_offline_model_answers_sensibly(bundled_model):
    prompt = build_prompt(bundled_model.tokenizer, [Turn("user", "What is the capital of France?")],
                          context_window=bundled_model.context_window, max_new_tokens=24)
    gen = generate(bundled_model, prompt.ids, SamplingSettings(max_new_tokens=24, greedy=True))
    assert "Paris" in gen.text
    assert gen.finish_reason == "eos"
    check_invariants(gen.records, 10)
    paris = next(r for r in gen.records if "Paris" in r.text)
    assert paris.prob > 0.5  # the model is sure of the fact
    scored = score_ids(bundled_model, prompt.ids, answer_ids(bundled_model.tokenizer, gen.text))
    assert [r.id for r in scored] == [r.id for r in gen.records]
    for g, s in zip(gen.records, scored):
        assert s.logprob == pytest.approx(g.logprob, abs=1e-3)


@pytest.mark.parametrize("vocab", [7, 49152, 50257])
def test_the_one_token_draw_is_torch_multinomials_draw(vocab):
    """draw_one replaces torch.multinomial(p, 1) on a CPU: the same token from the same
    generator state, and the generator left where multinomial leaves it (seeded answers stay
    the same), for peaked, flat and partly-zero distributions."""
    import torch

    from desktop_app.core.generation import draw_one

    for seed in range(40):
        probs = torch.softmax(torch.randn(vocab, generator=torch.Generator().manual_seed(seed)) * (1 + seed % 6), -1)
        if seed % 4 == 0:
            probs[torch.randperm(vocab, generator=torch.Generator().manual_seed(seed))[: vocab // 2]] = 0
        ours, theirs = torch.Generator().manual_seed(seed), torch.Generator().manual_seed(seed)
        for _ in range(3):
            assert int(draw_one(probs, ours)) == int(torch.multinomial(probs, 1, generator=theirs)[0])
        assert torch.equal(torch.rand(4, generator=ours), torch.rand(4, generator=theirs))


def test_the_one_token_draw_raises_multinomials_error_on_bad_probabilities():
    import torch

    from desktop_app.core.generation import draw_one

    with pytest.raises(RuntimeError):
        draw_one(torch.tensor([0.5, float("nan"), 0.5]), torch.Generator().manual_seed(0))
    with pytest.raises(RuntimeError):
        draw_one(torch.zeros(5), torch.Generator().manual_seed(0))
