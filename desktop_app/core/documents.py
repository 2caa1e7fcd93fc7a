"""Text mode without Qt: documents in the store, GLTR's summary of a scored text, reading a
text file, and continuing a text from its end.

A document is a text the person writes, pastes or opens; it lives in the ``documents``
table (schema version 4); its tree of continuations is text_branches.py's. Its scoring is not stored: it is cheap to redo and depends on
the model in use.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from desktop_app.core.calibration import Calibration, calibration
from desktop_app.core.errors import UserFacingError
from desktop_app.core.palette import MAX_ENTROPY_BITS, RANK_BUCKETS, rank_bucket

DEFAULT_DOCUMENT_TITLE = "Untitled text"
MAX_FILE_BYTES = 50 * 1024 * 1024  # more than any text a person means to read here
HISTOGRAM_BINS = 10
MAX_LINE_CHARS = 20_000  # a longer line is broken when opened or pasted (about 20 ms a keystroke in Qt's editor)
PIECE_CHARS = 1_000  # ... into lines of about this many characters


# ---------------------------------------------------------------- the summary (GLTR)

@dataclass(frozen=True)
class TextSummary:
    """What GLTR shows about a scored text.

    Attributes:
        tokens: how many tokens were scored (all but the first).
        bucket_counts: tokens whose rank is in each of RANK_BUCKETS (rank 1–10, 11–100, 101–1000, beyond).
        mean_surprisal_bits: the mean of -log2 p over the scored tokens.
        perplexity: exp of the mean negative log-likelihood (nats).
        probability_histogram: counts of p in HISTOGRAM_BINS equal bins of [0, 1].
        entropy_histogram: counts of the entropy (bits) in HISTOGRAM_BINS equal bins of
            [0, MAX_ENTROPY_BITS] (higher values go in the last bin).
        calibration: how sure the model was of its first guesses against how often they were right
            (core/calibration.py); None where the summary was built without it.
    """

    tokens: int
    bucket_counts: tuple[int, ...]
    mean_surprisal_bits: float
    perplexity: float
    probability_histogram: tuple[int, ...]
    entropy_histogram: tuple[int, ...]
    # the person's own tokens, when a model's continuation is part of the text (None: there is none)
    yours: "TextSummary | None" = None
    calibration: Calibration | None = None

    @property
    def model_tokens(self) -> int:
        """How many of the scored tokens the model wrote (a continuation)."""
        return 0 if self.yours is None else self.tokens - self.yours.tokens

    @property
    def bucket_shares(self) -> tuple[float, ...]:
        return tuple(c / self.tokens if self.tokens else 0.0 for c in self.bucket_counts)

    @property
    def bucket_labels(self) -> tuple[str, ...]:
        return tuple(label for _limit, label in RANK_BUCKETS)


def _bin(value: float, top: float) -> int:
    return min(HISTOGRAM_BINS - 1, max(0, int(value / top * HISTOGRAM_BINS)))


def written_by_model(prefix: str, records, spans) -> list[bool]:
    """For each record (after ``prefix``, the text nothing predicts): whether the model wrote
    it, i.e. whether its first character lies in one of ``spans`` (text_branches.model_spans)."""
    if not spans:
        return [False] * len(records)
    out, at, spans, i = [], len(prefix), sorted(spans), 0
    for record in records:
        while i < len(spans) and spans[i][1] <= at:
            i += 1
        out.append(i < len(spans) and spans[i][0] <= at < spans[i][1])  # ("": the piece of the next character)
        at += len(record.text)
    return out


def summarize_authored(records, written) -> TextSummary:
    """GLTR's figures for the whole text, with ``yours``: those of the tokens the person wrote
    (``written[i]``: the model wrote record i), when the model wrote any."""
    whole = summarize(records)
    if not any(written):
        return whole
    return replace(whole, yours=summarize([r for r, by_model in zip(records, written) if not by_model]))


def summarize(records) -> TextSummary:
    """GLTR's figures for TokenRecords (an empty list gives zeros and nan)."""
    buckets = [0] * len(RANK_BUCKETS)
    probs = [0] * HISTOGRAM_BINS
    entropies = [0] * HISTOGRAM_BINS
    nll = 0.0
    for r in records:
        buckets[rank_bucket(r.rank)] += 1
        probs[_bin(r.prob, 1.0)] += 1
        entropies[_bin(r.entropy_bits, MAX_ENTROPY_BITS)] += 1
        nll -= r.logprob
    n = len(records)
    mean = nll / n if n else math.nan
    return TextSummary(n, tuple(buckets), mean / math.log(2) if n else math.nan, math.exp(mean) if n else math.nan,
                       tuple(probs), tuple(entropies), calibration=calibration(records))


