"""A better continuation (Text mode's correction) has a time of its own (schema 7), so one written
late on a branch older than the previous run is new since that run, as a better answer is: the
Fine-tune tab's "(N new)", what is new since the run and the ratings a run's card shows first
(finetune_effect.new_ratings). A schema-6 file opens with everything it held; a newer one is refused
with a clear message. A real SQLite store and the tiny fixture model."""

from __future__ import annotations

import sqlite3

import pytest

from desktop_app.core import documents
from desktop_app.core import text_branches as tb
from desktop_app.core.finetune_effect import new_ratings
from desktop_app.core.store import Store
from desktop_app.core.store_file import NewerDatabaseError
from desktop_app.core.store_schema import SCHEMA_VERSION, migrate
from desktop_app.core.train_counts import new_since_previous, readiness
from desktop_app.core.train_data import build_training_data

STORY = "The keeper climbed the stairs of the lighthouse every evening"
T, LATER = "2025-01-01T00:00:00.000000+00:00", "2025-06-01T00:00:00.000000+00:00"


def test_a_late_better_continuation_on_an_old_branch_is_new_since_the_previous_run(store, tiny_model):
    pytest.importorskip("PySide6")
    from desktop_app.gui.ready_words import tab_count_words

    model = tiny_model.model_id
    document = documents.create_document(store, STORY)
    old = tb.add_branch(store, document, None, len(STORY), " and fell asleep on the sofa.")
    tb.rate_branch(store, old, -1)
    run = store.create_run({}, model)
    store.update_run(run, status="kept")
    assert readiness(store, model)["new_since_run"] == 0

    tb.set_correction(store, old, " to light the great lamp.")  # "Better…" on the old branch, after the run
    counts = readiness(store, model)
    assert (counts["last_run"], counts["new_since_run"]) == (run, 1)
    assert tab_count_words(counts) == "Fine-tune (1 new)"
    since, new = new_since_previous(store, store.active_adapter(model), model)
    assert (since, new) == (run, frozenset({-old}))
    data = build_training_data(store, tiny_model.tokenizer, tiny_model.context_window)
    fresh = new_ratings(data, new)
    assert [(p.source, p.rejected_message_id) for p in fresh.pairs] == [("correction", -old)]

    # saved again unchanged: no newer time; taken away: no time
    written = tb.get_branch(store, old)["corrected"]
    tb.set_correction(store, old, " to light the great lamp.")
    assert tb.get_branch(store, old)["corrected"] == written
    tb.set_correction(store, old, None)
    assert tb.get_branch(store, old)["corrected"] is None and readiness(store, model)["new_since_run"] == 0


def _schema_6_file(path) -> None:
    """A file as schema 6 left it: a text with a disliked continuation and a better one for it, and a
    liked continuation without one; a run after all of them."""
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, target=6)
    conn.execute("INSERT INTO documents (id, title, text, created, updated) VALUES (1, 'Keeper', ?, ?, ?)",
                 (STORY, T, T))
    for bid, text, correction in ((1, " and fell asleep.", " to light the lamp."), (2, " and sang.", None)):
        conn.execute("INSERT INTO text_branches (id, document_id, start, text, correction, created) "
                     "VALUES (?, 1, ?, ?, ?, ?)", (bid, len(STORY), text, correction, T))
        conn.execute("INSERT INTO text_ratings VALUES (?, NULL, ?, ?)", (bid, -1 if correction else 1, T))
    conn.execute("INSERT INTO finetune_runs (id, status, base_model, started, finished) "
                 "VALUES (1, 'kept', 'gpt2', ?, ?)", (LATER, LATER))
    conn.close()


def test_a_schema_6_file_opens_with_its_better_continuations_timed_as_their_branches(tmp_path):
    path = tmp_path / "old.sqlite3"
    _schema_6_file(path)
    store = Store.open(path)
    try:
        assert store.schema_version == SCHEMA_VERSION
        first, second = tb.branches(store, 1)
        assert (first["text"], first["correction"], first["corrected"]) == (" and fell asleep.", " to light the lamp.", T)
        assert (second["text"], second["correction"], second["corrected"]) == (" and sang.", None, None)
        assert [tb.branch_ratings(store, b)["thumbs"] for b in (1, 2)] == [-1, 1]
        counts = readiness(store, "gpt2")
        assert (counts["corrections"], counts["thumbs_up"], counts["thumbs_down"]) == (1, 1, 1)
        assert (counts["last_run"], counts["new_since_run"]) == (1, 0), "written before the run: not new"
    finally:
        store.close()


def test_a_file_from_a_newer_version_is_refused_untouched(tmp_path):
    path = tmp_path / "future.sqlite3"
    _schema_6_file(path)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(NewerDatabaseError) as info:
        Store.open(path)
    assert "written by a newer version of gpt2-desk" in str(info.value) and "update gpt2-desk" in str(info.value)
    assert path.read_bytes() == before
