"""A damaged database's readable rows copied into a fresh one, in Python: moving the file aside was the
only way out, and getting the rest back needed the ``sqlite3`` tool's ``.recover``, which most people do
not have (robust104).

The damaged file is opened read-only and never written; each table is read row by row in rowid order,
and a stretch SQLite cannot read (a damaged page) is stepped over to the next rowid it can, so the rows
on the other pages survive. They go into a fresh database made at the damaged file's own schema
version, with the app's foreign-key rules kept (a row whose parent was lost goes, a link that may be
empty is emptied; but a message whose earlier message was lost is re-attached to its nearest surviving
ancestor of the other role, robust108, left68), and then migrated forward as any older file is. The fresh file is built beside the
target and renamed into place once whole, so a crash midway never leaves half a database to open.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from desktop_app.core.count_words import counted, plural
from desktop_app.core.store_file import StoreError, StoreFile
from desktop_app.core.store_schema import SCHEMA_VERSION, migrate

log = logging.getLogger(__name__)

CHUNK_ROWS = 500  # rows read per query where the pages are sound
LOWEST_ROWID, HIGHEST_ROWID = -(2 ** 63), 2 ** 63 - 1


@dataclass
class TableRecovery:
    """One table's rows: ``kept`` copied, ``lost`` the rows the damaged file counted and the copy lacks
    (None where the damaged file could not even count them), ``unlinked`` among the kept ones, removed
    again because the row they belong to was lost, ``reattached`` kept ones whose parent (an earlier
    message) was lost, now linked to their nearest surviving ancestor; of those whose parent was lost and
    that have none left above them, ``made_first`` the questions now first in their conversation, and
    ``unanswered`` the conversations (ids) holding an answer whose every question was lost: it answers nothing now,
    so the report names them (it had counted both kinds as "re-attached to an earlier message")."""

    name: str
    kept: int = 0
    lost: int | None = 0
    unlinked: int = 0
    reattached: int = 0
    made_first: int = 0
    unanswered: list[int] = field(default_factory=list)


@dataclass
class Recovery:
    """What a recovery made: the fresh database, the damaged file kept as it was, each table's counts."""

    database: Path
    damaged: Path
    tables: list[TableRecovery] = field(default_factory=list)

    @property
    def lost_any(self) -> bool:
        return any(t.lost != 0 or t.unlinked for t in self.tables)


def recover_moved_aside(db_path) -> Recovery:
    """The damaged database at ``db_path`` moved aside (renamed, its -wal and -shm with it, nothing in it
    changed), and a fresh one made at ``db_path`` from what it could read."""
    damaged = StoreFile.move_aside(db_path)
    try:
        return recover_into(damaged, db_path)
    except (StoreError, sqlite3.Error, OSError) as exc:  # (a full disk while writing the fresh one, too)
        said = str(exc).rstrip(".")
        raise StoreError(f"{said}. The damaged file is kept as {damaged}.") from exc


def recover_into(damaged, target) -> Recovery:
    """A fresh database at ``target`` (which must not exist) holding every row of ``damaged`` that can
    be read; ``damaged`` is only read."""
    damaged, target = Path(damaged), Path(target)
    if target.exists():
        raise StoreError(f"{target} already exists: a recovery writes a new file only.")
    source = _open_read_only(damaged)
    building = target.with_name(f"{target.name}.recovering")
    building.unlink(missing_ok=True)  # an earlier recovery killed midway
    try:
        fresh = sqlite3.connect(str(building), isolation_level=None)
        try:
            tables = _copy_database(source, fresh, damaged)
        finally:
            fresh.close()
        os.chmod(building, 0o600)  # as StoreFile makes its files: the person's conversations
        os.replace(building, target)
    except BaseException:
        building.unlink(missing_ok=True)
        raise
    finally:
        source.close()
    log.warning("recovered %s into %s: %s", damaged, target,
                ", ".join(f"{t.name} {t.kept} kept/{t.lost} lost" for t in tables))
    return Recovery(target, damaged, tables)


def _open_read_only(path: Path) -> sqlite3.Connection:
    """``path`` read-only; with no -wal beside it also immutable, so SQLite makes no -shm file either."""
    if not path.is_file():
        raise StoreError(f"There is no database file at {path}.")
    immutable = "" if Path(f"{path}-wal").exists() else "&immutable=1"
    return sqlite3.connect(f"file:{quote(str(path))}?mode=ro{immutable}", uri=True, isolation_level=None)


