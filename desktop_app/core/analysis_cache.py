"""A Text tab analysis kept between starts: the figures of a text already analysed under a model.

A long text's analysis takes minutes on a CPU, and it was done again at every start although
neither the text nor the model had changed. A complete analysis is kept here, keyed by the text
(its SHA-256) and the model's identity (``model_identity``: the model, the sizes and times of its
folder's files, the adapter, the precision, the device, the alternatives kept and the plan's
constants), so a reopened text shows its colours as soon as the model is loaded, with the very
records the analysis made.

The cache is a SQLite file of its own beside the app's database (``cache_file``): nothing in it is
the person's work, so a file that cannot be read is never a loss. A file of a newer format (an
app version ahead of this one wrote it) is neither read nor written: that version keeps its
figures. A damaged file or row is ignored (the text is analysed again); a damaged file is moved
aside before a new one is written, never deleted (checked whole once a process: damage found later, a
DatabaseError while writing, moves it aside then). At most ``KEPT_PER_DOCUMENT`` analyses are kept
per text document (the paths of its tree shown last), the oldest let go; an analysis kept before its
text was stored as a document becomes that document's when it is (``attach_to_document``).

The file is bounded: all its analyses together hold at most ``BUDGET_BYTES``, the least recently
used let go first (reading an analysis counts as a use); an analysis bigger than the whole budget is
not kept at all (logged). A deleted document's analyses go with it (``forget_document``), or, while the
window can still bring the document back, wait under a ticket (``set_aside``, ``bring_back``: a text brought
back is coloured without a new pass); at start those of documents no longer stored go (``forget_all_but``,
set-aside ones included). The space let go is given back to the
disk: new files are made with ``auto_vacuum = INCREMENTAL``; a file of format 1 (made without it) is
VACUUMed once when a large share of it is free, which turns it incremental too.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from desktop_app.core import store_codec
from desktop_app.core.records import TokenRecord
from desktop_app.core.score_passes import Pass

log = logging.getLogger(__name__)

FILE_NAME = "text-analyses.sqlite3"
FORMAT = 2  # the file's PRAGMA user_version: a newer one is left alone; 2 added the rows' ``bytes``
OLDEST_FORMAT = 1  # format 1 (no ``bytes``, no auto_vacuum) is read, and brought to FORMAT on a write
# A million-token text's analysis is about 40 MB: the budget keeps several of the longest texts (and
# hundreds of ordinary ones) while the file stays below the size of the smallest model's weights.
BUDGET_BYTES = 256 * 1024 * 1024
RECLAIM_SHARE = 0.25  # the file is shrunk when at least this share of its pages is free
KEPT_PER_DOCUMENT = 4
SQLITE_HEADER = b"SQLite format 3\x00"
# the files of a model folder whose change changes the figures (weights, configuration, tokenizer)
MODEL_FILE_SUFFIXES = (".safetensors", ".bin", ".json", ".gguf", ".model", ".txt")

_SCHEMA = """CREATE TABLE IF NOT EXISTS analyses (
    text_sha TEXT NOT NULL,
    identity TEXT NOT NULL,
    document_id INTEGER,
    first INTEGER NOT NULL,
    unscored_prefix TEXT NOT NULL,
    ids BLOB NOT NULL,
    passes TEXT NOT NULL,
    precision TEXT,
    n INTEGER NOT NULL, rec_ids BLOB NOT NULL, logprobs BLOB NOT NULL, ranks BLOB NOT NULL,
    entropies BLOB NOT NULL, texts TEXT NOT NULL, top_counts BLOB NOT NULL, top_ids BLOB NOT NULL,
    top_probs BLOB NOT NULL, top_texts TEXT NOT NULL,
    used TEXT NOT NULL,
    bytes INTEGER,
    PRIMARY KEY (text_sha, identity)
)"""
_ROW_COLUMNS = ("text_sha", "identity", "document_id", "first", "unscored_prefix", "ids", "passes", "precision",
                *(c if c != "ids" else "rec_ids" for c in store_codec.COLUMNS), "used", "bytes")
_INSERT = (f"INSERT OR REPLACE INTO analyses ({', '.join(_ROW_COLUMNS)}) "
           f"VALUES ({', '.join('?' * len(_ROW_COLUMNS))})")
# a format-1 row's size, counted once when the file is brought to format 2 (as ``_size`` counts it)
_SIZE_OF_ROW = " + ".join(f"ifnull(length(CAST({c} AS BLOB)), 0)" for c in _ROW_COLUMNS[:-1])


@dataclass(frozen=True)
class KeptAnalysis:
    """What a complete analysis needs to be shown again: ``session.ScoredText``'s fields but its key."""

    ids: list[int]
    unscored_prefix: str
    records: list[TokenRecord]
    first: int
    passes: tuple[Pass, ...]


