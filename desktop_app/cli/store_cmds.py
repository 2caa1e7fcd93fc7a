"""Commands over the store: rate, correct, history (export and import: exchange_cmds)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from desktop_app.cli.common import (NEW_FILE_HELP, TOKENS_HINT, WINDOW_TOKEN_WORDS, CliError, new_database_note,
                                    record_id, refuse_existing, token_words)
from desktop_app.cli.out_option import add_hidden_alias, endings_words, kind_of
from desktop_app.cli.stdin_text import STDIN_HELP
from desktop_app.core.count_words import counted
from desktop_app.core.drafts import STOPPED, is_interrupted, stopped_unstarted
from desktop_app.core.palette import MEASURES
from desktop_app.core.records import RECORD_UNITS
from desktop_app.core.token_words import token_label, token_percent
from desktop_app.core.word_cut import one_line


def _open(args):
    from desktop_app.core.store import Store

    return Store.open(args.db)


def _message_id(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise CliError(f"a message id is a number, not {text!r}") from None
    if abs(value) >= 2**63:
        raise CliError(f"{text} is too large to be a message id.")
    return value


def cmd_rate(args) -> int:
    mid = _message_id(args.message_id)
    with _open(args) as store:
        store.get_message(mid)  # one clear line for an unknown id
        _check_token(store, mid, args.token)
        target = _token_target(store, mid, args.token) if args.token is not None else f"message {mid}"
        layout = _answer_layout(args, store, mid) if args.token is not None else {}
        if args.value == "clear":
            had = store.clear_rating(mid, args.token, **layout)
            _said(args, f"cleared the rating of {target}" if had else f"{target} had no rating"
                  + _token_ratings_left(store, mid, args.token), _rating_json(None, mid, args.token, cleared=had))
            return 0
        value = 1 if args.value == "up" else -1
        if args.token is None:
            rating_id = store.rate_message(mid, value, args.note)
        else:
            rating_id = store.rate_token(mid, args.token, value, args.note, **layout)
            target += _kept_at(store, mid, rating_id, args.token)
        row = next(r for r in store.ratings(mid) if r["id"] == rating_id)
        _said(args, f"rated {target} {args.value}", _rating_json(row, mid, args.token))
    return 0


def _said(args, words: str, as_json: dict) -> None:
    """The outcome: the words on stdout, or with --json the JSON there and the words on stderr (a script
    reads stdout alone; `rate --json` was "unrecognized arguments", cli102)."""
    if args.json:
        print(words, file=sys.stderr)
        print(json.dumps(as_json, ensure_ascii=False))
    else:
        print(words)


def _rating_json(row: dict | None, message_id: int, token: int | None, cleared: bool | None = None) -> dict:
    """The stored rating as `rate --json` prints it; ``row`` None after a clear (``cleared``: there was one)."""
    said = {"id": row["id"] if row else None, "message": message_id, "kind": "message" if token is None else "token",
            "token": row["token_index"] if row else token, "value": row["value"] if row else None,
            "note": row["note"] if row else None}
    return said if cleared is None else said | {"cleared": cleared}


def _token_ratings_left(store, message_id: int, token: int | None) -> str:
    """After clearing a whole answer's thumb: the token ratings it still has, which `clear` leaves. "message 14
    had no rating" was said of an answer with a rated token (cli62)."""
    if token is not None:
        return ""
    rated = sorted(r["token_index"] for r in store.ratings(message_id) if r["token_index"] is not None)
    if not rated:
        return ""
    stays = "stays" if len(rated) == 1 else "stay"
    return (f"; its {counted(len(rated), 'token rating')} (--token {', '.join(map(str, rated))}) {stays}: "
            f"`gpt2-desk rate {message_id} clear --token N` clears one")


def _token_target(store, message_id: int, token: int) -> str:
    """The rated token named with its text, "token 10 (--token 9) “␣Orange” of message 4": `rate 4 down
    --token 9` said only the numbers, and nothing in the terminal shows which token an index is (usertest32)."""
    records = store.token_records(message_id)
    shown = token_label(records[token].text) if token < len(records) and records[token].text else ""
    text = f" \u201c{shown}\u201d" if shown else ""
    return f"{token_words(token)}{text} of message {message_id}"


