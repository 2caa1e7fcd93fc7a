"""Re-scoring with the end token, the compare scoring's passes, min-p sampling and Explain's
rounding note: on the tiny random GPT-2 and a real SQLite store."""

from __future__ import annotations

import dataclasses
import warnings

import pytest

from desktop_app.core import session

ANSWER = " The moon is a rock."


@pytest.fixture(scope="module")
def with_lora(tiny_model, tiny_model_dir):
    """The tiny model wearing a random LoRA (it visibly moves every probability)."""
    from tiny_model import random_lora

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # GPT-2's Conv1D: PEFT notes it sets fan_in_fan_out
        return dataclasses.replace(tiny_model, model=random_lora(tiny_model_dir).eval())


def answer(store, model_id, finish_reason="eos", text=ANSWER):
    conv = store.create_conversation("moon")
    user = store.add_message(conv, "user", "Tell me about the moon.")
    return store.add_message(conv, "assistant", text, parent_id=user, model_id=model_id,
                             settings={"finish_reason": finish_reason, "max_new_tokens": 24})


# ---------------------------------------------------------------- 6. compare shows and scores the end token

def test_an_answer_the_model_ended_is_scored_with_its_end_token(store, with_lora):
    from desktop_app.core.train_data import answer_ids

    tokenizer = with_lora.tokenizer
    ended, cut = answer(store, with_lora.model_id), answer(store, with_lora.model_id, "length")
    before, after = session.score_with_and_without_adapter(store, with_lora, ended)
    ids = answer_ids(tokenizer, ANSWER)
    for records in (before, after):
        assert [r.id for r in records] == ids + [tokenizer.eos_token_id], "the end token is scored too"
        assert "".join(r.text for r in records) == ANSWER, "its record adds no text"
        tokens, end = session.split_end(records, tokenizer)
        assert [r.id for r in tokens] == ids and end is records[-1]
    assert abs(after[-1].logprob - before[-1].logprob) > 1e-4, "the adapter moves the end token's probability"
    before_cut, after_cut = session.score_with_and_without_adapter(store, with_lora, cut)
    assert [r.id for r in after_cut] == ids, "an answer cut at its budget has no end to score"
    assert session.split_end(after_cut, tokenizer)[1] is None


def test_rescoring_stores_the_end_token_and_replaces_a_base_scoring_without_it(store, with_lora):
    tokenizer = with_lora.tokenizer
    mid = answer(store, with_lora.model_id)
    adapter = store.add_adapter("/a1", base_model=with_lora.model_id)
    before, _after = session.score_with_and_without_adapter(store, with_lora, mid)
    store.set_token_records(mid, before[:-1], adapter_id=None, kind="rescored")  # as stored before this fix
    assert session.rescore_and_store(store, with_lora, mid, adapter)
    for adapter_id in (None, adapter):
        records = store.token_records(mid, adapter_id=adapter_id, kind="rescored")
        assert session.split_end(records, tokenizer)[1] is not None, adapter_id
    assert [r.logprob for r in store.token_records(mid, adapter_id=None, kind="rescored")] == pytest.approx(
        [r.logprob for r in before], abs=1e-4)


# ---------------------------------------------------------------- 7. compare: what the run learned from; progress, cancel

def test_rated_after_run_names_what_the_run_did_not_learn_from(store):
    from desktop_app.core import text_branches as tb
    from desktop_app.core.documents import create_document
    from desktop_app.core.train_counts import rated_after_run

    early, late, corrected = (answer(store, "m") for _ in range(3))
    store.rate_message(early, 1)
    document = create_document(store, "The lighthouse keeper")
    early_branch = tb.add_branch(store, document, None, 21, " climbed.", model_id="m")
    tb.rate_branch(store, early_branch, 1)
    run = store.create_run({}, "m")
    store.rate_message(late, -1)
    store.set_correction(corrected, "A better answer.")
    late_branch = tb.add_branch(store, document, None, 21, " slept.", model_id="m")
    tb.rate_branch(store, late_branch, -1)
    assert rated_after_run(store, run) == ({late, corrected}, {late_branch})