def cache_file(database_path) -> Path:
    """Where the analyses of the texts of the database at ``database_path`` are kept: beside it."""
    return Path(database_path).with_name(FILE_NAME)


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def model_identity(loaded, alternatives: int, detailed: int | None) -> str | None:
    """What the figures of a text depend on besides the text, as one string; None when the model's
    folder cannot be read (nothing is then kept: its files may be changing under it)."""
    from desktop_app.core import score_plan, scoring

    folder = Path(loaded.folder)
    try:
        files = sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir()
                       if p.is_file() and p.suffix in MODEL_FILE_SUFFIXES)
    except OSError:
        return None
    device = getattr(loaded.device, "type", str(loaded.device))
    plan = (score_plan.PASS_TOKENS, score_plan.PASS_TOKENS_MAX, scoring.CHUNK, loaded.context_window)
    return json.dumps([loaded.model_id, str(folder), files, loaded.adapter_id, loaded.precision, device,
                       alternatives, detailed, plan])


def read(path, text: str, identity: str) -> KeptAnalysis | None:
    """The analysis kept for ``text`` under ``identity``, or None: none kept, or a file or row that
    cannot be read (a newer format, damage), which is only logged. A row read is marked used now."""
    path = Path(path)
    if not path.is_file():
        return None
    try:
        with closing(_connect(path)) as conn:
            if not _readable(conn):
                return None
            row = conn.execute("SELECT rowid, * FROM analyses WHERE text_sha = ? AND identity = ?",
                               (text_key(text), identity)).fetchone()
            if row is None:
                return None
            kept = _kept(row)
            _mark_used(conn, row["rowid"])
            return kept
    except (sqlite3.Error, ValueError, TypeError, KeyError, json.JSONDecodeError) as exc:
        log.warning("the kept analysis in %s cannot be read (%s): the text is analysed again", path, exc)
        return None


def write(path, text: str, identity: str, kept: KeptAnalysis, document_id: int | None = None,
          budget: int | None = None) -> bool:
    """Keep a complete analysis of ``text``; the oldest of the document's beyond KEPT_PER_DOCUMENT go, then
    the least recently used beyond ``budget`` bytes. False when it was not kept (bigger than the budget, a
    newer format's file, or one that cannot be written: logged). ``budget``: BUDGET_BYTES when None."""
    path, budget = Path(path), BUDGET_BYTES if budget is None else budget
    row = _row(text, identity, kept, document_id)
    if row[-1] > budget:
        log.info("the analysis of a text of %d tokens (%.1f MB) is bigger than the kept analyses' budget "
                 "(%.0f MB): not kept", len(kept.ids), row[-1] / 1e6, budget / 1e6)
        return False
    try:
        try:
            return _write_row(path, row, document_id, budget)
        except sqlite3.DatabaseError as exc:
            if not _damage(exc):  # (a file another start writes just now is busy, not damaged)
                raise
            # damaged since it was checked (once a process): aside, as on open, and the row into a new file
            log.warning("the kept analyses in %s are damaged (%s)", path, exc)
            _move_aside(path)
            return _write_row(path, row, document_id, budget)
    except (sqlite3.Error, OSError) as exc:
        log.warning("the analysis could not be kept in %s: %s", path, exc)
        return False


