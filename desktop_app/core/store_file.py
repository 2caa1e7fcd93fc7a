"""The store's database file: opening it safely, one connection per thread, transactions.

``StoreFile`` knows nothing of the tables beyond their schema version; store.py's ``Store``
adds the queries on top of it.

Engineering (issue 3):
- ``PRAGMA user_version`` + forward migrations (store_schema.py), WAL, busy timeout,
  foreign keys (deleting a conversation deletes everything that belongs to it),
  ``synchronous=FULL`` so a committed rating survives a crash.
- Thread safe: one connection per thread (``threading.local``); every write is one
  ``BEGIN IMMEDIATE`` transaction, so readers never block the writer and writers queue on
  the busy timeout instead of failing with "database is locked".
  ``with store.transaction():`` groups several calls of one thread into one transaction.
- A file that is not SQLite or fails ``PRAGMA quick_check`` raises CorruptDatabaseError;
  ``Store.move_aside`` renames it (and its -wal/-shm) to a timestamped backup. A file
  from a newer app version raises NewerDatabaseError and is not written to. A file SQLite may not
  open for writing (a read-only folder) raises UnwritableDatabaseError, a disk's failure while
  opening DiskTroubleError, and a full disk during a write DiskFullError (the write rolled back):
  none of them is damage, and none is moved aside.
- The file is created with mode 0600 (SQLite gives -wal/-shm the same mode).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import weakref
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from desktop_app.core.errors import UserFacingError
from desktop_app.core.store_schema import SCHEMA_VERSION, migrate

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 30_000


def _lower_text(text):
    """A text lower-cased as Python does, every alphabet's capitals (SQLite's lower() knows ASCII's only);
    NULL stays."""
    return text.lower() if isinstance(text, str) else text


class StoreError(UserFacingError):
    """Something asked of the store cannot be done (unknown id, bad value)."""


class CorruptDatabaseError(StoreError):
    """A damaged or foreign database file. ``plain``: what happened in words; ``detail``:
    SQLite's own message (page numbers, error codes), for a "Details" view or a bug report."""

    def __init__(self, path, detail: str = ""):
        self.path = Path(path)
        self.detail = detail
        self.plain = (f"The database file {self.path} cannot be read: it is damaged or is not a gpt2-desk "
                      "database. Nothing was changed.")
        short = " ".join(detail.split())
        extra = f" (SQLite: {short[:160]}{'…' if len(short) > 160 else ''})" if short else ""
        super().__init__(f"{self.plain} `gpt2-desk recover` copies what can still be read into a fresh one (the "
                         f"damaged file kept beside it, unchanged); the window offers the same.{extra}")


class ForeignDatabaseError(StoreError):
    """An SQLite file another program made: not damaged, and not to be moved aside or written."""

    def __init__(self, path, tables: list[str]):
        self.path = Path(path)
        super().__init__(f"The file {self.path} is another program's SQLite database (tables: {', '.join(tables)}), "
                         "not a gpt2-desk one. Nothing was changed; choose another file for gpt2-desk's data.")


class UnwritableDatabaseError(StoreError):
    """SQLite cannot open the file for writing (SQLITE_CANTOPEN, SQLITE_READONLY): in WAL mode even a
    reader makes the -wal and -shm files beside it, which a read-only folder refuses. Not damage: the
    file is not to be moved aside (usertest52: a read-only folder was called damaged, and the move
    aside offered then failed and closed the app)."""

    def __init__(self, path, detail: str = ""):
        self.path = Path(path)
        self.detail = detail
        super().__init__(f"The database file {self.path} cannot be opened for writing: SQLite could not open it, or "
                         f"make its {self.path.name}-wal and -shm files beside it (a read-only folder or disk, or no "
                         "permission to write there). Nothing was changed. Make the folder writable, or start with "
                         "another data folder (--data-dir FOLDER).")


NOT_SAVED_WORDS = "is full, so this change was not saved."  # DiskFullError's: the window takes it down once saving works


class DiskFullError(StoreError):
    """SQLITE_FULL: the disk holding the database has no room; the write was rolled back."""

    def __init__(self, path):
        self.path = Path(path)
        super().__init__(f"The disk holding {self.path.parent} {NOT_SAVED_WORDS} Free some "
                         "space there, then try again; what was saved before is kept.")


class DiskTroubleError(StoreError):
    """SQLITE_IOERR or SQLITE_FULL while opening: the disk failed SQLite (a full disk refuses even the
    -shm file's few bytes: "disk I/O error"), which says nothing of the file's own state."""

    def __init__(self, path, detail: str = ""):
        self.path = Path(path)
        self.detail = detail
        super().__init__(f"The database file {self.path} cannot be opened: SQLite met a disk error ({detail}). A full "
                         "disk does this, as do a failing or removed disk and a network folder that went away. Nothing "
                         "was changed. Free some space on that disk (or check it), then start again.")


# SQLite's names for a file it may not open or write, as opposed to one it cannot read
CANNOT_WRITE = {"SQLITE_CANTOPEN", "SQLITE_READONLY", "SQLITE_PERM"}


