"""Usertest 17: a second run, started from adapter 1, spent minutes "measuring your current model",
which run 1 had just measured as "the new adapter". A saved adapter's "after" figures (the probe
perplexity, the greedy re-asks) are now kept as the "before" figures of a run that starts from it,
and a second run reads them instead of asking again: the same figures as measuring anew."""

from __future__ import annotations

import shutil

from desktop_app.core import adapters, reasking
from desktop_app.core import finetune_effect as fe
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from desktop_app.core.train_settings import FineTuneSettings
from desktop_app.core.training import run_finetune
from helpers import watch_calls
from test_training import FAST
from test_training_data import add_answer, rate_three_answers

SETTINGS = {**FAST, "rescore": False, "reask_canaries": 2}


def _second_run(paths, loaded, asked: list) -> dict:
    store = Store.open(paths.db_path)
    try:
        return run_finetune(store, loaded, paths, FineTuneSettings(**SETTINGS)).metrics
    finally:
        store.close()


def test_a_second_run_reads_its_before_figures_from_the_first_runs_after(tmp_path, tiny_model, monkeypatch):
    paths = AppPaths.resolve(tmp_path / "a").ensure()
    store = Store.open(paths.db_path)
    rate_three_answers(store, tiny_model, first_seed=10)
    first = run_finetune(store, tiny_model, paths, FineTuneSettings(**SETTINGS))
    assert first.adapter_id is not None, first.reason
    adapters.activate(store, first.adapter_id, tiny_model.model_id)
    _c, _u, mid, _p = add_answer(store, tiny_model, "Tell me about dogs.", seed=41)
    store.set_correction(mid, "Dogs are loyal, playful animals.")
    store.close()
    cache = fe.BeforeCache(paths, tiny_model.model_id, first.adapter_id, tiny_model.device)
    assert any(key.startswith(f"{cache.scope}|reask:") for key in cache.table)  # kept for a run from adapter 1
    # the same person's data without the kept figures: measured anew
    fresh = AppPaths.resolve(tmp_path / "b").ensure()
    shutil.copy(paths.db_path, fresh.db_path)
    asked = watch_calls(monkeypatch, reasking, "reask", lambda _loaded, prompts, *_a, **_k: len(prompts))
    kept = _second_run(paths, tiny_model, asked)
    asked_kept, asked[:] = list(asked), []
    anew = _second_run(fresh, tiny_model, asked)
    assert kept["started_from_adapter"] == anew["started_from_adapter"] == first.adapter_id
    assert kept["probe_ppl_before"] == anew["probe_ppl_before"]
    assert kept["reask_answers_before"] == anew["reask_answers_before"]
    assert kept["reask_degenerate_before"] == anew["reask_degenerate_before"]
    assert asked_kept[0] < asked[0]  # before training: only the new question asked, the rest were kept
