"""A conversation exported as JSON (version 2) carries its answers' token ratings and why an answer is not
whole (stopped, cut at the token limit, interrupted), and importing it into a fresh database brings them
back with its branches, thumbs and better answers. A version 1 file still imports (its endings read from the
settings it carried); a newer one is refused in words. The tiny fixture model writes the answer, real SQLite,
the real export and import functions and the real CLI."""

from __future__ import annotations

import json

from desktop_app.cli import main
from desktop_app.core.conversation_import import (CONVERSATION_VERSION, ending_of, import_conversation_file,
                                                  parse_conversation)
from desktop_app.core.exchange import conversation_token_ratings
from desktop_app.core.models import open_tokenizer
from desktop_app.core.paths import AppPaths
from desktop_app.core.prompts import answer_ids
from desktop_app.core.store import Store
from desktop_app.core.text_pieces import layout_of, records_layout
from desktop_app.core.conversation_export import conversation_json, ending_note


def _conversation(tiny_model_dir, capsys) -> tuple[Store, int]:
    """One question, three answers (a branch): the model's own (4 tokens: cut at the token limit) with two
    token ratings and a thumb up; one stopped, thumbed down, with a better answer and a token rating; one
    interrupted (the app closed while it wrote it)."""
    assert main(["generate", "--model", str(tiny_model_dir), "--device", "cpu", "--json", "--max-new-tokens", "4",
                 "--seed", "3", "--save", "Hi"]) == 0
    first = json.loads(capsys.readouterr().out)["message_id"]
    store = Store.open(AppPaths.resolve().ensure().db_path)
    answer = store.get_message(first)
    assert answer["settings"]["finish_reason"] == "length" and len(store.token_records(first)) == 4
    cid, question, model = answer["conversation_id"], answer["parent_id"], answer["model_id"]
    stopped = store.add_message(cid, "assistant", "A stopped ans", parent_id=question, model_id=model,
                                settings={"finish_reason": "cancelled"})
    store.add_message(cid, "assistant", "Half of an", parent_id=question, model_id=model, settings={"draft": True})
    store.rate_message(first, 1)
    store.rate_token(first, 0, 1)
    store.rate_token(first, 3, -1)
    store.rate_message(stopped, -1)
    store.set_correction(stopped, "A better answer.")
    store.rate_token(stopped, 2, -1)  # no records: the index counts the text as read (core/unwritten.py)
    return store, cid


def _export(store: Store, cid: int, path, shown: list[int]) -> None:
    messages = store.messages(cid)
    answers = [m["id"] for m in messages if m["role"] == "assistant"]
    ratings = {mid: store.message_rating(mid) for mid in answers}
    corrections = {mid: text for mid in answers if (text := store.correction(mid))}
    path.write_text(conversation_json(store.get_conversation(cid), messages, shown, ratings, corrections,
                                      conversation_token_ratings(store, cid)), encoding="utf-8")


def _picture(store: Store, cid: int) -> list[tuple]:
    """Each message as a person sees it: its place in the tree, role, text, thumb, better answer, token
    ratings (index, value) and the note under it."""
    messages = store.messages(cid)
    place = {m["id"]: n for n, m in enumerate(messages)}
    return [(place.get(m["parent_id"]), m["role"], m["text"], store.message_rating(m["id"]),
             store.correction(m["id"]),
             [(r["token_index"], r["value"]) for r in store.ratings(m["id"]) if r["token_index"] is not None],
             ending_note(m)) for m in messages]


def test_token_ratings_and_endings_survive_export_and_import(tiny_model_dir, capsys, tmp_path):
    store, cid = _conversation(tiny_model_dir, capsys)
    path = tmp_path / "chat.json"
    try:
        _export(store, cid, path, [])
        before = _picture(store, cid)
    finally:
        store.close()
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["version"] == CONVERSATION_VERSION == 2
    assert [m["ending"] for m in data["messages"]] == [None, "token_limit", "stopped", "interrupted"]
    fresh = Store.open(tmp_path / "fresh.sqlite")
    try:
        done = import_conversation_file(fresh, path)  # no tokenizer: each rating at the file's index
        assert done.token_ratings == 3 and done.tokens_by_index == 3
        assert _picture(fresh, done.conversation_id) == before
        notes = [n for *_rest, n in before]
        assert notes == ["", "This answer was cut at the token limit.", "You stopped this answer before it ended.",
                         "This answer was interrupted: the app closed while it was being written."]
        imported = fresh.messages(done.conversation_id)
        assert [ending_of(m) for m in imported] == [None, "token_limit", "stopped", "interrupted"]
        assert all(m["model_id"] is None for m in imported)  # still imported answers: scored afresh when shown
    finally:
        fresh.close()


