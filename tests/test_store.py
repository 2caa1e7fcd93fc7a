"""The SQLite store: schema, records, ratings, migrations, bad files, threads, crashes."""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the package may not be installed into the venv
    sys.path.insert(0, str(ROOT))

from desktop_app.core import exchange  # noqa: E402
from desktop_app.core.errors import UserFacingError  # noqa: E402
from desktop_app.core.records import Alternative, TokenRecord  # noqa: E402
from desktop_app.core.store import CorruptDatabaseError, NewerDatabaseError, Store, StoreError  # noqa: E402
from desktop_app.core.store_schema import SCHEMA_VERSION  # noqa: E402
from desktop_app.core.text_pieces import chosen_token  # noqa: E402


def make_records(n, k=5, offset=0):
    texts = ["Hello", " wörld", "", "✓", " \"quoted\"\n", "\x00nul", " 🙂"]
    return [TokenRecord(id=offset + i, text=texts[i % len(texts)], logprob=-0.01 * i - 0.123456789,
                        rank=1 + i % 13, entropy=1.5 + i / 997,
                        top=tuple(Alternative(id=1000 + j, text=f"alt{j}{texts[j % len(texts)]}", prob=0.5 / (j + 1))
                                  for j in range(k)))
            for i in range(n)]


def chat(store, answer_records=None, answers=("An answer",)):
    conv = store.create_conversation("Test")
    sys_id = store.add_message(conv, "system", "Be brief.")
    user = store.add_message(conv, "user", "What is 2+2?", parent_id=sys_id)
    ids = [store.add_message(conv, "assistant", text, parent_id=user, model_id="gpt2",
                             settings={"temperature": 0.8, "top_k": 50}, records=answer_records)
           for text in answers]
    return conv, user, ids


# ---------------------------------------------------------------- basics
def test_new_file_is_private_wal_and_current(tmp_path):
    path = tmp_path / "sub" / "db.sqlite3"
    s = Store.open(path)
    chat(s)
    for p in path.parent.iterdir():
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p
    conn = s._conn()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert s.schema_version == SCHEMA_VERSION
    assert set(s.db.table_names()) >= {"conversations", "messages", "token_records", "ratings",
                                        "corrections", "finetune_runs", "adapters"}
    s.close()
    with pytest.raises(StoreError, match="no database file"):
        Store.open(tmp_path / "missing.sqlite3", create=False)
    with pytest.raises(StoreError, match="Cannot open"):
        Store.open(tmp_path)  # a folder


def test_records_round_trip_exactly_in_one_transaction(store):
    records = make_records(2000, k=10)
    conv = store.create_conversation()
    statements = []
    store._conn().set_trace_callback(statements.append)
    mid = store.add_message(conv, "assistant", "x", records=records)
    store._conn().set_trace_callback(None)
    assert sum(s.startswith("BEGIN") for s in statements) == 1
    assert sum(s == "COMMIT" for s in statements) == 1
    assert store.token_records(mid) == records
    assert store.token_records(mid, kind="rescored") == []
    assert store._one("SELECT COUNT(*) FROM token_records")[0] == 1
    empty = store.add_message(conv, "assistant", "", records=[])
    assert store.token_records(empty) == []


def test_messages_thread_siblings_settings(store):
    conv, user, (a, b) = chat(store, answers=("first", "second"))
    m = store.get_message(a)
    assert set(m) == {"id", "conversation_id", "parent_id", "role", "text", "model_id", "adapter_id",
                      "settings", "created"}
    assert m["settings"] == {"temperature": 0.8, "top_k": 50} and m["model_id"] == "gpt2"
    assert [x["id"] for x in store.siblings(b)] == [a, b]
    assert [x["role"] for x in store.thread(b)] == ["system", "user", "assistant"]
    assert store.thread(b)[-1]["id"] == b
    assert [x["id"] for x in store.messages(conv)][-2:] == [a, b]
    with pytest.raises(StoreError, match="no message 999"):
        store.get_message(999)
    with pytest.raises(StoreError):
        store.add_message(conv, "robot", "x")
    other = store.create_conversation()
    with pytest.raises(StoreError, match="not in conversation"):
        store.add_message(other, "assistant", "x", parent_id=user)