def _copy_database(source: sqlite3.Connection, fresh: sqlite3.Connection, damaged: Path) -> list[TableRecovery]:
    version = _schema_version(source, damaged)
    migrate(fresh, target=version)  # the tables as the damaged file had them, then migrated as any old file
    fresh.execute("PRAGMA foreign_keys = OFF")  # rows come in any order; the links are checked after
    fresh.execute("BEGIN")
    tables = [_copy_table(source, fresh, name) for name in _tables(fresh)]
    _copy_sequences(source, fresh)
    by_name = {t.name: t for t in tables}
    if "messages" in by_name:
        _reattach_orphaned_messages(source, fresh, by_name["messages"])
    _drop_broken_links(fresh, by_name)
    fresh.execute("COMMIT")
    migrate(fresh)
    return tables


def _schema_version(source: sqlite3.Connection, damaged: Path) -> int:
    try:
        version = source.execute("PRAGMA user_version").fetchone()[0]
        source.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"Nothing can be read from {damaged}: its first page, which lists its tables, is "
                         f"damaged ({exc}).") from exc
    if version > SCHEMA_VERSION:
        raise StoreError(f"{damaged} was written by a newer version of gpt2-desk (schema {version}): recover it "
                         "with that version.")
    if version == 0:
        raise StoreError(f"{damaged} holds no gpt2-desk tables: nothing to recover.")
    return version


def _tables(fresh: sqlite3.Connection) -> list[str]:
    return [row[0] for row in fresh.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')]


def _copy_table(source: sqlite3.Connection, fresh: sqlite3.Connection, table: str) -> TableRecovery:
    """Every readable row of ``table``, with its rowid (the ids other rows link by)."""
    found = TableRecovery(table)
    try:
        theirs = set(_columns(source, table))
    except sqlite3.DatabaseError:
        theirs = set()
    columns = [c for c in _columns(fresh, table) if c in theirs]
    if not columns:
        found.lost = _count(source, table)
        return found
    names = ", ".join(f'"{c}"' for c in columns)
    insert = f'INSERT INTO "{table}" (rowid, {names}) VALUES ({", ".join("?" * (len(columns) + 1))})'
    for row in _readable_rows(source, f'SELECT rowid, {names} FROM "{table}"'):
        try:
            fresh.execute(insert, row)
            found.kept += 1
        except sqlite3.DatabaseError as exc:  # a damaged cell read as a value the table refuses
            log.warning("row %s of %s not recovered: %s", row[0], table, exc)
    total = _count(source, table)
    found.lost = None if total is None else max(0, total - found.kept)
    return found


def _count(source: sqlite3.Connection, table: str) -> int | None:
    """The damaged table's row count, or None where it cannot count them. SQLite counts by its smallest
    index, which a damaged table page does not stop; a damaged page of that index does, so the table
    itself and then each other index are asked in turn (a damaged index page loses no rows: the copy
    reads the table, but the count was lost and the report said "how many is not known", robust108)."""
    ways = ["", " NOT INDEXED", *(f' INDEXED BY "{name}"' for name in _indexes(source, table))]
    for way in ways:
        try:
            return source.execute(f'SELECT count(*) FROM "{table}"{way}').fetchone()[0]
        except sqlite3.DatabaseError:
            continue
    return None


def _indexes(source: sqlite3.Connection, table: str) -> list[str]:
    try:
        return [row[1] for row in source.execute(f'PRAGMA index_list("{table}")') if row[3] == "c"]
    except sqlite3.DatabaseError:
        return []


def _readable_rows(source: sqlite3.Connection, select: str):
    """The rows of ``select`` (its first column the rowid) in rowid order, a chunk at a time. A chunk that
    cannot be read is halved until what lies before the damage reads (a chunk re-read row by row before each
    row cost 20 s for 50 damaged pages of a 42 MB file); at a single row that cannot be read, the reading
    goes on from the next rowid that can be read."""
    start, limit = LOWEST_ROWID, CHUNK_ROWS
    while start is not None:
        try:
            rows = source.execute(f"{select} WHERE rowid >= ? ORDER BY rowid LIMIT {limit}", (start,)).fetchall()
        except sqlite3.DatabaseError:
            if limit > 1:
                limit //= 2
            else:
                start, limit = _next_readable(source, select, start), CHUNK_ROWS
            continue
        yield from rows
        ended = len(rows) < limit or rows[-1][0] == HIGHEST_ROWID
        start, limit = (None if ended else rows[-1][0] + 1), min(CHUNK_ROWS, limit * 2)


def _one_row(source: sqlite3.Connection, select: str, start: int) -> list | None:
    try:
        return source.execute(f"{select} WHERE rowid >= ? ORDER BY rowid LIMIT 1", (start,)).fetchall()
    except sqlite3.DatabaseError:
        return None


def _next_readable(source: sqlite3.Connection, select: str, after: int) -> int | None:
    """The first rowid past ``after`` from which rows can be read again: jumps that double until one reads
    (the last one at the highest rowid, where nothing left to read reads as readable), then halved back
    toward ``after`` so that few readable rows are stepped over. None: none can. (The jumps had stopped
    short of the highest rowid: from the lowest, they went from 0 past it, so a damaged first page of a
    table lost every row after it, robust108.)"""
    low, step = after, 1  # ``low``: a start from which nothing can be read
    while True:
        probe = min(after + step, HIGHEST_ROWID)
        if _one_row(source, select, probe) is not None:
            break
        if probe == HIGHEST_ROWID:
            return None
        low, step = probe, step * 2
    found = probe
    while found - low > 1:
        middle = (low + found) // 2
        if _one_row(source, select, middle) is not None:
            found = middle
        else:
            low = middle
    return found


def _copy_sequences(source: sqlite3.Connection, fresh: sqlite3.Connection) -> None:
    """AUTOINCREMENT's counters (adapter ids are never used again: a deleted adapter's number lives on in
    answers), at least as high as the damaged file's where it can say."""
    if not fresh.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").fetchone():
        return
    try:
        counters = source.execute("SELECT name, seq FROM sqlite_sequence").fetchall()
    except sqlite3.DatabaseError:
        return  # the copied rows' own highest ids stand
    for name, seq in counters:
        if not fresh.execute("UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = ?", (seq, name)).rowcount:
            fresh.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (name, seq))