def _answer_layout(args, store, message_id: int) -> dict:
    """The answer's tokens' texts and bytes (Store.rate_token's ``pieces`` and ``token_bytes``), as the
    window's card passes them, so a split character's rating is kept on the token the card keeps it
    on (the bundled model's " 😀" began in the token showing " ", which the texts alone cannot tell);
    {} (the texts' rule) where no tokenizer of these tokens is on this computer."""
    from desktop_app.core.text_pieces import own_token_bytes

    records = store.token_records(message_id)
    if records:  # importing transformers for it: seconds of silence, a minute on a busy machine (usertest32)
        print("reading the answer's tokenizer, to keep the rating on the token the window shows…", file=sys.stderr)
    tokenizer = _answer_tokenizer(args, store.get_message(message_id).get("model_id")) if records else None
    known = own_token_bytes(tokenizer, [r.id for r in records])
    return {} if known is None else {"pieces": [r.text for r in records], "token_bytes": known}


def _answer_tokenizer(args, writer: str | None):
    """The tokenizer of the model that wrote the answer, else --model's (or the default model's),
    read only if it is on this computer and needs no conversion (models.open_tokenizer); None when
    neither is. One that is not the writer's is used only where its bytes read as the answer's text
    (core.text_pieces.CharacterLayout checks)."""
    from desktop_app.core.model_export import spec_for_model_id

    specs = ([spec_for_model_id(writer)] if writer else []) + [args.model]
    for spec in dict.fromkeys(specs):
        tokenizer = _tokenizer_here(args, spec)
        if tokenizer is not None:
            return tokenizer
    return None


def _tokenizer_here(args, spec: str | None, unread=None):
    """The tokenizer of the model ``spec`` names, if it is on this computer and needs no conversion
    (models.open_tokenizer); None else, after ``unread(error)`` where given."""
    from desktop_app.core.errors import ModelError
    from desktop_app.core.models import open_tokenizer

    try:  # open_tokenizer quiets transformers where it reads one with it: importing it costs seconds (cli102)
        return open_tokenizer(spec, args.paths)
    except (ModelError, OSError) as exc:
        if unread is not None:
            unread(exc)
        return None


def _check_token(store, message_id: int, token: int | None) -> None:
    """--token within the answer, said in both counts (the store's "has 5 tokens; there is no token 5" read,
    to a person counting from 1 as the window does, as if token 5 were missing)."""
    if token is not None and token < 0:  # said before the tokenizer is read, not after it (cli62)
        raise CliError(f"--token counts the answer's tokens from 0 (the window's token 1 is --token 0); there is "
                       f"no token {token}.")
    n = len(store.token_records(message_id))
    if token is not None and n and token >= n:
        raise CliError(f"Message {message_id} has {n} tokens: --token takes 0 to {n - 1} (the window's token 1 "
                       f"to {n}); {TOKENS_HINT}.")


def _kept_at(store, message_id: int, rating_id: int, token: int) -> str:
    """Words for a rating kept on another token than the one named: the first of a split character's
    tokens (core/text_pieces.py), where the model chose the character; "" when it is the one named."""
    kept = next(r["token_index"] for r in store.ratings(message_id) if r["id"] == rating_id)
    if kept == token:
        return ""
    return (f" (a character written over tokens {kept + 1}..{token + 1}: the rating is kept on {token_words(kept)}, "
            "where the model chose it)")


def cmd_correct(args) -> int:
    mid = _message_id(args.message_id)
    with _open(args) as store:
        earlier = store.correction(mid)
        answer = store.get_message(mid)
        if answer.get("role") == "assistant" and args.text.strip() and args.text.strip() == answer["text"].strip():
            # the window's box will not save it either (gui/ratings.py); a pair of one text twice (cli63)
            raise CliError(f"That is message {mid}'s own text: a better answer must differ from it (the same text "
                           "again teaches nothing). Nothing was saved.")
        store.set_correction(mid, args.text)
    # a second `correct` replaced the first in silence: the person may have meant to add one (usertest27)
    if earlier is None:
        words = f"saved a correction for message {mid}"
    elif earlier == args.text:
        words = f"message {mid} already had this correction; nothing changed"
    else:
        words = (f"replaced the earlier correction of message {mid} (it was \u201c{one_line(earlier, 70)}\u201d); "
                 "an answer keeps one correction")
    # an answer keeps one correction, stored under the answer's id: it has no id of its own
    _said(args, words, {"id": None, "message": mid, "kind": "correction", "value": args.text, "replaced": earlier})
    return 0