# ---------------------------------------------------------------- files

def read_text_file(path) -> str:
    """A .txt or .md file as text, as the Text tab's editor holds it (``editor_text``: a Windows file's
    "\r\n" is "\n"), so the window and the command line read, score and continue the same text; a
    binary or non-UTF-8 file is refused in words."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise UserFacingError(f"{path.name} is larger than {MAX_FILE_BYTES // 2**20} MB; open a shorter text.")
        data = path.read_bytes()
    except OSError as exc:
        raise UserFacingError(f"{path.name} could not be read: {exc.strerror or exc}.") from exc
    return text_from_bytes(data, path.name)


def text_from_bytes(data: bytes, name: str) -> str:
    """A file's bytes (or a pipe's: the command line's "-") as the editor holds the text; ``name`` says where
    they came from in the refusal of a binary or non-UTF-8 input."""
    if b"\x00" in data:
        raise UserFacingError(f"{name} looks like a binary file, not a text: nothing was opened.")
    try:
        return editor_text(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        # counted from 1, as a person counts (exc.start counts from 0: the 4th byte read "byte 3"), and from the
        # file's start (utf-8-sig counts after the byte-order mark it took off)
        bad_byte = exc.start + 1 + len(data) - len(exc.object)
        raise UserFacingError(f"{name} is not UTF-8 text (byte {bad_byte} is not valid UTF-8): "
                              "save it as UTF-8 and open it again. Nothing was opened.") from exc


def break_long_lines(text: str, longest: int = MAX_LINE_CHARS, piece: int = PIECE_CHARS) -> tuple[str, int]:
    """``text`` with each line longer than ``longest`` characters broken into lines of about
    ``piece`` characters (after a sentence where there is one, else at a space; a space
    becomes the line break, so every other character stays): an editor lays a line out
    whole, so one 5 MB line takes seconds per keystroke. Returns the text and how many lines
    were broken."""
    lines, broken = text.split("\n"), 0
    for at, line in enumerate(lines):
        if len(line) > longest:
            lines[at] = "\n".join(_pieces(line, piece))
            broken += 1
    return ("\n".join(lines) if broken else text), broken


# What Qt's plain-text editor keeps of a text (QPlainTextEdit.setPlainText, then toPlainText): "\r\n",
# a lone "\r", the Unicode line and paragraph separators and the two noncharacters Qt marks frames with
# (U+FDD0, U+FDD1) each become one "\n", a no-break space a space; every other character stays (checked
# one by one over the whole Basic Multilingual Plane).
_EDITOR_FORM = str.maketrans({"\r": "\n", "\u2028": "\n", "\u2029": "\n", "\ufdd0": "\n", "\ufdd1": "\n",
                              "\u00a0": " "})


def editor_text(text: str) -> str:
    """``text`` as the Text tab's editor holds it. A text the branches keep must be this, or the
    editor's text is not the tree's: a continuation with a "\\r" in it (GPT-2 writes "\\r\\n") had lost
    its model marks, so the summary and Fine-tune's change never said the person's own figures."""
    return text.replace("\r\n", "\n").translate(_EDITOR_FORM)


def editor_records(records) -> list:
    """Token records whose texts join into ``editor_text`` of theirs, one record each as before: a
    "\\r" that ends one token and the "\\n" that starts the next make one line break, on the first."""
    out, after_return = [], False
    for record in records:
        text = record.text
        if after_return and text.startswith("\n"):
            text = text[1:]
        if record.text:  # (an unfinished character's piece, "", lies between nothing)
            after_return = record.text.endswith("\r")
        text = editor_text(text)
        out.append(record if text == record.text else replace(record, text=text))
    return out


def _pieces(line: str, piece: int) -> list[str]:
    out, start = [], 0
    while len(line) - start > piece:
        window_end = start + piece
        cut = max(line.rfind(mark, start, window_end) for mark in (". ", "! ", "? "))
        if cut > start:
            out.append(line[start:cut + 1])  # the sentence's mark stays; its space becomes the break
            start = cut + 2
            continue
        space = line.rfind(" ", start, window_end)
        if space > start:
            out.append(line[start:space])
            start = space + 1
        else:  # no space at all (a long word, data): cut where the piece ends
            out.append(line[start:window_end])
            start = window_end
    out.append(line[start:])
    return out


def title_for(text: str, fallback: str = DEFAULT_DOCUMENT_TITLE) -> str:
    from desktop_app.core.session import short_title

    return short_title(text) if text.strip() else fallback


def title_on_save(title: str, stored_text: str, text: str) -> str | None:
    """The title a save of ``text`` gives a document titled ``title`` whose stored text was ``stored_text``, or
    None to keep it: an untitled text takes its first words; a text emptied whose title was made from its first
    words is untitled again (it kept the deleted words' title in the picker and the window's title, leftovers85).
    A title of the person's own (a rename, a file's name) stays, as it is not its first words'."""
    if title == DEFAULT_DOCUMENT_TITLE:
        return title_for(text) if text.strip() else None
    if not text.strip() and stored_text.strip() and title == title_for(stored_text):
        return DEFAULT_DOCUMENT_TITLE
    return None