def test_compare_scoring_reports_each_pass_and_stops_between_them(store, with_lora):
    import threading

    mid = answer(store, with_lora.model_id)
    seen = []
    session.score_with_and_without_adapter(store, with_lora, mid, progress=seen.append)
    assert [(p.done, p.total) for p in seen] == [(0, 2), (1, 2), (2, 2)]
    assert [p.under for p in seen[:2]] == ["the adapter", "the base model"]
    cancel = threading.Event()

    def stop_after_first(p):
        if p.done == 1:
            cancel.set()

    with pytest.raises(session.CompareCancelled):
        session.score_with_and_without_adapter(store, with_lora, mid, cancel=cancel, progress=stop_after_first)


# ---------------------------------------------------------------- 8. a new user's first answer: min-p cuts the tail

def first_token_logits():
    """The first user test's first-token distribution for "What is the capital of France?":
    "The" 17.1%, "L" 13.3%, "La" 10.4%, ..., "Est" 3.82% (rank 7), a long flat tail after."""
    import torch

    head = [0.171, 0.133, 0.104, 0.07, 0.05, 0.045, 0.0382]
    tail = (1 - sum(head)) / 400
    return torch.tensor(head + [tail] * 400).log()


def test_the_recommended_settings_never_draw_a_3_8_percent_first_token():
    from desktop_app.core.generation import SamplingSettings, recommended_sampling, sampling_probs

    est = 6
    old = SamplingSettings(temperature=0.6, repetition_penalty=1.1)  # the defaults the user test had
    assert sampling_probs(first_token_logits(), old)[est] > 0.01, "the old defaults could draw it"
    probs = sampling_probs(first_token_logits(), recommended_sampling())
    assert probs[est] == 0 and probs[6:].sum() == 0, "min-p drops the 3.8% token and the tail"
    assert (probs[:3] > 0.1).all(), "the three likely starts stay open: answers still vary"


def test_min_p_keeps_tokens_at_least_that_share_of_the_most_likely():
    import torch

    from desktop_app.core.generation import SamplingSettings, sampling_scores

    logits = torch.tensor([0.5, 0.2, 0.1, 0.09, 0.11]).log()
    kept = torch.isfinite(sampling_scores(logits, SamplingSettings(temperature=1.0, top_k=0, top_p=1.0, min_p=0.2)))
    assert kept.tolist() == [True, True, True, False, True]  # 0.09 < 0.2 x 0.5 <= 0.1


def test_explain_names_min_p_and_uses_it():
    from desktop_app.core.generation import recommended_sampling
    from desktop_app.core.sampler_facts import sampler_facts

    facts = sampler_facts(first_token_logits(), 6, recommended_sampling())
    assert not facts.kept and facts.used_prob == 0.0 and abs(facts.raw_prob - 0.0382) < 1e-4
    assert "min-p 0.1" in facts.how


def test_cli_takes_min_p_and_refuses_a_bad_one():
    import argparse

    from desktop_app.cli.common import CliError
    from desktop_app.cli.model_cmds import add_sampling_options, sampling_from_args
    from desktop_app.core.generation import RECOMMENDED_SAMPLING

    parser = argparse.ArgumentParser()
    add_sampling_options(parser)
    assert sampling_from_args(parser.parse_args([])).min_p == RECOMMENDED_SAMPLING["min_p"]
    assert sampling_from_args(parser.parse_args(["--min-p", "0"])).min_p == 0
    with pytest.raises(CliError, match="--min-p"):
        sampling_from_args(parser.parse_args(["--min-p", "1.5"]))


# ---------------------------------------------------------------- LOW 11: Explain's figure vs the inspector's

def explanation(recorded, now, precision="bfloat16", written_with=None, explained_with=None):
    from desktop_app.core.explain import Explanation
    from desktop_app.core.generation import recommended_sampling
    from desktop_app.core.sampler_facts import SamplerFacts
    from desktop_app.core.token_context import TokenContext

    context = TokenContext(ids=[1, 2, 3], prompt_len=2, settings=recommended_sampling(), recorded_prob=recorded,
                           written_with_adapter=written_with, written_precision=precision)
    facts = SamplerFacts(token_id=3, raw_prob=now, used_prob=now, kept=True, kept_size=5, mass95_size=9,
                         temperature=0.6, top_k=50, top_p=0.95, greedy=False)
    return Explanation(context, " celestial", None, None, None, facts, explained_with, precision)