def _conversation_detail(store, conversation_id) -> dict:
    conv = store.get_conversation(conversation_id)
    ratings: dict[int, list[dict]] = {}
    messages = store.messages(conversation_id)
    for r in store.ratings():
        ratings.setdefault(r["message_id"], []).append(r)
    for m in messages:
        rs = ratings.get(m["id"], [])
        m["rating"] = next((r["value"] for r in rs if r["token_index"] is None), None)
        m["token_ratings"] = {str(r["token_index"]): r["value"] for r in rs if r["token_index"] is not None}
        m["correction"] = store.correction(m["id"]) if m["role"] == "assistant" else None
    conv["messages"] = messages
    return conv


def _when(stamp: str) -> str:
    """A stored time (UTC, ISO) as the listing shows it: to the second."""
    return stamp[:19].replace("T", " ")


def cmd_history(args) -> int:
    with _open(args) as store:
        if args.conversation is None:  # `history 3` is what a terminal user types first
            args.conversation = args.conversation_id
        if args.conversation is not None and args.search:
            raise CliError("--search finds conversations: leave out the conversation's id to search, or --search "
                           "to see that conversation.")
        if args.export:
            return _export_conversation(args, store)
        for option in ("branch", "measure"):
            if getattr(args, option) is not None:
                raise CliError(f"--{option} says what --out writes: add --out FILE (.html, .md or .json).")
        if args.tokens and args.conversation is None:
            raise CliError("--tokens shows a conversation's answers token by token: give its id (`gpt2-desk "
                           "history` lists them).")
        if args.conversation is not None:
            conv = _conversation_detail(store, args.conversation)
            if args.tokens:
                return _print_tokens(args, store, conv)
            if args.json:
                print(json.dumps(conv, ensure_ascii=False, indent=2))
                return 0
            print(f"conversation {conv['id']}: {conv['title']} (updated {_when(conv['updated'])})")
            width = max((len(f"<- {m['parent_id']}") for m in conv["messages"] if m["parent_id"]), default=0)
            for m in conv["messages"]:
                marks = _marks(m)
                parent = f"<- {m['parent_id']}" if m["parent_id"] else ""
                extra = f"  [{', '.join(marks)}]" if marks else ""
                print(f"  {m['id']:>5} {parent:<{width}} {m['role']:<9} {one_line(m['text'], 70)}{extra}")
            return 0
        _print_conversations(store.list_conversations(args.search), args)
    return 0


def _print_tokens(args, store, conv: dict) -> int:
    """`history ID --tokens`: each answer's tokens with the --token number `rate ID down --token N` takes,
    coloured as generate colours them; `history` had shown no index to rate a token by (cli59)."""
    answers = [m for m in conv["messages"] if m["role"] == "assistant"]
    if args.json:
        print(json.dumps([{"message_id": m["id"], "units": RECORD_UNITS,
                           "tokens": [r.to_json() for r in store.token_records(m["id"])]}
                          for m in answers], ensure_ascii=False, indent=2))
        return 0
    print(f"conversation {conv['id']}: {conv['title']}")
    for m in answers:
        print()
        print(answer_tokens_text(m, store.token_records(m["id"])))
    if not answers:
        print("  (no answers yet)")
    return 0


