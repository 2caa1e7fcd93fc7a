"""usertest22: `gpt2-desk import` given a file that is not JSON Lines says what the file is and that
nothing was imported. The window's own Export > Conversation as JSON file said "line 1: not valid JSON
(Expecting property name enclosed in double quotes)"; a bad line said where, but not whether the lines
before it went in. The real CLI, the real conversation export, a real SQLite store."""

from __future__ import annotations

import json

from desktop_app.cli import main
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from desktop_app.core.conversation_export import conversation_json


def _conversations() -> int:
    store = Store.open(AppPaths.resolve().ensure().db_path)
    try:
        return len(store.list_conversations())
    finally:
        store.close()


def _exported_conversation(tmp_path):
    store = Store.open(AppPaths.resolve().ensure().db_path)
    try:
        cid = store.create_conversation("Exported")
        question = store.add_message(cid, "user", "What is the capital of France?")
        store.add_message(cid, "assistant", "Paris.", parent_id=question)
        messages = store.messages(cid)
        text = conversation_json(store.get_conversation(cid), messages, [m["id"] for m in messages])
    finally:
        store.close()
    path = tmp_path / "Exported.json"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_windows_conversation_json_is_imported_as_a_conversation(tmp_path, capsys):
    """(left47: it used to be refused with its name; now it is read back, tests/test_left47_conversation_import.py)"""
    path = _exported_conversation(tmp_path)
    before = _conversations()
    assert main(["import", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "Expecting property name" not in err
    assert "already holds this conversation" in out  # exported from this very store
    assert _conversations() == before


def test_a_bad_line_says_the_lines_before_it_were_not_imported_either(tmp_path, capsys):
    good = {"prompt": [{"role": "user", "content": "Hi"}], "completion": [{"role": "assistant", "content": "Hello."}],
            "label": True}
    path = tmp_path / "ratings.jsonl"
    path.write_text(json.dumps(good) + "\nnot json\n", encoding="utf-8")
    before = _conversations()
    assert main(["import", str(path)]) == 2
    err = capsys.readouterr().err
    assert "line 2: not valid JSON" in err and "Nothing was imported." in err
    assert _conversations() == before


def test_one_json_array_is_told_apart_from_json_lines(tmp_path, capsys):
    path = tmp_path / "examples.json"
    path.write_text(json.dumps([{"prompt": "a", "completion": "b"}], indent=2), encoding="utf-8")
    assert main(["import", str(path)]) == 2
    assert "holds one JSON document over several lines, not JSON Lines" in capsys.readouterr().err
