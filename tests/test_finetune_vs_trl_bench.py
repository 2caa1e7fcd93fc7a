"""bench/finetune_vs_trl.py's curve of our held-out gain: read during a real run on the tiny
model, every CURVE_EVERY updates, without changing the run, its time kept out of the budget."""

from __future__ import annotations

import sys
from pathlib import Path

from desktop_app.core import gate
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from desktop_app.core.train_data import build_training_data
from desktop_app.core.train_settings import FineTuneSettings
from desktop_app.core.training import run_finetune
from test_training_data import rate_three_answers

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import finetune_vs_trl as bench  # noqa: E402

SETTINGS = dict(max_steps=8, min_steps=8, lr=3e-3, reask_count=1, reask_tokens=6, heldout_fraction=0.0,
                guard_ppl_rise=10.0, rescore=False)


def _run(tmp_path, tiny_model, name: str, curve: bool):
    paths = AppPaths.resolve(tmp_path / name).ensure()
    store = Store.open(paths.db_path)
    rate_three_answers(store, tiny_model, first_seed=10)
    data = build_training_data(store, tiny_model.tokenizer, tiny_model.context_window)
    watch = bench.OurCurve(data, tiny_model.tokenizer.eos_token_id)
    if curve:
        with watch:
            result = run_finetune(store, tiny_model, paths, FineTuneSettings(**SETTINGS))
    else:
        result = run_finetune(store, tiny_model, paths, FineTuneSettings(**SETTINGS))
    store.close()
    return result, watch


def test_our_curve_reads_the_margin_every_few_updates_and_leaves_the_run_as_it_was(tmp_path, tiny_model):
    original = gate.PerplexityGuard.after_update
    plain, _ = _run(tmp_path, tiny_model, "plain", curve=False)
    watched, watch = _run(tmp_path, tiny_model, "watched", curve=True)
    assert gate.PerplexityGuard.after_update is original  # put back on the way out
    assert sorted(watch.curve) == [bench.CURVE_EVERY, 2 * bench.CURVE_EVERY]
    assert watch.cpu > 0 and watch.wall > 0
    # reading the margin changed nothing the run did
    assert watched.metrics["grad_norms"] == plain.metrics["grad_norms"]
    assert watched.metrics["margin_all_after"] == plain.metrics["margin_all_after"]
    # the last reading is the trained adapter's margin, as the gate measured it after the steps
    assert abs(watch.curve[8] - watched.metrics["margin_all_after"]) < 1e-4