def _reattach_orphaned_messages(source: sqlite3.Connection, fresh: sqlite3.Connection,
                                messages: TableRecovery) -> None:
    """Each kept message whose parent was lost linked to its nearest surviving ancestor, or (none known)
    made a first message of its conversation, rather than deleted with the rest of its branch; counted in
    ``messages`` by what became of it. A lost message's own parent is often still in the damaged file's
    ``messages_parent`` index (its pages are apart from the table's), so the chain is followed up through the lost ones."""
    orphans = fresh.execute("SELECT id, conversation_id, parent_id, role FROM messages m WHERE parent_id IS NOT NULL "
                            "AND NOT EXISTS (SELECT 1 FROM messages p WHERE p.id = m.parent_id) "
                            "AND EXISTS (SELECT 1 FROM conversations c WHERE c.id = m.conversation_id)").fetchall()
    lost_parents = _parents_in_index(source) if orphans else {}
    for message_id, conversation_id, parent_id, role in orphans:
        ancestor = _of_the_other_role(fresh, _surviving_ancestor(fresh, parent_id, conversation_id, lost_parents), role)
        fresh.execute("UPDATE messages SET parent_id = ? WHERE id = ?", (ancestor, message_id))
        log.warning("message %s %s: its earlier message %s was lost", message_id,
                    f"re-attached to {ancestor}" if ancestor is not None else "now first in its conversation", parent_id)
        if ancestor is not None:
            messages.reattached += 1
        elif role == "user":
            messages.made_first += 1
        elif conversation_id not in messages.unanswered:
            messages.unanswered.append(conversation_id)


def _of_the_other_role(fresh: sqlite3.Connection, ancestor: int | None, role: str) -> int | None:
    """``ancestor`` or the nearest message above it whose role is not ``role``; None (a first message of its
    conversation) where there is none. An odd number of messages lost between would put a reply under one of its
    own role: a question under a question is joined to it as one unanswered prompt (prompts.join_unanswered), and
    an answer under an answer answers no user prompt, which training's prompt_for_message refuses."""
    while ancestor is not None:
        row = fresh.execute("SELECT role, parent_id FROM messages WHERE id = ?", (ancestor,)).fetchone()
        if row is None or row[0] != role:
            return ancestor
        ancestor = row[1]
    return None


def _parents_in_index(source: sqlite3.Connection) -> dict[int, int]:
    """{message id: its parent's id} as the damaged file's parent index holds them (read from the index
    alone, not the damaged table); empty where that index cannot be read."""
    try:
        return dict(source.execute("SELECT id, parent_id FROM messages INDEXED BY messages_parent "
                                   "WHERE parent_id IS NOT NULL").fetchall())
    except sqlite3.DatabaseError:
        return {}


