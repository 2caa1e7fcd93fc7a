"""Compare's two sides read by the same weights, and said to be (fast108): on Fast a kept run re-scores
with its float32 training copy, and a later scoring with the chat's bfloat16 weights kept its "after"
beside that float32 "before"; the view did not say which weights read its figures."""

from __future__ import annotations

import dataclasses

from desktop_app.core import session
from desktop_app.gui.compare_words import weights_words
from test_training_data import add_answer


def read_with(records, precision: str):
    return [dataclasses.replace(r, precision=precision) for r in records]


def test_a_base_scoring_by_other_weights_is_stored_again_beside_an_after_by_these(store, tiny_model):
    _c, _u, mid, _p = add_answer(store, tiny_model, "Tell me about the fox.", seed=1)
    records = store.token_records(mid)
    adapter = store.add_adapter("/a1", base_model=tiny_model.model_id)
    model = tiny_model.model_id
    session.store_rescored(store, mid, adapter, read_with(records, "float32"), read_with(records, "float32"),
                           model_id=model)  # a kept run's float32 training copy
    ids = [r.id for r in records]
    assert session.base_scored(store, mid, ids, model, "float32")
    assert not session.base_scored(store, mid, ids, model, "bfloat16")
    session.store_rescored(store, mid, adapter, read_with(records, "bfloat16"), read_with(records, "bfloat16"),
                           model_id=model)  # the chat's Fast weights, read both sides again
    before = store.token_records(mid, adapter_id=None, kind="rescored", model_id=model)
    after = store.token_records(mid, adapter_id=adapter, kind="rescored", model_id=model)
    assert session.weights_of(before) == session.weights_of(after) == "bfloat16"


def test_the_summary_says_which_weights_read_both_sides(store, tiny_model):
    _c, _u, mid, _p = add_answer(store, tiny_model, "Tell me about the fox.", seed=1)
    records = store.token_records(mid)
    exact, fast = read_with(records, "float32"), read_with(records, "bfloat16")
    assert weights_words(exact, exact) == "Both read with Exact (float32) weights."
    assert weights_words(exact, exact, "bfloat16") == ("Both read with Exact (float32) weights; the chat's figures "
                                                       "come from Fast (bfloat16) weights and can differ a little.")
    assert weights_words(exact, fast).startswith("Before read with Exact (float32) weights, after with Fast (bfloat16)")
    assert weights_words(read_with(records, None), exact) == ""  # not recorded: nothing to say