def test_conversations_order_search_rename_delete_cascade(store):
    c1, _, (a1,) = chat(store, answer_records=make_records(5))
    c2 = store.create_conversation("Cooking")
    store.add_message(c2, "user", "How do I boil an egg?")
    assert [c["id"] for c in store.list_conversations()] == [c2, c1]
    store.add_message(c1, "user", "Another question about 100% PYTHON_")  # touches c1.updated
    assert [c["id"] for c in store.list_conversations()] == [c1, c2]
    assert [c["id"] for c in store.list_conversations("egg")] == [c2]
    assert [c["id"] for c in store.list_conversations("cook")] == [c2]
    assert [c["id"] for c in store.list_conversations("100% python_")] == [c1]
    assert store.list_conversations("0%_x") == []
    store.rename_conversation(c2, "Eggs")
    assert store.get_conversation(c2)["title"] == "Eggs"
    store.rate_message(a1, 1)
    store.rate_token(a1, 2, -1)
    store.set_correction(a1, "Four.")
    store.set_token_records(a1, make_records(5), kind="rescored")
    store.delete_conversation(c1)
    for table in ("messages", "token_records", "ratings", "corrections"):
        left = store._one(f"SELECT COUNT(*) FROM {table} WHERE "
                          + ("conversation_id = ?" if table == "messages" else "message_id = ?"),
                          (c1 if table == "messages" else a1,))[0]
        assert left == 0, table
    with pytest.raises(StoreError):
        store.get_conversation(c1)


def test_ratings_replace_clear_and_validate(store):
    _, user, (a,) = chat(store, answer_records=make_records(4))
    store.rate_message(a, 1, "good")
    store.rate_message(a, -1, "changed my mind")
    store.rate_token(a, 3, 1)  # "✓", split after "" (token 2): kept on token 2, where it began
    store.rate_token(a, 2, -1)  # the same character, so the same rating
    rs = store.ratings(a)
    assert [(r["token_index"], r["value"], r["note"]) for r in rs] == [(None, -1, "changed my mind"), (2, -1, None)]
    assert set(rs[0]) == {"id", "message_id", "token_index", "value", "note", "created"}
    assert store.rating_counts() == {"thumbs_up": 0, "thumbs_down": 1, "token_ratings": 1, "corrections": 0}
    with pytest.raises(StoreError, match="4 tokens"):
        store.rate_token(a, 4, 1)
    with pytest.raises(StoreError):
        store.rate_message(a, 2)
    with pytest.raises(StoreError):
        store.rate_message(a, True)
    with pytest.raises(StoreError):
        store.rate_message(12345, 1)
    assert store.clear_rating(a, 3) is True  # its character's rating, wherever it is kept
    assert store.clear_rating(a, 2) is False
    assert store.clear_rating(a) is True
    assert store.ratings() == []


def test_corrections(store):
    _, user, (a,) = chat(store)
    store.set_correction(a, "Four.")
    store.set_correction(a, "It is four.")
    assert store.correction(a) == "It is four."
    assert store.corrections()[0]["original"] == "An answer"
    assert store.rating_counts()["corrections"] == 1
    with pytest.raises(StoreError, match="only answers"):
        store.set_correction(user, "x")
    assert store.clear_correction(a) and store.correction(a) is None