def _surviving_ancestor(fresh: sqlite3.Connection, lost_id: int, conversation_id: int,
                        lost_parents: dict[int, int]) -> int | None:
    """The nearest kept message of the conversation above ``lost_id``; else the conversation's first kept
    message; None (a first message itself) where the conversation kept none without a parent."""
    seen = set()
    while lost_id is not None and lost_id not in seen:
        seen.add(lost_id)
        kept = fresh.execute("SELECT conversation_id FROM messages WHERE id = ?", (lost_id,)).fetchone()
        if kept is not None:
            if kept[0] == conversation_id:
                return lost_id
            break
        lost_id = lost_parents.get(lost_id)
    root = fresh.execute("SELECT min(id) FROM messages WHERE conversation_id = ? AND parent_id IS NULL",
                         (conversation_id,)).fetchone()
    return root[0]


def _drop_broken_links(fresh: sqlite3.Connection, tables: dict[str, TableRecovery]) -> None:
    """The app's own rules for a row whose parent is gone, as if the parent had been deleted: a link that
    may be empty (ON DELETE SET NULL) is emptied, any other row goes (its children in the next round)."""
    for _round in range(len(tables) + 1):
        broken = fresh.execute("PRAGMA foreign_key_check").fetchall()
        if not broken:
            return
        for table, rowid, _parent, link in broken:
            column, on_delete = _link(fresh, table, link)
            if on_delete == "SET NULL":
                fresh.execute(f'UPDATE "{table}" SET "{column}" = NULL WHERE rowid = ?', (rowid,))
            elif fresh.execute(f'DELETE FROM "{table}" WHERE rowid = ?', (rowid,)).rowcount:
                tables[table].kept -= 1
                tables[table].unlinked += 1


def _link(fresh: sqlite3.Connection, table: str, link: int) -> tuple[str, str]:
    """(the linking column, its ON DELETE rule) of foreign key ``link`` of ``table``."""
    row = next(r for r in fresh.execute(f'PRAGMA foreign_key_list("{table}")') if r[0] == link)
    return row[3], str(row[6]).upper()


# the tables a person knows by name, in the order a report names them (the rest are counted under them)
TABLE_WORDS = {"conversations": "conversations", "messages": "messages", "ratings": "ratings",
               "corrections": "better answers", "documents": "texts", "text_branches": "continuations",
               "text_ratings": "continuation ratings", "finetune_runs": "fine-tune runs", "adapters": "adapters",
               "token_records": "token records"}


def table_line(table: TableRecovery) -> str | None:
    """"messages: 54 of 60 kept (2 unreadable, 4 re-attached to an earlier message, theirs was lost)";
    None: a table that held nothing. What became of messages whose earlier message was lost is said even where
    the lost could not be counted (it had been left out there)."""
    name = TABLE_WORDS.get(table.name, table.name)
    if table.lost is None:
        why = ["some could not be read; how many is not known", *_kept_after_a_loss(table)]
        return f"{name}: {table.kept:,} kept ({', '.join(why)})" + unanswered_words(table.unanswered)
    total = table.kept + table.lost + table.unlinked
    if not total:
        return None
    why = [f"{table.lost:,} unreadable"] if table.lost else []
    why += [f"{table.unlinked:,} whose conversation, message or text was lost"] if table.unlinked else []
    why += _kept_after_a_loss(table)
    line = f"{name}: {table.kept:,} of {total:,} kept" + (f" ({', '.join(why)})" if why else "")
    return line + unanswered_words(table.unanswered)


def _kept_after_a_loss(table: TableRecovery) -> list[str]:
    """The kept messages whose earlier message was lost, by what became of them."""
    why = [f"{table.reattached:,} re-attached to an earlier message, theirs was lost"] if table.reattached else []
    if table.made_first:
        their = "its" if table.made_first == 1 else "their"
        why.append(f"{counted(table.made_first, 'question')} now first in {their} conversation, every message before "
                   "lost")
    return why


def unanswered_words(conversations: list[int]) -> str:
    """The conversations holding an answer whose every question was lost, named so the person can find them: the
    answer stays, first in its conversation, but answers nothing."""
    if not conversations:
        return ""
    ids = ", ".join(str(c) for c in sorted(conversations))
    return (f"; an answer whose questions were all lost begins {plural('conversation', len(conversations))} {ids}: "
            "it answers no question now")


def recovery_words(recovery: Recovery) -> str:
    """What a recovery kept, table by table, and where the damaged file is: the window's and the CLI's words."""
    order = list(TABLE_WORDS)
    tables = sorted(recovery.tables, key=lambda t: order.index(t.name) if t.name in order else len(order))
    lines = [line for line in map(table_line, tables) if line]
    head = ("Every row could be read" if not recovery.lost_any else "What could be read") + \
        f" is in a fresh database, {recovery.database}."
    kept = f"The damaged file is kept unchanged beside it as {recovery.damaged}."
    return "\n".join([head, *(f"  {line}" for line in lines), kept])