def test_the_cli_puts_token_ratings_on_the_characters_rated(tiny_model_dir, capsys, tmp_path, session_paths):
    store, cid = _conversation(tiny_model_dir, capsys)
    path = tmp_path / "chat.json"
    try:
        _export(store, cid, path, [])
        first = next(m for m in store.messages(cid) if m["role"] == "assistant")
        layout = records_layout(store.token_records(first["id"]))
        rated = {layout.span(r["token_index"])[0]: r["value"] for r in store.ratings(first["id"])
                 if r["token_index"] is not None}
    finally:
        store.close()
    fresh = tmp_path / "fresh.sqlite"
    assert main(["import", "--db", str(fresh), "--model", str(tiny_model_dir), str(path)]) == 0
    out = capsys.readouterr().out
    assert "4 messages, 2 ratings, 1 better answer, 3 token ratings" in out
    again = Store.open(fresh)
    try:
        answer = next(m for m in again.messages(again.list_conversations()[0]["id"]) if m["role"] == "assistant")
        tokenizer = open_tokenizer(str(tiny_model_dir), session_paths)
        own = layout_of(tokenizer, answer_ids(tokenizer, answer["text"]))
        spans = {own.span(r["token_index"]): r["value"] for r in again.ratings(answer["id"])
                 if r["token_index"] is not None}
        # each rated character lies in the token that now holds its rating, with its value
        for start, value in rated.items():
            assert any(s <= start < e and v == value for (s, e), v in spans.items()), (start, spans)
    finally:
        again.close()


def _exported_data(tiny_model_dir, capsys, tmp_path) -> dict:
    """The conversation of ``_conversation``, exported without token ratings, as the JSON object the file holds."""
    store, cid = _conversation(tiny_model_dir, capsys)
    path = tmp_path / "chat.json"
    try:
        _export(store, cid, path, [])
    finally:
        store.close()
    return json.loads(path.read_text(encoding="utf-8"))


def test_a_version_1_file_still_imports_with_its_endings(tiny_model_dir, capsys, tmp_path):
    data = _exported_data(tiny_model_dir, capsys, tmp_path)
    data["version"] = 1
    for m in data["messages"]:  # as version 1 wrote it: no token ratings, no ending (its settings, as stored)
        del m["token_ratings"], m["ending"]
    old = tmp_path / "old.json"
    old.write_text(json.dumps(data), encoding="utf-8")
    parsed = parse_conversation(old.read_text(encoding="utf-8"), "old.json")
    assert [m["ending"] for m in parsed["messages"]] == [None, "token_limit", "stopped", "interrupted"]
    fresh = Store.open(tmp_path / "fresh.sqlite")
    try:
        done = import_conversation_file(fresh, old)
        assert done.token_ratings == 0 and done.ratings == 2 and done.better_answers == 1
        assert [ending_of(m) for m in fresh.messages(done.conversation_id)] == [None, "token_limit", "stopped",
                                                                              "interrupted"]
    finally:
        fresh.close()


def test_a_newer_file_or_a_bad_ending_imports_nothing(tiny_model_dir, capsys, tmp_path):
    data = _exported_data(tiny_model_dir, capsys, tmp_path)
    fresh = tmp_path / "fresh.sqlite"
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps(dict(data, version=CONVERSATION_VERSION + 1)), encoding="utf-8")
    assert main(["import", "--db", str(fresh), str(newer)]) == 2
    err = capsys.readouterr().err
    assert "written by a newer GPT-2 Desk" in err and "this one reads version 2" in err
    data["messages"][2]["ending"] = "exploded"
    data["messages"][1]["token_ratings"] = [{"token": 0, "value": 1, "start": 0, "end": 999}]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    assert main(["import", "--db", str(fresh), str(bad)]) == 2
    err = capsys.readouterr().err
    assert "message 2" in err and "start" in err and "Nothing was imported." in err
    data["messages"][1]["token_ratings"] = []
    bad.write_text(json.dumps(data), encoding="utf-8")
    assert main(["import", "--db", str(fresh), str(bad)]) == 2
    err = capsys.readouterr().err
    assert "message 3" in err and "\"ending\"" in err and "exploded" in err and "Nothing was imported." in err
    again = Store.open(fresh)
    try:
        assert again.list_conversations() == []
    finally:
        again.close()
