"""The SQLite store: conversations, messages with their token records, ratings,
corrections, fine-tune runs and adapters, all in one file on the person's machine.

``Store`` is the queries; opening the file, per-thread connections, transactions and the
errors for a bad file live in store_file.py (its docstring has the engineering), the
schema and its migrations in store_schema.py.

Token records are stored one row per (message, kind, adapter) with packed arrays
(store_codec.py): a 2,000-token answer is one row written in the message's transaction.

Reads go through sqlite-utils' ``Database.query`` style dict rows (``Store.db`` gives a
``sqlite_utils.Database`` on this thread's connection for scripts); writes use explicit
SQL so that each API call is exactly one transaction.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

from desktop_app.core import store_codec
from desktop_app.core.records import TokenRecord
# The errors stay importable from here, where callers have always found them.
from desktop_app.core.store_file import (  # noqa: F401
    CorruptDatabaseError, DiskFullError, NewerDatabaseError, StoreError, StoreFile, UnwritableDatabaseError)
from desktop_app.core.text_pieces import character_tokens

ROLES = ("system", "user", "assistant")
RUN_STATUSES = ("running", "kept", "discarded", "cancelled", "failed")
RECORD_KINDS = ("generated", "rescored")


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def _loads(text):
    return json.loads(text) if text else {}


def _dumps(value) -> str:
    return json.dumps(value or {}, ensure_ascii=False, sort_keys=True)


def _message_row(row) -> dict:
    d = dict(row)
    d["settings"] = _loads(d.get("settings"))
    return d


def _json_fields(row, *names) -> dict:
    d = dict(row)
    for name in names:
        d[name] = _loads(d.get(name))
    return d


def _precision_of(records) -> str | None:
    """The precision a set of records was made with (one model made them all)."""
    return next((r.precision for r in records or () if r.precision), None)


def _check_value(value) -> int:
    if value not in (1, -1) or isinstance(value, bool):
        raise StoreError(f"A rating is +1 or -1, not {value!r}.")
    return int(value)


# Per conversation, its answers counted: all of them, those that carry a rating of any kind (which of sixty
# conversations hold the ratings a person made weeks ago, in the list's tooltip: usertest50), and those of each
# kind, which the list's rows mark ("▲2 ▼1 ±3 ✎1", core.conversation_rows: rows92). One grouped pass over the
# answers, joined to the conversations, in the list's one statement: sixty conversations read in 1.05 ms here,
# against 0.6 ms for the counts without the kinds and 1.5 ms with the kinds grouped over the ratings apart.
def _answer_has(condition: str) -> str:
    return f"EXISTS (SELECT 1 FROM ratings r WHERE r.message_id = m.id{condition})"


ANSWER_COUNTS = (
    "LEFT JOIN (SELECT m.conversation_id AS cid, COUNT(*) AS answers, "
    f"SUM({_answer_has('')} OR EXISTS (SELECT 1 FROM corrections k WHERE k.message_id = m.id)) AS rated, "
    f"SUM({_answer_has(' AND r.token_index IS NULL AND r.value = 1')}) AS liked, "
    f"SUM({_answer_has(' AND r.token_index IS NULL AND r.value = -1')}) AS disliked, "
    f"SUM({_answer_has(' AND r.token_index IS NOT NULL')}) AS tokens, "
    "SUM(EXISTS (SELECT 1 FROM corrections k WHERE k.message_id = m.id)) AS better "
    "FROM messages m WHERE m.role = 'assistant' GROUP BY m.conversation_id) a ON a.cid = c.id")
ANSWER_COUNT_COLUMNS = ("IFNULL(a.answers, 0) AS answer_count, IFNULL(a.rated, 0) AS rated_count, "
                        "IFNULL(a.liked, 0) AS liked_count, IFNULL(a.disliked, 0) AS disliked_count, "
                        "IFNULL(a.tokens, 0) AS token_rated_count, IFNULL(a.better, 0) AS better_count")


def _search_clause(search: str) -> tuple[str, tuple]:
    """The WHERE clause and its parameters that match ``search`` in a conversation's title or any of its messages,
    in any case. SQLite's LIKE folds the case of ASCII letters only: "übermut" found no "Übermut" (intl69), so words
    with other letters are compared lower-cased by Python (``lower_text``, which every connection has)."""
    if search.isascii():
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return (" WHERE c.title LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM messages m "
                "WHERE m.conversation_id = c.id AND m.text LIKE ? ESCAPE '\\')"), (pattern, pattern)
    return (" WHERE instr(lower_text(c.title), ?) > 0 OR EXISTS (SELECT 1 FROM messages m "
            "WHERE m.conversation_id = c.id AND instr(lower_text(m.text), ?) > 0)"), (search.lower(),) * 2


class Store(StoreFile):
    """One database file. Create with ``Store.open(path)``; safe to share between threads."""

    # ----------------------------------------------------------- conversations
    # A conversation's ``updated`` (the window's list and `history` are in its order, newest first) is when
    # something was last said in it: a message added, or an answer written on (a draft growing, Continue).
    # What the person notes about it leaves it alone: a rating (thumbs or a token's, set or cleared, from the
    # window or the CLI), a correction, a new title. As in chat apps, where feedback and renaming do not move a
    # conversation up the sidebar: a person rating or renaming down the list would see each row jump to the
    # top under the pointer, and an old conversation rated today is not a new one (cli52; a rename had touched
    # it, the ratings never did).
    def create_conversation(self, title: str = "New conversation") -> int:
        stamp = now()
        with self.transaction() as conn:
            cur = conn.execute("INSERT INTO conversations (title, created, updated) VALUES (?, ?, ?)",
                               (title, stamp, stamp))
            return cur.lastrowid

    def list_conversations(self, search: str | None = None) -> list[dict]:
        """Newest (by ``updated``) first, with ``message_count``, ``answer_count`` and ``rated_count`` (answers
        with a thumbs, a rated token or a better answer), and the answers of each kind: ``liked_count``,
        ``disliked_count``, ``token_rated_count``, ``better_count`` (``ANSWER_COUNTS``), all in one statement;
        ``search`` matches the title or any message text (case-insensitive substring)."""
        sql = ("SELECT c.*, (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id) AS message_count, "
               + ANSWER_COUNT_COLUMNS + " FROM conversations c " + ANSWER_COUNTS)
        params: tuple = ()
        if search:
            clause, params = _search_clause(search)
            sql += clause
        sql += " ORDER BY c.updated DESC, c.id DESC"
        return [dict(r) for r in self._rows(sql, params)]

    def get_conversation(self, conversation_id) -> dict:
        row = self._one("SELECT c.*, (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id) "
                        "AS message_count FROM conversations c WHERE c.id = ?", (conversation_id,))
        if row is None:
            raise StoreError(f"There is no conversation {conversation_id} in {self.path}.")
        return dict(row)

    def rename_conversation(self, conversation_id, title) -> None:
        with self.transaction() as conn:
            cur = conn.execute("UPDATE conversations SET title = ? WHERE id = ?", (title, conversation_id))
            if cur.rowcount == 0:
                raise StoreError(f"There is no conversation {conversation_id} in {self.path}.")

    def delete_conversation(self, conversation_id) -> None:
        """Deletes its messages, token records, ratings and corrections (foreign keys)."""
        with self.transaction() as conn:
            cur = conn.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))
            if cur.rowcount == 0:
                raise StoreError(f"There is no conversation {conversation_id} in {self.path}.")

    # ---------------------------------------------------------------- messages
    def add_message(self, conversation_id, role, text, *, parent_id=None, model_id=None, adapter_id=None,
                    settings: dict | None = None, records: list[TokenRecord] | None = None) -> int:
        """The message and its records in one transaction; touches the conversation's ``updated``."""
        if role not in ROLES:
            raise StoreError(f"A message role is one of {', '.join(ROLES)}, not {role!r}.")
        encoded = store_codec.encode(records) if records is not None else None
        stamp = now()
        with self.transaction() as conn:
            cur = conn.execute("UPDATE conversations SET updated = ? WHERE id = ?", (stamp, conversation_id))
            if cur.rowcount == 0:
                raise StoreError(f"There is no conversation {conversation_id} in {self.path}.")
            if parent_id is not None:
                parent = conn.execute("SELECT conversation_id FROM messages WHERE id = ?", (parent_id,)).fetchone()
                if parent is None or parent[0] != conversation_id:
                    raise StoreError(f"Message {parent_id} is not in conversation {conversation_id}.")
            cur = conn.execute(
                "INSERT INTO messages (conversation_id, parent_id, role, text, model_id, adapter_id, settings, created) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (conversation_id, parent_id, role, text, model_id, adapter_id, _dumps(settings), stamp))
            message_id = cur.lastrowid
            if encoded is not None:
                self._insert_records(conn, message_id, "generated", None, encoded, stamp, _precision_of(records))
            return message_id

    def update_answer(self, message_id, text, *, settings: dict, records: list[TokenRecord],
                      model_id=None, adapter_id=None) -> None:
        """Rewrite an answer's text, settings, author and generated records in one
        transaction (core/drafts.py: the streaming answer's row, written again as it grows); touches
        the conversation's ``updated``."""
        encoded = store_codec.encode(records)
        stamp = now()
        with self.transaction() as conn:
            row = self._require_message(conn, message_id)
            if row["role"] != "assistant":
                raise StoreError(f"Message {message_id} is a {row['role']} message, not an answer.")
            conn.execute("UPDATE messages SET text = ?, settings = ?, model_id = ?, adapter_id = ? WHERE id = ?",
                         (text, _dumps(settings), model_id, adapter_id, message_id))
            conn.execute("UPDATE conversations SET updated = ? WHERE id = (SELECT conversation_id FROM messages "
                         "WHERE id = ?)", (stamp, message_id))  # written on: said in it now
            # rescorings were of the old text: they go with it
            conn.execute("DELETE FROM token_records WHERE message_id = ?", (message_id,))
            self._insert_records(conn, message_id, "generated", None, encoded, stamp, _precision_of(records))

    def _insert_records(self, conn, message_id, kind, adapter_id, encoded, stamp, precision=None, model_id=None):
        conn.execute(
            "INSERT INTO token_records (message_id, kind, adapter_id, n, ids, logprobs, ranks, entropies, texts, "
            "top_counts, top_ids, top_probs, top_texts, created, precision, model_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (message_id, kind, adapter_id, *encoded, stamp, precision, model_id))

    def get_message(self, message_id) -> dict:
        row = self._one("SELECT * FROM messages WHERE id = ?", (message_id,))
        if row is None:
            raise StoreError(f"There is no message {message_id} in {self.path}.")
        return _message_row(row)

    def messages(self, conversation_id) -> list[dict]:
        return [_message_row(r) for r in
                self._rows("SELECT * FROM messages WHERE conversation_id = ? ORDER BY id", (conversation_id,))]

    def siblings(self, message_id) -> list[dict]:
        """Messages with the same parent in the same conversation (this one included), by id."""
        msg = self.get_message(message_id)
        return [_message_row(r) for r in self._rows(
            "SELECT * FROM messages WHERE conversation_id = ? AND parent_id IS ? ORDER BY id",
            (msg["conversation_id"], msg["parent_id"]))]

    def children(self, message_id) -> list[dict]:
        return [_message_row(r) for r in
                self._rows("SELECT * FROM messages WHERE parent_id = ? ORDER BY id", (message_id,))]

    def thread(self, message_id) -> list[dict]:
        """The path from the root message to this one (inclusive), following parent_id."""
        rows = self._rows(
            "WITH RECURSIVE up(id, depth) AS (SELECT ?, 0 UNION ALL "
            "SELECT m.parent_id, up.depth + 1 FROM messages m JOIN up ON m.id = up.id "
            "WHERE m.parent_id IS NOT NULL AND up.depth < 100000) "
            "SELECT m.* FROM up JOIN messages m ON m.id = up.id ORDER BY up.depth DESC", (message_id,))
        if not rows:
            raise StoreError(f"There is no message {message_id} in {self.path}.")
        return [_message_row(r) for r in rows]

    def delete_message(self, message_id) -> None:
        """Deletes the message and its descendants (with their records and ratings)."""
        with self.transaction() as conn:
            if conn.execute("DELETE FROM messages WHERE id = ?", (message_id,)).rowcount == 0:
                raise StoreError(f"There is no message {message_id} in {self.path}.")

    # ----------------------------------------------------------- token records
    def token_records(self, message_id, *, adapter_id=None, kind="generated", model_id=None) -> list[TokenRecord]:
        """The stored records ([] if none). kind "generated": as written (adapter_id and model_id
        are ignored); kind "rescored": under ``adapter_id`` (None = base model) by model ``model_id``
        (None: by any model, the newest set). A set under an adapter that names no model is taken as
        the adapter's model's (an adapter is for one model); a base set that names none is no model's."""
        if kind not in RECORD_KINDS:
            raise StoreError(f"Token record kind is one of {', '.join(RECORD_KINDS)}, not {kind!r}.")
        columns = ", ".join(store_codec.COLUMNS + ("precision",))
        if kind == "generated":
            row = self._one(f"SELECT {columns} FROM token_records "
                            "WHERE message_id = ? AND kind = 'generated'", (message_id,))
        else:
            by_model = "" if model_id is None else " AND (model_id = ? OR (model_id IS NULL AND adapter_id NOTNULL))"
            row = self._one(f"SELECT {columns} FROM token_records WHERE message_id = ? AND kind = 'rescored' "
                            f"AND adapter_id IS ?{by_model} ORDER BY model_id IS NULL, created DESC, rowid DESC "
                            "LIMIT 1",
                            (message_id, adapter_id) + (() if model_id is None else (model_id,)))
        if row is None:
            return []
        try:
            return store_codec.decode(*row)
        except (ValueError, TypeError) as exc:
            raise CorruptDatabaseError(self.path, f"token records of message {message_id}: {exc}") from exc

    def record_sets(self, message_id) -> list[dict]:
        """Which record sets a message has: [{"kind", "adapter_id", "model_id", "n", "created"}]."""
        return [dict(r) for r in self._rows(
            "SELECT kind, adapter_id, model_id, n, created FROM token_records WHERE message_id = ? "
            "ORDER BY kind, IFNULL(adapter_id, 0), IFNULL(model_id, '')", (message_id,))]

    def set_token_records(self, message_id, records, *, adapter_id=None, kind="generated", model_id=None) -> None:
        """Replace the records of one kind (and adapter and model, for "rescored": ``model_id`` the
        model that scored them, None when not known) of a message."""
        if kind not in RECORD_KINDS:
            raise StoreError(f"Token record kind is one of {', '.join(RECORD_KINDS)}, not {kind!r}.")
        if kind == "generated":
            adapter_id = model_id = None  # the message names its writer
        encoded = store_codec.encode(records)
        with self.transaction() as conn:
            self._require_message(conn, message_id)
            conn.execute("DELETE FROM token_records WHERE message_id = ? AND kind = ? AND adapter_id IS ? "
                         "AND model_id IS ?", (message_id, kind, adapter_id, model_id))
            self._insert_records(conn, message_id, kind, adapter_id, encoded, now(), _precision_of(records),
                                 model_id)

    def _require_message(self, conn, message_id):
        row = conn.execute("SELECT id, role FROM messages WHERE id = ?", (message_id,)).fetchone()
        if row is None:
            raise StoreError(f"There is no message {message_id} in {self.path}.")
        return row

    # ----------------------------------------------------------------- ratings
    def rate_message(self, message_id, value: int, note: str | None = None) -> int:
        """+1 / -1 on a whole message; replaces an earlier one. Returns the rating id."""
        return self._rate(message_id, None, value, note)

    def rate_token(self, message_id, token_index: int, value: int, note: str | None = None, *,
                   pieces: list[str] | None = None, token_bytes: list[bytes] | None = None) -> int:
        """+1 / -1 on one token (index into the message's generated records), that is on its
        character: a character split over several tokens is rated at the token where the model chose
        it (core.text_pieces.CharacterLayout), whichever of its tokens ``token_index`` names, and the
        rating replaces one on any of its tokens. ``pieces``: the tokens' texts the index counts (a
        card's records); by default the generated records' (none: the index as is); ``token_bytes``:
        their bytes where the caller has the tokenizer (without them, the pieces' rule)."""
        if isinstance(token_index, bool) or not isinstance(token_index, int) or token_index < 0:
            raise StoreError(f"A token index is a whole number from 0, not {token_index!r}.")
        return self._rate(message_id, token_index, value, note, (pieces, token_bytes))

    def _rate(self, message_id, token_index, value, note, layout=(None, None)) -> int:
        value = _check_value(value)
        with self.transaction() as conn:
            row = self._require_message(conn, message_id)
            if row["role"] != "assistant":  # training reads only answers' ratings: this one would be ignored
                raise StoreError(f"Message {message_id} is a {row['role']} message; only answers can be rated.")
            if token_index is not None:
                row = conn.execute("SELECT n FROM token_records WHERE message_id = ? AND kind = 'generated'",
                                   (message_id,)).fetchone()
                if row is not None and token_index >= row[0]:
                    raise StoreError(f"Message {message_id} has {row[0]} tokens; there is no token {token_index}.")
            tokens = self._drop_rating(conn, message_id, token_index, layout)
            kept_at = None if tokens is None else tokens.start
            cur = conn.execute("INSERT INTO ratings (message_id, token_index, value, note, created) "
                               "VALUES (?, ?, ?, ?, ?)", (message_id, kept_at, value, note, now()))
            return cur.lastrowid

    def _drop_rating(self, conn, message_id, token_index, layout) -> range | None:
        """Delete the message's thumbs (``token_index`` None), or the ratings of token ``token_index``'s
        character (all its tokens: one kept on its last token before ratings went to the first);
        returns that character's tokens."""
        if token_index is None:
            conn.execute("DELETE FROM ratings WHERE message_id = ? AND token_index IS NULL", (message_id,))
            return None
        pieces, token_bytes = layout
        if pieces is None:
            pieces, token_bytes = [r.text for r in self.token_records(message_id)], None
        tokens = character_tokens(pieces, token_index, token_bytes)
        conn.execute("DELETE FROM ratings WHERE message_id = ? AND token_index BETWEEN ? AND ?",
                     (message_id, tokens.start, tokens.stop - 1))
        return tokens

    def clear_rating(self, message_id, token_index: int | None = None, *, pieces: list[str] | None = None,
                     token_bytes: list[bytes] | None = None) -> bool:
        """Remove the whole-message rating (or the token's character's: see ``rate_token``); returns
        whether there was one."""
        with self.transaction() as conn:
            self._require_message(conn, message_id)
            before = conn.total_changes
            self._drop_rating(conn, message_id, token_index, (pieces, token_bytes))
            return conn.total_changes > before

    def ratings(self, message_id=None) -> list[dict]:
        """Keys: id, message_id, token_index (None for the whole message), value, note, created."""
        cols = "id, message_id, token_index, value, note, created"
        if message_id is None:
            rows = self._rows(f"SELECT {cols} FROM ratings ORDER BY message_id, IFNULL(token_index, -1)")
        else:
            rows = self._rows(f"SELECT {cols} FROM ratings WHERE message_id = ? ORDER BY IFNULL(token_index, -1)",
                              (message_id,))
        return [dict(r) for r in rows]

    def message_rating(self, message_id) -> int | None:
        row = self._one("SELECT value FROM ratings WHERE message_id = ? AND token_index IS NULL", (message_id,))
        return None if row is None else row[0]

    # ------------------------------------------------------------- corrections
    def set_correction(self, message_id, text) -> None:
        """A better text for an assistant message; replaces an earlier one."""
        if not isinstance(text, str) or not text.strip():
            raise StoreError("A correction needs some text.")
        with self.transaction() as conn:
            row = self._require_message(conn, message_id)
            if row["role"] != "assistant":
                raise StoreError(f"Message {message_id} is a {row['role']} message; only answers can be corrected.")
            conn.execute("INSERT INTO corrections (message_id, text, created) VALUES (?, ?, ?) "
                         "ON CONFLICT(message_id) DO UPDATE SET text = excluded.text, created = excluded.created",
                         (message_id, text, now()))

    def clear_correction(self, message_id) -> bool:
        with self.transaction() as conn:
            return conn.execute("DELETE FROM corrections WHERE message_id = ?", (message_id,)).rowcount > 0

    def correction(self, message_id) -> str | None:
        row = self._one("SELECT text FROM corrections WHERE message_id = ?", (message_id,))
        return None if row is None else row[0]

    def corrections(self) -> list[dict]:
        """Keys: message_id, text, created, conversation_id, original (the model's text)."""
        return [dict(r) for r in self._rows(
            "SELECT c.message_id, c.text, c.created, m.conversation_id, m.text AS original "
            "FROM corrections c JOIN messages m ON m.id = c.message_id ORDER BY c.message_id")]

    def rating_counts(self) -> dict:
        row = self._one(
            "SELECT (SELECT COUNT(*) FROM ratings WHERE token_index IS NULL AND value = 1), "
            "(SELECT COUNT(*) FROM ratings WHERE token_index IS NULL AND value = -1), "
            "(SELECT COUNT(*) FROM ratings WHERE token_index IS NOT NULL), "
            "(SELECT COUNT(*) FROM corrections)")
        return {"thumbs_up": row[0], "thumbs_down": row[1], "token_ratings": row[2], "corrections": row[3]}

    # ------------------------------------------------------- runs and adapters
    def create_run(self, settings: dict, base_model: str, parent_adapter_id=None) -> int:
        with self.transaction() as conn:
            cur = conn.execute("INSERT INTO finetune_runs (status, base_model, parent_adapter_id, settings, started) "
                               "VALUES ('running', ?, ?, ?, ?)",
                               (base_model, parent_adapter_id, _dumps(settings), now()))
            return cur.lastrowid

    _RUN_FIELDS = ("status", "metrics", "reason", "adapter_id", "finished", "settings")

    def update_run(self, run_id, **fields) -> None:
        """Fields: status, metrics (dict), reason, adapter_id, finished (ISO text, or True
        for now), settings (dict). A status other than "running" sets ``finished`` if unset."""
        unknown = set(fields) - set(self._RUN_FIELDS)
        if unknown:
            raise StoreError(f"A run has no field {', '.join(sorted(unknown))}.")
        if "status" in fields and fields["status"] not in RUN_STATUSES:
            raise StoreError(f"A run status is one of {', '.join(RUN_STATUSES)}, not {fields['status']!r}.")
        values = dict(fields)
        for name in ("metrics", "settings"):
            if name in values:
                values[name] = _dumps(values[name])
        if values.get("finished") is True:
            values["finished"] = now()
        with self.transaction() as conn:
            run = conn.execute("SELECT finished FROM finetune_runs WHERE id = ?", (run_id,)).fetchone()
            if run is None:
                raise StoreError(f"There is no fine-tune run {run_id} in {self.path}.")
            if values.get("status", "running") != "running" and "finished" not in values and run[0] is None:
                values["finished"] = now()
            if values:
                assignments = ", ".join(f"{name} = ?" for name in values)
                conn.execute(f"UPDATE finetune_runs SET {assignments} WHERE id = ?", (*values.values(), run_id))

    def get_run(self, run_id) -> dict:
        row = self._one("SELECT * FROM finetune_runs WHERE id = ?", (run_id,))
        if row is None:
            raise StoreError(f"There is no fine-tune run {run_id} in {self.path}.")
        return _json_fields(row, "settings", "metrics")

    def list_runs(self) -> list[dict]:
        """Newest first."""
        return [_json_fields(r, "settings", "metrics") for r in self._rows("SELECT * FROM finetune_runs ORDER BY id DESC")]

    def run_statuses(self) -> list[tuple[int, str]]:
        """(id, status) of every run, oldest first, without their figures (the adapter history reads it often)."""
        return [(r[0], r[1]) for r in self._rows("SELECT id, status FROM finetune_runs ORDER BY id")]

    def add_adapter(self, path, *, base_model, parent_id=None, run_id=None, settings=None, metrics=None) -> int:
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO adapters (path, base_model, parent_id, run_id, settings, metrics, created) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (str(path), base_model, parent_id, run_id, _dumps(settings), _dumps(metrics), now()))
            return cur.lastrowid

    def list_adapters(self, base_model=None) -> list[dict]:
        """Oldest first; each with ``active`` as a bool."""
        if base_model is None:
            rows = self._rows("SELECT * FROM adapters ORDER BY id")
        else:
            rows = self._rows("SELECT * FROM adapters WHERE base_model = ? ORDER BY id", (base_model,))
        return [self._adapter(r) for r in rows]

    @staticmethod
    def _adapter(row) -> dict:
        d = _json_fields(row, "settings", "metrics")
        d["active"] = bool(d["active"])
        return d

    def get_adapter(self, adapter_id) -> dict:
        row = self._one("SELECT * FROM adapters WHERE id = ?", (adapter_id,))
        if row is None:
            raise StoreError(f"There is no adapter {adapter_id} in {self.path}.")
        return self._adapter(row)

    def set_active_adapter(self, adapter_id, base_model) -> None:
        """Make this adapter the active one for ``base_model`` (None: use the base model)."""
        with self.transaction() as conn:
            if adapter_id is not None:
                row = conn.execute("SELECT base_model FROM adapters WHERE id = ?", (adapter_id,)).fetchone()
                if row is None:
                    raise StoreError(f"There is no adapter {adapter_id} in {self.path}.")
                if row[0] != base_model:
                    raise StoreError(f"Adapter {adapter_id} was trained on {row[0]}, not {base_model}.")
            conn.execute("UPDATE adapters SET active = 0 WHERE base_model = ? AND active = 1", (base_model,))
            if adapter_id is not None:
                conn.execute("UPDATE adapters SET active = 1 WHERE id = ?", (adapter_id,))

    def active_adapter(self, base_model) -> dict | None:
        row = self._one("SELECT * FROM adapters WHERE base_model = ? AND active = 1", (base_model,))
        return None if row is None else self._adapter(row)

    def rename_adapter(self, adapter_id, name: str | None) -> None:
        """The person's name for an adapter (None or blank: none; it is shown by number)."""
        name = (name or "").strip() or None
        with self.transaction() as conn:
            if conn.execute("UPDATE adapters SET name = ? WHERE id = ?", (name, adapter_id)).rowcount == 0:
                raise StoreError(f"There is no adapter {adapter_id} in {self.path}.")

    def rescored_sets(self, adapter_id) -> list[dict]:
        """The "rescored" token record rows of an adapter, whole (what ``delete_adapter``
        removes and ``restore_adapter`` can put back)."""
        return [dict(r) for r in self._rows("SELECT * FROM token_records WHERE kind = 'rescored' AND adapter_id = ?",
                                            (adapter_id,))]

    def restore_adapter(self, row: dict, children=(), rescored=()) -> None:
        """Put back a deleted adapter's row under its own id (ids are never reused, so it is
        free), inactive, with the links its deletion cleared: its run's, and ``children``'s;
        and its ``rescored`` record rows (``rescored_sets``) of messages that still exist."""
        with self.transaction() as conn:
            parent = row.get("parent_id")
            if parent is not None and conn.execute("SELECT 1 FROM adapters WHERE id = ?", (parent,)).fetchone() is None:
                parent = None
            run = row.get("run_id")
            if run is not None and conn.execute("SELECT 1 FROM finetune_runs WHERE id = ?", (run,)).fetchone() is None:
                run = None
            conn.execute("INSERT INTO adapters (id, path, base_model, parent_id, run_id, settings, metrics, active, "
                         "created, name) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
                         (row["id"], str(row["path"]), row["base_model"], parent, run, _dumps(row.get("settings")),
                          _dumps(row.get("metrics")), row["created"], row.get("name")))
            if run is not None:
                conn.execute("UPDATE finetune_runs SET adapter_id = ? WHERE id = ? AND adapter_id IS NULL",
                             (row["id"], run))
            for child in children:
                conn.execute("UPDATE adapters SET parent_id = ? WHERE id = ? AND parent_id IS NULL", (row["id"], child))
            self._restore_rescored(conn, rescored)

    @staticmethod
    def _restore_rescored(conn, rescored) -> None:
        for record in rescored:
            columns = list(record)
            conn.execute(f"INSERT OR IGNORE INTO token_records ({', '.join(columns)}) "
                         f"SELECT {', '.join('?' * len(columns))} WHERE EXISTS (SELECT 1 FROM messages WHERE id = ?)",
                         (*record.values(), record["message_id"]))

    def child_adapters(self, adapter_id) -> list[int]:
        return [r[0] for r in self._rows("SELECT id FROM adapters WHERE parent_id = ? ORDER BY id", (adapter_id,))]

    def delete_adapter(self, adapter_id) -> str:
        """Remove an adapter's row and its "rescored" token records; returns its path (the
        caller deletes the files). Refused with StoreError while it is the active adapter.
        Runs and child adapters that point at it keep their rows with the link set to NULL;
        messages keep the adapter id they were written with, as history."""
        with self.transaction() as conn:
            row = conn.execute("SELECT path, active, base_model FROM adapters WHERE id = ?", (adapter_id,)).fetchone()
            if row is None:
                raise StoreError(f"There is no adapter {adapter_id} in {self.path}.")
            if row["active"]:
                raise StoreError(f"Adapter {adapter_id} is the active one for {row['base_model']}; "
                                 "switch to another adapter or the base model before deleting it.")
            conn.execute("DELETE FROM token_records WHERE kind = 'rescored' AND adapter_id = ?", (adapter_id,))
            conn.execute("DELETE FROM adapters WHERE id = ?", (adapter_id,))
            return row["path"]
