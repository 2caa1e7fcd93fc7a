"""The tree of continuations of a document (Loom), without Qt.

A document's ``text`` is its main text. A branch hangs off the main text (``parent_id``
NULL) or off another branch, at ``start``: the number of characters of its parent's path it
keeps; then comes its own ``text``. So the text a branch shows (its *path*) is::

    path(branch) = path(parent)[:start] + branch.text      (path(None) = the main text)

Every continuation is a branch (a child of what was shown, starting where the model began
writing), so nothing a person or the model wrote is ever overwritten: continuing from the
cursor leaves what followed the cursor in the branch it was in; Regenerate adds a sibling
(same parent, same start); "continue with this alternative" starts a branch at that token.

``tokens`` keeps the tokens the model wrote ([[id, text, logprob], ...]): the mean
probability in the tree, the exact ids for training, and which token a rating means.
Ratings of continuations (thumbs, token ratings, a better continuation) live in
``text_ratings`` and the branch's ``correction``; text_training.py turns them into examples.
"""

from __future__ import annotations

import json
import math
import os

from desktop_app.core.documents import editor_records, editor_text
from desktop_app.core.store import StoreError, now
from desktop_app.core.taught_words import clip_at_word
from desktop_app.core.text_pieces import CharacterLayout, own_token_bytes, stored_ratings

BRANCH_KINDS = ("continuation", "alternative", "edited", "former")
INTERRUPTED = "interrupted"  # the key in a branch's sampling while its continuation is being written (keep_written)
FIRST_WORDS = 48  # characters of a branch's text the tree shows


def _row(row) -> dict:
    d = dict(row)
    d["tokens"] = json.loads(d.get("tokens") or "[]")
    # the sampler settings a continuation was written with ({}: none kept, written before schema 9 or by a person)
    d["sampling"] = json.loads(d.get("sampling") or "{}")
    return d


def tokens_of(records) -> list[list]:
    """TokenRecords as stored in a branch: [[id, text, logprob], ...]."""
    return [[int(r.id), r.text, float(r.logprob)] for r in records]


def mean_probability(tokens) -> float | None:
    return sum(math.exp(t[2]) for t in tokens) / len(tokens) if tokens else None


# ---------------------------------------------------------------- writing

def add_branch(store, document_id: int, parent_id: int | None, start: int, text: str, *, records=(),
               kind: str = "continuation", model_id: str | None = None, title: str | None = None,
               sampling: dict | None = None) -> int:
    """A new branch (see the module docstring); returns its id. Its text and its tokens' are kept as the
    Text tab's editor holds them (documents.editor_text: a model's "\r" is "\n"), whoever writes it, so
    the tree's text is the editor's and a continuation keeps its model marks. ``sampling``: the sampler
    settings the model wrote it with (SamplingSettings.to_dict(), and ``branched_at``: 0 where its first
    token was an alternative the person chose, not sampled), as an answer keeps them."""
    if kind not in BRANCH_KINDS:
        raise StoreError(f"A branch is one of {', '.join(BRANCH_KINDS)}, not {kind!r}.")
    text, tokens = editor_text(text), tokens_of(editor_records(records))
    with store.transaction() as conn:
        if conn.execute("SELECT 1 FROM documents WHERE id = ?", (document_id,)).fetchone() is None:
            raise StoreError(f"There is no document {document_id} in {store.path}.")
        if parent_id is not None:
            _require(conn, store, parent_id, document_id)
        return conn.execute(
            "INSERT INTO text_branches (document_id, parent_id, start, text, title, kind, tokens, mean_prob, "
            "model_id, created, sampling) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (document_id, parent_id, max(0, int(start)), text, title, kind, json.dumps(tokens, ensure_ascii=False),
             mean_probability(tokens), model_id, now(), json.dumps(sampling) if sampling else None)).lastrowid