def _damage(exc: sqlite3.DatabaseError) -> bool:
    """The error says the file is damaged or no database ("database disk image is malformed"), not that
    it is busy or full: those raise DatabaseError's subclasses, or name another code (Python 3.11+)."""
    name = getattr(exc, "sqlite_errorname", None)
    if name is not None:
        return name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))
    return type(exc) is sqlite3.DatabaseError


def _write_row(path: Path, row: tuple, document_id: int | None, budget: int) -> bool:
    if document_id is None:  # a row without a document: the next save reads the file again (not by its time alone)
        _UNATTACHED.pop(str(path), None)
    _move_aside_if_damaged(path)
    with closing(_connect(path)) as conn:
        if not _brought_to_format(conn, path):
            return False
        with conn:
            conn.execute(_INSERT, row)
            _forget_oldest(conn, document_id)
            _forget_beyond_budget(conn, budget)
        _reclaim(conn)
    return True


# the texts kept without a document, per file, as last read: (the file's signature then, their SHA-256s). A
# document is saved at every pause in typing, and such rows are rare (an analysis done before its text was
# stored): reading the file each time opened it, read its format and ran an UPDATE for nothing
_UNATTACHED: dict[str, tuple[tuple, frozenset[str]]] = {}


def _signature(path: Path) -> tuple | None:
    """What changes when the file is written (by this process or another), or None: no file."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns


def attach_to_document(path, text: str, document_id: int) -> int:
    """The analyses of ``text`` kept without a document (made before it was stored) become ``document_id``'s,
    so they go with it when it is deleted and count in its KEPT_PER_DOCUMENT; how many. The file is read only
    when it changed since the last look, or holds such an analysis of this text."""
    path, sha = Path(path), text_key(text)
    signature = _signature(path)  # before the read: a write after it shows as a change next time
    if signature is None:
        return 0
    known = _UNATTACHED.get(str(path))
    if known is not None and known[0] == signature and sha not in known[1]:
        return 0

    def statement(conn: sqlite3.Connection) -> tuple[str, tuple]:
        unattached = frozenset(r[0] for r in conn.execute("SELECT text_sha FROM analyses WHERE document_id IS NULL"))
        _UNATTACHED[str(path)] = (signature, unattached - {sha})
        return "UPDATE analyses SET document_id = ? WHERE text_sha = ? AND document_id IS NULL", (document_id, sha)

    return _change_where(path, statement)


def set_aside(path, document_id: int) -> int | None:
    """The analyses of a document just deleted wait under a ticket (a negative number no document has) for
    ``bring_back``; None when it had none. Until then they count in no document's KEPT_PER_DOCUMENT, the budget
    may still let them go, and the next start's ``forget_all_but`` does (the session that could bring the
    document back is over); ``forget_document(path, ticket)`` lets them go at once."""
    ticket = -1 - secrets.randbelow(2 ** 62)  # unique: a reused document id deleted twice keeps its own rows
    moved = _change_where(path, "UPDATE analyses SET document_id = ? WHERE document_id = ?", (ticket, document_id))
    return ticket if moved else None


def bring_back(path, ticket: int, document_id: int) -> int:
    """The analyses set aside under ``ticket`` become ``document_id``'s (the document brought back); how many."""
    return _change_where(path, "UPDATE analyses SET document_id = ? WHERE document_id = ?", (document_id, ticket))


def forget_document(path, document_id: int) -> int:
    """Let go of the analyses of a deleted document; how many went."""
    return _forget_where(path, "document_id = ?", (document_id,))


def forget_all_but(path, document_ids) -> int:
    """Let go of the analyses of documents not among ``document_ids`` (those still stored), those set aside for
    an undo (``set_aside``) among them; how many went. Rows kept without a document stay (the budget bounds them)."""
    def gone_ids(conn: sqlite3.Connection) -> list[int]:
        kept_for = {r[0] for r in conn.execute("SELECT DISTINCT document_id FROM analyses "
                                               "WHERE document_id IS NOT NULL")}
        return sorted(kept_for - set(document_ids))

    return _forget_where(path, None, gone_ids)