def refusal(path, exc: sqlite3.Error) -> StoreError:
    """The error a person reads for SQLite's refusal to open ``path``: unwritable, a disk's failure,
    busy, or damaged. SQLite says damage as SQLITE_CORRUPT or SQLITE_NOTADB; the rest is no reason to
    move the file aside (usertest52: a read-only folder and a full disk were both called damaged)."""
    name = getattr(exc, "sqlite_errorname", "")
    if name in CANNOT_WRITE or name.startswith(("SQLITE_CANTOPEN_", "SQLITE_READONLY_")):
        return UnwritableDatabaseError(path, str(exc))
    if name == "SQLITE_FULL" or name.startswith("SQLITE_IOERR"):
        return DiskTroubleError(path, str(exc))
    if "locked" in str(exc) or "busy" in str(exc):
        return StoreError(f"The database file {path} is busy (another program holds it): {exc}.")
    return CorruptDatabaseError(path, str(exc))


def is_disk_full(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.Error) and getattr(exc, "sqlite_errorname", "") == "SQLITE_FULL"


class NewerDatabaseError(StoreError):
    def __init__(self, path, found: int, supported: int = SCHEMA_VERSION):
        self.path = Path(path)
        self.found = found
        self.supported = supported
        super().__init__(
            f"The database file {self.path} was written by a newer version of gpt2-desk "
            f"(schema {found}; this version understands up to {supported}). "
            "It was left untouched; update gpt2-desk to open it. To go on with this version meanwhile, start it "
            "with another data folder (gpt2-desk --data-dir FOLDER): the newer file stays as it is for the newer "
            "version.")


class _Connection(sqlite3.Connection):
    """A connection that can be weakly referenced: a finished thread's connection closes
    when its thread-local goes away instead of living on in the store's list."""


_Opened = TypeVar("_Opened", bound="StoreFile")  # Store.open returns a Store


