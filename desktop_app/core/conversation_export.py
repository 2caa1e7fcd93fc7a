"""A conversation (or one answer) as Markdown or JSON: for the clipboard and for files.

No Qt here: the window copies and saves what these functions return, and `gpt2-desk history ID --export`
writes the same files (`conversation_import.py` reads the JSON back)."""

from __future__ import annotations

import json
from pathlib import Path

from desktop_app.core.adapters import adapter_name
from desktop_app.core.conversation_import import CONVERSATION_FORMAT, CONVERSATION_VERSION, INTERRUPTED, ending_of
from desktop_app.core.exchange import conversation_token_ratings

FORMAT_VERSION = CONVERSATION_VERSION  # core/conversation_import.py reads it back
# an answer that is not whole says so in the file, as its card does
ENDING_NOTES = {"stopped": "You stopped this answer before it ended.",
                "token_limit": "This answer was cut at the token limit.",
                "context_full": "This answer was cut when it filled the context window.",
                INTERRUPTED: "This answer was interrupted: the app closed while it was being written."}


def ending_note(message: dict) -> str:
    """Why an answer is not whole ("" when it ended by itself, and for a prompt)."""
    return ENDING_NOTES.get(ending_of(message), "")


def full_title(title: str, thread: list[dict]) -> str:
    """The conversation's title, whole: a title cut from the first question for the list
    ("…loves boo…") is that question in full, on one line; a title the person gave stays."""
    first = next((m["text"] for m in thread if m["role"] == "user"), "")
    line = " ".join(first.split())
    if title.endswith("\u2026") and line.startswith(title[:-1].rstrip()):
        return line
    return title


def author(message: dict) -> str:
    """Who wrote a message, in words: "You", or the model and adapter of an answer."""
    if message["role"] != "assistant":
        return "You"
    model = (message.get("model_id") or "the model").split(":", 1)[-1].split("/")[-1]
    adapter = message.get("adapter_id")
    return f"{model} ({'base model' if adapter is None else adapter_name(adapter)})"


def answer_markdown(message: dict, prompt: dict | None = None) -> str:
    """One answer as Markdown: its prompt quoted (when given), then the answer, then who wrote it."""
    parts = []
    if prompt is not None:
        parts.append("\n".join("> " + line for line in prompt["text"].splitlines() or [""]))
    parts.append(message["text"].strip())
    if ending_note(message):
        parts.append(f"*({ending_note(message)})*")
    parts.append(f"*\u2014 {author(message)}*")
    return "\n\n".join(parts) + "\n"


def conversation_markdown(title: str, thread: list[dict], siblings: dict | None = None,
                          corrections: dict | None = None, ratings: dict | None = None) -> str:
    """The branch on screen, one section per message; ``siblings``: message id -> (position, count);
    ``corrections``: answer id -> the better answer the person wrote; ``ratings``: id -> +1/-1."""
    lines = [f"# {full_title(title, thread)}", ""]
    for message in thread:
        heading = f"## {author(message)}"
        at = (siblings or {}).get(message["id"])
        if at and at[1] > 1:
            heading += f" \u2014 {'answer' if message['role'] == 'assistant' else 'version'} {at[0]} of {at[1]}"
        lines += [heading, "", message["text"].strip(), ""]
        if ending_note(message):
            lines += [f"*({ending_note(message)})*", ""]
        rating = (ratings or {}).get(message["id"])
        if rating in (1, -1):
            lines += [f"*You rated this answer {'good' if rating == 1 else 'bad'}.*", ""]
        better = (corrections or {}).get(message["id"])
        if better:
            lines += ["### Your better answer", "", better.strip(), ""]
    return "\n".join(lines)


def conversation_json(conversation: dict, messages: list[dict], shown_ids: list[int],
                      ratings: dict | None = None, corrections: dict | None = None,
                      token_ratings: dict | None = None) -> str:
    """The whole conversation, every branch (``parent_id`` links them); ``shown`` marks the branch
    on screen; ``ratings``: message id -> +1/-1; ``corrections``: answer id -> the person's
    better answer (``better_answer``, null where none); ``token_ratings``: answer id -> its token
    ratings as a file carries them (core/exchange.conversation_token_ratings); ``ending``: why an
    answer is not whole (core/conversation_import.ending_of), null where it ended by itself."""
    keep = ("id", "parent_id", "role", "text", "model_id", "adapter_id", "settings", "created")
    out = {"format": CONVERSATION_FORMAT, "version": FORMAT_VERSION,
           "id": conversation["id"], "title": conversation["title"],
           "created": str(conversation.get("created", "")), "updated": str(conversation.get("updated", "")),
           "messages": [dict({k: m.get(k) for k in keep}, shown=m["id"] in shown_ids,
                             rating=(ratings or {}).get(m["id"]),
                             better_answer=(corrections or {}).get(m["id"]),
                             token_ratings=(token_ratings or {}).get(m["id"], []),
                             ending=ending_of(m)) for m in messages]}
    return json.dumps(out, ensure_ascii=False, indent=2, default=str)