def test_rescored_records_runs_and_adapters(store):
    _, _, (a,) = chat(store, answer_records=make_records(3))
    run = store.create_run({"lr": 3e-4}, "gpt2")
    assert store.get_run(run)["status"] == "running" and store.get_run(run)["settings"] == {"lr": 3e-4}
    ad = store.add_adapter("/x/adapter-1", base_model="gpt2", run_id=run, metrics={"margin": 1.5})
    store.update_run(run, status="kept", adapter_id=ad, metrics={"loss": 0.5})
    r = store.get_run(run)
    assert r["status"] == "kept" and r["finished"] and r["metrics"] == {"loss": 0.5} and r["adapter_id"] == ad
    with pytest.raises(StoreError):
        store.update_run(run, status="weird")
    with pytest.raises(StoreError):
        store.update_run(run, colour="red")
    ad2 = store.add_adapter("/x/adapter-2", base_model="gpt2", parent_id=ad)
    other = store.add_adapter("/y", base_model="smollm2")
    assert store.active_adapter("gpt2") is None
    store.set_active_adapter(ad, "gpt2")
    store.set_active_adapter(other, "smollm2")
    store.set_active_adapter(ad2, "gpt2")
    assert store.active_adapter("gpt2")["id"] == ad2
    assert [x["active"] for x in store.list_adapters("gpt2")] == [False, True]
    with pytest.raises(StoreError, match="trained on"):
        store.set_active_adapter(other, "gpt2")

    base, tuned = make_records(3, offset=10), make_records(3, offset=20)
    store.set_token_records(a, base, kind="rescored")
    store.set_token_records(a, tuned, kind="rescored", adapter_id=ad)
    store.set_token_records(a, tuned, kind="rescored", adapter_id=ad)  # replaces
    assert store.token_records(a, kind="rescored") == base
    assert store.token_records(a, kind="rescored", adapter_id=ad) == tuned
    assert store.token_records(a) == make_records(3)
    assert len(store.record_sets(a)) == 3

    with pytest.raises(UserFacingError, match="active"):
        store.delete_adapter(ad2)
    assert store.delete_adapter(ad) == "/x/adapter-1"
    assert store.token_records(a, kind="rescored", adapter_id=ad) == []
    assert store.get_adapter(ad2)["parent_id"] is None and store.get_run(run)["adapter_id"] is None
    store.set_active_adapter(None, "gpt2")
    assert store.active_adapter("gpt2") is None
    assert store.list_runs()[0]["id"] == run


# ----------------------------------------------------------- migrations
# The schema of version 1 exactly as the first release wrote it (do not change).
V1_SCHEMA = [
    "CREATE TABLE conversations (id INTEGER PRIMARY KEY, title TEXT NOT NULL, created TEXT NOT NULL, "
    "updated TEXT NOT NULL)",
    "CREATE TABLE messages (id INTEGER PRIMARY KEY, conversation_id INTEGER NOT NULL REFERENCES "
    "conversations(id) ON DELETE CASCADE, parent_id INTEGER REFERENCES messages(id) ON DELETE CASCADE, "
    "role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')), text TEXT NOT NULL, model_id TEXT, "
    "adapter_id INTEGER, settings TEXT NOT NULL DEFAULT '{}', created TEXT NOT NULL)",
    "CREATE INDEX messages_conversation ON messages(conversation_id, id)",
    "CREATE INDEX messages_parent ON messages(parent_id)",
    "CREATE TABLE token_records (message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE, "
    "kind TEXT NOT NULL CHECK (kind IN ('generated', 'rescored')), adapter_id INTEGER, n INTEGER NOT NULL, "
    "ids BLOB NOT NULL, logprobs BLOB NOT NULL, ranks BLOB NOT NULL, entropies BLOB NOT NULL, texts TEXT NOT NULL, "
    "top_counts BLOB NOT NULL, top_ids BLOB NOT NULL, top_probs BLOB NOT NULL, top_texts TEXT NOT NULL, "
    "created TEXT NOT NULL)",
    "CREATE UNIQUE INDEX token_records_key ON token_records(message_id, kind, IFNULL(adapter_id, 0))",
    "CREATE TABLE ratings (id INTEGER PRIMARY KEY, message_id INTEGER NOT NULL REFERENCES messages(id) "
    "ON DELETE CASCADE, token_index INTEGER, value INTEGER NOT NULL CHECK (value IN (-1, 1)), note TEXT, "
    "created TEXT NOT NULL)",
    "CREATE UNIQUE INDEX ratings_target ON ratings(message_id, IFNULL(token_index, -1))",
    "CREATE TABLE corrections (message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE, "
    "text TEXT NOT NULL, created TEXT NOT NULL)",
]


