"""Fine-tune's change reuses the text's analysis as its adapter pass when the base pass can read
the text in the very forward passes the analysis was read in (core.score_passes), so an edit
costs the analysis and one base pass, not three passes. A fresh LoRA (B = 0) changes nothing, so
every token's change must be exactly 0.0: a base pass read in other passes than the analysis
(whole, where the analysis kept its records of a shorter text) shows a false change."""

from __future__ import annotations

import pytest

from desktop_app.core import adapters
from desktop_app.core.adapter_change import score_change
from desktop_app.core.models import open_model
from desktop_app.core.paths import AppPaths
from desktop_app.core.score_passes import Pass, kept_passes, same_passes, shapes
from desktop_app.core.session import analyse_text, score_whole_text
from tiny_model import fresh_lora, random_lora

SHORT = "The quick brown fox jumps over the lazy dog. " * 2
GROWN = SHORT + "And then it ran away into the woods, never seen again by anyone."
EDITED = GROWN.replace("lazy", "sleepy") + " The end."
LONG = "The quick brown fox jumps over the lazy dog. " * 12  # several of the tiny model's 128-token windows


def _loaded(tmp_path, tiny_model_dir, peft, precision: str):
    loaded = open_model(str(tiny_model_dir), AppPaths.resolve(tmp_path / "data").ensure(), device="cpu",
                        precision=precision)
    peft.save_pretrained(tmp_path / "adapter", safe_serialization=True)
    adapters.attach(loaded, tmp_path / "adapter", 7)
    return loaded


def _change(loaded, text, analysis, previous=None):
    heard = []
    change = score_change(loaded, text, previous=previous, analysis=analysis, progress=heard.append)
    return change, {(p.part, p.parts, p.under) for p in heard}


def _logprobs(scored) -> list[float]:
    return [r.logprob for r in scored.records]


@pytest.mark.parametrize("precision", ["exact", "compact"])
def test_the_analysis_is_the_adapters_pass_and_the_change_of_a_fresh_lora_stays_zero(tmp_path, tiny_model_dir,
                                                                                      precision):
    loaded = _loaded(tmp_path, tiny_model_dir, fresh_lora(tiny_model_dir), precision)
    # the analysis, as Text mode makes it: the grown text keeps the records of the shorter one, read
    # in the passes a fresh scoring reads (their places are fixed: scoring.window_plan)
    short, _ = analyse_text(loaded, SHORT)
    grown, _ = analyse_text(loaded, GROWN, previous=short)
    assert same_passes(grown.passes, score_whole_text(loaded, GROWN).passes)
    # the change was off meanwhile: the base pass reads the text anew, in the passes the analysis was read in
    first, heard = _change(loaded, GROWN, grown)
    assert first.complete and all(d == 0.0 for d in first.deltas), max(map(abs, first.deltas))
    assert first.adapter is grown and heard == {(1, 1, "the base model")}
    assert same_passes(first.adapter.passes, first.base.passes)
    # Text mode's next analysis goes on from the change's adapter pass: then it is the adapter's pass
    edited, _ = analyse_text(loaded, EDITED, previous=first.adapter)
    second, heard = _change(loaded, EDITED, edited, previous=first)
    assert second.adapter is edited and heard == {(1, 1, "the base model")}
    assert len(shapes(edited.passes)) == 2  # kept the records before "sleepy", read the rest anew
    assert second.complete and second.tokens == len(edited.records)
    assert all(d == 0.0 for d in second.deltas), max(map(abs, second.deltas))
    # and an analysis read whole needs no earlier change at all
    whole, _ = analyse_text(loaded, GROWN)
    third, heard = _change(loaded, GROWN, whole)
    assert third.adapter is whole and heard == {(1, 1, "the base model")} and all(d == 0.0 for d in third.deltas)


def test_one_pass_gives_the_change_two_passes_give(tmp_path, tiny_model_dir):
    loaded = _loaded(tmp_path, tiny_model_dir, random_lora(tiny_model_dir, seed=4), "exact")
    analysis, _ = analyse_text(loaded, LONG)
    reused, heard = _change(loaded, LONG, analysis)
    both, _ = _change(loaded, LONG, None)
    assert heard == {(1, 1, "the base model")} and reused.adapter is analysis
    assert max(map(abs, reused.deltas)) > 0.01 and reused.deltas == both.deltas
    assert reused.figures() == both.figures()


def test_an_analysis_of_another_text_or_adapter_is_not_taken(tmp_path, tiny_model_dir):
    loaded = _loaded(tmp_path, tiny_model_dir, random_lora(tiny_model_dir, seed=4), "exact")
    other, _ = analyse_text(loaded, SHORT)
    change, heard = _change(loaded, GROWN, other)
    assert change.adapter is not other and (1, 2, "your adapter") in heard
    base_analysis = score_whole_text(loaded, GROWN, 10, base=True)  # the base model's (another key)
    change, heard = _change(loaded, GROWN, base_analysis)
    assert change.adapter is not base_analysis and (1, 2, "your adapter") in heard


def test_passes_kept_and_compared():
    passes = [Pass(10, 0, 20), Pass(30, 0, 40)]
    assert kept_passes(passes, 5) == [Pass(5, 0, 20)]
    assert kept_passes(passes, 25) == [Pass(10, 0, 20), Pass(25, 0, 40)]
    assert kept_passes(None, 5) == [Pass(5, -1, -1)] and kept_passes(passes, 0) == []
    assert same_passes([Pass(4, 0, 40), Pass(30, 0, 40)], [Pass(30, 0, 40)])  # one shape, one pass
    assert not same_passes(passes, [Pass(30, 0, 40)])
    assert not same_passes(kept_passes(None, 5), kept_passes(None, 5))  # unknown is never the same
