"""Recovery keeps a lost message's later replies (robust108): a message whose earlier message was lost is
re-attached to its nearest surviving ancestor (found through the damaged file's parent index), or to its
conversation's first message, instead of going with the rest of its branch; and a damaged *index* page no
longer hides how many rows the table held. Real SQLite files the app wrote, pages overwritten as a disk
damages them (as in test_robust104_recover)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from desktop_app.core.store import Store
from desktop_app.core.store_recovery import recover_moved_aside, recovery_words

PAGE = 4096
MESSAGES = 10
DAMAGED_MESSAGE = "MARK-1-5 "  # conversation 1's sixth message: its table page is overwritten


def _database(path: Path) -> None:
    """Two conversations of long messages (a page each or two), each a reply to the one before."""
    store = Store.open(path)
    for c in range(2):
        conversation, parent = store.create_conversation(f"conversation {c}"), None
        for m in range(MESSAGES):
            parent = store.add_message(conversation, "user" if m % 2 == 0 else "assistant",
                                       f"MARK-{c}-{m} " + "words " * 250, parent_id=parent)
    store.close()


def _overwrite_page_header(path: Path, page: int) -> None:
    data = bytearray(path.read_bytes())
    data[page * PAGE:page * PAGE + 12] = b"\xff" * 12  # the b-tree page's header: SQLite cannot read the page
    path.write_bytes(bytes(data))


def _damage_message_page(path: Path) -> None:
    _overwrite_page_header(path, path.read_bytes().index(DAMAGED_MESSAGE.encode()) // PAGE)


def _damage_index(path: Path, index: str) -> None:
    """The index's root page (with these few rows, its only page) overwritten."""
    with sqlite3.connect(path) as conn:
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (index,)).fetchone()[0]
    _overwrite_page_header(path, root - 1)


def _parents(path: Path) -> dict[str, str | None]:
    """{message's mark: its parent's mark} in the recovered database, which must read whole."""
    with Store.open(path) as store, store.snapshot() as conn:
        assert store.integrity_check() == ["ok"]
        rows = conn.execute("SELECT m.text, p.text FROM messages m LEFT JOIN messages p ON p.id = m.parent_id")
        return {text.split(" ")[0]: parent and parent.split(" ")[0] for text, parent in rows}


def test_replies_to_a_lost_message_join_its_nearest_surviving_ancestor(tmp_path):
    db = tmp_path / "gpt2desk.sqlite3"
    _database(db)
    _damage_message_page(db)
    recovery = recover_moved_aside(db)
    messages = next(t for t in recovery.tables if t.name == "messages")
    parents = _parents(db)
    lost = {f"MARK-1-{m}" for m in range(MESSAGES)} - set(parents)
    assert DAMAGED_MESSAGE.strip() in lost and "MARK-1-9" not in lost and "MARK-1-0" not in lost
    first_after, last_before = max(lost), min(lost)  # the lost ones are one run (a page or two of them)
    after = f"MARK-1-{int(first_after[-1]) + 1}"
    before = f"MARK-1-{int(last_before[-1]) - 1}"
    assert parents[after] == before, "the first reply after the lost ones hangs from the last message before them"
    assert {f"MARK-1-{m}" for m in range(int(after[-1]), MESSAGES)} <= set(parents), "the rest of the branch stays"
    assert parents["MARK-1-9"] == "MARK-1-8" and parents["MARK-0-9"] == "MARK-0-8", "sound links are kept"
    assert messages.reattached == 1 and messages.unlinked == 0
    assert messages.kept + messages.lost == 2 * MESSAGES and messages.kept == len(parents)
    assert "1 re-attached to an earlier message, theirs was lost" in recovery_words(recovery)


def test_with_the_parent_index_damaged_too_a_question_after_the_lost_ones_is_a_first_message(tmp_path):
    db = tmp_path / "gpt2desk.sqlite3"
    _database(db)
    _damage_message_page(db)
    _damage_index(db, "messages_parent")
    recovery = recover_moved_aside(db)
    parents = _parents(db)
    lost = {f"MARK-1-{m}" for m in range(MESSAGES)} - set(parents)
    after = f"MARK-1-{int(max(lost)[-1]) + 1}"
    # no ancestor known: the conversation's first message, but that is a question as the reply is, and a question
    # under a question would read as one prompt (left68): the reply is a first message itself
    assert parents[after] is None and after[-1] in "02468", "a question, after the lost ones"
    assert parents["MARK-1-0"] is None and parents["MARK-0-0"] is None
    messages = next(t for t in recovery.tables if t.name == "messages")
    # loose69: counted as what it became, not as "re-attached to an earlier message" (it has none)
    assert (messages.reattached, messages.made_first, messages.unanswered) == (0, 1, [])
    words = recovery_words(recovery)
    assert "re-attached" not in words and "1 question now first in its conversation, every message before lost" \
        in words, words


def test_a_damaged_index_page_loses_no_rows_and_the_count_is_still_known(tmp_path):
    db = tmp_path / "gpt2desk.sqlite3"
    _database(db)
    _damage_index(db, "messages_parent")  # the index SQLite counts the messages by
    recovery = recover_moved_aside(db)
    messages = next(t for t in recovery.tables if t.name == "messages")
    assert (messages.kept, messages.lost) == (2 * MESSAGES, 0), "the table's own pages are whole"
    assert len(_parents(db)) == 2 * MESSAGES
    assert f"messages: {2 * MESSAGES} of {2 * MESSAGES} kept" in recovery_words(recovery)
    assert not recovery.lost_any


def test_a_damaged_first_page_of_a_table_loses_only_its_own_rows(tmp_path):
    """The steps past a damaged page, from the lowest rowid, had stopped short of the highest: every row
    after the table's first page was lost with it."""
    db = tmp_path / "gpt2desk.sqlite3"
    _database(db)
    _overwrite_page_header(db, db.read_bytes().index(b"MARK-0-0 ") // PAGE)
    recovery = recover_moved_aside(db)
    parents = _parents(db)
    assert "MARK-0-0" not in parents and {f"MARK-1-{m}" for m in range(MESSAGES)} <= set(parents)
    messages = next(t for t in recovery.tables if t.name == "messages")
    assert 0 < messages.lost <= 2 and messages.kept == 2 * MESSAGES - messages.lost