def test_migrates_a_version_1_file(tmp_path):
    from desktop_app.core import store_codec

    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)  # version 1 used the default rollback journal
    for statement in V1_SCHEMA:
        conn.execute(statement)
    t = "2025-01-01T00:00:00.000000+00:00"
    conn.execute("INSERT INTO conversations VALUES (1, 'Old chat', ?, ?)", (t, t))
    conn.execute("INSERT INTO messages VALUES (1, 1, NULL, 'user', 'hi', NULL, NULL, '{}', ?)", (t,))
    conn.execute("INSERT INTO messages VALUES (2, 1, 1, 'assistant', 'hello', 'gpt2', NULL, '{\"top_k\": 5}', ?)", (t,))
    conn.execute("INSERT INTO token_records VALUES (2, 'generated', NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 (*store_codec.encode(make_records(2)), t))
    conn.execute("INSERT INTO ratings VALUES (1, 2, NULL, 1, 'nice', ?)", (t,))
    conn.execute("INSERT INTO corrections VALUES (2, 'Hello!', ?)", (t,))
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()

    s = Store.open(path)
    assert s.schema_version == SCHEMA_VERSION
    assert s.get_conversation(1)["title"] == "Old chat"
    assert s.get_message(2)["settings"] == {"top_k": 5}
    assert s.token_records(2) == make_records(2)
    assert s.ratings(2)[0]["note"] == "nice" and s.correction(2) == "Hello!"
    ad = s.add_adapter("/a", base_model="gpt2")  # version 2 tables work
    s.set_active_adapter(ad, "gpt2")
    assert s.integrity_check() == ["ok"]
    s.close()
    s = Store.open(path)  # reopening a current file migrates nothing
    assert s.active_adapter("gpt2")["id"] == ad
    s.close()


def test_newer_file_is_refused_untouched(tmp_path):
    path = tmp_path / "future.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE future (x)")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    mtime = path.stat().st_mtime_ns
    with pytest.raises(NewerDatabaseError) as info:
        Store.open(path)
    assert str(path) in str(info.value) and "newer version" in str(info.value)
    assert "--data-dir FOLDER" in str(info.value), "a way to go on with this version (usertest52: only OK, which quit)"
    assert isinstance(info.value, UserFacingError)
    assert path.read_bytes() == before and path.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in tmp_path.iterdir()) == ["future.sqlite3"]


# ------------------------------------------------------------ bad files
def test_not_sqlite_is_reported_and_moved_aside(tmp_path):
    path = tmp_path / "app.sqlite3"
    path.write_text("these are my notes, not a database\n" * 20)
    before = path.read_bytes()
    with pytest.raises(CorruptDatabaseError) as info:
        Store.open(path)
    assert str(path) in str(info.value)
    assert path.read_bytes() == before
    Path(f"{path}-wal").write_bytes(b"w")
    backup = Store.move_aside(path)
    assert not path.exists() and not Path(f"{path}-wal").exists()
    assert backup.read_bytes() == before and Path(f"{backup}-wal").read_bytes() == b"w"
    assert backup.parent == tmp_path and backup.name.startswith("app.sqlite3.bad-")
    path.write_text("again")
    backup2 = Store.move_aside(path)  # same second: never overwrites the first backup
    assert backup2 != backup and backup.read_bytes() == before
    s = Store.open(path)
    assert s.list_conversations() == []
    s.close()


def test_corrupt_sqlite_is_reported(tmp_path):
    path = tmp_path / "app.sqlite3"
    s = Store.open(path)
    for _ in range(30):
        chat(s, answer_records=make_records(50))
    s.close()
    assert not Path(f"{path}-wal").exists()
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 6 * page
    for offset in range(page, len(data), page):  # keep page 1 (header + schema), garble the rest
        data[offset:offset + page // 2] = os.urandom(page // 2)
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptDatabaseError, match=str(path).replace("\\", "\\\\")):
        Store.open(path)
    assert path.read_bytes() == bytes(data)


