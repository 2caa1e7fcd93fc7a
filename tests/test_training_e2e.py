"""End to end on the real offline model (SmolLM2-135M-Instruct): a handful of ratings moves
the rated answers' probabilities the right way, the probe perplexity stays within 5%, and
the kept adapter re-scores the rated answers."""

from __future__ import annotations

import pytest

from desktop_app.core import adapters
from desktop_app.core.models import open_model
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from desktop_app.core.train_settings import FineTuneSettings
from desktop_app.core.training import run_finetune
from test_training_data import add_answer

CORRECTED = [
    ("What colour is the sky on a clear day?", "In short: blue."),
    ("How many legs does a spider have?", "In short: eight."),
    ("What is the opposite of hot?", "In short: cold."),
    ("Which animal says moo?", "In short: a cow."),
    ("What do bees make?", "In short: honey."),
]


@pytest.mark.slow
def test_a_handful_of_ratings_moves_the_real_model(bundled_model_dir, tmp_path):
    paths = AppPaths.resolve(tmp_path / "data").ensure()
    store = Store.open(paths.db_path)
    loaded = open_model(str(bundled_model_dir), paths, device="cpu")
    rated = []
    for i, (question, better) in enumerate(CORRECTED):
        _c, _u, mid, _p = add_answer(store, loaded, question, seed=i, max_new_tokens=24)
        store.set_correction(mid, better)
        store.rate_message(mid, -1)
        rated.append(mid)
    settings = FineTuneSettings(epochs=3, max_steps=8, min_steps=8, batch_size=5, heldout_fraction=0.0,
                                reask_count=2, reask_tokens=16,
                                # about learning: a kept run that waits for the person's word has its own tests
                                ask_before_changed_facts=False)
    result = run_finetune(store, loaded, paths, settings)
    m = result.metrics
    print({k: m[k] for k in ("margin_before", "margin_after", "probe_ppl_before", "probe_ppl_after",
                             "reask_answers_after", "train_s", "elapsed_s")})
    assert m["margin_after"] > m["margin_before"]
    assert m["probe_ppl_after"] <= m["probe_ppl_before"] * 1.05
    assert result.kept, result.reason
    for mid in rated:  # the disliked answers became less likely, token by token on the whole
        before = store.token_records(mid, adapter_id=None, kind="rescored")
        after = store.token_records(mid, adapter_id=result.adapter_id, kind="rescored")
        assert len(before) == len(after) > 0
        assert sum(r.logprob for r in after) < sum(r.logprob for r in before)
    assert adapters.attach_active(loaded, store)["id"] == result.adapter_id
    store.close()
