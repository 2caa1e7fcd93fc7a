"""User tests 13 and 14: after a kept run, a person added a rating or two and ran again; the new
run (a fresh adapter trained on all the ratings) was discarded because its margin over the ratings
came out below adapter 1's, which had trained on almost the same ratings ("3.218 -> 2.682"). A run
that starts from an adapter in use is now judged by what it learned over the base model and by the
ratings new since that adapter (gate._from_adapter_failure); a first run is judged as before."""

from __future__ import annotations

import pytest

from desktop_app.core import gate
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from desktop_app.core.train_settings import FineTuneSettings
from desktop_app.core.training import run_finetune
from test_newfirst38_new_ratings_first import _adapter_of
from test_training import FAST
from test_training_data import add_answer, rate_three_answers


def _second_run(**over) -> dict:
    """The metrics of a second run as the usertests saw it: nothing held out (one conversation),
    the margin over the ratings below adapter 1's, well above the base model's."""
    return {"gate_margin_on": "all", "heldout_size": 0, "started_from_adapter": 1,
            "margin_all_before": 3.218, "margin_all_after": 2.682, "margin_all_base": 0.93,
            "margin_new_before": 0.21, "margin_new_after": 1.47, "new_rated": 1,
            "probe_ppl_before": 28.0, "probe_ppl_after": 28.1, **over}


def test_a_second_run_that_learned_over_the_base_and_on_the_new_rating_is_kept_though_below_adapter_one():
    assert gate.judge(_second_run()).kept


def test_a_second_run_whose_new_ratings_did_not_rise_over_the_adapter_in_use_is_discarded():
    verdict = gate.judge(_second_run(margin_new_after=0.2, new_rated=2))
    assert not verdict.kept and verdict.failed == ["margin"]
    assert "the margin on your 2 new ratings did not rise over the adapter in use (0.210 -> 0.200)" in verdict.reason


def test_a_second_run_that_learned_nothing_over_the_base_is_discarded():
    verdict = gate.judge(_second_run(margin_all_after=0.9))
    assert not verdict.kept
    assert "the rated margin did not move the right way over the base model's (0.930 -> 0.900)" in verdict.reason


def test_a_second_run_that_lost_most_of_what_the_adapter_in_use_had_learned_is_discarded():
    verdict = gate.judge(_second_run(margin_all_after=1.9))  # (1.9 - 0.93) < half of (3.218 - 0.93)
    assert not verdict.kept
    assert "kept less than half of what the adapter in use had learned over the base model" in verdict.reason
    assert gate.judge(_second_run(margin_all_after=2.1)).kept  # more than half of it


def test_with_nothing_new_a_second_run_must_beat_the_adapter_in_use():
    verdict = gate.judge(_second_run(margin_new_before=None, margin_new_after=None, new_rated=0))
    assert not verdict.kept and "(3.218 -> 2.682)" in verdict.reason
    assert gate.judge(_second_run(margin_new_before=None, margin_new_after=None, margin_all_after=3.3)).kept


def test_a_first_run_is_judged_against_the_model_before_it_as_always():
    first = _second_run(started_from_adapter=None, margin_all_base=None, margin_new_before=None,
                        margin_new_after=None)
    assert not gate.judge(first).kept
    assert gate.judge({**first, "margin_all_after": 3.3}).kept


def test_the_harm_checks_still_refuse_a_second_run():
    verdict = gate.judge(_second_run(probe_ppl_after=30.0))
    assert not verdict.kept and verdict.failed == ["perplexity"]


@pytest.fixture
def from_adapter(tmp_path, tiny_model):
    """(store, paths, adapter id, the new answer's id): three answers rated, run 1, its adapter in use
    (a real LoRA adapter saved as run 1's, untrained: it answers as the base model does), then one
    answer corrected after it."""
    paths = AppPaths.resolve(tmp_path / "data").ensure()
    store = Store.open(paths.db_path)
    rate_three_answers(store, tiny_model, first_seed=10)
    first = run_finetune(store, tiny_model, paths, FineTuneSettings(**{**FAST, "lr": 0.0, "rescore": False}))
    adapter = _adapter_of(store, tiny_model, paths, first.run_id)
    _c, _u, mid, _p = add_answer(store, tiny_model, "Tell me about dogs.", seed=41)
    store.set_correction(mid, "Dogs are loyal, playful animals.")
    yield store, paths, adapter, mid
    store.close()


