"""Usertest 52: a database the disk refuses. A data folder SQLite cannot write in was called
"damaged" and offered a move aside (which then failed and closed the app); a full disk said
"Something went wrong: OperationalError: database or disk is full" and not what was lost or what
to do. Both are real SQLite refusals here: a -wal that cannot be opened (SQLITE_CANTOPEN, as a
read-only folder gives), and SQLite's own page limit (SQLITE_FULL, as a full disk gives)."""

from __future__ import annotations

import pytest

from desktop_app.core.store import CorruptDatabaseError, DiskFullError, Store, UnwritableDatabaseError
from desktop_app.gui.chat import ChatState
from desktop_app.gui.tasks import Task
from test_gui import WAIT_MS, make_window  # noqa: F401

NO_LIMIT = 1073741823  # SQLite's default max_page_count


def fill_up(store: Store) -> None:
    """This thread's connection may grow the file no more: the next page it needs is refused."""
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages}")


def test_a_file_sqlite_cannot_open_for_writing_is_not_called_damaged(tmp_path):
    path = tmp_path / "gpt2desk.sqlite3"
    Store.open(path).close()
    before = path.read_bytes()
    (tmp_path / "gpt2desk.sqlite3-wal").mkdir()  # the -wal SQLite must open beside the file cannot be
    with pytest.raises(UnwritableDatabaseError) as caught:
        Store.open(path)
    assert not isinstance(caught.value, CorruptDatabaseError)  # the window offers no move aside
    words = str(caught.value)
    assert "cannot be opened for writing" in words and "--data-dir" in words
    assert "damaged" not in words and "Move it aside" not in words
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gpt2desk.sqlite3", "gpt2desk.sqlite3-wal"]


def test_a_damaged_file_is_still_called_damaged(tmp_path):
    path = tmp_path / "gpt2desk.sqlite3"
    Store.open(path).close()
    path.write_bytes(path.read_bytes()[:4096] + b"\xff" * 4096)  # the header, then garbage
    with pytest.raises(CorruptDatabaseError):
        Store.open(path)


def test_a_full_disk_says_so_and_the_store_goes_on_once_there_is_room(store):
    conversation = store.create_conversation("Plans")
    fill_up(store)
    with pytest.raises(DiskFullError) as caught:
        store.add_message(conversation, "user", "a long prompt " * 20_000)
    words = str(caught.value)
    assert "is full" in words and "not saved" in words and "Free some space" in words
    assert "OperationalError" not in words
    assert store.messages(conversation) == []  # nothing half written
    store.db.execute(f"PRAGMA max_page_count = {NO_LIMIT}")  # room again: no transaction was left open
    message = store.add_message(conversation, "user", "a long prompt " * 20_000)
    assert [m["id"] for m in store.messages(conversation)] == [message]


def test_the_window_says_a_full_disk_and_gives_the_prompt_back(make_window, qtbot):
    window = make_window()
    store = window.chat.store
    # the store lane's own connection is the one that writes the prompt: it runs its tasks in order
    window.tasks.store.submit(Task(lambda _report, _cancel: fill_up(store), "fill the disk"))
    window.prompt.setPlainText("tell me more " * 3000)
    with qtbot.waitSignal(window.chat.error, timeout=WAIT_MS):
        window.send_button.click()
    words = window.error_banner.label.text()
    assert words.startswith("Your message was not saved.") and "is full" in words
    assert "OperationalError" not in words and "Something went wrong" not in words
    assert window.prompt.toPlainText().startswith("tell me more")  # given back, not lost
    qtbot.waitUntil(lambda: window.chat.state is ChatState.IDLE, timeout=WAIT_MS)
    assert window.error_banner.isVisible()
    # room again: the next save goes through, and "not saved" no longer holds (it stayed up)
    freed = window.tasks.store.submit(Task(lambda _report, _cancel: store.db.execute(
        f"PRAGMA max_page_count = {NO_LIMIT}"), "free some space"))
    qtbot.waitUntil(lambda: freed.handled.is_set(), timeout=WAIT_MS)
    assert window.error_banner.isVisible(), "a task that wrote nothing says nothing of the disk"
    # the next write (a rating, a rename: the store lane's) goes through; sending a prompt clears errors anyway
    window.tasks.store.submit(Task(lambda _report, _cancel: store.create_conversation("Plans"), "a write"))
    qtbot.waitUntil(lambda: not window.error_banner.isVisible(), timeout=WAIT_MS)


def test_a_disk_error_on_opening_is_not_called_damaged(tmp_path):
    """A full disk at the start (a tmpfs filled up, here) made SQLite fail the -shm file's few bytes:
    "disk I/O error", SQLITE_IOERR_SHMSIZE, which the window called damage and offered to move aside.
    A test cannot fill a disk: the error is SQLite's own class with the names it had there."""
    import sqlite3

    from desktop_app.core.store_file import DiskTroubleError, refusal

    failed = sqlite3.OperationalError("disk I/O error")
    failed.sqlite_errorname = "SQLITE_IOERR_SHMSIZE"
    error = refusal(tmp_path / "gpt2desk.sqlite3", failed)
    assert isinstance(error, DiskTroubleError) and not isinstance(error, CorruptDatabaseError)
    assert "Free some space" in str(error) and "damaged" not in str(error)
    malformed = sqlite3.DatabaseError("database disk image is malformed")
    malformed.sqlite_errorname = "SQLITE_CORRUPT"
    assert isinstance(refusal(tmp_path / "gpt2desk.sqlite3", malformed), CorruptDatabaseError)