class StoreFile:
    """One database file and its per-thread connections; safe to share between threads.

    Attributes:
        path: the SQLite file.
        _local: this thread's connection; _all: every open connection (closed together).
        _lock: guards opening and closing connections; _closed: no new connection after close.
        last_write_refused: the last write transaction met a full disk (DiskFullError); the next one
            that commits sets it back, so the window knows its "not saved" no longer holds."""

    last_write_refused = False

    def __init__(self, path: Path):
        self.path = Path(path)
        self._local = threading.local()
        self._all: weakref.WeakSet = weakref.WeakSet()
        self._lock = threading.Lock()
        self._closed = False

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls: type[_Opened], path, *, create: bool = True) -> _Opened:
        path = Path(path).expanduser()
        try:
            if not path.exists() or path.stat().st_size == 0:
                if not path.exists():
                    if not create:
                        raise StoreError(f"There is no database file at {path}.")
                    path.parent.mkdir(parents=True, exist_ok=True)
                    try:
                        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
                    except FileExistsError:  # another process created it just now
                        pass
                os.chmod(path, 0o600)
            else:
                with open(path, "rb") as fh:
                    header = fh.read(len(SQLITE_HEADER))
                if header != SQLITE_HEADER:
                    raise CorruptDatabaseError(path, "not an SQLite file")
        except OSError as exc:
            raise StoreError(f"Cannot open the database file {path}: {exc.strerror or exc}.") from exc
        store = cls(path)
        try:
            conn = store._connect(check=True)
        except BaseException:
            store.close()
            raise
        store._local.conn = conn
        return store

    def _connect(self, check: bool = False) -> sqlite3.Connection:
        if self._closed:
            raise StoreError(f"The database {self.path} is closed.")
        try:
            conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_MS / 1000,
                                   isolation_level=None, check_same_thread=False, factory=_Connection)
        except sqlite3.Error as exc:
            raise StoreError(f"Cannot open the database file {self.path}: {exc}.") from exc
        conn.owner = threading.current_thread()
        with self._lock:
            self._all.add(conn)
        try:
            conn.row_factory = sqlite3.Row
            # the conversations' search in words past ASCII, whose case LIKE does not fold (store._search_clause)
            conn.create_function("lower_text", 1, _lower_text, deterministic=True)
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if check:
                self._check_file(conn)
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = FULL")
            if check:
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    log.warning("could not switch %s to WAL (journal mode %s)", self.path, mode)
                before = migrate(conn)
                if before == 0:
                    log.info("created the database %s (schema %d)", self.path, SCHEMA_VERSION)
                elif before != SCHEMA_VERSION:
                    log.info("migrated %s from schema %d to %d", self.path, before, SCHEMA_VERSION)
        except sqlite3.DatabaseError as exc:
            raise refusal(self.path, exc) from exc
        return conn

    def _check_file(self, conn: sqlite3.Connection) -> None:
        """Read-only checks before anything is written to the file."""
        try:
            found = conn.execute("PRAGMA user_version").fetchone()[0]
            if found > SCHEMA_VERSION:
                raise NewerDatabaseError(self.path, found)
            result = [row[0] for row in conn.execute("PRAGMA quick_check(5)")]
            # schema 0 is an empty file (step 0 creates the tables with the version bump): tables
            # there are another program's, which the migration would write into
            theirs = [] if found else [row[0] for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' LIMIT 4")]
        except sqlite3.DatabaseError as exc:
            raise refusal(self.path, exc) from exc
        if result != ["ok"]:
            raise CorruptDatabaseError(self.path, "; ".join(result)[:300])
        if theirs:
            raise ForeignDatabaseError(self.path, theirs)

    @staticmethod
    def move_aside(path) -> Path:
        """Rename a bad database file (and its -wal/-shm) to ``NAME.bad-YYYYmmdd-HHMMSS``.

        Never overwrites: a numeric suffix is added if that name is taken. Returns the
        backup path of the main file.
        """
        path = Path(path)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        backup = path.with_name(f"{path.name}.bad-{stamp}")
        n = 1
        while any(Path(f"{backup}{s}").exists() for s in ("", "-wal", "-shm")):
            backup = path.with_name(f"{path.name}.bad-{stamp}-{n}")
            n += 1
        for suffix in ("-wal", "-shm", ""):
            src = Path(f"{path}{suffix}")
            if src.exists():
                os.replace(src, f"{backup}{suffix}")
        log.warning("moved %s aside to %s", path, backup)
        return backup

    def close(self) -> None:
        """Close the store: it cannot be used afterwards. Closes this thread's connection and
        those of threads that have ended. A connection of a thread still running may be in
        the middle of a statement, and closing it from here can crash sqlite3: such a
        connection is closed by its own thread, at its next use of the store or when the
        thread ends (its thread-local goes away)."""
        self._closed = True
        me = threading.current_thread()
        with self._lock:
            mine = [c for c in self._all if c.owner is me or not c.owner.is_alive()]
            for conn in mine:
                self._all.discard(conn)
        self._local.conn = None
        for conn in mine:
            try:
                conn.close()
            except sqlite3.Error:  # pragma: no cover
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def data_version(self) -> int:
        """SQLite's ``PRAGMA data_version`` on this thread's connection: it changes when another
        connection (the CLI, another lane's thread) commits, so a window can tell, for the cost of
        one pragma, that what it shows may be out of date."""
        return int(self._conn().execute("PRAGMA data_version").fetchone()[0])

    # ------------------------------------------------------------ connections
    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if self._closed and conn is not None and not conn.in_transaction:
            # closed from another thread: close ours here (a transaction under way ends first)
            self._local.conn = None
            conn.close()
            conn = None
        if conn is None:
            conn = self._local.conn = self._connect()  # raises when closed
        return conn

    @property
    def db(self):
        """A ``sqlite_utils.Database`` on this thread's connection (for scripts and tests)."""
        import sqlite_utils

        return sqlite_utils.Database(self._conn(), recursive_triggers=False, execute_plugins=False)

    @contextmanager
    def transaction(self):
        """One write transaction; nested uses in the same thread join the outer one."""
        conn = self._conn()
        depth = getattr(self._local, "depth", 0)
        if depth:
            self._local.depth = depth + 1
            try:
                yield conn
            finally:
                self._local.depth = depth
            return
        conn.execute("BEGIN IMMEDIATE")
        self._local.depth = 1
        try:
            yield conn
            conn.execute("COMMIT")  # a full disk can refuse the commit itself
        except BaseException as exc:
            self._local.depth = 0
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if is_disk_full(exc):  # words a person can act on, not "OperationalError" (usertest52)
                self.last_write_refused = True
                raise DiskFullError(self.path) from exc
            raise
        self._local.depth = 0
        self.last_write_refused = False

    @contextmanager
    def snapshot(self):
        """A consistent read view for several queries (a deferred read transaction);
        inside a write transaction of this thread it just joins it."""
        conn = self._conn()
        if getattr(self._local, "depth", 0) or conn.in_transaction:
            yield conn
            return
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")

    def _rows(self, sql, params=()) -> list[sqlite3.Row]:
        return self._conn().execute(sql, params).fetchall()

    def _one(self, sql, params=()):
        return self._conn().execute(sql, params).fetchone()

    def checkpoint(self) -> bool:
        """Copy what the write-ahead log holds into the database file itself, without waiting
        for anyone (PASSIVE). SQLite does this on its own only once the log reaches 1,000
        pages (~4 MB), so a small database lived in its -wal file for a whole session and a
        copy of the .sqlite3 file alone was empty. Returns whether every change is now in the
        file (False when a reader still held an older snapshot)."""
        busy, logged, copied = self._one("PRAGMA wal_checkpoint(PASSIVE)")
        return not busy and copied == logged

    def integrity_check(self) -> list[str]:
        return [row[0] for row in self._rows("PRAGMA integrity_check")]

    @property
    def schema_version(self) -> int:
        return self._one("PRAGMA user_version")[0]
