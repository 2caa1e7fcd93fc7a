"""Adapter ids are never used twice (user test 2, finding 9): older answers name their
adapter by number. Schema 6 makes the ids AUTOINCREMENT; a schema-5 file upgrades with its
rows and links intact and never hands out a number anything recorded."""

from __future__ import annotations

import sqlite3

from desktop_app.core.store import Store
from desktop_app.core.store_schema import SCHEMA_VERSION, migrate

T = "2025-01-01T00:00:00.000000+00:00"


def test_a_deleted_adapters_number_is_never_given_again(tmp_path):
    store = Store.open(tmp_path / "s.sqlite3")
    first = store.add_adapter("/a1", base_model="gpt2")
    second = store.add_adapter("/a2", base_model="gpt2")
    store.delete_adapter(second)
    again = store.add_adapter("/imported", base_model="gpt2")  # what Import… does
    assert again not in (first, second) and again > second
    store.close()
    store = Store.open(tmp_path / "s.sqlite3")  # the sequence is in the file
    store.delete_adapter(again)
    assert store.add_adapter("/a4", base_model="gpt2") > again
    store.close()


def _schema_5_file(path) -> None:
    """A file as schema 5 left it: adapter 3 deleted (an answer and a run still name it)."""
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, target=5)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("INSERT INTO conversations VALUES (1, 'Old chat', ?, ?)", (T, T))
    conn.execute("INSERT INTO messages VALUES (1, 1, NULL, 'user', 'hi', NULL, NULL, '{}', ?)", (T,))
    conn.execute("INSERT INTO finetune_runs (id, status, base_model, started) VALUES (1, 'kept', 'gpt2', ?)", (T,))
    conn.execute("INSERT INTO finetune_runs (id, status, base_model, started) VALUES (2, 'kept', 'gpt2', ?)", (T,))
    for aid, parent, run in ((1, None, 1), (2, 1, 2), (3, 2, None)):
        conn.execute("INSERT INTO adapters (id, path, base_model, parent_id, run_id, settings, metrics, active, "
                     "created) VALUES (?, ?, 'gpt2', ?, ?, '{\"r\": 8}', '{\"kept\": true}', ?, ?)",
                     (aid, f"/ad{aid}", parent, run, int(aid == 2), T))
    conn.execute("UPDATE finetune_runs SET adapter_id = 2, parent_adapter_id = 1 WHERE id = 2")
    conn.execute("INSERT INTO messages VALUES (2, 1, 1, 'assistant', 'hello', 'gpt2', 3, '{}', ?)", (T,))
    conn.execute("DELETE FROM adapters WHERE id = 3")
    conn.close()


def test_a_schema_5_file_upgrades_with_its_adapters_and_links_intact(tmp_path):
    path = tmp_path / "old.sqlite3"
    _schema_5_file(path)
    store = Store.open(path)
    assert store.schema_version == SCHEMA_VERSION >= 6
    rows = store.list_adapters()
    assert [(a["id"], a["path"], a["parent_id"], a["run_id"], a["active"]) for a in rows] == [
        (1, "/ad1", None, 1, False), (2, "/ad2", 1, 2, True)]
    assert rows[0]["settings"] == {"r": 8} and rows[0]["metrics"] == {"kept": True} and rows[0]["created"] == T
    run = store.get_run(2)
    assert (run["adapter_id"], run["parent_adapter_id"]) == (2, 1)  # the rebuild kept the links
    assert store.get_message(2)["adapter_id"] == 3
    assert store.add_adapter("/new", base_model="gpt2") == 4  # 3 is the deleted one an answer names
    assert store.integrity_check() == ["ok"]
    assert store._one("PRAGMA foreign_keys")[0] == 1  # on again after the step
    store.set_active_adapter(None, "gpt2")
    store.delete_adapter(2)  # the links follow the rebuilt table
    assert store.get_run(2)["adapter_id"] is None
    assert store.get_adapter(4)["parent_id"] is None
    store.close()


def test_names_are_one_clean_line_and_a_delete_without_files_cannot_be_undone(tmp_path):
    import pytest

    from desktop_app.core import adapters

    store = Store.open(tmp_path / "s.sqlite3")
    aid = store.add_adapter(tmp_path / "missing", base_model="gpt2")
    assert adapters.rename(store, aid, "  two\n lines ")["name"] == "two lines"
    assert adapters.label(store.get_adapter(aid), start=True) == f"Adapter {aid} \u201ctwo lines\u201d"
    with pytest.raises(adapters.AdapterError):
        adapters.rename(store, aid, "x" * (adapters.NAME_CHARS + 1))
    assert adapters.rename(store, aid, "   ")["name"] is None
    assert adapters.label(store.get_adapter(aid)) == f"adapter {aid}"
    deleted = adapters.delete(store, aid, trash_dir=tmp_path / "trash")
    assert deleted.trash is None  # its folder was never there
    with pytest.raises(adapters.AdapterError, match="cannot be brought back"):
        adapters.undo_delete(store, deleted)
    assert store.list_adapters() == []
    store.close()
