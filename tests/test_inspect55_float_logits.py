"""Fast's logits in float32: bfloat16 output logits tied alternatives' chances ("Le" and "Al"
both 5.6%) where float32 tells them apart (core.float_logits)."""

from __future__ import annotations

import pytest
import torch

from desktop_app.core import bf16_gemv, float_logits
from desktop_app.core.generation import SamplingSettings, generate
from desktop_app.core.models import open_model
from desktop_app.core.scoring import score_text

TEXT = ("The lighthouse keeper counted the ships every evening. He wrote their names in a small book, with "
        "the hour each one passed and the colour of its flag. In winter there were few, and some weeks none.")


@pytest.fixture(scope="module")
def fast_bundled(bundled_model_dir, session_paths):
    loaded = open_model(str(bundled_model_dir), session_paths, device="cpu", precision="fast")
    if loaded.dtype != torch.bfloat16:
        pytest.skip("this CPU has no bfloat16 Fast")
    return loaded


def tied_pairs(records) -> int:
    """Next-to-each-other alternatives of a token with the same probability, bit for bit: the mark
    of logits rounded to bfloat16 (two float32 logits are equal by chance almost never)."""
    return sum(a.prob == b.prob for r in records for a, b in zip(r.top, r.top[1:]))


def test_an_analysis_at_fast_shows_no_tied_alternatives(fast_bundled, monkeypatch):
    _ids, records = score_text(fast_bundled, TEXT)
    monkeypatch.setattr(float_logits, "enabled", False)
    _ids, rounded = score_text(fast_bundled, TEXT)
    assert len(records) > 30
    # the float32 sums come back to ~16 bits (the rounded product plus its rounded remainder), so two
    # neighbours may still meet now and then (one pair in ~360 on some runs), where the rounding tied them by the dozen
    print("tied pairs, rounded and float32:", tied_pairs(rounded), tied_pairs(records))
    assert tied_pairs(rounded) >= 10 and tied_pairs(records) <= 1


def test_an_answer_at_fast_shows_no_tied_alternatives(fast_bundled):
    prompt = fast_bundled.tokenizer("Tell me about lighthouses.")["input_ids"]
    settings = SamplingSettings(max_new_tokens=40, seed=5, temperature=1.0, top_k=0, top_p=1.0, alternatives=10)
    done = generate(fast_bundled, prompt, settings, stop_sequences=())
    assert len(done.records) > 10
    assert tied_pairs(done.records) == 0


def test_fast_logits_are_the_float32_sums_of_the_bfloat16_numbers(fast_bundled):
    """Within a float32 product of the same bfloat16 hidden state and weights (the rounding to
    bfloat16 alone was off by up to a sixteenth of a logit)."""
    head = fast_bundled.model.get_output_embeddings()
    hidden = torch.randn(1, 7, head.weight.shape[1], generator=torch.Generator().manual_seed(0)).bfloat16()
    with torch.inference_mode():
        got = head(hidden)
    want = hidden.float() @ head.weight.float().t()
    assert got.dtype == torch.float32
    assert (got - want).abs().max().item() < 2e-3


def test_the_kernel_gives_its_float32_sums_for_the_output_layer():
    lib = bf16_gemv.library(build=True)
    if lib is None:
        pytest.skip("the bf16 kernel is not built on this machine")
    gen = torch.Generator().manual_seed(1)
    w, x = torch.randn(100, 64, generator=gen).bfloat16() * 8, torch.randn(1, 64, generator=gen).bfloat16()
    got = bf16_gemv.Blocked(lib, w, None)(x, out_dtype=torch.float32)
    assert got.dtype == torch.float32
    assert torch.allclose(got, x.float() @ w.float().t(), rtol=1e-6, atol=1e-4)