def answer_tokens_text(message: dict, records: list) -> str:
    """One answer's tokens, one a line: its --token number, the token (coloured by its probability on a
    terminal, as generate writes it), its probability and any rating of it."""
    from dataclasses import replace

    from desktop_app.cli.model_cmds import ansi_token, use_colour

    mid = message["id"]
    if not records:
        return f"message {mid}: no token figures are stored for this answer ({one_line(message['text'], 50)})"
    colour = use_colour(sys.stdout)
    rated = message.get("token_ratings") or {}
    lines = [f"message {mid}, {counted(len(records), 'token')} (rate one: gpt2-desk rate {mid} down --token N, or up):",
             f"  {'--token':>7}  {'probability':>11}  token"]
    for i, r in enumerate(records):
        shown = token_label(r.text)  # as the window's tooltip and inspector write it
        token = ansi_token(replace(r, text=shown)) if colour else f"\u201c{shown}\u201d"
        if not r.text:  # a character written over several tokens shows on its last (core/records.py)
            token = "(the start of the character the next token completes)"
        mark = {1: "  [rated up]", -1: "  [rated down]"}.get(rated.get(str(i)), "")
        lines.append(f"  {i:>7}  {token_percent(r):>11}  {token}{mark}")  # the window's figure, "0.012%" not "0.0%"
    return "\n".join(lines)


def _marks(m: dict) -> list[str]:
    """What `history ID` says after a message's text: its ratings, a correction, how it ended."""
    marks = []
    if m["rating"] is not None:
        marks.append("+1" if m["rating"] > 0 else "-1")
    if m["token_ratings"]:
        marks.append(counted(len(m["token_ratings"]), "token rating"))
    if m["correction"]:
        marks.append("corrected")
    # stopped by the person (before its first token, or after some: the window's card says "stopped" and the
    # chat's Ctrl+C stops one, cli52), or the window was killed while it wrote this (core/drafts.py)
    if stopped_unstarted(m) or (not is_interrupted(m) and (m.get("settings") or {}).get("finish_reason") == STOPPED):
        marks.append("stopped")
    elif is_interrupted(m):
        marks.append("interrupted")
    return marks


def _print_conversations(conversations: list[dict], args) -> None:
    if args.json:
        print(json.dumps(conversations, ensure_ascii=False, indent=2))
        return
    if not conversations:  # "no conversations" after --search read as an empty database (usertest27)
        # a first `history` said only "no conversations", not how to make one (cli62)
        print(f"no conversation contains \u201c{args.search}\u201d" if args.search else
              "no conversations yet: `gpt2-desk ask \"...\"` or `gpt2-desk chat` starts one")
        new_database_note(args)
    for c in conversations:
        print(f"{c['id']:>5}  {_when(c['updated'])}  {c['message_count']:>3} messages  {c['title']}")


# `history ID --out FILE`: the file's ending -> (the kind of file, what it holds)
CONVERSATION_OUT = {".json": ("json", "every branch and rating; `import` reads it back"),
                    ".md": ("markdown", "the branch, to read"),
                    ".html": ("html", "the branch as a page, each answer on its tokens' colours, to share")}


def _export_conversation(args, store) -> int:
    """`history ID --export FILE`: the window's Conversation as JSON / Markdown, which `import` reads back; a
    terminal user had no way to write the file `import chat.json` asks for (usertest27)."""
    from desktop_app.core.conversation_export import conversation_text, write_text

    if args.conversation is None:
        raise CliError("--out writes one conversation: give its id (`gpt2-desk history` lists them).")
    kind = kind_of(args.export, CONVERSATION_OUT, "history", also={".markdown": "markdown", ".htm": "html"})
    if args.measure is not None and kind != "html":
        raise CliError(f"--measure colours the .html page; {Path(args.export).name} is not one.")
    refuse_existing(args.export)
    store.get_conversation(args.conversation)  # one clear line for an unknown id
    text = conversation_text(store, args.conversation, kind, shown_ids=_branch_ids(args, store),
                             tokenizer_for=_writers_tokenizers(args), measure=args.measure or "probability")
    try:
        path = write_text(args.export, text)
    except OSError as exc:
        raise CliError(f"Cannot write {args.export}: {exc.strerror or exc}.") from None
    print(f"wrote conversation {args.conversation} to {path}", file=sys.stderr)
    return 0


def _branch_ids(args, store) -> list[int] | None:
    """The ids of the branch ``--branch`` names (None: the newest, as the window opens a conversation)."""
    from desktop_app.core.conversation_export import branch_through

    if args.branch is None:
        return None
    thread = branch_through(store.messages(args.conversation), args.branch)
    if not thread:
        raise CliError(f"conversation {args.conversation} has no message {args.branch}: `gpt2-desk history "
                       f"{args.conversation}` lists its messages.")
    return [m["id"] for m in thread]


