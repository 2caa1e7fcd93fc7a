"""Schema of the SQLite store and its forward migrations.

The schema version lives in ``PRAGMA user_version``. ``MIGRATIONS[i]`` takes a file from
version ``i`` to ``i + 1``; each step runs in its own transaction together with the
version bump, so a crash leaves the file at one version or the next, never in between.
Never edit a released step: add a new one at the end.

Version 1: conversations, messages, token records, ratings, corrections.
Version 2: fine-tune runs and adapters (with at most one active adapter per base model).
Version 3: the precision of the model weights that made each set of token records
(``float32``, ``bfloat16``, ``float16``; NULL in files from before: not recorded).
Version 4: documents (text mode: texts the person writes, pastes or opens).
Version 5: the tree of continuations of a document (text_branches, see text_branches.py),
ratings of continuations (text_ratings) and the path a document shows.
Version 6: adapter ids are never used again (AUTOINCREMENT: older answers name their adapter
by number, and a deleted adapter's number went to the next one) and adapters have a name.
The table is rebuilt (SQLite cannot add AUTOINCREMENT in place), with the foreign keys off
for the step as SQLite's ALTER TABLE guide asks, so the rows that point at adapters keep
their links; the sequence starts after the highest adapter id anything ever recorded.
Version 7: a continuation's better continuation has a time of its own (text_branches.corrected),
so one written late on an old branch is new since the previous run, as a better answer is
(corrections.created). Files from before take the branch's own time, the only one they kept.
Version 8: a "rescored" record set names the model that scored it (token_records.model_id), one set
per message, adapter and model: a base model's scoring (adapter NULL) said nothing of which base model,
and after a model switch another model's was shown as this one's. Files from before: a set under an
adapter takes the adapter's base model; a base set that some adapter's set of the same message
accompanies (the compare view and a kept fine-tune store the two together) takes that adapter's; the
rest (an imported answer's scoring) stay NULL, a model not recorded, and are scored again when shown.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

MIGRATIONS: list[list[str]] = [
    # 0 -> 1
    [
        """CREATE TABLE conversations (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            created TEXT NOT NULL,
            updated TEXT NOT NULL
        )""",
        """CREATE TABLE messages (
            id INTEGER PRIMARY KEY,
            conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            parent_id INTEGER REFERENCES messages(id) ON DELETE CASCADE,
            role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
            text TEXT NOT NULL,
            model_id TEXT,
            adapter_id INTEGER,
            settings TEXT NOT NULL DEFAULT '{}',
            created TEXT NOT NULL
        )""",
        "CREATE INDEX messages_conversation ON messages(conversation_id, id)",
        "CREATE INDEX messages_parent ON messages(parent_id)",
        # One row per message, kind and adapter: the TokenRecord fields as packed arrays
        # (little-endian; see store_codec.py). adapter_id NULL = the base model.
        """CREATE TABLE token_records (
            message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('generated', 'rescored')),
            adapter_id INTEGER,
            n INTEGER NOT NULL,
            ids BLOB NOT NULL,
            logprobs BLOB NOT NULL,
            ranks BLOB NOT NULL,
            entropies BLOB NOT NULL,
            texts TEXT NOT NULL,
            top_counts BLOB NOT NULL,
            top_ids BLOB NOT NULL,
            top_probs BLOB NOT NULL,
            top_texts TEXT NOT NULL,
            created TEXT NOT NULL
        )""",
        "CREATE UNIQUE INDEX token_records_key ON token_records(message_id, kind, IFNULL(adapter_id, 0))",
        """CREATE TABLE ratings (
            id INTEGER PRIMARY KEY,
            message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
            token_index INTEGER,
            value INTEGER NOT NULL CHECK (value IN (-1, 1)),
            note TEXT,
            created TEXT NOT NULL
        )""",
        "CREATE UNIQUE INDEX ratings_target ON ratings(message_id, IFNULL(token_index, -1))",
        """CREATE TABLE corrections (
            message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
            text TEXT NOT NULL,
            created TEXT NOT NULL
        )""",
    ],
    # 1 -> 2
    [
        """CREATE TABLE finetune_runs (
            id INTEGER PRIMARY KEY,
            status TEXT NOT NULL
                CHECK (status IN ('running', 'kept', 'discarded', 'cancelled', 'failed')),
            base_model TEXT NOT NULL,
            parent_adapter_id INTEGER REFERENCES adapters(id) ON DELETE SET NULL,
            adapter_id INTEGER REFERENCES adapters(id) ON DELETE SET NULL,
            settings TEXT NOT NULL DEFAULT '{}',
            metrics TEXT NOT NULL DEFAULT '{}',
            reason TEXT,
            started TEXT NOT NULL,
            finished TEXT
        )""",
        """CREATE TABLE adapters (
            id INTEGER PRIMARY KEY,
            path TEXT NOT NULL,
            base_model TEXT NOT NULL,
            parent_id INTEGER REFERENCES adapters(id) ON DELETE SET NULL,
            run_id INTEGER REFERENCES finetune_runs(id) ON DELETE SET NULL,
            settings TEXT NOT NULL DEFAULT '{}',
            metrics TEXT NOT NULL DEFAULT '{}',
            active INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
            created TEXT NOT NULL
        )""",
        "CREATE UNIQUE INDEX adapters_one_active ON adapters(base_model) WHERE active = 1",
        "CREATE INDEX adapters_parent ON adapters(parent_id)",
        "CREATE INDEX finetune_runs_adapter ON finetune_runs(adapter_id)",
    ],
    # 2 -> 3
    [
        "ALTER TABLE token_records ADD COLUMN precision TEXT",
    ],
    # 3 -> 4
    [
        """CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            text TEXT NOT NULL,
            created TEXT NOT NULL,
            updated TEXT NOT NULL
        )""",
    ],
    # 4 -> 5
    [
        """CREATE TABLE text_branches (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            parent_id INTEGER REFERENCES text_branches(id) ON DELETE CASCADE,
            start INTEGER NOT NULL CHECK (start >= 0),
            text TEXT NOT NULL,
            title TEXT,
            kind TEXT NOT NULL DEFAULT 'continuation'
                CHECK (kind IN ('continuation', 'alternative', 'edited', 'former')),
            tokens TEXT NOT NULL DEFAULT '[]',
            mean_prob REAL,
            model_id TEXT,
            correction TEXT,
            created TEXT NOT NULL
        )""",
        "CREATE INDEX text_branches_document ON text_branches(document_id, parent_id)",
        "CREATE INDEX text_branches_parent ON text_branches(parent_id)",
        """CREATE TABLE text_ratings (
            branch_id INTEGER NOT NULL REFERENCES text_branches(id) ON DELETE CASCADE,
            token_index INTEGER,
            value INTEGER NOT NULL CHECK (value IN (-1, 1)),
            created TEXT NOT NULL
        )""",
        "CREATE UNIQUE INDEX text_ratings_target ON text_ratings(branch_id, IFNULL(token_index, -1))",
        "ALTER TABLE documents ADD COLUMN shown_branch_id INTEGER",
    ],
    # 5 -> 6
    [
        """CREATE TABLE adapters_v6 (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            path TEXT NOT NULL,
            base_model TEXT NOT NULL,
            parent_id INTEGER REFERENCES adapters(id) ON DELETE SET NULL,
            run_id INTEGER REFERENCES finetune_runs(id) ON DELETE SET NULL,
            settings TEXT NOT NULL DEFAULT '{}',
            metrics TEXT NOT NULL DEFAULT '{}',
            active INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
            created TEXT NOT NULL,
            name TEXT
        )""",
        """INSERT INTO adapters_v6 (id, path, base_model, parent_id, run_id, settings, metrics, active, created)
           SELECT id, path, base_model, parent_id, run_id, settings, metrics, active, created FROM adapters""",
        "DROP TABLE adapters",
        "ALTER TABLE adapters_v6 RENAME TO adapters",
        "CREATE UNIQUE INDEX adapters_one_active ON adapters(base_model) WHERE active = 1",
        "CREATE INDEX adapters_parent ON adapters(parent_id)",
        # a deleted adapter's number lives on in answers, runs and rescorings: never hand it out again
        "DELETE FROM sqlite_sequence WHERE name = 'adapters'",
        """INSERT INTO sqlite_sequence (name, seq) SELECT 'adapters', MAX(
               IFNULL((SELECT MAX(id) FROM adapters), 0),
               IFNULL((SELECT MAX(adapter_id) FROM messages), 0),
               IFNULL((SELECT MAX(adapter_id) FROM token_records), 0),
               IFNULL((SELECT MAX(adapter_id) FROM finetune_runs), 0),
               IFNULL((SELECT MAX(parent_adapter_id) FROM finetune_runs), 0))""",
    ],
    # 6 -> 7
    [
        "ALTER TABLE text_branches ADD COLUMN corrected TEXT",
        "UPDATE text_branches SET corrected = created WHERE correction IS NOT NULL",
    ],
    # 7 -> 8
    [
        "ALTER TABLE token_records ADD COLUMN model_id TEXT",
        """UPDATE token_records SET model_id = (SELECT base_model FROM adapters WHERE adapters.id = adapter_id)
           WHERE kind = 'rescored' AND adapter_id IS NOT NULL""",
        """UPDATE token_records SET model_id = (
               SELECT t.model_id FROM token_records t WHERE t.message_id = token_records.message_id
               AND t.kind = 'rescored' AND t.model_id IS NOT NULL ORDER BY t.created DESC LIMIT 1)
           WHERE kind = 'rescored' AND adapter_id IS NULL""",
        "DROP INDEX token_records_key",
        "CREATE UNIQUE INDEX token_records_key ON token_records(message_id, kind, IFNULL(adapter_id, 0), "
        "IFNULL(model_id, ''))",
    ],
    # 8 -> 9: a Text continuation keeps the sampler settings it was written with, as an answer does in
    # messages.settings (the inspector's sampler cut reads them); NULL for those written before
    [
        "ALTER TABLE text_branches ADD COLUMN sampling TEXT",
    ],
]

SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn, *, target: int = SCHEMA_VERSION) -> int:
    """Apply the missing steps up to ``target``; returns the version found before.

    ``conn`` must be in autocommit mode (``isolation_level=None``). Each step takes the
    write lock first and re-reads the version, so two processes opening the same old file
    at once migrate it once.
    """
    found = conn.execute("PRAGMA user_version").fetchone()[0]
    if found >= target:
        return found
    # off for the steps (a table rebuilt must not fire its ON DELETE actions), checked before each commit
    keys = conn.execute("PRAGMA foreign_keys").fetchone()[0]
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        for version in range(found, target):
            _step(conn, version)
    finally:
        conn.execute(f"PRAGMA foreign_keys = {'ON' if keys else 'OFF'}")
    return found


def _step(conn, version: int) -> None:
    """One migration step and its version bump in one transaction."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        current = conn.execute("PRAGMA user_version").fetchone()[0]
        if current == version:
            for statement in MIGRATIONS[version]:
                conn.execute(statement)
            broken = conn.execute("PRAGMA foreign_key_check").fetchall()
            if broken:  # never refuse a person's file for it: say so in the log
                log.warning("after migrating to schema %d, links point nowhere: %s", version + 1,
                            [tuple(row) for row in broken[:5]])
            conn.execute(f"PRAGMA user_version = {version + 1}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