def keep_written(store, branch_id: int, text: str, *, records=(), sampling: dict | None = None) -> bool:
    """A continuation's text and tokens as far as the model has written them, over its branch's row (made by
    ``add_branch`` at its first tokens, its sampling marked ``INTERRUPTED`` until it ends), as a chat answer is
    written while it streams: an app killed mid-way keeps them, marked. ``sampling``: its settings once it ended
    (the mark gone); None: left as they are. False where the row is gone (its text or a branch above it deleted)."""
    text, tokens = editor_text(text), tokens_of(editor_records(records))
    with store.transaction() as conn:
        done = conn.execute("UPDATE text_branches SET text = ?, tokens = ?, mean_prob = ? WHERE id = ?",
                            (text, json.dumps(tokens, ensure_ascii=False), mean_probability(tokens),
                             branch_id)).rowcount > 0
        if done and sampling is not None:
            conn.execute("UPDATE text_branches SET sampling = ? WHERE id = ?",
                         (json.dumps(sampling) if sampling else None, branch_id))
        return done


def interrupted(branch: dict) -> bool:
    """Whether the app closed (killed, the power gone) while the model wrote this continuation: its row was kept as
    it came and never finished (``keep_written``)."""
    return bool((branch.get("sampling") or {}).get(INTERRUPTED))


def _require(conn, store, branch_id: int, document_id: int | None = None):
    row = conn.execute("SELECT * FROM text_branches WHERE id = ?", (branch_id,)).fetchone()
    if row is None or (document_id is not None and row["document_id"] != document_id):
        raise StoreError(f"There is no branch {branch_id} in {store.path}.")
    return row


def rename_branch(store, branch_id: int, title: str | None) -> None:
    with store.transaction() as conn:
        _require(conn, store, branch_id)
        conn.execute("UPDATE text_branches SET title = ? WHERE id = ?", ((title or "").strip() or None, branch_id))


def delete_branch(store, branch_id: int) -> None:
    """The branch and everything that grew from it (their ratings too)."""
    with store.transaction() as conn:
        _require(conn, store, branch_id)
        conn.execute("DELETE FROM text_branches WHERE id = ?", (branch_id,))
        conn.execute("UPDATE documents SET shown_branch_id = NULL WHERE shown_branch_id IS NOT NULL AND "
                     "shown_branch_id NOT IN (SELECT id FROM text_branches)")


def set_branch_text(store, branch_id: int, text: str, *, parent_id: int | None = None, start: int | None = None,
                    kind: str | None = None) -> None:
    """A person's edit of a branch's own text (its tokens no longer match: ratings of its
    tokens are kept but train only while the text is unchanged)."""
    text = editor_text(text)
    with store.transaction() as conn:
        row = _require(conn, store, branch_id)
        conn.execute("UPDATE text_branches SET text = ?, parent_id = ?, start = ?, kind = ? WHERE id = ?",
                     (text, row["parent_id"] if start is None else parent_id,
                      row["start"] if start is None else start, kind or row["kind"], branch_id))


def fork_edit(store, source_id: int, parent_id: int | None, start: int, text: str) -> int:
    """A person's edit of continuation ``source_id``, as a new "edited" branch (at ``start`` of
    ``parent_id``'s path; returns its id): an edit of the text before it, or of a rated
    continuation's own words (``parent_id`` is then the continuation, ``start`` where the edit
    begins). The continuation itself stays as it is, with its ratings and the text it continued:
    a rating judges a continuation's words after the words it was written for, so moving it under
    new words, or keeping it on words the model did not write, would train a pairing nobody rated.
    The new branch keeps the model's tokens (those after ``start``, when it hangs off the
    continuation) so its words stay marked as the model's; it has no mean probability (the model
    wrote them after other words)."""
    text = editor_text(text)
    with store.transaction() as conn:
        source = _require(conn, store, source_id)
        if parent_id is not None:
            _require(conn, store, parent_id, source["document_id"])
        tokens = json.loads(source["tokens"] or "[]")
        if parent_id == source_id:
            tokens = tokens_after(tokens, int(start) - source["start"])
        return conn.execute(
            "INSERT INTO text_branches (document_id, parent_id, start, text, kind, tokens, mean_prob, model_id, "
            "created) VALUES (?, ?, ?, ?, 'edited', ?, NULL, ?, ?)",
            (source["document_id"], parent_id, max(0, int(start)), text, json.dumps(tokens, ensure_ascii=False),
             source["model_id"], now())).lastrowid


