"""compare94: the Text tab's "Fine-tune's change" and ``analyse --vs-base`` read a text against an
earlier adapter of the model's history as the compare view does (core.adapter_change.score_change's
``against``, through session_compare.reading_as). Two kept runs (real random LoRAs saved as
safetensors): each token's change is adapter 2's log-probability less adapter 1's, computed apart
with PEFT on a fresh model; the words name both adapters. Real tiny GPT-2, no mocks."""

from __future__ import annotations

import pytest

from desktop_app.core.adapter_change import score_change
from desktop_app.core.session import earlier_adapters
from desktop_app.core.session_scoring import score_whole_text
from desktop_app.gui import text_change_words as words
from desktop_app.gui.text_export import change_drawing
from test_compare90_earlier_adapter import wearing_the_second

# shorter than the tiny model's 128-token window: one forward pass reads it all, as logprobs_of_text does
TEXT = "The river rose in the night and the village woke to water at every door."


def logprobs_of_text(model_dir, adapter_folder, ids: list[int]) -> list[float]:
    """Each of ``ids``' log-probability after the start token and the ones before it, under the
    adapter in ``adapter_folder``: a fresh float32 base model, PEFT's own loading, one forward pass."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    from transformers import AutoTokenizer

    from desktop_app.core.prompts import plain_text_start

    start = plain_text_start(AutoTokenizer.from_pretrained(model_dir))
    base = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    model = PeftModel.from_pretrained(base, str(adapter_folder)).eval()
    with torch.no_grad():
        logits = model(torch.tensor([[*start, *ids]])).logits[0].float()
    logp = torch.log_softmax(logits[:-1], dim=-1)
    return [float(logp[i, t]) for i, t in enumerate(ids)]


@pytest.fixture
def two_runs(tmp_path, tiny_model_dir, store):
    """The model wearing adapter 2 (run 2, built on adapter 1 of run 1)."""
    loaded, first, second = wearing_the_second(tmp_path, tiny_model_dir, store)
    return loaded, store, first, second


def test_the_texts_change_against_an_earlier_adapter_is_the_later_ones_logprob_less_the_earlier_ones(
        two_runs, tiny_model_dir, tmp_path):
    loaded, store, first, second = two_runs
    against = earlier_adapters(store, store.get_adapter(second))[0]
    heard = []
    change = score_change(loaded, TEXT, progress=heard.append, against=against)
    ids = change.adapter.ids
    assert change.complete and change.adapter.first == 0 and change.tokens == len(ids) < 128
    under_first = logprobs_of_text(tiny_model_dir, tmp_path / "one", ids)
    under_second = logprobs_of_text(tiny_model_dir, tmp_path / "two", ids)
    assert change.deltas == pytest.approx([s - f for f, s in zip(under_first, under_second)], abs=1e-4)
    assert max(abs(s - f) for f, s in zip(under_first, under_second)) > 0.01  # the two adapters differ
    assert [(p.part, p.under) for p in heard if p.scoring is None] == [(1, "your adapter"), (2, f"adapter {first}")]
    figures = change.figures()
    assert figures["compared_with"] == f"adapter {first}" and figures["compared_with_id"] == first
    assert figures["logprob_base"] == pytest.approx(sum(under_first), abs=1e-3)
    # the adapter in use is worn again after, the earlier one kept beside it for the next change (compare99)
    assert loaded.model.active_adapter == f"a{second}" and sorted(loaded.model.peft_config) == [
        f"a{second}", f"compared{first}"]


def test_against_the_base_model_after_an_earlier_adapter_the_figures_are_the_base_models_again(two_runs):
    loaded, store, first, _second = two_runs
    against = store.get_adapter(first)
    versus_first = score_change(loaded, TEXT, against=against)
    versus_base = score_change(loaded, TEXT, previous=versus_first)  # no reuse of adapter 1's windows as the base's
    with loaded.model.disable_adapter():
        base = score_whole_text(loaded, TEXT, 0)
    assert [r.logprob for r in versus_base.base.records] == pytest.approx([r.logprob for r in base.records], abs=1e-5)
    assert versus_base.compared_with == "the base model" and versus_base.figures()["compared_with_id"] is None
    assert versus_base.deltas != pytest.approx(versus_first.deltas, abs=1e-3)
    again = score_change(loaded, TEXT, previous=versus_base, against=against)  # nor the base's as adapter 1's
    assert again.deltas == pytest.approx(versus_first.deltas, abs=1e-5)


def test_the_words_key_tooltips_and_png_caption_name_both_adapters(two_runs):
    loaded, store, first, second = two_runs
    change = score_change(loaded, TEXT, against=store.get_adapter(first))
    in_use, name = f"adapter {second}", f"your adapter (adapter {second})"
    said = words.headline_html(change, name)
    assert f"Under {name} this text is" in said and f"than under adapter {first}." in said
    assert "Perplexity" in said and f"(adapter {first}) \u2192" in said
    assert "base model" not in words.summary_html(change, name, lambda t: t)
    key = words.key(change, in_use, change.compared_with)
    assert key["title"] == f"Adapter {second} against adapter {first}"
    assert f"under {in_use}, against adapter {first}" in key["tip"]
    assert words.tip_names(change, in_use) == (f"adapter {first}", in_use)
    _scored, _colour, png_key = change_drawing(change, name, in_use)
    assert png_key.title.startswith(f"Colours: Adapter {second} against adapter {first}, ")
    assert f"minus under adapter {first}: green, more likely than under adapter {first};" in png_key.title
    # against the base model the words are as they were
    plain = score_change(loaded, TEXT)
    assert words.key(plain, in_use, plain.compared_with)["title"] == words.TITLE
    assert "than under the base model." in words.headline_html(plain, name)
    assert change_drawing(plain, name, in_use)[2].title.startswith(f"Colours: {words.TITLE}, ")
