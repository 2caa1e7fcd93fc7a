"""The conversation import's duplicate check reads only the conversations that could be the same: as many
messages and as many bytes of text (one query that reads no text). It read every conversation of the same
length whole, with a thumb and a better-answer query per answer: on a store of many chats of one question
and one answer, each import read them all (bench/import_duplicate_check.py: 2,000 conversations, ~140x).
What counts as the same is unchanged: a conversation already here is found (texts with a NUL or an emoji
too), one of the same size with other words is not. Real SQLite; its statements counted by its trace hook."""

from __future__ import annotations

import json

from desktop_app.core.conversation_import import import_conversation_file
from desktop_app.core.store import Store


def _file(tmp_path, name: str, answer: str):
    path = tmp_path / name
    path.write_text(json.dumps({"format": "gpt2-desk conversation", "version": 2, "title": "T", "messages": [
        {"id": 1, "parent_id": None, "role": "user", "text": "Question\x00 with a NUL?"},
        {"id": 2, "parent_id": 1, "role": "assistant", "text": answer, "rating": 1}]}), encoding="utf-8")
    return path


def _fill(store: Store, conversations: int) -> None:
    """Many conversations of two messages (as many as the file's), rated: none of them the file's."""
    with store.transaction():
        for n in range(conversations):
            cid = store.create_conversation(f"Other {n}")
            question = store.add_message(cid, "user", f"Other question {n}?")
            store.rate_message(store.add_message(cid, "assistant", f"Other answer {n}.", parent_id=question), 1)


def _statements(store: Store, fn):
    """``fn()`` and the SQL statements it ran on this thread's connection."""
    ran: list[str] = []
    conn = store._conn()
    conn.set_trace_callback(ran.append)
    try:
        return fn(), ran
    finally:
        conn.set_trace_callback(None)


def test_a_duplicate_is_found_without_reading_every_conversation_of_its_length(tmp_path):
    with Store.open(tmp_path / "t.sqlite3") as store:
        first = import_conversation_file(store, _file(tmp_path, "a.json", "Yes 😀."))
        assert not first.already_here
        _fill(store, 40)  # newer conversations of its length
        again, ran = _statements(store, lambda: import_conversation_file(store, _file(tmp_path, "a.json", "Yes 😀.")))
        assert again.already_here and again.conversation_id == first.conversation_id
        reads = [s for s in ran if s.lstrip().upper().startswith("SELECT")]
        assert len(reads) < 10, f"{len(reads)} reads for one duplicate among 41 conversations of its length"
        # the same size, other words (as many bytes: "😀" is 4 of UTF-8, "abcd" too): not the same conversation
        other, _ran = _statements(store, lambda: import_conversation_file(store, _file(tmp_path, "b.json", "Yes abcd.")))
        assert not other.already_here and other.conversation_id != first.conversation_id
        assert len(store.list_conversations()) == 42
