"""An imported adapter whose answers to the never-rated canary questions loop is not advised "keep"
(export81): a run's gate counts its canaries among the re-asks, and a loop there refuses the run, while
an import asked them for the facts alone and kept its advice. The tiny model with a small random LoRA
(seed 4, std 0.03, its A matrices drawn from seed 4 too) that the gate's own checks keep (its rated margin rises, general text within 5%), whose
greedy answer to "Why is the sky blue?" really repeats itself; the model in use's clean answer to it is
the one a run keeps in its before-cache (the tiny model's own answers all loop at 40 tokens:
test_fact_consent's way of giving it a fact), so only the adapter's answer went wrong."""

from __future__ import annotations

import pytest

from desktop_app.core import answer_checks, reasking
from desktop_app.core.adapter_import import REASK_TOKENS, import_adapter
from desktop_app.core.adapters import list_adapters
from desktop_app.gui.adapter_export import import_message
from desktop_app.gui.adapter_history_words import adapter_line
from test_fact_consent import answered_before, rated  # noqa: F401 (rated: a fixture)
from tiny_model import random_lora

SKY = "Why is the sky blue?"
CLEAN = "The sky looks blue because the air scatters blue sunlight more than red."


@pytest.fixture
def exported(tmp_path, tiny_model_dir):
    import torch

    folder = tmp_path / "exported"
    torch.manual_seed(4)  # PEFT draws the A matrices from torch's global state, before random_lora seeds B
    random_lora(tiny_model_dir, seed=4, std=0.03).save_pretrained(folder)
    return folder


def _answered_cleanly(paths, loaded) -> None:
    """The model in use's answer to the sky question, as a run keeps it: no problem found in it."""
    answered_before(paths, loaded, SKY, CLEAN, REASK_TOKENS)


def test_a_canary_that_loops_under_the_import_turns_its_advice(rated, tiny_model, exported):
    store, paths = rated
    _answered_cleanly(paths, tiny_model)
    result = import_adapter(store, paths, tiny_model, exported)
    gone = {c["question"]: c for c in result.metrics["canaries_degenerate"]}
    assert SKY in gone and gone[SKY]["problem"] == "loop", result.metrics["canaries_degenerate"]
    ids = tiny_model.tokenizer(gone[SKY]["answer"]).input_ids
    assert answer_checks.looping(ids), gone[SKY]["answer"]  # its tokens really repeat
    assert set(gone) == {SKY}, "only the answer that was clean before counts"
    m = result.metrics
    assert m["margin_after"] > m["margin_before"] and m["probe_ppl_after"] < 1.05 * m["probe_ppl_before"]
    assert m["reask_degenerate_after"] <= m["reask_degenerate_before"], "the gate's checks alone would keep it"
    assert not result.advice_keep and m["gate_advice"] == "discard"
    n = len(reasking.CANARY_QUESTIONS)
    assert (f"its answer to 1 of {n} questions you never rated goes wrong where the model in use's did not: "
            f"\u201c{SKY}\u201d repeats itself (a loop)") in result.reason
    said = import_message(result)
    assert "The gate advises against it" in said and "would keep" not in said
    assert "repeats itself (a loop)" in said
    row = next(r for r in list_adapters(store, tiny_model.model_id) if r["id"] == result.adapter_id)
    line = adapter_line(row)  # the adapter history's row says why the check advised against it
    assert "the check advised against it" in line and "1 answer you never rated goes wrong" in line, line


def test_canaries_that_looped_before_too_leave_the_advice_alone(rated, tiny_model, exported):
    """The tiny model's own answers loop at 40 tokens: the same adapter, whose answers loop as well, made
    nothing worse, and the gate would keep it."""
    store, paths = rated
    result = import_adapter(store, paths, tiny_model, exported)
    assert result.metrics["canaries_degenerate"] == []
    assert result.advice_keep and "The gate would keep it" in import_message(result)
    row = next(r for r in list_adapters(store, tiny_model.model_id) if r["id"] == result.adapter_id)
    assert "never rated go" not in adapter_line(row)
    assert result.metrics["canaries_asked"] == len(reasking.CANARY_QUESTIONS)
    assert "questions you never rated go" not in result.reason
