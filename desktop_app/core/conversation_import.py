"""The window's own conversation export ("Conversation as JSON") read back into a store.

The file (core/conversation_export.conversation_json) holds every message of one conversation with
``parent_id`` links (its branches), each answer's thumb (``rating``) and the person's better answer
(``better_answer``). An import makes one new conversation of them, all in one transaction, after the
whole file has been checked: a bad or newer-format file imports nothing.

Its answers are stored as core/exchange_import.py stores a TRL file's: text without token records and without
a writer (``model_id`` None, ``settings`` {"imported_from": the file's name}), so the model in use scores
them afresh (core/unwritten.py) and another model's figures are never shown as this one's. The writer the
file names is kept as ``written_by`` in the answer's settings, for the record.

Version 2 files also carry each answer's token ratings (``token_ratings``, as core/file_token_ratings.py
reads them: put on the tokens the model in use reads the text as, by their characters where a tokenizer is
given) and why an answer is not whole (``ending``: "stopped", "token_limit", "context_full" or
"interrupted", null when it ended by itself), which the import keeps in the answer's settings as the app
keeps its own answers' (``finish_reason``, the draft mark), so its card, the history and a new export say it
again. A version 1 file still imports: its answers' endings are read from the ``settings`` it carried, and it
has no token ratings.

A conversation the store already holds (the same messages, branches, ratings and better answers) is not
imported twice: its ratings would count twice for the next fine-tune.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from desktop_app.core.drafts import DRAFT_KEY, STOPPED, is_interrupted, stopped_unstarted
from desktop_app.core.file_token_ratings import TokenPlacer, TokenRatingsError, parse_token_ratings
from desktop_app.core.store import ROLES, Store, StoreError

CONVERSATION_FORMAT = "gpt2-desk conversation"
# the newest version of the file this app writes and reads (2: token ratings and endings)
CONVERSATION_VERSION = 2
NOTHING_IMPORTED = "Nothing was imported."
# why an answer is not whole, in the file: its finish reason in the store
ENDINGS = {"stopped": STOPPED, "token_limit": "length", "context_full": "context"}
INTERRUPTED = "interrupted"  # the app closed while it wrote the answer (core/drafts.py)


class ConversationFileError(StoreError):
    pass


@dataclass(frozen=True)
class ImportedConversation:
    """What an import did: the conversation made (or the one already holding it: ``already_here``),
    the branch on screen when it was exported (its new ids, root first; [] when the file marks none),
    and the counts (``ratings``: thumbs). ``tokens_by_index`` and ``tokens_merged``: token ratings
    placed by the exporter's index alone, or that fell on a token another had (TokenPlacer)."""

    conversation_id: int
    shown_branch: list[int]
    messages: int
    ratings: int
    better_answers: int
    already_here: bool = False
    token_ratings: int = 0
    tokens_by_index: int = 0
    tokens_merged: int = 0


def ending_of(message: dict) -> str | None:
    """Why a stored answer is not whole, as the file says it (None: it ended by itself, or a prompt)."""
    if message.get("role") != "assistant":
        return None
    if is_interrupted(message) and not stopped_unstarted(message):
        return INTERRUPTED
    reason = (message.get("settings") or {}).get("finish_reason")
    return next((ending for ending, kept in ENDINGS.items() if kept == reason), None)


def ending_settings(ending: str | None, text: str) -> dict:
    """The settings an imported answer keeps its ``ending`` in, as the app's own answers do."""
    if ending == INTERRUPTED:
        return {DRAFT_KEY: True}
    if ending is None:
        return {}
    unstarted = {DRAFT_KEY: True} if ending == "stopped" and not text else {}  # stopped before its first token
    return {"finish_reason": ENDINGS[ending], **unstarted}


def read_file_text(path) -> str:
    """A file's text, or a message in words: no file, a folder, unreadable."""
    path = Path(path)
    if path.is_dir():
        raise ConversationFileError(f"{path} is a folder, not a file: name one exported file in it.")
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConversationFileError(f"There is no file {path}.") from None
    except PermissionError:
        raise ConversationFileError(f"Cannot read {path}: permission denied.") from None
    except UnicodeDecodeError:
        raise ConversationFileError(f"Cannot read {path}: it is not UTF-8 text.") from None
    except OSError as exc:
        raise ConversationFileError(f"Cannot read {path}: {exc.strerror or exc}.") from None


def is_conversation(data) -> bool:
    """Whether parsed JSON ``data`` says it is a conversation export."""
    return isinstance(data, dict) and data.get("format") == CONVERSATION_FORMAT


