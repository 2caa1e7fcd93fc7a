"""What the adapter changed, on any text (core.adapter_change): the tiny model with a real LoRA
adapter attached, scored in both passes; a fresh LoRA (B = 0) changes nothing, exactly; a cancel
between windows keeps the passes' parts for the next run; the CLI's --vs-base."""

from __future__ import annotations

import json
import math
import threading

import pytest

from desktop_app.core import adapters
from desktop_app.core.adapter_change import NO_ADAPTER, ChangeProgress, score_change
from desktop_app.core.errors import UserFacingError
from desktop_app.core.models import open_model
from desktop_app.core.paths import AppPaths
from desktop_app.core.session import score_whole_text
from test_cli42_fixes import _active_adapter
from tiny_model import fresh_lora, random_lora

TEXT = "The quick brown fox jumps over the lazy dog. " * 12  # several of the tiny model's 128-token windows


def _with_adapter(tmp_path, tiny_model_dir, peft, adapter_id: int = 7, precision: str = "exact"):
    loaded = open_model(str(tiny_model_dir), AppPaths.resolve(tmp_path / "data").ensure(), device="cpu",
                        precision=precision)
    peft.save_pretrained(tmp_path / "adapter", safe_serialization=True)
    adapters.attach(loaded, tmp_path / "adapter", adapter_id)
    return loaded


def test_each_token_changes_by_the_adapters_logprob_minus_the_base_models(tmp_path, tiny_model_dir):
    plain = open_model(str(tiny_model_dir), AppPaths.resolve(tmp_path / "plain").ensure(), device="cpu",
                       precision="exact")
    base = score_whole_text(plain, TEXT, 0)
    loaded = _with_adapter(tmp_path, tiny_model_dir, random_lora(tiny_model_dir))
    adapted = score_whole_text(loaded, TEXT, 0)
    heard = []
    change = score_change(loaded, TEXT, progress=heard.append)
    assert change.complete and change.tokens == len(base.records) > 128
    for delta, a, b in zip(change.deltas, adapted.records, base.records):
        assert delta == pytest.approx(a.logprob - b.logprob, abs=1e-4)
    assert max(abs(d) for d in change.deltas) > 0.01  # the random adapter moved the text
    assert change.total_change == pytest.approx(math.fsum(change.deltas))
    ppl_base = math.exp(-sum(r.logprob for r in base.records) / len(base.records))
    assert change.base_perplexity == pytest.approx(ppl_base, rel=1e-4)
    rose, fell = change.risen(), change.fallen()
    assert rose and fell and rose[0].delta == max(change.deltas) and fell[0].delta == min(change.deltas)
    again = score_whole_text(loaded, TEXT, 0)  # the adapter is on again after the base pass
    assert [r.logprob for r in again.records] == pytest.approx([r.logprob for r in adapted.records], abs=1e-6)
    # the progress names each pass as it begins, in order, and ends at the whole
    starts = [(p.part, p.under) for p in heard if p.scoring is None]
    assert starts == [(1, "your adapter"), (2, "the base model")]
    assert heard[-1].share == pytest.approx(1.0)


@pytest.mark.parametrize("precision", ["exact", "fast"])
def test_a_fresh_lora_changes_nothing(tmp_path, tiny_model_dir, precision):
    loaded = _with_adapter(tmp_path, tiny_model_dir, fresh_lora(tiny_model_dir), precision=precision)
    change = score_change(loaded, TEXT)
    assert change.complete and change.tokens > 0
    assert all(d == 0.0 for d in change.deltas)
    assert change.times == 1.0 and change.risen() == [] and change.fallen() == []
    assert change.base_perplexity == change.adapter_perplexity


def test_no_adapter_is_refused_in_words(tiny_model):
    with pytest.raises(UserFacingError) as info:
        score_change(tiny_model, TEXT)
    assert str(info.value) == NO_ADAPTER


def test_a_cancel_in_the_second_pass_keeps_its_part_and_the_next_run_finishes_it(tmp_path, tiny_model_dir):
    loaded = _with_adapter(tmp_path, tiny_model_dir, random_lora(tiny_model_dir))
    cancel = threading.Event()

    def stop_in_base_pass(p: ChangeProgress) -> None:
        if p.part == 2 and p.scoring is not None and p.scoring.done > 0:
            cancel.set()

    stopped = score_change(loaded, TEXT, cancel=cancel, progress=stop_in_base_pass)
    assert not stopped.complete and stopped.adapter.complete
    assert 0 < len(stopped.base.records) < stopped.base.scorable and stopped.tokens == len(stopped.base.records)
    whole = score_change(loaded, TEXT)
    resumed = score_change(loaded, TEXT, previous=stopped)
    assert resumed.complete and resumed.deltas == pytest.approx(whole.deltas, abs=1e-5)


def test_cli_vs_base_prints_the_figures_and_refuses_without_an_adapter(tmp_path, tiny_model_dir, capsys):
    from desktop_app.cli import main

    text = tmp_path / "style.txt"
    text.write_text(TEXT, encoding="utf-8")
    data = tmp_path / "appdata"
    common = ["--data-dir", str(data), "--model", str(tiny_model_dir)]
    assert main(["analyse", str(text), "--vs-base", *common]) == 2
    said = [line for line in capsys.readouterr().err.splitlines() if line.startswith("gpt2-desk:")]
    assert said == [f"gpt2-desk: {NO_ADAPTER}"] and NO_ADAPTER.count(".") == 1  # one sentence
    adapter_id = _active_adapter(data, tiny_model_dir)
    assert main(["analyse", str(text), "--vs-base", "--json", *common]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["adapter_id"] == adapter_id and figures["tokens"] > 128
    assert figures["total_change_nats"] == pytest.approx(figures["logprob_adapter"] - figures["logprob_base"])
    assert figures["rose_most"] and figures["fell_most"]
    assert main(["analyse", str(text), "--vs-base", *common]) == 0
    out = capsys.readouterr().out
    assert "perplexity" in out and "under your adapter" in out and "Rose most" in out