# ------------------------------------------------------- threads, crashes
def test_three_threads_write_read_export(tmp_path):
    """A writer rates tokens while a reader and an exporter read the same store on threads of their own.
    The writer goes on until each of the others has finished a whole pass begun after its first rating
    (not a fixed 600 ratings, which took half a minute on a busy machine), so every pass counted ran
    beside the writes; a reader or exporter that fails never finishes one, and the writer stops at 600."""
    s = Store.open(tmp_path / "t.sqlite3")
    pieces = [r.text for r in make_records(400)]
    _, _, answers = chat(s, answer_records=make_records(400, k=10), answers=[f"a{i}" for i in range(6)])
    errors, written = [], []
    writing, read_beside, exported_beside, done = (threading.Event() for _ in range(4))
    # each answer rated on a whole round of make_records' texts, the split "" + "✓" among them
    at_least, at_most = 7 * len(answers), 600

    def writer():
        i = 0
        try:
            while i < at_most and (i < at_least or not (read_beside.is_set() and exported_beside.is_set())):
                s.rate_token(answers[i % len(answers)], i // len(answers), 1 if i % 3 else -1)
                if i % 50 == 0:
                    s.rate_message(answers[(i // 50) % len(answers)], 1 if i % 100 else -1)
                i += 1
                writing.set()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            written.append(i)
            writing.set()
            done.set()

    def beside_the_writes(one_pass, finished: threading.Event):
        """Runs ``one_pass`` again and again while the writer writes, ``finished`` set by the first pass
        that began after a rating and ended before the last."""
        def run():
            try:
                writing.wait()
                while not done.is_set():
                    one_pass()
                    if not done.is_set():
                        finished.set()
            except Exception as exc:  # pragma: no cover
                errors.append(exc)
        return run

    def read():
        for a in answers:
            assert len(s.token_records(a)) == 400
            s.ratings(a)

    def export():
        for fmt in exchange.FORMATS:
            exchange.build_examples(s, fmt)

    threads = [threading.Thread(target=f) for f in (writer, beside_the_writes(read, read_beside),
                                                     beside_the_writes(export, exported_beside))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()  # a hang is pytest-timeout's to report
    assert not errors, errors
    assert read_beside.is_set() and exported_beside.is_set()
    # one rating per character: a split one ("" then "✓" in make_records) keeps one, on its first token
    characters = {(i % len(answers), chosen_token(pieces, i // len(answers))) for i in range(written[0])}
    assert s.rating_counts()["token_ratings"] == len(characters) < written[0]
    s.close()


def test_sigkill_mid_write_keeps_committed_ratings(tmp_path):
    path = tmp_path / "killed.sqlite3"
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    child = subprocess.Popen([sys.executable, str(ROOT / "tests" / "store_kill_child.py"), str(path)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    reported = []
    try:
        assert child.stdout.readline().strip() == "READY", child.stderr.read()
        deadline = time.monotonic() + 20
        while len(reported) < 40 and time.monotonic() < deadline:
            line = child.stdout.readline()
            if not line:
                break
            reported.append(int(line))
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        child.stdout.close()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    assert len(reported) >= 40
    assert Path(f"{path}-wal").exists()  # killed without a clean close
    s = Store.open(path)
    assert s.integrity_check() == ["ok"]
    for mid in reported:
        rs = s.ratings(mid)
        assert [r["token_index"] for r in rs] == [None, 0, 1, 2], mid
        assert len(s.token_records(mid)) == 300
    s.close()


def test_worker_threads_get_their_own_connection(store):
    conv = store.create_conversation()
    results = {}

    def work():
        results["mid"] = store.add_message(conv, "user", "from a thread")
        results["conn"] = store._conn()

    t = threading.Thread(target=work)
    t.start()
    t.join()
    assert results["conn"] is not store._conn()
    assert store.get_message(results["mid"])["text"] == "from a thread"
    del results["conn"]
    import gc

    gc.collect()
    assert len(store._all) == 1  # the finished thread's connection was closed, not kept


def test_transaction_groups_and_rolls_back(store):
    conv = store.create_conversation()
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.add_message(conv, "user", "lost")
            raise RuntimeError("boom")
    assert store.messages(conv) == []
    with store.transaction():
        store.add_message(conv, "user", "a")
        store.add_message(conv, "user", "b")
    assert [m["text"] for m in store.messages(conv)] == ["a", "b"]


def test_close_leaves_another_threads_connection_to_that_thread(tmp_path):
    """Closing from one thread while a worker is inside a transaction: the worker's work is
    committed (nothing lost, no crash from a connection closed under a running statement),
    and its next use of the store is refused with a clear error."""
    from desktop_app.core.store import StoreError

    path = tmp_path / "db.sqlite3"
    store = Store.open(path)
    inside, closed, outcome = threading.Event(), threading.Event(), {}

    def worker():
        with store.transaction():
            first = store.create_conversation("begun before the close")
            inside.set()
            closed.wait(10)
            second = store.create_conversation("finished after the close")
        outcome["ids"] = (first, second)
        try:
            store.list_conversations()
        except StoreError as exc:
            outcome["after"] = str(exc)

    thread = threading.Thread(target=worker)
    thread.start()
    assert inside.wait(10)
    store.close()
    closed.set()
    thread.join(10)
    assert "closed" in outcome["after"]
    again = Store.open(path)
    assert {c["title"] for c in again.list_conversations()} == {"begun before the close", "finished after the close"}
    assert again.integrity_check() == ["ok"]
    again.close()