def conversation_data(text: str) -> dict | None:
    """``text`` parsed, when it is one JSON object that says it is a conversation export; else None (the
    command line's ``import`` then reads it as TRL JSON Lines, from the same text)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return None
    return data if is_conversation(data) else None


def parse_conversation(text: str, where: str) -> dict:
    """The file checked whole: {"title", "messages"} with each message's fields, parents before children."""
    if holds_ratings(text):  # JSON Lines read as one document said only "Extra data at line 2" (robust101)
        raise ConversationFileError(f"{where} holds ratings as TRL JSON Lines, not a conversation: import ratings with "
                                    f"`gpt2-desk import FILE`. {NOTHING_IMPORTED}")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        said = f"{where} is not valid JSON ({json_error_words(exc)}). {NOTHING_IMPORTED}"
        raise ConversationFileError(said) from None
    return check_conversation(data, where)


def holds_ratings(text: str) -> bool:
    """Whether ``text`` reads as TRL JSON Lines (what `gpt2-desk export` writes): its first line one JSON
    object with a "prompt" and no conversation export's "format"."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    try:
        data = json.loads(first)
    except json.JSONDecodeError:
        return False
    return isinstance(data, dict) and "prompt" in data and "format" not in data


def json_error_words(exc: json.JSONDecodeError, with_line: bool = True) -> str:
    """Where and what the JSON error is, as a sentence's part: json's own message ends in a bare "at" for some
    errors ("Unterminated string starting at"), which an import printed cut off (cli62)."""
    where = f"line {exc.lineno}, column {exc.colno}" if with_line else f"column {exc.colno}"
    return f"{exc.msg.removesuffix(' at')} at {where}"


def check_conversation(data, where: str) -> dict:
    """Parsed JSON ``data`` checked whole as ``parse_conversation`` does."""
    if not is_conversation(data):
        raise ConversationFileError(f"{where} is not a conversation exported from GPT-2 Desk (Conversation as JSON). "
                                    f"{NOTHING_IMPORTED}")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ConversationFileError(f"{where}: \"version\" should be a whole number from 1, not {version!r}. {NOTHING_IMPORTED}")
    if version > CONVERSATION_VERSION:
        raise ConversationFileError(f"{where} was written by a newer GPT-2 Desk (conversation format version {version}; "
                                    f"this one reads version {CONVERSATION_VERSION}): update the app to import it. "
                                    f"{NOTHING_IMPORTED}")
    messages = data.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ConversationFileError(f"{where} holds no messages. {NOTHING_IMPORTED}")
    seen: set = set()
    checked = [_message(m, n, seen, where, version) for n, m in enumerate(messages, 1)]
    title = data.get("title") if isinstance(data.get("title"), str) and data["title"].strip() else "Imported conversation"
    return {"title": title, "messages": checked}


def _message(m, n: int, seen: set, where: str, version: int) -> dict:
    """One message checked; its parent must come earlier in the file (the export writes them by id)."""
    at = f"{where}, message {n}"
    if not isinstance(m, dict):
        raise ConversationFileError(f"{at}: expected a JSON object. {NOTHING_IMPORTED}")
    if m.get("id") is None or m["id"] in seen:
        raise ConversationFileError(f"{at}: needs an \"id\" no other message has. {NOTHING_IMPORTED}")
    if m.get("parent_id") is not None and m["parent_id"] not in seen:
        raise ConversationFileError(f"{at}: its \"parent_id\" {m['parent_id']!r} is no earlier message's id. "
                                    f"{NOTHING_IMPORTED}")
    if m.get("role") not in ROLES or not isinstance(m.get("text"), str):
        raise ConversationFileError(f"{at}: needs a \"role\" ({', '.join(ROLES)}) and a \"text\". {NOTHING_IMPORTED}")
    if m.get("rating") not in (None, 1, -1) or isinstance(m.get("rating"), bool):
        raise ConversationFileError(f"{at}: \"rating\" is 1, -1 or null, not {m['rating']!r}. {NOTHING_IMPORTED}")
    better = m.get("better_answer")
    if better is not None and (not isinstance(better, str) or not better.strip() or m["role"] != "assistant"):
        raise ConversationFileError(f"{at}: \"better_answer\" is an answer's non-empty text or null. {NOTHING_IMPORTED}")
    if m.get("rating") is not None and m["role"] != "assistant":
        raise ConversationFileError(f"{at}: only an answer carries a \"rating\". {NOTHING_IMPORTED}")
    seen.add(m["id"])
    return {"id": m["id"], "parent_id": m.get("parent_id"), "role": m["role"], "text": m["text"],
            "model_id": m.get("model_id"), "rating": m.get("rating"), "better_answer": better,
            "shown": m.get("shown") is True, "ending": _ending(m, at, version),
            "token_ratings": _token_ratings(m, at, version)}


def _ending(m: dict, at: str, version: int) -> str | None:
    """Why the answer is not whole: the file's ``ending`` (version 2), or the settings a version 1 file
    carried (the app's own: a finish reason, the draft mark)."""
    if version < 2:
        return ending_of({**m, "settings": m.get("settings") if isinstance(m.get("settings"), dict) else {}})
    ending = m.get("ending")
    if ending is not None and (ending not in (*ENDINGS, INTERRUPTED) or m["role"] != "assistant"):
        raise ConversationFileError(f"{at}: \"ending\" is an answer's {', '.join(map(repr, (*ENDINGS, INTERRUPTED)))} "
                                    f"or null, not {ending!r}. {NOTHING_IMPORTED}")
    return ending


def _token_ratings(m: dict, at: str, version: int) -> list:
    """The answer's token ratings (version 2; [] before, and where it has none)."""
    if version < 2 or m.get("token_ratings") in (None, []):
        return []
    if m["role"] != "assistant":
        raise ConversationFileError(f"{at}: only an answer carries \"token_ratings\". {NOTHING_IMPORTED}")
    try:
        return parse_token_ratings(m["token_ratings"], at, "token_ratings", m["text"])
    except TokenRatingsError as exc:
        raise ConversationFileError(f"{exc} {NOTHING_IMPORTED}") from None


def _shape(messages: list[dict]) -> tuple:
    """A conversation as the duplicate rule compares it: each message's place in the tree, role, text,
    thumb and better answer (ids differ from store to store)."""
    place = {m["id"]: n for n, m in enumerate(messages)}
    return tuple((place.get(m["parent_id"]), m["role"], m["text"], m["rating"], m["better_answer"]) for m in messages)


def _stored_shape(store: Store, conversation_id: int) -> tuple:
    messages = [dict(m, rating=store.message_rating(m["id"]) if m["role"] == "assistant" else None,
                     better_answer=store.correction(m["id"]) if m["role"] == "assistant" else None)
                for m in store.messages(conversation_id)]
    return _shape(messages)


def _already_here(store: Store, messages: list[dict]) -> int | None:
    """The conversation already holding ``messages`` (``_shape``), or None. Only the few with as many
    messages and as many bytes of text are read whole: reading every conversation of the same length
    (each with a query per answer for its thumb and better answer) grew with the database."""
    wanted = _shape(messages)
    for conversation_id in _same_size(store, len(messages), sum(_utf8_bytes(m["text"]) for m in messages)):
        if _stored_shape(store, conversation_id) == wanted:
            return conversation_id
    return None


def _utf8_bytes(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def _same_size(store: Store, count: int, text_bytes: int) -> list[int]:
    """The conversations with ``count`` messages whose texts add up to ``text_bytes`` bytes of UTF-8, in
    one query that reads no text (SQLite stores a str as UTF-8; its LENGTH would stop at a NUL character)."""
    with store.snapshot() as conn:
        return [row[0] for row in conn.execute(
            "SELECT conversation_id FROM messages GROUP BY conversation_id "
            "HAVING COUNT(*) = ? AND SUM(LENGTH(CAST(text AS BLOB))) = ? ORDER BY conversation_id",
            (count, text_bytes))]


def import_conversation(store: Store, parsed: dict, *, source: str, tokenizer=None) -> ImportedConversation:
    """One new conversation of ``parse_conversation``'s result, in one transaction. ``tokenizer``: the
    one the model in use reads an imported answer with, to put a token rating on its token by the
    characters it rated (without it, by the file's index: TokenPlacer)."""
    messages = parsed["messages"]
    counts = dict(messages=len(messages), ratings=sum(m["rating"] is not None for m in messages),
                  better_answers=sum(m["better_answer"] is not None for m in messages),
                  token_ratings=sum(len(m["token_ratings"]) for m in messages))
    placer = TokenPlacer(tokenizer)
    with store.transaction():
        existing = _already_here(store, messages)
        if existing is not None:
            return ImportedConversation(existing, [], already_here=True, **counts)
        conversation = store.create_conversation(parsed["title"])
        new_ids: dict = {}
        for m in messages:
            new_ids[m["id"]] = _add(store, conversation, m, new_ids.get(m["parent_id"]), source, placer)
    return ImportedConversation(conversation, [new_ids[m["id"]] for m in messages if m["shown"]], **counts,
                                tokens_by_index=placer.by_index, tokens_merged=placer.merged)


def _add(store: Store, conversation: int, m: dict, parent: int | None, source: str, placer: TokenPlacer) -> int:
    settings = {"imported_from": source, **ending_settings(m["ending"], m["text"])}
    if m["role"] == "assistant" and m["model_id"]:
        settings["written_by"] = m["model_id"]
    mid = store.add_message(conversation, m["role"], m["text"], parent_id=parent, settings=settings)
    if m["rating"] is not None:
        store.rate_message(mid, m["rating"])
    if m["better_answer"] is not None:
        store.set_correction(mid, m["better_answer"])
    if m["token_ratings"]:
        placer.rate(store, mid, m["text"], m["token_ratings"])
    return mid


def import_conversation_file(store: Store, path, tokenizer=None) -> ImportedConversation:
    """Read, check and import one exported conversation; a bad file raises and imports nothing."""
    path = Path(path)
    return import_conversation(store, parse_conversation(read_file_text(path), str(path)), source=path.name,
                               tokenizer=tokenizer)