def _forget_where(path, condition: str | None, values) -> int:
    """Delete the rows under ``condition`` (or, with None, of the document ids ``values(conn)`` gives)
    in a file of a format this version writes, and give the space back; how many went."""
    def statement(conn: sqlite3.Connection) -> tuple[str, tuple]:
        if condition is not None:
            return f"DELETE FROM analyses WHERE {condition}", values
        gone = values(conn)
        return f"DELETE FROM analyses WHERE document_id IN ({', '.join('?' * len(gone))})", tuple(gone)

    return _change_where(path, statement, reclaim=True)


def _change_where(path, statement, values=(), reclaim: bool = False) -> int:
    """Run one UPDATE or DELETE (``statement``: its SQL, or ``statement(conn)`` giving SQL and values) in a
    file of a format this version writes; the rows it changed. A file it cannot read or write is only logged."""
    path = Path(path)
    if not path.is_file():
        return 0
    try:
        with closing(_connect(path)) as conn:
            if not _readable(conn):
                return 0
            with conn:
                sql, values = statement(conn) if callable(statement) else (statement, values)
                changed = conn.execute(sql, values).rowcount
            if changed and reclaim:
                _reclaim(conn)
            return changed
    except sqlite3.Error as exc:
        log.warning("the kept analyses in %s could not be changed: %s", path, exc)
        return 0


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), timeout=5.0)
    conn.row_factory = sqlite3.Row
    return conn


