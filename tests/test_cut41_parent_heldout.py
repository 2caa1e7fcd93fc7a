"""bench/second_run.py, thumbs: run 1 (four ratings) held none out and trained on all of them; run 2
held three out, and the gate read adapter 1's margin on those three (5.22, memorised) as what it
"had learned", refusing a run that never saw them for keeping "less than half" of it (1.58 base,
1.64 now). Where the adapter in use trained on the held-out ratings, that share is not asked."""

from __future__ import annotations

from desktop_app.core import gate
from desktop_app.core import finetune_effect as fe
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from desktop_app.core.train_data import build_training_data
from test_second39_from_adapter import _second_run
from test_training_data import rate_three_answers


def _held_out_second_run(**over) -> dict:
    return {**_second_run(gate_margin_on="heldout", heldout_size=3, margin_heldout_base=1.582,
                          margin_heldout_before=5.219, margin_heldout_after=1.640, margin_new_before=0.150,
                          margin_new_after=2.761, new_rated=3), **over}


def test_the_share_of_what_the_adapter_in_use_memorised_is_not_asked():
    refused = gate.judge(_held_out_second_run())
    assert not refused.kept and "kept less than half" in refused.reason  # as before: not known to be memorised
    assert gate.judge(_held_out_second_run(heldout_trained_by_parent=True)).kept
    # the other checks still hold: no rise over the base model, or none on the new ratings, is refused
    assert not gate.judge(_held_out_second_run(heldout_trained_by_parent=True, margin_heldout_after=1.5)).kept
    assert not gate.judge(_held_out_second_run(heldout_trained_by_parent=True, margin_new_after=0.1)).kept


def test_whether_the_adapter_in_use_trained_on_the_held_out_ratings(tmp_path, tiny_model):
    store = Store.open(AppPaths.resolve(tmp_path / "d").ensure().db_path)
    try:
        rate_three_answers(store, tiny_model, first_seed=10)
        data = build_training_data(store, tiny_model.tokenizer, tiny_model.context_window)
        held = data.split(0.5, 0, min_total=1)[1]
        assert len(held)
        run = store.create_run({}, tiny_model.model_id)
        store.update_run(run, status="kept", metrics={"heldout_size": 0})
        parent = {"id": 1, "run_id": run}
        old = frozenset()
        assert fe.heldout_trained_by_parent(store, parent, held, old)
        every = frozenset(m for e in (*held.pairs, *held.unpaired, *held.tokens) for m in fe._rated_ids(e))
        assert not fe.heldout_trained_by_parent(store, parent, held, every)  # all rated after it: never seen
        store.update_run(run, metrics={"heldout_size": 1})
        assert not fe.heldout_trained_by_parent(store, parent, held, old)  # it held some out: not known which
        assert not fe.heldout_trained_by_parent(store, None, held, old)
        assert not fe.heldout_trained_by_parent(store, {"id": 1, "run_id": None}, held, old)  # imported
    finally:
        store.close()
