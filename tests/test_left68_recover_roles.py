"""left68: recovery re-attaches a reply whose earlier message was lost to the nearest surviving message of the
other role. With an odd number lost between, the nearest ancestor has the reply's own role: a question under a
question was joined to it as one unanswered prompt (prompts.join_unanswered), and an answer under an answer
answered no user prompt, which training refuses (train_data.prompt_for_message). A real SQLite file the app wrote,
one message's table page overwritten as a disk damages it (as in test_robust108_recover)."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.core.store import Store
from desktop_app.core.store_recovery import recover_moved_aside, recovery_words
from test_robust108_recover import _overwrite_page_header, _parents, PAGE

MESSAGES = 8


def _database(path: Path) -> None:
    """One conversation of messages a table page each (too long for two to share one), user and assistant in turn."""
    store = Store.open(path)
    conversation, parent = store.create_conversation("one page a message"), None
    for m in range(MESSAGES):
        parent = store.add_message(conversation, "user" if m % 2 == 0 else "assistant",
                                   f"MARK-{m} " + "words " * 600, parent_id=parent)
    store.close()


@pytest.mark.parametrize("lost, reply, above", [(5, "MARK-6", "MARK-3"), (4, "MARK-5", "MARK-2")],
                         ids=["a question after a lost answer", "an answer after a lost question"])
def test_a_reply_after_one_lost_message_joins_the_nearest_message_of_the_other_role(tmp_path, lost, reply, above):
    db = tmp_path / "gpt2desk.sqlite3"
    _database(db)
    _overwrite_page_header(db, db.read_bytes().index(f"MARK-{lost} ".encode()) // PAGE)
    recover_moved_aside(db)
    parents = _parents(db)
    assert set(parents) == {f"MARK-{m}" for m in range(MESSAGES)} - {f"MARK-{lost}"}, "only that message lost"
    assert parents[reply] == above, "not under its own role's message just above the lost one"
    assert parents[f"MARK-{lost - 1}"] == f"MARK-{lost - 2}", "the message of its role stays where it was"
    with Store.open(db) as store:
        thread = store.thread(next(m["id"] for m in _messages(store) if m["text"].startswith(reply + " ")))
    roles = [m["role"] for m in thread]
    assert all(a != b for a, b in zip(roles, roles[1:])), f"user and assistant in turn: {roles}"


def _messages(store) -> list[dict]:
    with store.snapshot() as conn:
        return [{"id": i, "text": t} for i, t in conn.execute("SELECT id, text FROM messages")]


def test_an_answer_whose_every_question_was_lost_is_named_by_its_conversation(tmp_path):
    """loose69: the first question lost, the answer under it has no question left above it. It stays, first in its
    conversation, and the report says which conversation begins with an answer to nothing (it had counted it as
    "re-attached to an earlier message")."""
    db = tmp_path / "gpt2desk.sqlite3"
    _database(db)
    _overwrite_page_header(db, db.read_bytes().index(b"MARK-0 ") // PAGE)
    recovery = recover_moved_aside(db)
    parents = _parents(db)
    assert "MARK-0" not in parents and parents["MARK-1"] is None, "the answer stays, first in its conversation"
    messages = next(t for t in recovery.tables if t.name == "messages")
    with Store.open(db) as store:
        (conversation,) = [c["id"] for c in store.list_conversations()]
    assert (messages.reattached, messages.made_first, messages.unanswered) == (0, 0, [conversation])
    words = recovery_words(recovery)
    assert f"an answer whose questions were all lost begins conversation {conversation}: it answers no question now" \
        in words, words
    assert "re-attached" not in words
