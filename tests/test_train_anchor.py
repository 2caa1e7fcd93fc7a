"""The anchor on open requests (core.train_anchor): zero while the model is the reference,
positive once the adapter moves the first answer tokens of an open request, with a gradient
that pulls them back; trained only in runs with corrections (tiny model)."""

from __future__ import annotations

import sys
import warnings

import pytest
import torch

from desktop_app.core import reasking
from desktop_app.core import train_anchor as A
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from desktop_app.core.train_settings import FineTuneSettings
from desktop_app.core.training import run_finetune
from test_training_data import add_answer

LORA = dict(r=4, lora_alpha=8, target_modules="all-linear", lora_dropout=0.0, task_type="CAUSAL_LM")


@pytest.fixture
def peft_tiny(tiny_model):
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(tiny_model.folder, dtype=torch.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # GPT-2's Conv1D: PEFT notes it sets fan_in_fan_out
        return get_peft_model(base, LoraConfig(**LORA)).eval()


def test_the_anchor_is_zero_at_the_reference_and_pulls_moved_answers_back(peft_tiny, tiny_model):
    pad = tiny_model.tokenizer.eos_token_id
    with peft_tiny.disable_adapter():
        anchor = A.build_anchor(peft_tiny, tiny_model.tokenizer, tiny_model.context_window, "cpu", pad,
                                tokens=3, per_update=2)
    assert anchor is not None and len(anchor.seqs) == len(A.ANCHOR_REQUESTS)
    assert all(0 < len(answer) <= 3 for _p, answer in anchor.seqs)
    assert all(ref.shape == (len(a), peft_tiny.config.vocab_size) for ref, (_p, a) in zip(anchor.ref, anchor.seqs))
    # a fresh LoRA is the reference: no divergence, whichever requests the update takes
    for step in range(3):
        assert abs(float(anchor.loss(peft_tiny, step, pad, "cpu").detach())) < 1e-5
    torch.manual_seed(1)
    with torch.no_grad():
        for name, p in peft_tiny.named_parameters():
            if "lora_B" in name:
                p.normal_(0, 0.2)
    moved = anchor.loss(peft_tiny, 0, pad, "cpu")
    assert float(moved.detach()) > 1e-3
    moved.backward()
    lora = [p for n, p in peft_tiny.named_parameters() if "lora_" in n and p.requires_grad]
    assert any(p.grad is not None and float(p.grad.abs().sum()) > 0 for p in lora)
    with torch.no_grad():  # a small step along the gradient lowers it: it pulls back toward the reference
        for p in lora:
            if p.grad is not None:
                p -= 0.05 * p.grad
    assert float(anchor.loss(peft_tiny, 0, pad, "cpu").detach()) < float(moved.detach())


def test_the_anchor_requests_are_neither_re_asked_nor_benchmarked():
    """Training on the requests the panel shows would hide the spill it is there to show."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "bench" / "learning_scenarios.py"  # the bench's questions
    spec = importlib.util.spec_from_file_location("learning_scenarios_bench", path)
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench  # its dataclasses look their module up
    try:
        spec.loader.exec_module(bench)
    finally:
        del sys.modules[spec.name]
    benchmarked = set(bench.open_questions()) | set(bench.OPEN_REQUESTS) | set(bench.MORE_UNSEEN_OPEN)
    anchors = set(A.ANCHOR_REQUESTS)
    assert not anchors & (set(reasking.OPEN_REQUESTS) | set(reasking.FRESH_QUESTIONS) | benchmarked)
    assert not set(reasking.OPEN_REQUESTS) & benchmarked


@pytest.mark.parametrize("correct", [True, False])
def test_runs_with_corrections_train_the_anchor_and_others_do_not(tmp_path, tiny_model, correct):
    paths = AppPaths.resolve(tmp_path / "data").ensure()
    store = Store.open(paths.db_path)
    for i, q in enumerate(["Name a colour", "What is two and two?", "Say hello"]):
        _c, _u, mid, _p = add_answer(store, tiny_model, q, seed=i, max_new_tokens=6)
        if correct:
            store.set_correction(mid, "Answer: blue.")
        else:
            store.rate_message(mid, 1 if i % 2 else -1)
    settings = FineTuneSettings(max_steps=3, min_steps=3, epochs=1, lr=3e-3, reask_count=1, reask_unseen=1, anchor_weight=1.0,
                                reask_open=0, reask_tokens=4, heldout_fraction=0.0, rescore=False, guard_ppl_rise=0)
    result = run_finetune(store, tiny_model, paths, settings)
    assert result.status in ("kept", "discarded"), result.reason
    assert result.metrics["anchor_requests"] == (len(A.ANCHOR_REQUESTS) if correct else 0)
    store.close()


def test_the_format_anchor_holds_only_the_corrections_opening_and_only_above_its_floor(peft_tiny, tiny_model):
    """anchor_format: the corrections' first token may not rise on an open request (beyond
    FORMAT_FLOOR); the rest of the first position's distribution is free."""
    from desktop_app.core.train_data import Pair

    pad = tiny_model.tokenizer.eos_token_id
    opened = Pair([1, 2], [7, 8, 9], [5, 8], "correction", 1, None, 1)
    same_start = Pair([1, 2], [5, 3], [5, 4], "correction", 2, None, 2)
    siblings = Pair([1, 2], [6, 3], [5, 4], "siblings", 3, 4, 3)
    assert A.format_tokens([opened, same_start, siblings]) == [7]
    with peft_tiny.disable_adapter():
        assert A.build_anchor(peft_tiny, tiny_model.tokenizer, tiny_model.context_window, "cpu", pad,
                              format_ids=[]) is None
        anchor = A.build_anchor(peft_tiny, tiny_model.tokenizer, tiny_model.context_window, "cpu", pad,
                                tokens=3, per_update=6, format_ids=[7])
    assert all(len(answer) == 1 for _p, answer in anchor.seqs)  # only the first answer position
    assert float(anchor.loss(peft_tiny, 0, pad, "cpu").detach()) == 0.0
    rose = _raise_token_logit(peft_tiny, 7)  # the opening made the likeliest first token everywhere: held
    try:
        assert float(anchor.loss(peft_tiny, 0, pad, "cpu").detach()) > 0.5
    finally:
        rose.remove()
    another = _raise_token_logit(peft_tiny, 9)  # another token rising is not the format's business
    try:
        assert float(anchor.loss(peft_tiny, 0, pad, "cpu").detach()) == 0.0
    finally:
        another.remove()


def _raise_token_logit(model, token: int, by: float = 30.0):
    """A forward hook on the LM head adding ``by`` to one token's logit everywhere."""
    def hook(_module, _inputs, output):
        output = output.clone()
        output[..., token] += by
        return output

    return model.get_output_embeddings().register_forward_hook(hook)