def test_a_real_second_run_measures_the_base_and_the_new_ratings_and_is_judged_by_them(from_adapter, tiny_model):
    store, paths, adapter, _mid = from_adapter
    result = run_finetune(store, tiny_model, paths, FineTuneSettings(**{**FAST, "rescore": False}))
    m = result.metrics
    assert m["started_from_adapter"] == adapter and m["gate_margin_on"] == "all"
    assert m["new_rated"] == 1 and m["margin_new_before"] is not None and m["margin_new_after"] is not None
    # the adapter in use is untrained (its LoRA B is zero): under it the margins are the base model's
    assert m["margin_all_base"] == pytest.approx(m["margin_all_before"], abs=1e-3)
    assert m["margin_heldout_base"] is None  # nothing held out
    verdict = gate.judge(m)
    assert result.kept == verdict.kept or result.status == "kept"  # a step back may have kept an earlier update
    if not verdict.kept:
        assert any(w in verdict.reason for w in ("over the base model's", "new rating", "perplexity", "degenerated"))


def test_the_card_names_the_figures_a_second_run_was_judged_by():
    from desktop_app.gui.finetune_words import describe_run

    _title, body = describe_run("kept", None, _second_run(), 2)
    assert "Measured from the base model (no adapter), the same preference margin: <b>0.93 \u2192 2.68</b>" in body
    assert "on your 1 new rating since adapter 1: <b>0.21 \u2192 1.47</b>" in body
    assert "0.210" not in body and body.count("1.47") == 1  # each figure once (leftovers60)
    _title, first = describe_run("kept", None, _second_run(started_from_adapter=None), 2)
    assert "Measured from the base model" not in first


def test_a_step_back_for_a_restated_answer_that_the_gate_refuses_is_undone(tiny_model):
    """The run passed the gate and stepped back only for a restated answer; the earlier checkpoint
    lost most of what the adapter in use had learned, so the gate refuses it: the run stands as
    trained, its weights and figures put back (bench/second_run.py, thumbs: kept at 1.545 where the
    step back had left 0.933 and a discarded run)."""
    import copy
    import threading

    import torch

    from desktop_app.core.training import _Run

    # the guard keeps the trainable weights: one of the shared tiny model's, whatever earlier tests left
    flags = {n: p.requires_grad for n, p in tiny_model.model.named_parameters()}
    name, param = next(iter(tiny_model.model.named_parameters()))
    original = param.detach().clone()
    try:
        for p in tiny_model.model.parameters():
            p.requires_grad_(p is param)
        run = _Run(None, tiny_model, None, FineTuneSettings(), None, threading.Event(), "cpu")
        run.guard = gate.PerplexityGuard(tiny_model.model, tiny_model.tokenizer, "cpu", tiny_model.context_window,
                                         max_rise=0.05, total=4, checks=2)
        trained = _second_run(margin_all_after=3.0)
        weights = run.guard.weights()
        with torch.no_grad():
            param.add_(1.0)  # the earlier checkpoint's weights, put back by the step back
        run.metrics = _second_run(margin_all_after=1.5)  # measured again there: refused
        run._undo_refused_step_back(copy.deepcopy(trained), weights)
        assert torch.equal(param, original)
        assert run.metrics["margin_all_after"] == 3.0 and gate.judge(run.metrics).kept
        assert "kept less than half" in run.metrics["step_back_undone"]
        # an earlier checkpoint the gate passes stays
        with torch.no_grad():
            param.add_(1.0)
        run.metrics = _second_run(margin_all_after=2.9)
        run._undo_refused_step_back(copy.deepcopy(trained), weights)
        assert not torch.equal(param, original) and run.metrics["margin_all_after"] == 2.9
    finally:
        with torch.no_grad():
            param.copy_(original)  # the session's shared tiny model
        for n, p in tiny_model.model.named_parameters():
            p.requires_grad_(flags[n])