def tokens_after(tokens, cut: int) -> list[list]:
    """A branch's stored tokens from character ``cut`` of their text on (a token cut in two keeps
    its end, under its own id: an edited branch's tokens only mark the model's words)."""
    out, at = [], 0
    for token in tokens:
        end = at + len(token[1])
        if end > cut:
            out.append(token if at >= cut else [token[0], token[1][cut - at:], token[2]])
        at = end
    return out


def show_branch(store, document_id: int, branch_id: int | None) -> None:
    """Remember which path the document shows (None: the main text)."""
    with store.transaction() as conn:
        conn.execute("UPDATE documents SET shown_branch_id = ? WHERE id = ?", (branch_id, document_id))


# ---------------------------------------------------------------- reading

def get_branch(store, branch_id: int) -> dict:
    row = store._one("SELECT * FROM text_branches WHERE id = ?", (branch_id,))
    if row is None:
        raise StoreError(f"There is no branch {branch_id} in {store.path}.")
    return _row(row)


def branches(store, document_id: int) -> list[dict]:
    """All branches of a document, oldest first, each with its ``thumbs`` (+1 / -1 / None): the
    outline marks a rated continuation without a read per branch."""
    return [_row(r) for r in store._rows(
        "SELECT b.*, (SELECT value FROM text_ratings r WHERE r.branch_id = b.id AND r.token_index IS NULL) "
        "AS thumbs FROM text_branches b WHERE b.document_id = ? ORDER BY b.id", (document_id,))]


def shown_branch(store, document_id: int) -> int | None:
    row = store._one("SELECT shown_branch_id FROM documents WHERE id = ?", (document_id,))
    return None if row is None else row[0]


def chain(by_id: dict, branch_id: int | None) -> list[dict]:
    """The branches from the main text down to ``branch_id`` (root first)."""
    out, seen = [], set()
    while branch_id is not None and branch_id not in seen and branch_id in by_id:
        seen.add(branch_id)
        out.append(by_id[branch_id])
        branch_id = by_id[branch_id]["parent_id"]
    return out[::-1]


def path_text(main_text: str, by_id: dict, branch_id: int | None) -> str:
    text = main_text
    for b in chain(by_id, branch_id):
        text = text[:b["start"]] + b["text"]
    return text


def prefix_text(main_text: str, by_id: dict, branch: dict) -> str:
    """The text before ``branch``: what the model was given (the prompt of its examples)."""
    return path_text(main_text, by_id, branch["parent_id"])[:branch["start"]]


def segments(main_text: str, by_id: dict, branch_id: int | None) -> list[tuple[int | None, int, int]]:
    """(branch id or None for the main text, start, end) of each piece of the path's text."""
    pieces: list[tuple[int | None, int, int]] = [(None, 0, len(main_text))]
    for b in chain(by_id, branch_id):
        start = min(b["start"], pieces[-1][2])
        kept = []
        for owner, a, z in pieces:
            if a < start:
                kept.append((owner, a, min(z, start)))
        pieces = kept + [(b["id"], start, start + len(b["text"]))]
    return pieces


def model_spans(main_text: str, by_id: dict, branch_id: int | None) -> list[tuple[int, int]]:
    """(start, end) of each stretch of the path's text that a continuation wrote, as the model
    wrote it: a branch's text up to where the person changed it (what they typed is theirs);
    in an edit of the text before a continuation (``fork_edit``), the continuation's words
    where they still stand whole, else its end the person left as it was."""
    spans = []
    for owner, start, end in segments(main_text, by_id, branch_id):
        if owner is None:
            continue
        branch = by_id[owner]
        written, own = "".join(t[1] for t in branch["tokens"]), branch["text"][:end - start]
        kept = (_carried(written, own) if branch.get("kind") == "edited"
                else [(0, len(os.path.commonprefix([written, own])))])
        spans.extend((start + at, start + at + length) for at, length in kept if length)
    return spans


def _carried(written: str, text: str) -> list[tuple[int, int]]:
    """(where, how long) the continuation ``written`` stands in an edited ``text``: whole, else its
    start and its end that the person left as they were (an edit of its words in between)."""
    if not written:
        return []
    at = text.rfind(written)
    if at >= 0:
        return [(at, len(written))]
    head = len(os.path.commonprefix([written, text]))
    tail = min(len(os.path.commonprefix([written[::-1], text[::-1]])), len(text) - head, len(written) - head)
    return [(0, head), (len(text) - tail, tail)]