# ---------------------------------------------------------------- the store

def create_document(store, text: str = "", title: str | None = None) -> int:
    from desktop_app.core.store import now

    stamp, text = now(), editor_text(text)  # the editor's text, or the tree's offsets and marks miss it
    with store.transaction() as conn:
        document_id = conn.execute("INSERT INTO documents (title, text, created, updated) VALUES (?, ?, ?, ?)",
                                   (title or title_for(text), text, stamp, stamp)).lastrowid
    _attach_kept_analyses(store, text, document_id)
    return document_id


def save_document(store, document_id: int, text: str, title: str | None = None) -> None:
    """Keep the document's text (and a new title, when given), as the editor holds it."""
    from desktop_app.core.store import StoreError, now

    text = editor_text(text)
    with store.transaction() as conn:
        if title is None:
            cur = conn.execute("UPDATE documents SET text = ?, updated = ? WHERE id = ?", (text, now(), document_id))
        else:
            cur = conn.execute("UPDATE documents SET text = ?, title = ?, updated = ? WHERE id = ?",
                               (text, title, now(), document_id))
        if cur.rowcount == 0:
            raise StoreError(f"There is no document {document_id} in {store.path}.")
    _attach_kept_analyses(store, text, document_id)


def save_edit(store, document_id: int, text: str, title: str | None = None) -> None:
    """An edit kept: ``save_document`` with ``title``, or where none is given the title ``title_on_save`` gives."""
    if title is None:
        stored = get_document(store, document_id)
        title = title_on_save(stored["title"], stored["text"], editor_text(text))
    save_document(store, document_id, text, title)


def _attach_kept_analyses(store, text: str, document_id: int) -> None:
    """An analysis of ``text`` kept before it was stored (no document open yet) becomes the document's: the
    budget alone would have let it go, never a deletion, and it counted in no document's four. Kept rather
    than pruned: its text is this document's, so it is read at the next opening."""
    from desktop_app.core import analysis_cache

    if text.strip():
        analysis_cache.attach_to_document(analysis_cache.cache_file(store.path), text, document_id)


def get_document(store, document_id: int) -> dict:
    from desktop_app.core.store import StoreError

    row = store._one("SELECT * FROM documents WHERE id = ?", (document_id,))
    if row is None:
        raise StoreError(f"There is no document {document_id} in {store.path}.")
    return dict(row)


