"""A conversation the window exported as JSON comes back: `gpt2-desk import` reads it into a fresh
database with its branches, thumbs and better answers; its answers stored as any imported answer is
(no token records, no writer: core/unwritten.py scores them with the model in use). A newer-format or
bad file, and a folder, say so in words and import nothing. The tiny fixture model writes the answers;
the real CLI, the real export function, real SQLite."""

from __future__ import annotations

import json

from desktop_app.cli import main
from desktop_app.core.conversation_import import CONVERSATION_VERSION
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from desktop_app.core.conversation_export import conversation_json


def _generate(tiny_model_dir, capsys, *extra) -> int:
    assert main(["generate", "--model", str(tiny_model_dir), "--device", "cpu", "--json", "--max-new-tokens", "4",
                 "--seed", "3", *extra]) == 0
    return json.loads(capsys.readouterr().out)["message_id"]


def _exported(tiny_model_dir, capsys, tmp_path):
    """Two model answers to one question (a branch), one liked, one disliked with a better answer."""
    first = _generate(tiny_model_dir, capsys, "--save", "Hi")
    store = Store.open(AppPaths.resolve().ensure().db_path)
    try:
        answer = store.get_message(first)
        assert store.token_records(first), "the model's answer has its records in the exporting store"
        second = store.add_message(answer["conversation_id"], "assistant", "Another answer.",
                                   parent_id=answer["parent_id"], model_id=answer["model_id"])
        store.rate_message(first, 1)
        store.rate_message(second, -1)
        store.set_correction(second, "A better answer.")
        cid = answer["conversation_id"]
        messages = store.messages(cid)
        ratings = {m["id"]: store.message_rating(m["id"]) for m in messages}
        corrections = {second: "A better answer."}
        text = conversation_json(store.get_conversation(cid), messages, [answer["parent_id"], second],
                                 ratings, corrections)
    finally:
        store.close()
    path = tmp_path / "chat.json"
    path.write_text(text, encoding="utf-8")
    return path, messages, ratings


def _tree(store: Store, cid: int) -> list[tuple]:
    messages = store.messages(cid)
    place = {m["id"]: n for n, m in enumerate(messages)}
    return [(place.get(m["parent_id"]), m["role"], m["text"], store.message_rating(m["id"]), store.correction(m["id"]))
            for m in messages]


def test_an_exported_conversation_round_trips_into_a_fresh_database(tiny_model_dir, capsys, tmp_path):
    path, messages, ratings = _exported(tiny_model_dir, capsys, tmp_path)
    fresh = tmp_path / "fresh.sqlite"
    assert main(["import", "--db", str(fresh), str(path)]) == 0
    out = capsys.readouterr().out
    assert "imported conversation" in out and "3 messages, 2 ratings, 1 better answer" in out
    store = Store.open(fresh)
    try:
        [conversation] = store.list_conversations()
        imported = store.messages(conversation["id"])
        place = {m["id"]: n for n, m in enumerate(messages)}
        expected = [(place.get(m["parent_id"]), m["role"], m["text"], ratings.get(m["id"]),
                     "A better answer." if m["text"] == "Another answer." else None) for m in messages]
        assert _tree(store, conversation["id"]) == expected
        assert len([m for m in imported if m["role"] == "assistant"]) == 2  # the branch: siblings again
        for m in imported:
            assert store.token_records(m["id"]) == []  # no other model's figures shown as this one's
            assert store.token_records(m["id"], kind="rescored") == []
            assert m["model_id"] is None and m["settings"]["imported_from"] == "chat.json"
        assert imported[1]["settings"]["written_by"] == messages[1]["model_id"]
        # the same file again: already here, nothing doubled for the next fine-tune
        assert main(["import", "--db", str(fresh), str(path)]) == 0
        assert "imported nothing" in capsys.readouterr().out
        assert len(store.list_conversations()) == 1
    finally:
        store.close()


def _count(db) -> int:
    store = Store.open(db)
    try:
        return len(store.list_conversations())
    finally:
        store.close()


def test_a_newer_or_broken_conversation_file_imports_nothing(tiny_model_dir, capsys, tmp_path):
    path, _messages, _ratings = _exported(tiny_model_dir, capsys, tmp_path)
    data = json.loads(path.read_text(encoding="utf-8"))
    fresh = tmp_path / "fresh.sqlite"
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps(dict(data, version=CONVERSATION_VERSION + 1)), encoding="utf-8")
    assert main(["import", "--db", str(fresh), str(newer)]) == 2
    err = capsys.readouterr().err
    assert "written by a newer GPT-2 Desk" in err and "Nothing was imported." in err
    broken = tmp_path / "broken.json"
    data["messages"][-1]["parent_id"] = 999  # after the first messages: none of them may go in
    broken.write_text(json.dumps(data), encoding="utf-8")
    assert main(["import", "--db", str(fresh), str(broken)]) == 2
    err = capsys.readouterr().err
    assert "message 3" in err and "parent_id" in err and "Nothing was imported." in err
    assert _count(fresh) == 0


def test_a_folder_is_said_in_words(tmp_path, capsys):
    assert main(["import", "--db", str(tmp_path / "fresh.sqlite"), str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "is a folder, not a file" in err and "Errno" not in err
