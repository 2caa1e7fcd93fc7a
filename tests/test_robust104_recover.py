"""A damaged database's readable rows, recovered in Python (core/store_recovery.py): the window's
damaged-database question and `gpt2-desk recover` offered only moving the file aside, and getting the
rest back meant the sqlite3 tool's `.recover`. Real SQLite files, damaged as a disk damages them: bytes
of one page of the messages table overwritten, so the rows on the other pages survive."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.core.store import CorruptDatabaseError, Store
from desktop_app.core.store_recovery import recover_moved_aside, recovery_words

PAGE = 4096
CONVERSATIONS, MESSAGES = 6, 10  # a conversation's messages in a row, each a reply to the one before
DAMAGED_MESSAGE = "MARK-3-5 "  # the message whose page is damaged: conversation 3, its sixth message


def _damaged_database(path: Path) -> None:
    """A database the app wrote (long messages, a page each or two), then one message's page header
    overwritten: SQLite calls the file malformed, and that page's rows cannot be read."""
    store = Store.open(path)
    for c in range(CONVERSATIONS):
        conversation, parent = store.create_conversation(f"conversation {c}"), None
        for m in range(MESSAGES):
            parent = store.add_message(conversation, "user" if m % 2 == 0 else "assistant",
                                       f"MARK-{c}-{m} " + "words " * 250, parent_id=parent)
        store.rate_message(parent, 1)
    store.close()
    data = bytearray(path.read_bytes())
    page = data.index(DAMAGED_MESSAGE.encode()) // PAGE
    data[page * PAGE:page * PAGE + 12] = b"\xff" * 12  # the b-tree page's header
    path.write_bytes(bytes(data))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _texts(path: Path) -> set[str]:
    with Store.open(path) as store, store.snapshot() as conn:
        assert store.integrity_check() == ["ok"]
        return {row[0].split(" ")[0] for row in conn.execute("SELECT text FROM messages")}


def test_the_rows_on_other_pages_come_back_and_the_damaged_file_stays_as_it_was(tmp_path):
    db = tmp_path / "gpt2desk.sqlite3"
    _damaged_database(db)
    damaged_sha = _sha(db)
    with pytest.raises(CorruptDatabaseError):
        Store.open(db)
    recovery = recover_moved_aside(db)
    assert recovery.database == db and recovery.damaged.parent == tmp_path
    assert _sha(recovery.damaged) == damaged_sha, "the damaged file is kept, not one byte changed"
    tables = {t.name: t for t in recovery.tables}
    messages = tables["messages"]
    assert messages.lost >= 1 and messages.kept + messages.lost + messages.unlinked == CONVERSATIONS * MESSAGES
    assert tables["conversations"].kept == CONVERSATIONS and tables["conversations"].lost == 0
    texts = _texts(db)
    assert len(texts) == messages.kept and DAMAGED_MESSAGE.strip() not in texts
    assert {f"MARK-{c}-{m}" for c in (0, 1, 2, 4, 5) for m in range(MESSAGES)} <= texts, "the other pages' rows"
    assert {"MARK-3-0", "MARK-3-1", "MARK-3-2"} <= texts, "the damaged page's conversation keeps its earlier ones"
    assert {f"MARK-3-{m}" for m in range(6, MESSAGES)} <= texts, "replies to a lost message stay (robust108)"
    assert messages.reattached == 1 and messages.unlinked == 0
    words = recovery_words(recovery)
    assert f"messages: {messages.kept} of {CONVERSATIONS * MESSAGES} kept ({messages.lost} unreadable" in words
    assert str(recovery.damaged) in words


def test_gpt2_desk_recover_in_place_and_from_a_file_kept_aside(tmp_path, capsys):
    db = tmp_path / "gpt2desk.sqlite3"
    _damaged_database(db)
    assert main(["history", "--db", str(db)]) == 2
    assert "gpt2-desk recover" in capsys.readouterr().err, "the error says the way out"
    assert main(["recover", "--db", str(db), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    damaged = Path(report["damaged"])
    kept = {t["name"]: t["kept"] for t in report["tables"]}
    assert kept["conversations"] == CONVERSATIONS and 0 < kept["messages"] < CONVERSATIONS * MESSAGES
    assert main(["history", "--db", str(db)]) == 0, "the recovered database opens"
    capsys.readouterr()
    assert main(["recover", "--db", str(db)]) == 0
    assert "nothing to recover" in capsys.readouterr().err and not list(tmp_path.glob("*.bad-*-1"))
    out = tmp_path / "again.sqlite3"
    assert main(["recover", str(damaged), "--out", str(out), "--db", str(db)]) == 0
    assert "messages: " in capsys.readouterr().out and _texts(out) == _texts(db)
    assert main(["recover", str(damaged), "--out", str(out), "--db", str(db)]) == 2, "never over a file"


def test_the_windows_question_recovers_what_can_be_read(qapp, tmp_path):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from desktop_app.gui.app import open_store_interactive

    db = tmp_path / "gpt2desk.sqlite3"
    _damaged_database(db)
    said = []

    def answer():  # the question, then the report: each answered as the person would
        box = QApplication.activeModalWidget()
        if box is not None and (not said or box.text() != said[-1]):
            said.append(box.text())
            names = [b.text() for b in box.buttons()]
            wanted = "Recover what can be read" if "Recover what can be read" in names else "OK"
            next(b for b in box.buttons() if b.text() == wanted).click()
        if len(said) < 2:
            QTimer.singleShot(50, answer)

    QTimer.singleShot(50, answer)
    store = open_store_interactive(db)
    try:
        assert "Recover copies every row that can still be read" in said[0]
        assert "messages: " in said[1] and "kept unchanged beside it" in said[1]
        assert len(store.list_conversations()) == CONVERSATIONS
    finally:
        store.close()
    assert len(list(tmp_path.glob("gpt2desk.sqlite3.bad-*"))) == 1