def open_for_editing(store, document_id: int | None = None, *, text: str | None = None, title: str | None = None,
                     path=None, reuse_id: int | None = None, left_id: int | None = None) -> dict:
    """Everything opening a text asks of the disk and the store, in one call (the window
    runs it off its GUI thread): read the file at ``path`` (its name the title), or take
    ``text``; store it as a new document, or in ``reuse_id`` (an empty untitled one on
    screen); or open ``document_id`` (None: ``left_id``, the text on screen when the window last
    closed, while it is stored; else the newest, or a new empty one). Returns the
    document with its ``branches`` and ``broken_lines`` (see ``break_long_lines``)."""
    from desktop_app.core import text_branches as tb

    broken = 0
    if path is not None:
        text, title = read_text_file(path), Path(path).name
    if text is not None:
        text, broken = break_long_lines(editor_text(text))
        if reuse_id is not None:
            save_document(store, reuse_id, text, title or title_for(text))
            document_id = reuse_id
        else:
            document_id = create_document(store, text, title)
    elif document_id is None:
        # the text the person left, not the newest edited: a restart had shown another one (usertest34)
        left = left_id is not None and store._one("SELECT 1 FROM documents WHERE id = ?", (left_id,)) is not None
        rows = [] if left else list_documents(store)
        document_id = left_id if left else rows[0]["id"] if rows else create_document(store, "")
    document = get_document(store, document_id)
    document["branches"] = tb.branches(store, document_id)
    document["broken_lines"] = broken
    return document


def list_documents(store) -> list[dict]:
    """Newest (by ``updated``) first, without their texts."""
    return [dict(r) for r in store._rows(
        "SELECT id, title, created, updated, length(text) AS chars FROM documents ORDER BY updated DESC, id DESC")]


@dataclass(frozen=True)
class DeletedDocument:
    """A deleted document as it was, which ``restore_document`` brings back: its row, its branches'
    rows (oldest first: a branch's parent comes before it) and their ratings' rows; ``analyses``: the
    ticket its kept analyses wait under (analysis_cache.set_aside), None when they went with it."""

    document: dict
    branches: tuple[dict, ...]
    ratings: tuple[dict, ...]
    analyses: int | None = None

    @property
    def title(self) -> str:
        return self.document["title"]


def delete_document(store, document_id: int, *, undoable: bool = False) -> DeletedDocument:
    """Delete the document, its branches (and their ratings), and the analyses of its texts kept beside
    the store (which would otherwise stay in that file for good); returns what ``restore_document``
    needs to bring it back. ``undoable``: the analyses wait instead (the window can bring the text back
    until it closes, coloured at once); ``forget_deleted`` lets them go."""
    from desktop_app.core import analysis_cache
    from desktop_app.core.store import StoreError

    with store.transaction() as conn:
        row = conn.execute("SELECT * FROM documents WHERE id = ?", (document_id,)).fetchone()
        if row is None:
            raise StoreError(f"There is no document {document_id} in {store.path}.")
        branches = conn.execute("SELECT * FROM text_branches WHERE document_id = ? ORDER BY id", (document_id,))
        branches = tuple(dict(b) for b in branches)
        ratings = conn.execute("SELECT r.* FROM text_ratings r JOIN text_branches b ON b.id = r.branch_id "
                               "WHERE b.document_id = ?", (document_id,))
        ratings = tuple(dict(r) for r in ratings)
        conn.execute("DELETE FROM documents WHERE id = ?", (document_id,))
    cache = analysis_cache.cache_file(store.path)
    if undoable:
        return DeletedDocument(dict(row), branches, ratings, analysis_cache.set_aside(cache, document_id))
    analysis_cache.forget_document(cache, document_id)
    return DeletedDocument(dict(row), branches, ratings)


def forget_deleted(store, deleted: DeletedDocument) -> int:
    """The deletion can no longer be undone (the window closes): the analyses set aside for it go; how many."""
    from desktop_app.core import analysis_cache

    if deleted.analyses is None:
        return 0
    return analysis_cache.forget_document(analysis_cache.cache_file(store.path), deleted.analyses)