def conversation_text(store, conversation_id: int, kind: str, shown_ids: list[int] | None = None,
                      tokenizer_for=None, measure: str = "probability") -> str:
    """One conversation as a file's text, "markdown", "json" or "html" (a page: core/conversation_html.py), read from ``store`` (on the store lane: a
    long conversation takes a while). ``shown_ids``: the branch on screen (None: the newest, as the list
    opens it); ``tokenizer_for``: model id -> its tokenizer or None (core/exchange.py); ``measure``: what a page's
    colours show (core/palette.MEASURES)."""
    conversation = store.get_conversation(conversation_id)
    messages = store.messages(conversation_id)
    by_id = {m["id"]: m for m in messages}
    thread = [by_id[i] for i in shown_ids if i in by_id] if shown_ids is not None else newest_branch(messages)
    answers = [m["id"] for m in messages if m["role"] == "assistant"]
    ratings = {mid: store.message_rating(mid) for mid in answers}
    corrections = {mid: text for mid in answers if (text := store.correction(mid))}
    if kind == "html":
        from desktop_app.core.conversation_html import conversation_html, page_turns

        return conversation_html(conversation["title"], page_turns(store, thread, ratings, corrections, measure),
                                 measure)
    if kind == "markdown":
        return conversation_markdown(conversation["title"], thread, sibling_positions(messages, thread),
                                     corrections, ratings)
    return conversation_json(conversation, messages, [m["id"] for m in thread], ratings, corrections,
                             conversation_token_ratings(store, conversation_id, tokenizer_for))


def write_text(path: str | Path, text: str) -> Path:
    path = Path(path)
    path.write_text(text, encoding="utf-8")
    return path


def newest_branch(messages: list[dict], choice: dict | None = None) -> list[dict]:
    """From the root, the chosen child at each step, as the window shows it. Where nothing was
    chosen: the child on the way to the newest message, else the newest child. The newest child
    alone can be a branch tried and left: a conversation opened on it hid every turn written
    after it on the older one (user test 15)."""
    path, parent, seen = [], None, set()
    newest = _path_to_newest(messages)
    while True:
        kids = [m for m in messages if m["parent_id"] == parent]
        if not kids:
            return path
        chosen = next((k for k in kids if k["id"] == (choice or {}).get(parent)), None)
        chosen = chosen or next((k for k in kids if k["id"] in newest), kids[-1])
        if chosen["id"] in seen:
            return path
        seen.add(chosen["id"])
        path.append(chosen)
        parent = chosen["id"]


def branch_through(messages: list[dict], message_id: int) -> list[dict]:
    """The branch the window shows once ``message_id`` is picked among its siblings (and each message above it among
    theirs): from the root down to it, then on below it as ``newest_branch`` goes on. [] where no message has that id."""
    by_id = {m["id"]: m for m in messages}
    choice, at = {}, by_id.get(message_id)
    while at is not None and at["parent_id"] not in choice:
        choice[at["parent_id"]] = at["id"]
        at = by_id.get(at["parent_id"])
    return newest_branch(messages, choice) if message_id in by_id else []


def _path_to_newest(messages: list[dict]) -> set:
    """The ids from the newest message (the highest id) up to its root."""
    by_id = {m["id"]: m for m in messages}
    at, ids = max(by_id, default=None), set()
    while at in by_id and at not in ids:
        ids.add(at)
        at = by_id[at]["parent_id"]
    return ids


def sibling_positions(messages: list[dict], thread: list[dict]) -> dict:
    out = {}
    for m in thread:
        ids = [k["id"] for k in messages if k["parent_id"] == m["parent_id"]]
        out[m["id"]] = (ids.index(m["id"]) + 1, len(ids))
    return out