def owner_at(main_text: str, by_id: dict, branch_id: int | None, offset: int) -> int | None:
    """Which branch (None: the main text) wrote the character at ``offset`` of the path."""
    for owner, a, z in segments(main_text, by_id, branch_id):
        if a <= offset < z:
            return owner
    return None


def attach_point(by_id: dict, branch_id: int | None, offset: int) -> int | None:
    """The parent for a branch that starts at ``offset`` of ``branch_id``'s path: the
    deepest branch of the path whose text already covers the characters before ``offset``
    (so the tree says where the new text really diverges)."""
    node = branch_id
    while node is not None and offset <= by_id[node]["start"]:
        node = by_id[node]["parent_id"]
    return node


def still_written(branch: dict) -> bool:
    """Whether the branch's text is still what the model wrote: its tokens join to it."""
    return "".join(t[1] for t in branch["tokens"]) == branch["text"]


def written_token_at(branch: dict, offset_in_branch: int, tokenizer=None) -> int | None:
    """The index of the branch's token where a rating of character ``offset_in_branch`` of its text
    is kept (a split character: its first token, where the model chose it: ``branch_layout``), while
    that token stands as the model wrote it (else None: after an edit, or inside it)."""
    layout = branch_layout(branch, tokenizer)
    return None if layout is None else layout.token_of_character(offset_in_branch)


def branch_layout(branch: dict, tokenizer=None) -> CharacterLayout | None:
    """Where a rating of each of the branch's tokens is kept and trains (core.text_pieces), by the
    tokens' bytes where ``tokenizer`` (the loaded model's, the CLI's) reads the branch's token ids as
    its text, else by its pieces. The bytes matter: the bundled model's " 😀" began in the token showing " ",
    which the pieces cannot tell. Of a branch edited since, the tokens before the edit (``intact_tokens``):
    the model wrote each after the very text before it, so a rating of one says what it says of an unedited
    one (words108: an edit made every token unratable); None where none is left."""
    kept = intact_tokens(branch)
    if not kept and not still_written(branch):
        return None
    ids = [int(t[0]) for t in branch["tokens"][:kept]]
    return CharacterLayout(branch_pieces(branch)[:kept], own_token_bytes(tokenizer, ids))


def intact_tokens(branch: dict) -> int:
    """How many of the branch's first tokens still stand as the model wrote them: their texts, joined, begin its
    text (all of them while ``still_written``). A token the person's edit begins in, and every one after, is
    theirs now. A character split over several tokens counts whole or not at all (its first byte's token is where
    its rating is kept)."""
    if still_written(branch):
        return len(branch["tokens"])
    if branch.get("kind", "continuation") not in ("continuation", "alternative"):
        return 0  # an "edited" branch (fork_edit): its tokens only mark the model's words, one may be cut in two
    text, at, kept = branch["text"], 0, 0
    for k, token in enumerate(branch["tokens"]):
        if not text.startswith(token[1], at):
            break
        at += len(token[1])
        if token[1]:  # a split character's pieces end with the one that shows it: whole only there
            kept = k + 1
    return kept


def branch_pieces(branch: dict) -> list[str]:
    """The texts of the tokens the model wrote for the branch."""
    return [t[1] for t in branch["tokens"]]


def first_words(text: str, limit: int = FIRST_WORDS) -> str:
    return clip_at_word(text, limit)  # after a whole word: "A story about a lightho…" read as a typo


def label(branch: dict) -> str:
    return branch["title"] or first_words(branch["text"]) or "(empty)"


# ---------------------------------------------------------------- making a branch the main text