def test_explain_says_why_its_probability_differs_from_the_inspectors():
    rounding = explanation(0.3048, 0.288).recorded_note
    assert "30.48%" in rounding and "inspector" in rounding and "round differently" in rounding
    assert "Exact" in rounding, "it names the way to one figure"
    assert explanation(0.3048, 0.3046).recorded_note is None, "agreeing figures need no words"
    assert "changed since" in explanation(0.3048, 0.288, precision="float32").recorded_note
    assert "adapter has changed" in explanation(0.3048, 0.288, written_with=1).recorded_note


def test_the_cli_no_longer_blames_a_changed_model_for_rounding():
    from desktop_app.cli.explain_cmds import sampler_lines

    result = explanation(0.3048, 0.288)
    text = "\n".join(sampler_lines(result))
    assert "round differently" in text and "has changed since" not in text


# ---------------------------------------------------------------- LOW 11: "what led here" hears Cancel at every layer

@pytest.mark.parametrize("kind", ["gpt2", "llama", "gpt2+lora"])
def test_attribution_logits_through_the_body_and_a_2d_head_equal_the_models(kind, tiny_model_dir, tmp_path):
    """The attribution reads the output layer on [B, d] (its [B, 1, d] backward copied the
    weight per path point for seconds, unhearing Cancel): the same logits and gradients."""
    import torch
    from transformers import AutoModelForCausalLM

    from desktop_app.core.attribution import _Path
    from tiny_model import build_tiny_llama, random_lora

    if kind == "llama":
        model = AutoModelForCausalLM.from_pretrained(build_tiny_llama(tmp_path / "llama", tiny_model_dir))
    elif kind == "gpt2+lora":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = random_lora(tiny_model_dir)
    else:
        model = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    model.eval()
    ids = torch.tensor([5, 9, 17, 30, 2, 44, 8])
    embed = model.get_input_embeddings()
    path = _Path(model, embed(ids).detach(), embed(torch.zeros_like(ids)).detach(), 5, 8, 3, None, None)
    mask = torch.tensor([[0, 1, 1, 1, 1, 1, 1]]).expand(3, -1)
    results = []
    for whole in (True, False):
        points = (path.baseline + torch.tensor([0.2, 0.5, 1.0])[:, None, None] * (path.inputs - path.baseline))
        points.requires_grad_(True)
        logits = path._logits(points, mask, whole=whole)
        (grad,) = torch.autograd.grad(logits[:, 8].sum(), points)
        results.append((logits.detach(), grad))
    (whole_logits, whole_grad), (flat_logits, flat_grad) = results
    assert flat_logits.shape == (3, model.config.vocab_size)
    assert torch.allclose(flat_logits, whole_logits, atol=1e-5) and torch.allclose(flat_grad, whole_grad, atol=1e-5)


def test_a_text_tokens_explanation_speaks_of_its_analysis_not_of_writing_it():
    from dataclasses import replace

    pytest.importorskip("PySide6")
    from desktop_app.gui.explain_words import precision_line

    typed = explanation(0.0172, 0.021)
    typed = replace(typed, context=replace(typed.context, in_text=True, forced=True))
    note = typed.recorded_note
    assert note.startswith("When the text was analysed: 1.72%") and "heatmap" in note and "write it" not in note
    # the explanation reads a text's token in its analysis's pass (scoring.TokenPass): the same weights give
    # the same figure, so a difference is not their rounding (test_passes52_same_shapes)
    assert "round" not in note and "changed since" in note
    assert precision_line(typed) == "Explained with the weights that analysed the text: Fast (bfloat16)."
    other = replace(typed, precision="float32")
    assert other.precision_note.startswith("Analysed with Fast (bfloat16) weights") and "heatmap's" in other.precision_note