def _file_format(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def _readable(conn: sqlite3.Connection) -> bool:
    return OLDEST_FORMAT <= _file_format(conn) <= FORMAT


def _mark_used(conn: sqlite3.Connection, rowid: int) -> None:
    """The row read is the most recently used (the budget lets it go last); a file another start is
    writing just now is left as it is: the figures were read all the same."""
    try:
        with conn:
            conn.execute("UPDATE analyses SET used = ? WHERE rowid = ?",
                         (datetime.now(timezone.utc).isoformat(), rowid))
    except sqlite3.OperationalError as exc:
        log.debug("the kept analysis read could not be marked used: %s", exc)


def _brought_to_format(conn: sqlite3.Connection, path: Path) -> bool:
    """Make the table in a new file (incremental auto_vacuum first: it is only set before any table),
    or bring a format-1 file to FORMAT (its rows' sizes counted once); False for a newer file."""
    found = _file_format(conn)
    if found > FORMAT:
        log.info("%s is of a newer format (%d): left as it is", path, found)
        return False
    if found < FORMAT:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'analyses'").fetchone():
            conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
        with conn:
            conn.execute(_SCHEMA)
            if "bytes" not in {r["name"] for r in conn.execute("PRAGMA table_info(analyses)")}:
                conn.execute("ALTER TABLE analyses ADD COLUMN bytes INTEGER")
            conn.execute(f"UPDATE analyses SET bytes = {_SIZE_OF_ROW} WHERE bytes IS NULL")
            conn.execute(f"PRAGMA user_version = {FORMAT}")
    return True


# the files checked whole in this process (path, device, inode): a pass over a file near its budget at
# every write (each completed analysis) took longer than the write; damage found later shows as a
# DatabaseError during the write, which moves the file aside then (``write``)
_CHECKED: set[tuple[str, int, int]] = set()


def _move_aside_if_damaged(path: Path) -> None:
    """A file that is not SQLite (or fails its check, once a process) is renamed ``NAME.bad-STAMP``: kept,
    not lost."""
    if not path.is_file() or (stat := path.stat()).st_size == 0:
        return
    with open(path, "rb") as fh:
        damaged = fh.read(len(SQLITE_HEADER)) != SQLITE_HEADER
    checked = (str(path.resolve()), stat.st_dev, stat.st_ino)
    if not damaged and checked not in _CHECKED:
        try:
            with closing(_connect(path)) as conn:
                damaged = conn.execute("PRAGMA quick_check(1)").fetchone()[0] != "ok"
        except sqlite3.DatabaseError as exc:
            if not _damage(exc):  # busy (another start writes it): not checked, nor moved aside
                raise
            damaged = True
        if not damaged:
            _CHECKED.add(checked)
    if damaged:
        _move_aside(path)


def _move_aside(path: Path) -> None:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    aside = path.with_name(f"{path.name}.bad-{stamp}")
    path.rename(aside)
    log.warning("the kept analyses %s could not be read: moved aside to %s", path, aside)


def _row(text: str, identity: str, kept: KeptAnalysis, document_id: int | None) -> tuple:
    """The values of _ROW_COLUMNS; the last, ``bytes``, is what the others hold (the budget counts it)."""
    precision = next((r.precision for r in kept.records if r.precision), None)
    passes = json.dumps([[p.end, p.begin, p.stop] for p in kept.passes])
    used = datetime.now(timezone.utc).isoformat()
    values = (text_key(text), identity, document_id, kept.first, kept.unscored_prefix,
              store_codec.pack_ints(kept.ids), passes, precision, *store_codec.encode(kept.records), used)
    return (*values, sum(_size(v) for v in values))


def _size(value) -> int:
    """A value's bytes as SQLite's ``length(CAST(value AS BLOB))`` counts them (_SIZE_OF_ROW)."""
    if value is None:
        return 0
    if isinstance(value, bytes):
        return len(value)
    return len(str(value).encode("utf-8", "surrogatepass"))


def _kept(row: sqlite3.Row) -> KeptAnalysis:
    columns = [row[c if c != "ids" else "rec_ids"] for c in store_codec.COLUMNS]
    records = store_codec.decode(*columns, precision=row["precision"])
    ids = store_codec.unpack_ints(row["ids"])
    passes = tuple(Pass(int(e), int(b), int(s)) for e, b, s in json.loads(row["passes"]))
    first = int(row["first"])
    if len(records) != len(ids) - first:  # a scoring kept whole has a record for every scored token
        raise ValueError("the kept records do not cover the text")
    return KeptAnalysis(ids, row["unscored_prefix"], records, first, passes)


def _forget_oldest(conn: sqlite3.Connection, document_id: int | None) -> None:
    if document_id is None:
        return
    conn.execute("""DELETE FROM analyses WHERE document_id = ? AND rowid NOT IN (
                    SELECT rowid FROM analyses WHERE document_id = ? ORDER BY used DESC LIMIT ?)""",
                 (document_id, document_id, KEPT_PER_DOCUMENT))


def _forget_beyond_budget(conn: sqlite3.Connection, budget: int) -> None:
    """Let go of the least recently used rows until the rest hold at most ``budget`` bytes."""
    held, beyond = 0, []
    for rowid, size in conn.execute("SELECT rowid, bytes FROM analyses ORDER BY used DESC, rowid DESC"):
        held += size or 0
        if held > budget:
            beyond.append(rowid)
    if beyond:
        conn.executemany("DELETE FROM analyses WHERE rowid = ?", [(r,) for r in beyond])
        log.info("%d kept analyses let go: the file holds at most %.0f MB", len(beyond), budget / 1e6)


def _reclaim(conn: sqlite3.Connection) -> None:
    """Give the pages let go back to the disk once RECLAIM_SHARE of the file is free: the file does not
    stay at its largest for good. A file made before auto_vacuum was set is VACUUMed, which sets it."""
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    free = conn.execute("PRAGMA freelist_count").fetchone()[0]
    if not pages or free < RECLAIM_SHARE * pages:
        return
    if conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 2:  # INCREMENTAL
        # executescript steps the pragma to its end: ``execute`` steps it once, which frees one page
        conn.executescript("PRAGMA incremental_vacuum;")
    else:
        conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
        conn.execute("VACUUM")
