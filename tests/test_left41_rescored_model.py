"""`rescored` token records named their adapter but not the model that scored them: a base model's
scoring (adapter NULL) of an imported answer, shown after a model switch, was only checked against the
text, so another model's figures showed as this model's (and the compare view's "before" could be an
imported answer's scoring by another model). Schema 8 records the model; files from before open with
nothing lost, their sets given the model wherever the file says which it was."""

from __future__ import annotations

import dataclasses
import sqlite3

import pytest

from desktop_app.core import exchange, session, store_codec
from desktop_app.core.records import TokenRecord
from desktop_app.core.store import Store
from desktop_app.core.store_file import NewerDatabaseError
from desktop_app.core.store_schema import SCHEMA_VERSION, migrate
from desktop_app.core.unwritten import keep_scoring, score_unwritten, stored_scoring
from test_training_data import add_answer

ROW = {"prompt": [{"role": "user", "content": "What is the capital of Peru?"}],
       "completion": [{"role": "assistant", "content": "Answer: Lima."}], "label": True}
T = "2026-12-01T10:00:00"


def other_model(loaded, model_id: str = "folder:/elsewhere/another-gpt2"):
    """The same weights under another model's name (another folder of a GPT-2 with this tokenizer)."""
    return dataclasses.replace(loaded, source=dataclasses.replace(loaded.source, model_id=model_id))


def imported_answer(store) -> dict:
    (conversation,) = exchange.import_examples(store, [exchange.parse_example(ROW, "line 1")]).conversation_ids
    return next(m for m in store.messages(conversation) if m["role"] == "assistant")


def test_another_models_scoring_is_not_shown_as_this_ones(store, tiny_model):
    answer = imported_answer(store)
    shown, kept = score_unwritten(store, tiny_model, answer["id"])
    keep_scoring(store, answer["id"], shown.model_id, shown.adapter_id, kept)
    other = other_model(tiny_model)
    assert stored_scoring(store, answer, tiny_model.model_id, None).records == shown.records
    assert stored_scoring(store, answer, other.model_id, None) is None  # scored again by the model in use
    assert stored_scoring(store, answer, None, None) is None  # no model yet: no model's figures
    theirs, kept_theirs = score_unwritten(store, other, answer["id"])
    keep_scoring(store, answer["id"], theirs.model_id, theirs.adapter_id, kept_theirs)
    assert stored_scoring(store, answer, other.model_id, None).model_id == other.model_id
    assert stored_scoring(store, answer, tiny_model.model_id, None).model_id == tiny_model.model_id  # both kept
    assert sorted(s["model_id"] for s in store.record_sets(answer["id"])) == sorted([tiny_model.model_id,
                                                                                     other.model_id])


def test_a_base_scoring_of_another_model_is_not_this_ones_for_the_compare_view(store, tiny_model):
    _c, _u, mid, _p = add_answer(store, tiny_model, "Tell me about the fox.", seed=1)
    records = store.token_records(mid)
    other = other_model(tiny_model)
    session.store_rescored(store, mid, None, None, records, model_id=other.model_id)  # (its base scoring)
    ids = [r.id for r in records]
    assert session.base_scored(store, mid, ids, other.model_id)
    assert not session.base_scored(store, mid, ids, tiny_model.model_id)


def test_a_set_under_an_adapter_that_names_no_model_is_the_adapters_models(store, tiny_model):
    _c, _u, mid, _p = add_answer(store, tiny_model, "Tell me about the fox.", seed=1)
    records = store.token_records(mid)
    adapter = store.add_adapter("/a1", base_model=tiny_model.model_id)
    store.set_token_records(mid, records, adapter_id=adapter, kind="rescored")  # (a script naming no model)
    store.set_token_records(mid, records, adapter_id=None, kind="rescored")
    assert store.token_records(mid, adapter_id=adapter, kind="rescored", model_id=tiny_model.model_id) == records
    assert store.token_records(mid, adapter_id=None, kind="rescored", model_id=tiny_model.model_id) == []


def _schema_7_file(path) -> None:
    """A file as schema 7 left it: an answer scored by adapter 1 of "gpt2" and by the base model (the
    compare view stores the two together), and an imported answer's base scoring alone."""
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, target=7)
    conn.execute("INSERT INTO conversations VALUES (1, 'Old', ?, ?)", (T, T))
    conn.execute("INSERT INTO messages (id, conversation_id, role, text, created) VALUES (1, 1, 'user', 'Hi', ?)",
                 (T,))
    for mid, text, model in ((2, "Hello", "gpt2"), (3, "Imported", None)):
        conn.execute("INSERT INTO messages (id, conversation_id, parent_id, role, text, model_id, created) "
                     "VALUES (?, 1, 1, 'assistant', ?, ?, ?)", (mid, text, model, T))
    conn.execute("INSERT INTO adapters (id, path, base_model, active, created) VALUES (1, '/a', 'gpt2', 1, ?)", (T,))
    encoded = store_codec.encode([TokenRecord(id=5, text="x", logprob=-0.5, rank=1, entropy=1.0)])
    for mid, adapter in ((2, 1), (2, None), (3, None)):
        conn.execute("INSERT INTO token_records (message_id, kind, adapter_id, n, ids, logprobs, ranks, entropies, "
                     "texts, top_counts, top_ids, top_probs, top_texts, created) "
                     "VALUES (?, 'rescored', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (mid, adapter, *encoded, T))
    conn.close()


def test_a_schema_7_file_opens_and_its_scorings_name_their_model_where_known(tmp_path):
    path = tmp_path / "old.sqlite3"
    _schema_7_file(path)
    store = Store.open(path)
    try:
        assert store.schema_version == SCHEMA_VERSION >= 8
        sets = {(mid, s["adapter_id"]): s["model_id"] for mid in (2, 3) for s in store.record_sets(mid)}
        assert sets == {(2, 1): "gpt2", (2, None): "gpt2", (3, None): None}  # three sets: nothing lost
        assert store.token_records(2, adapter_id=None, kind="rescored", model_id="gpt2")
        assert store.token_records(3, adapter_id=None, kind="rescored")  # still there, its model unknown
        assert not store.token_records(3, adapter_id=None, kind="rescored", model_id="gpt2")
    finally:
        store.close()


def test_a_newer_file_is_refused_with_its_versions_named(tmp_path):
    path = tmp_path / "future.sqlite3"
    _schema_7_file(path)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(NewerDatabaseError, match=f"schema {SCHEMA_VERSION + 1}; this version understands up to "
                                                 f"{SCHEMA_VERSION}"):
        Store.open(path)