def restore_document(store, deleted: DeletedDocument) -> int:
    """Bring a deleted document back with its branches and their ratings; returns its id. Every row gets a
    new id: a document made since the deletion may hold the old one (SQLite hands the largest id out again).
    Its analyses set aside (``delete_document(undoable=True)``) are its own again: it is coloured without a
    new pass once opened."""
    from desktop_app.core import analysis_cache

    with store.transaction() as conn:
        document_id = _insert_row(conn, "documents", deleted.document, {"id": None})
        new_ids: dict[int, int] = {}
        for branch in deleted.branches:
            new_ids[branch["id"]] = _insert_row(conn, "text_branches", branch, {
                "id": None, "document_id": document_id, "parent_id": new_ids.get(branch["parent_id"])})
        for rating in deleted.ratings:
            _insert_row(conn, "text_ratings", rating, {"branch_id": new_ids[rating["branch_id"]]})
        shown = deleted.document.get("shown_branch_id")
        conn.execute("UPDATE documents SET shown_branch_id = ? WHERE id = ?", (new_ids.get(shown), document_id))
    if deleted.analyses is not None:
        analysis_cache.bring_back(analysis_cache.cache_file(store.path), deleted.analyses, document_id)
    return document_id


def _insert_row(conn, table: str, row: dict, changed: dict) -> int:
    """Insert ``row`` into ``table`` with the values in ``changed`` (an "id" of None: a new one)."""
    values = {**row, **changed}
    if values.get("id", 0) is None:
        del values["id"]
    columns = ", ".join(values)
    cur = conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * len(values))})",
                       tuple(values.values()))
    return cur.lastrowid


def forget_analyses_of_deleted_documents(store) -> int:
    """At start: let go of the kept analyses of documents no longer stored (deleted by an app version
    before this one, or outside the app); how many went."""
    from desktop_app.core import analysis_cache

    ids = [r["id"] for r in store._rows("SELECT id FROM documents")]
    return analysis_cache.forget_all_but(analysis_cache.cache_file(store.path), ids)


# ---------------------------------------------------------------- continuing

def continuation(loaded, text: str, settings, *, cancel: threading.Event | None = None, then_ids=()):
    """A Generation that continues ``text`` from its end, ready to stream. No chat template
    and no transcript stops: the model just writes on. Only the end of a long text that
    fits the window (with room for the new tokens) is given to the model, after the start
    token plain text is read after when it all fits (``text_training.plain_ids``, as the
    analysis scores it and training reads it). An empty text starts from that token alone
    (or the end-of-text token), or is refused in words when the model has neither.
    ``then_ids``: tokens forced after the text first (an alternative the person chose),
    scored and part of the continuation's records and text."""
    from desktop_app.core.generation import Generation
    from desktop_app.core.sentence_end import run_on_tokens
    from desktop_app.core.text_training import plain_ids

    new = max(1, min(settings.max_new_tokens, loaded.context_window - 1))
    run_on = run_on_tokens(new)
    room = loaded.context_window - new
    if room - run_on >= loaded.context_window // 2:
        # room for the run-on to a sentence's end too (sentence_end): a long text gives up as many of its first
        # tokens, where the model still reads half its window of it; else the run-on gets what room is left
        room -= run_on
    ids = plain_ids(loaded.tokenizer, text)
    if not ids:
        raise UserFacingError("This model has no start-of-text token: write a few words first, then continue.")
    run = replace(settings, max_new_tokens=new)
    return Generation(loaded, ids[-room:], run, cancel=cancel, stop_sequences=(), prefix_ids=[int(i) for i in then_ids],
                      run_on=run_on)


def continue_text(loaded, text: str, settings, *, cancel: threading.Event | None = None,
                  on_token: Callable = lambda _r: None, then_ids=(), between: Callable[[], None] | None = None):
    """Stream a continuation of ``text`` (and ``then_ids``) to ``on_token``; returns the finished Generation.
    ``between()`` runs between two tokens (Generation.between)."""
    generation = continuation(loaded, text, settings, cancel=cancel, then_ids=then_ids)
    generation.between = between
    for record in generation:
        on_token(record)
    return generation