def _writers_tokenizers(args):
    """model id -> the tokenizer of the model that wrote an answer, read once and only for an answer
    with token ratings (where a split character began needs its tokens' bytes); None where it
    cannot be read here (the export then places a rating by its tokens' texts)."""
    from functools import lru_cache

    from desktop_app.core.model_export import spec_for_model_id

    @lru_cache(maxsize=None)
    def tokenizer_for(model_id: str | None):
        if not model_id:
            return None
        return _tokenizer_here(args, spec_for_model_id(model_id), lambda exc: print(
            f"note: the tokenizer of {model_id} could not be read ({exc}): its answers' token ratings "
            "are placed by their tokens' texts", file=sys.stderr))

    return tokenizer_for


def register(subparsers, common) -> None:
    _register_ratings(subparsers, common)
    _register_history(subparsers, common)


def _register_ratings(subparsers, common) -> None:
    """rate, correct: the person's ratings of stored answers."""
    p = subparsers.add_parser("rate", parents=[common], help="thumbs up/down on an answer or one of its tokens")
    p.add_argument("message_id", metavar="MESSAGE_ID", help="the answer's id (`ask` prints it, as `generate --save` does; `history ID` "
                                                          "lists a conversation's)")
    # named: a wrong one was "argument value: invalid choice" (cli62)
    p.add_argument("value", choices=["up", "down", "clear"], metavar="up|down|clear",
                   help="good, bad, or remove the rating")
    p.add_argument("--token", type=record_id, metavar="INDEX",
                   help=f"rate this token (0-based: {WINDOW_TOKEN_WORDS}) instead of the whole message")
    p.add_argument("--note", metavar="TEXT", help="why")
    p.add_argument("--json", action="store_true", help="print the stored rating as one JSON object: id, message, kind "
                   "(message or token), token, value (1 or -1), note; after clear, value null and cleared")
    p.set_defaults(func=cmd_rate)

    p = subparsers.add_parser("correct", parents=[common], help="store a better text for an answer")
    p.add_argument("message_id", metavar="MESSAGE_ID", help="the answer's id (`ask` prints it; `history ID`)")
    p.add_argument("text", metavar="TEXT", help=f"the answer it should have given (quote it; {STDIN_HELP})")
    p.add_argument("--json", action="store_true", help="print the stored correction as one JSON object: id (null: an "
                   "answer keeps one correction, under its own id), message, kind (correction), value (the text), "
                   "replaced (the earlier text, or null)")
    p.set_defaults(func=cmd_correct)


def _register_history(subparsers, common) -> None:
    """history: where the ratings' answers are, and a conversation written to a file."""
    p = subparsers.add_parser("history", parents=[common], help="list conversations, or the messages of one "
                              "(--tokens: each answer's token numbers, for rate --token)")
    p.add_argument("--conversation", type=record_id, metavar="ID", help="show this conversation's messages")
    p.add_argument("conversation_id", type=record_id, nargs="?", metavar="ID", help="the same as --conversation ID")
    p.add_argument("--search", metavar="TEXT", help="only conversations whose title or messages contain TEXT")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--tokens", action="store_true",
                   help="with ID: each answer's tokens, with the --token number `rate MESSAGE_ID down --token N` "
                        "takes and their probability")
    p.add_argument("--out", dest="export", metavar="FILE", help="write the conversation as the window's export does, "
                   f"its kind read from the ending: {endings_words(CONVERSATION_OUT)}; {NEW_FILE_HELP}")
    add_hidden_alias(p, "--export", "export")  # its name before --out (cli105): scripts still use it
    p.add_argument("--branch", type=record_id, metavar="MESSAGE_ID",
                   help="with --out: the branch through this message (`history ID` lists the messages, each with the "
                        "one it answers, \"<- ID\"), as the window shows it once that message is picked; default: the "
                        "newest branch")
    p.add_argument("--measure", choices=[*MEASURES, "change"], default=None,
                   help="with --out FILE.html: what the tokens' colours show, as the window's heatmap choices do "
                        "(default probability); change: each answer re-scored under another adapter (the compare "
                        "view's, after a fine-tune) coloured by how much more or less likely that made each token, "
                        "an answer without one by probability")
    p.set_defaults(func=cmd_history)