def make_main(store, document_id: int, branch_id: int) -> None:
    """The branch's path becomes the main text. The old main text is kept as a branch
    ("Former main text") and the branches that hung off it and no longer fit the new one
    move under it, so every path shows the same text as before."""
    from desktop_app.core import documents

    document = documents.get_document(store, document_id)
    by_id = {b["id"]: b for b in branches(store, document_id)}
    if branch_id not in by_id:
        raise StoreError(f"There is no branch {branch_id} in {store.path}.")
    old, new = document["text"], path_text(document["text"], by_id, branch_id)
    with store.transaction() as conn:
        if old != new:
            former = conn.execute(
                "INSERT INTO text_branches (document_id, parent_id, start, text, title, kind, tokens, created) "
                "VALUES (?, NULL, 0, ?, 'Former main text', 'former', '[]', ?)", (document_id, old, now())).lastrowid
            for b in by_id.values():
                if b["parent_id"] is None and old[:b["start"]] != new[:b["start"]]:
                    conn.execute("UPDATE text_branches SET parent_id = ? WHERE id = ?", (former, b["id"]))
        conn.execute("UPDATE documents SET text = ?, shown_branch_id = NULL, updated = ? WHERE id = ?",
                     (new, now(), document_id))


# ---------------------------------------------------------------- ratings of continuations

def rate_branch(store, branch_id: int, value: int | None, token_index: int | None = None, *,
                tokenizer=None) -> None:
    """+1 / -1 on a continuation (or one of its tokens: on its character, kept on the character's
    first token and replacing a rating of any of its tokens, as ``Store.rate_token``; by the tokens'
    bytes where ``tokenizer`` reads them: ``branch_layout``); None clears it."""
    if value is not None and (value not in (1, -1) or isinstance(value, bool)):
        raise StoreError(f"A rating is +1 or -1, not {value!r}.")
    with store.transaction() as conn:
        branch = _row(_require(conn, store, branch_id))
        if token_index is not None and not 0 <= token_index < len(branch["tokens"]):
            raise StoreError(f"Branch {branch_id} has no token {token_index}.")
        if token_index is None:
            conn.execute("DELETE FROM text_ratings WHERE branch_id = ? AND token_index IS NULL", (branch_id,))
        else:
            layout = branch_layout(branch, tokenizer)
            rated = layout.tokens_of(token_index) if layout is not None else range(token_index, token_index + 1)
            token_index = rated.start
            conn.execute("DELETE FROM text_ratings WHERE branch_id = ? AND token_index BETWEEN ? AND ?",
                         (branch_id, rated.start, rated.stop - 1))
        if value is not None:
            conn.execute("INSERT INTO text_ratings (branch_id, token_index, value, created) VALUES (?, ?, ?, ?)",
                         (branch_id, token_index, int(value), now()))


def branch_ratings(store, branch_id: int, tokenizer=None) -> dict:
    """{"thumbs": +1/-1/None, "tokens": {index: +1/-1}, "correction": text or None}; a token rating on
    the first token of its character (``rated_tokens``)."""
    rows = store._rows("SELECT token_index, value FROM text_ratings WHERE branch_id = ? ORDER BY created, rowid",
                       (branch_id,))
    thumbs = next((r["value"] for r in rows if r["token_index"] is None), None)
    branch = get_branch(store, branch_id)
    tokens = rated_tokens(branch, [(r["token_index"], r["value"]) for r in rows if r["token_index"] is not None],
                          tokenizer)
    return {"thumbs": thumbs, "tokens": tokens, "correction": branch["correction"]}


def rated_tokens(branch: dict, rated: list[tuple[int, int]], tokenizer=None) -> dict[int, int]:
    """A branch's token ratings (index, value; oldest first) on the first token of their character
    (``branch_layout``: by the bytes with a tokenizer, as training reads them), while its text is
    what the model wrote: one stored on a character's last token, before ratings went to the first,
    moves there (core.train_data.on_chosen_tokens says why)."""
    layout = branch_layout(branch, tokenizer)
    return dict(rated) if layout is None else stored_ratings(layout, rated)


def set_correction(store, branch_id: int, text: str | None) -> None:
    """A better continuation written by the person (None or blank: none). Its time (``corrected``) is
    when it was written or last changed: what a fine-tune started before it has not learned."""
    text = text if text and text.strip() else None
    with store.transaction() as conn:
        row = _require(conn, store, branch_id)
        if text == row["correction"]:
            return  # saved again unchanged: nothing new to learn from
        conn.execute("UPDATE text_branches SET correction = ?, corrected = ? WHERE id = ?",
                     (text, now() if text else None, branch_id))
