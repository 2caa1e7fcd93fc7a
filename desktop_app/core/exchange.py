"""Ratings -> training examples in HF TRL's dataset formats, and back.

Conversational format throughout: ``prompt`` is the list of ``{"role", "content"}`` turns
before the answer (its thread), and ``completion`` / ``chosen`` / ``rejected`` are a
one-item list ``[{"role": "assistant", "content": ...}]``.

- ``kto`` (unpaired preference: prompt, completion, label): every answer with a thumbs
  up (label true) or down (false); every correction (true), and the corrected answer
  (false) when it has no thumbs of its own.
- ``dpo`` (preference pairs: prompt, chosen, rejected): each correction against the answer
  it corrects; and each liked answer against each disliked sibling answer (same prompt).
- ``sft`` (prompt, completion): liked answers that have no correction, and corrections.

``build_examples(store, fmt, with_ids=True)`` adds bookkeeping keys for the training code
(``source``, message ids, ``token_ratings``). The exported files carry TRL's fields, and a few more
that TRL's trainers leave alone, so that an import brings back a correction and not a
liked answer: ``"source": "correction"`` (with ``"corrects"``, the corrected answer as a one-turn list,
on kto and sft rows; a dpo row's ``rejected`` is that answer), and ``"source": "corrected"`` on the kto
row of a corrected answer that has no thumbs (its label false says "corrected", not "disliked").
The kto rows of an answer with rated siblings (other answers to its question in its conversation) name
their ``thread``, so that they come back as siblings and their dpo pairs are known as already there.
An answer's token ratings ride on the rows that hold it: ``token_ratings`` (kto, sft),
``chosen_token_ratings`` / ``rejected_token_ratings`` (dpo) and ``corrects_token_ratings`` (an sft
correction's corrected answer), each a list of ``{"token": index, "value": 1 or -1, "start": s, "end": e}``,
the index counting the answer's tokens as its card does (an answer read back has no records: its index then
counts the text's tokens as the model in use reads it, core/unwritten.py; a split character's rating is on
its first token, core/text_pieces.py) and ``start``/``end`` the characters of the answer's text that token's
character covers (left out where this store holds no tokens of the answer). An index means nothing to
another tokenizer, which splits the text elsewhere: an import with a tokenizer puts a rating on its own
token for the first of those characters that is not a space, and counts those it could place only by the
index (a file written before the offsets, or no tokenizer given): ``Imported.tokens_by_index``. ``left_out`` says what a
format cannot hold (a dpo export has no row for a thumb without an opposite sibling) and why.
``import_examples`` reads these formats back (also the standard non-conversational form
with plain strings, and ``{"messages": [...]}``), one new conversation per example the store
does not hold yet (``new_examples``: the same prompt, answers and ratings).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app.core.conversation_import import (NOTHING_IMPORTED, ConversationFileError, is_conversation,
                                                  json_error_words, read_file_text)
from desktop_app.core.file_token_ratings import TokenPlacer, TokenRatingsError, parse_token_ratings
from desktop_app.core.store import ROLES, Store, StoreError
from desktop_app.core.text_pieces import CharacterLayout, records_layout, stored_ratings

FORMATS = ("kto", "dpo", "sft")


class ExchangeError(StoreError):
    pass


def _turn(message: dict) -> dict:
    return {"role": message["role"], "content": message["text"]}


def _answer(text: str) -> list[dict]:
    return [{"role": "assistant", "content": text}]


class _Snapshot:
    """Everything export needs, read in one consistent snapshot. ``spans``: the token ratings carry
    their characters (a file's rows; reading the answers' tokens for them, which the training data's
    and the Fine-tune tab's counts, built from the same rows with ids, do without)."""

    def __init__(self, store: Store, tokenizer_for=None, spans: bool = True, conversation_id: int | None = None):
        self.store, self.tokenizer_for = store, tokenizer_for
        within, of_these, args = "", "1", ()
        if conversation_id is not None:  # one conversation's (the window's conversation export), else every one
            within, args = "WHERE conversation_id = ?", (conversation_id,)
            of_these = f"message_id IN (SELECT id FROM messages {within})"
        with store.snapshot() as conn:
            self.messages = {r["id"]: dict(r) for r in conn.execute(
                f"SELECT id, conversation_id, parent_id, role, text, model_id FROM messages {within} ORDER BY id", args)}
            self.thumbs = {r[0]: r[1] for r in conn.execute(
                f"SELECT message_id, value FROM ratings WHERE token_index IS NULL AND {of_these}", args)}
            self.token_ratings: dict[int, dict[int, int]] = defaultdict(dict)
            rated: dict[int, list[tuple[int, int]]] = defaultdict(list)
            for mid, idx, value in conn.execute("SELECT message_id, token_index, value FROM ratings "
                                                f"WHERE token_index IS NOT NULL AND {of_these} ORDER BY created, id",
                                                args):
                rated[mid].append((idx, value))
            self.layouts = {mid: self._layout(mid) if spans else None for mid in rated}
            for mid, ratings in rated.items():  # a split character's rating where it is kept (text_pieces)
                layout = self.layouts[mid]
                self.token_ratings[mid] = dict(ratings) if layout is None else stored_ratings(layout, ratings)
            self.corrections = {r[0]: r[1] for r in conn.execute(
                "SELECT message_id, text FROM corrections ORDER BY message_id")}

    def prompt(self, message_id) -> list[dict]:
        turns = []
        parent = self.messages[message_id]["parent_id"]
        seen = set()
        while parent is not None and parent not in seen:
            seen.add(parent)
            m = self.messages.get(parent)
            if m is None:
                break
            turns.append(_turn(m))
            parent = m["parent_id"]
        turns.reverse()
        return turns

    def answers(self):
        return (m for m in self.messages.values() if m["role"] == "assistant")

    def _layout(self, message_id) -> CharacterLayout | None:
        """The answer's tokens its ratings' indices count: those the model wrote (with their bytes where
        ``tokenizer_for`` gives the writer's tokenizer), else (an imported answer) the newest scoring of
        its text; None when neither reads as its text."""
        message = self.messages.get(message_id) or {"text": "", "model_id": None}
        for kind in ("generated", "rescored"):
            records = self.store.token_records(message_id, kind=kind)
            if records and message["text"].startswith("".join(r.text for r in records)):  # a scoring may stop early
                tokenizer = self.tokenizer_for(message["model_id"]) if self.tokenizer_for and kind == "generated" else None
                return records_layout(records, tokenizer)
        return None

    def rated_tokens(self, message_id) -> list[dict]:
        """An answer's token ratings as a file carries them: the token's index (as its card counts
        them), the rating and, where the store holds the answer's tokens, the characters of its text
        the token's character covers (``start``, ``end``), which another tokenizer can find."""
        layout = self.layouts.get(message_id)
        out = []
        for i, v in sorted(self.token_ratings.get(message_id, {}).items()):
            span = layout.span(i) if layout is not None else None
            out.append({"token": i, "value": v, **({"start": span[0], "end": span[1]} if span else {})})
        return out


def conversation_token_ratings(store: Store, conversation_id: int, tokenizer_for=None) -> dict[int, list[dict]]:
    """The token ratings of one conversation's answers as a file carries them (``rated_tokens``):
    answer id -> its list, for the answers that have any (the window's Conversation as JSON)."""
    snap = _Snapshot(store, tokenizer_for, conversation_id=conversation_id)
    return {mid: snap.rated_tokens(mid) for mid in snap.token_ratings if snap.token_ratings[mid]}


def _thread_name(message: dict) -> str:
    return f"{message['conversation_id']}/{message['parent_id']}"


def _correction(ex: dict, corrected_text: str | None = None) -> dict:
    """Mark a row as a correction (of ``corrected_text`` where the row does not hold it)."""
    ex["source"] = "correction"
    if corrected_text is not None:
        ex["corrects"] = _answer(corrected_text)
    return ex


def _meta(ex: dict, with_ids: bool, **meta) -> dict:
    if with_ids:
        ex.update(meta)
    return ex


def _with_tokens(ex: dict, **rated: list) -> dict:
    """Add the answers' token ratings (``token_ratings``, or ``chosen_token_ratings`` and
    ``rejected_token_ratings``) where there are any: keys TRL's trainers leave alone."""
    ex.update({key: tokens for key, tokens in rated.items() if tokens})
    return ex


def kto_examples(store: Store, *, with_ids: bool = False, tokenizer_for=None) -> list[dict]:
    snap = _Snapshot(store, tokenizer_for, spans=not with_ids)
    out = []
    thumbed = Counter(_thread_name(m) for m in snap.answers() if m["id"] in snap.thumbs)
    for m in snap.answers():
        mid = m["id"]
        value = snap.thumbs.get(mid)
        corrected = snap.corrections.get(mid)
        if value is not None or corrected is not None:
            row = {"prompt": snap.prompt(mid), "completion": _answer(m["text"]), "label": bool(value == 1)}
            if value is None:
                row["source"] = "corrected"
            elif thumbed[_thread_name(m)] > 1:
                row["thread"] = _thread_name(m)
            out.append(_meta(_with_tokens(row, token_ratings=snap.rated_tokens(mid)), with_ids,
                             source="rating" if value else "corrected", message_id=mid))
        if corrected is not None:
            out.append(_meta(_correction({"prompt": snap.prompt(mid), "completion": _answer(corrected),
                                          "label": True}, m["text"]), with_ids,
                             source="correction", message_id=mid))
    return out


def dpo_examples(store: Store, *, with_ids: bool = False, tokenizer_for=None) -> list[dict]:
    snap = _Snapshot(store, tokenizer_for, spans=not with_ids)
    out = []
    groups: dict[tuple, dict[int, list[dict]]] = defaultdict(lambda: {1: [], -1: []})
    for m in snap.answers():
        mid = m["id"]
        if mid in snap.corrections:
            row = _correction({"prompt": snap.prompt(mid), "chosen": _answer(snap.corrections[mid]),
                               "rejected": _answer(m["text"])})
            out.append(_meta(_with_tokens(row, rejected_token_ratings=snap.rated_tokens(mid)), with_ids,
                             source="correction", chosen_message_id=None, rejected_message_id=mid))
        value = snap.thumbs.get(mid)
        if value is not None:
            groups[(m["conversation_id"], m["parent_id"])][value].append(m)
    for (_conv, _parent), by_value in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
        for good in by_value[1]:
            for bad in by_value[-1]:
                if good["text"] == bad["text"]:
                    continue
                row = {"prompt": snap.prompt(good["id"]), "chosen": _answer(good["text"]),
                       "rejected": _answer(bad["text"])}
                out.append(_meta(_with_tokens(row, chosen_token_ratings=snap.rated_tokens(good["id"]),
                                              rejected_token_ratings=snap.rated_tokens(bad["id"])), with_ids,
                                 source="siblings", chosen_message_id=good["id"], rejected_message_id=bad["id"]))
    return out


def sft_examples(store: Store, *, with_ids: bool = False, tokenizer_for=None) -> list[dict]:
    snap = _Snapshot(store, tokenizer_for, spans=not with_ids)
    out = []
    for m in snap.answers():
        mid = m["id"]
        if mid in snap.corrections:
            row = _correction({"prompt": snap.prompt(mid), "completion": _answer(snap.corrections[mid])}, m["text"])
            out.append(_meta(_with_tokens(row, corrects_token_ratings=snap.rated_tokens(mid)), with_ids,
                             source="correction", message_id=mid))
        elif snap.thumbs.get(mid) == 1:
            row = {"prompt": snap.prompt(mid), "completion": _answer(m["text"])}
            out.append(_meta(_with_tokens(row, token_ratings=snap.rated_tokens(mid)), with_ids,
                             source="rating", message_id=mid))
    return out


def build_examples(store: Store, fmt: str, *, with_ids: bool = False, tokenizer_for=None) -> list[dict]:
    """``tokenizer_for``: model id -> its tokenizer or None, to find where a split character's rating
    began by the tokens' bytes (``_Snapshot._layout``); without it, by the pieces' rule."""
    builders = {"kto": kto_examples, "dpo": dpo_examples, "sft": sft_examples}
    if fmt not in builders:
        raise ExchangeError(f"Unknown export format {fmt!r}; use one of {', '.join(FORMATS)}.")
    return builders[fmt](store, with_ids=with_ids, tokenizer_for=tokenizer_for)


@dataclass(frozen=True)
class LeftOut:
    """Ratings an export of one format leaves out: how many, of what, and why."""

    count: int
    what: str  # "liked answers", "disliked answers", "token ratings"
    why: str

    def words(self) -> str:
        return f"{self.count} {self.what if self.count != 1 else self.what[:-1]}: {self.why}"

    def to_json(self) -> dict:
        return {"count": self.count, "what": self.what, "why": self.why}


_WHY = {
    ("dpo", 1): "no disliked answer to the same question to pair with",
    ("dpo", -1): "no liked answer to the same question, and no better answer written, to pair with",
    ("sft", 1): "corrected: sft holds the better answer instead",
    ("sft", -1): "sft holds only liked and corrected answers",
    ("dpo", "tokens"): "on answers in no pair",
    ("sft", "tokens"): "on answers sft does not hold",
    ("kto", "tokens"): "on answers with no thumbs and no better answer (a TRL row judges a whole answer)",
}


def left_out(store: Store, fmt: str) -> list[LeftOut]:
    """What an export of ``fmt`` leaves out of the chat's ratings (thumbs no row of it holds, and the
    token ratings of answers none of its rows holds), each with why; [] when it holds them all."""
    snap = _Snapshot(store, spans=False)
    thumbs, tokens = _carried(build_examples(store, fmt, with_ids=True), snap)
    out = []
    for value, what in ((1, "liked answers"), (-1, "disliked answers")):
        n = sum(1 for mid, v in snap.thumbs.items() if v == value and mid not in thumbs)
        if n:
            out.append(LeftOut(n, what, _WHY[(fmt, value)]))
    n = sum(len(rated) for mid, rated in snap.token_ratings.items() if mid not in tokens)
    if n:
        out.append(LeftOut(n, "token ratings", _WHY[(fmt, "tokens")]))
    return out


def _carried(rows: list[dict], snap: _Snapshot) -> tuple[set[int], set[int]]:
    """The answers whose thumbs, and those whose token ratings, ``rows`` (with ids) hold."""
    thumbs, tokens = set(), set()
    for row in rows:
        if "message_id" in row:  # kto, sft
            tokens.add(row["message_id"])
            if row["source"] == "rating":
                thumbs.add(row["message_id"])
        else:  # dpo: a pair of siblings, or a correction against the answer it corrects
            pair = {row["chosen_message_id"], row["rejected_message_id"]} - {None}
            tokens |= pair
            thumbs |= pair if row["source"] == "siblings" else {m for m in pair if snap.thumbs.get(m) == -1}
    return thumbs, tokens


def write_jsonl(examples, fh) -> int:
    n = 0
    for ex in examples:
        fh.write(json.dumps(ex, ensure_ascii=False) + "\n")
        n += 1
    return n


def what_makes(fmt: str, how_to_correct: str = "") -> str:
    """What a ``fmt`` (kto, dpo or sft) example is made of, said where an export finds none: "rate answers first"
    had been said to a person who had rated, for dpo (cli63). ``how_to_correct``: the CLI's command for a better
    answer, after its words."""
    return {"kto": "a KTO example is any rated answer (thumbs, tokens, a better answer)",
            "dpo": f"a DPO example is a pair: a better answer you wrote for an answer{how_to_correct}, or a liked and "
                   "a disliked answer to the same question",
            "sft": "an SFT example is an answer you liked (thumbs up) or a better answer you wrote"}[fmt]


def write_jsonl_file(examples, path) -> int:
    """Write ``examples`` to the file ``path``, one JSON object a line; how many. Through a ".tmp" file beside it,
    so a failed write leaves no half file where the person looks (``gpt2-desk export --out`` and the window's
    "Ratings as training data" both write so, byte for byte the same)."""
    out = Path(path)
    tmp = out.with_name(out.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        n = write_jsonl(examples, fh)
    tmp.replace(out)
    return n


# ------------------------------------------------------------------ import
def _turns(value, where: str, *, field: str) -> list[dict]:
    if isinstance(value, str):
        return [{"role": "user" if field == "prompt" else "assistant", "content": value}]
    if not isinstance(value, list):
        raise ExchangeError(f"{where}: \"{field}\" must be a list of {{role, content}} turns or a string.")
    turns = []
    for turn in value:
        if (not isinstance(turn, dict) or turn.get("role") not in ROLES
                or not isinstance(turn.get("content"), str)):
            raise ExchangeError(f"{where}: each turn of \"{field}\" needs a role "
                                f"({', '.join(ROLES)}) and a text content.")
        turns.append({"role": turn["role"], "content": turn["content"]})
    return turns


def _answer_text(value, where: str, field: str) -> str:
    turns = _turns(value, where, field=field)
    if not turns or turns[-1]["role"] != "assistant":
        raise ExchangeError(f"{where}: \"{field}\" must end with an assistant turn.")
    if len(turns) > 1:
        raise ExchangeError(f"{where}: \"{field}\" must hold one assistant turn, not {len(turns)}.")
    return turns[-1]["content"]


def parse_example(data, where: str) -> dict:
    """Validate one record; returns {"kind", "prompt", and answers} in a normal form, with
    ``corrects`` (the text of the answer a correction corrects) on a correction's row and
    ``corrected_only`` on the kto row of a corrected answer without thumbs (see the module docstring)."""
    ex = _parse_fields(data, where)
    if data.get("source") == "correction":
        if ex["kind"] == "dpo":
            ex["corrects"] = ex["rejected"]
        elif "corrects" in data:
            ex["corrects"] = _answer_text(data["corrects"], where, "corrects")
    elif data.get("source") == "corrected" and ex["kind"] == "kto" and not ex["label"]:
        ex["corrected_only"] = True
    if isinstance(data.get("thread"), str):
        ex["thread"] = data["thread"]
    for key, answer in _TOKEN_KEY_ANSWERS.items():
        if key in data:
            try:
                ex[key] = parse_token_ratings(data[key], where, key, ex.get(answer))
            except TokenRatingsError as exc:
                raise ExchangeError(str(exc)) from None
    return ex


TOKEN_KEYS = ("token_ratings", "chosen_token_ratings", "rejected_token_ratings", "corrects_token_ratings")
_TOKEN_KEY_ANSWERS = dict(zip(TOKEN_KEYS, ("completion", "chosen", "rejected", "corrects")))  # the text each rates


def _parse_fields(data, where: str) -> dict:
    if not isinstance(data, dict):
        raise ExchangeError(f"{where}: expected a JSON object.")
    if "messages" in data and "prompt" not in data:
        turns = _turns(data["messages"], where, field="messages")
        if not turns or turns[-1]["role"] != "assistant":
            raise ExchangeError(f"{where}: \"messages\" must end with an assistant turn.")
        return {"kind": "sft", "prompt": turns[:-1], "completion": turns[-1]["content"]}
    if "prompt" not in data:
        raise ExchangeError(f"{where}: no \"prompt\" field (expected TRL kto, dpo or sft fields).")
    prompt = _turns(data["prompt"], where, field="prompt")
    if "chosen" in data or "rejected" in data:
        if "chosen" not in data or "rejected" not in data:
            raise ExchangeError(f"{where}: a preference pair needs both \"chosen\" and \"rejected\".")
        return {"kind": "dpo", "prompt": prompt, "chosen": _answer_text(data["chosen"], where, "chosen"),
                "rejected": _answer_text(data["rejected"], where, "rejected")}
    if "completion" not in data:
        raise ExchangeError(f"{where}: no \"completion\" (or \"chosen\"/\"rejected\") field.")
    completion = _answer_text(data["completion"], where, "completion")
    if "label" in data:
        if not isinstance(data["label"], bool):
            raise ExchangeError(f"{where}: \"label\" must be true or false.")
        return {"kind": "kto", "prompt": prompt, "completion": completion, "label": data["label"]}
    return {"kind": "sft", "prompt": prompt, "completion": completion}


def read_jsonl(path) -> list[dict]:
    """Parse and validate a whole file first, so a bad line imports nothing."""
    path = Path(path)
    try:
        text = read_file_text(path)
    except ConversationFileError as exc:  # a folder, no file, unreadable: said in words
        raise ExchangeError(str(exc)) from None
    return parse_jsonl(text, path)


def parse_jsonl(text: str, path) -> list[dict]:
    """``read_jsonl`` of a file's ``text`` already read (``path`` names it in messages)."""
    path = Path(path)
    out = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path} line {lineno}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            said = f"{where}: not valid JSON ({json_error_words(exc, with_line=False)}). {NOTHING_IMPORTED}"
            raise ExchangeError(_one_document(text, path) or said) from None
        try:
            out.append(parse_example(data, where))
        except ExchangeError as exc:
            raise ExchangeError(f"{exc} {NOTHING_IMPORTED}") from None
    if not out:
        raise ExchangeError(f"{path} holds no examples.")
    return out


LINES_WANTED = ("`import` reads TRL JSON Lines, one example per line, as `gpt2-desk export --format kto|dpo|sft` "
                "writes them.")


def _one_document(text: str, path: Path) -> str | None:
    """What to say of a file that is one JSON document over several lines rather than JSON Lines, or
    None when it is not one. The window's own conversation export is one: importing it said "line 1:
    not valid JSON (Expecting property name enclosed in double quotes)" (usertest22)."""
    try:
        whole = json.loads(text)
    except json.JSONDecodeError:
        return None
    if is_conversation(whole):
        return (f"{path} is a conversation exported from the window (Conversation as JSON), not training data: "
                f"{LINES_WANTED} {NOTHING_IMPORTED}")
    return (f"{path} holds one JSON document over several lines, not JSON Lines: {LINES_WANTED} A single JSON "
            f"document imports when it is a conversation the window exported (Conversation as JSON){_shape_of(whole)}. "
            f"{NOTHING_IMPORTED}")


def _shape_of(whole) -> str:
    """`history --json` prints conversations for reading, not the export's shape: its file was refused with
    only the JSON Lines rule, which a terminal user could not match to it (usertest27)."""
    listed = isinstance(whole, list) and bool(whole) and all(isinstance(c, dict) and "message_count" in c
                                                              for c in whole)
    if listed or (isinstance(whole, dict) and "messages" in whole):
        return ("; `history --json` prints conversations for reading, in another shape: "
                "`gpt2-desk history ID --export chat.json` writes the export")
    return ""


@dataclass
class Imported:
    """What an import did: the conversations it made, and how many examples it left out because
    the store already held them (``already_here``). ``tokens_by_index``: token ratings placed by the
    exporter's token index alone (a file without character offsets, or no tokenizer to find them
    with): right only where the exporter's tokenizer split the text as this store's model does.
    ``tokens_merged``: ratings that fell on a token another rating of the same answer had (this
    tokenizer holds their characters in one token): the later one kept."""

    conversation_ids: list[int] = field(default_factory=list)
    already_here: int = 0
    tokens_by_index: int = 0
    tokens_merged: int = 0


def _key(prompt: list[dict], *answers) -> tuple:
    """An example as the duplicate rule compares it: its prompt turns and its rated answers (a text
    and its rating, or a chosen and a rejected text)."""
    return (tuple((t["role"], t["content"]) for t in prompt), *answers)


def _example_key(ex: dict) -> tuple:
    if ex["kind"] == "dpo":
        return _key(ex["prompt"], "pair", ex["chosen"], ex["rejected"])
    return _key(ex["prompt"], "one", ex["completion"], 1 if ex.get("label", True) else -1)


def _stored_keys(store: Store) -> Counter:
    """How many times the store already holds each example: every rated or corrected answer as a kto
    export writes it (an sft example is a liked one), every preference pair as a dpo export writes it."""
    keys: Counter = Counter()
    for ex in kto_examples(store, with_ids=True):  # (with ids: the rows without their ratings' characters)
        keys[_key(ex["prompt"], "one", ex["completion"][0]["content"], 1 if ex["label"] else -1)] += 1
    for ex in dpo_examples(store, with_ids=True):
        keys[_key(ex["prompt"], "pair", ex["chosen"][0]["content"], ex["rejected"][0]["content"])] += 1
    return keys


def new_examples(store: Store, examples: list[dict]) -> tuple[list[dict], int]:
    """The examples the store does not hold yet, and how many it does. The rule for a duplicate: the
    same prompt turns and the same answers with the same ratings (what a fine-tune learns from), as
    after importing the same file twice or reading back this store's own export. Each stored copy
    accounts for one example, so a file that holds an example twice brings both into an empty store."""
    stored = _stored_keys(store)
    fresh = []
    for ex in examples:
        key = _example_key(ex)
        if stored[key] > 0:
            stored[key] -= 1
        else:
            fresh.append(ex)
    return fresh, len(examples) - len(fresh)


def import_examples(store: Store, examples: list[dict], *, source: str | None = None, tokenizer=None) -> Imported:
    """One new conversation per parsed example the store does not hold yet (``new_examples``: a second
    import would double their ratings for the next fine-tune), all in one transaction.

    kto: the answer rated +1/-1 by its label; sft: the answer rated +1;
    dpo: two sibling answers, chosen rated +1 and rejected rated -1.
    A correction's row (``corrects``) brings back the corrected answer with that correction, not a
    liked answer; the kto row of a corrected answer without thumbs adds nothing of its own. A thumb
    and a correction of the same answer in one import land on one answer.

    ``tokenizer``: the one the store's model reads an imported answer with (its token ratings count
    that tokenizer's tokens of its text: core/unwritten.py); a token rating with character offsets is
    put on its token at ``start``. Without it, or without offsets, a rating keeps the file's index.
    """
    settings = {"imported_from": source} if source else {"imported": True}
    with store.transaction():
        fresh, already_here = new_examples(store, examples)
        done = Imported(already_here=already_here)
        made = _Made(store, settings, tokenizer)
        for ex in fresh:
            _import_one(store, made, ex)
        done.conversation_ids.extend(made.conversations)
        done.tokens_by_index, done.tokens_merged = made.placer.by_index, made.placer.merged
    return done


def _import_one(store: Store, made: "_Made", ex: dict) -> None:
    if ex.get("corrected_only"):  # its correction's row brings the answer back, unless it carries token ratings
        if ex.get("token_ratings"):
            made.rate_tokens(ex["prompt"], ex["completion"], made.answer(ex, ex["completion"], "tokens"),
                             ex["token_ratings"])
    elif ex.get("corrects") is not None:
        correction = ex["chosen"] if ex["kind"] == "dpo" else ex["completion"]
        corrected = made.answer(ex, ex["corrects"], "correction")
        store.set_correction(corrected, correction)
        made.rate_tokens(ex["prompt"], ex["corrects"], corrected,
                         ex.get("rejected_token_ratings" if ex["kind"] == "dpo" else "corrects_token_ratings"))
    elif ex["kind"] == "dpo":
        good, bad = made.siblings(ex["prompt"], ex["chosen"], ex["rejected"])
        store.rate_message(good, 1)
        store.rate_message(bad, -1)
        made.rate_tokens(ex["prompt"], ex["chosen"], good, ex.get("chosen_token_ratings"))
        made.rate_tokens(ex["prompt"], ex["rejected"], bad, ex.get("rejected_token_ratings"))
    else:
        answer = made.answer(ex, ex["completion"], "thumbs")
        store.rate_message(answer, 1 if ex.get("label", True) else -1)
        made.rate_tokens(ex["prompt"], ex["completion"], answer, ex.get("token_ratings"))


class _Made:
    """The conversations one import makes: one per example, except that a thumb and a correction of
    the same answer (same prompt and text) go on one answer when it has no such rating yet, and the
    answers of one exported ``thread`` become sibling answers again."""

    def __init__(self, store: Store, settings: dict, tokenizer=None):
        self.store, self.settings = store, settings
        self.placer = TokenPlacer(tokenizer)
        self.conversations: list[int] = []
        self._answers: dict[tuple, list[tuple[int, set]]] = defaultdict(list)
        self._threads: dict[tuple, tuple[int, int | None]] = {}
        self._token_rated: set[tuple] = set()

    def rate_tokens(self, prompt: list[dict], text: str, message_id: int, rated: list | None) -> None:
        """An answer's token ratings, once per answer text of a prompt: a liked answer in two dpo
        pairs comes back twice, and its token ratings would count twice for the fine-tune."""
        key = _key(prompt, text)
        if not rated or key in self._token_rated:
            return
        self._token_rated.add(key)
        self.placer.rate(self.store, message_id, text, rated)

    def answer(self, ex: dict, text: str, rating: str) -> int:
        prompt = ex["prompt"]
        key = _key(prompt, text)
        for mid, ratings in self._answers[key]:
            if rating not in ratings:
                ratings.add(rating)
                return mid
        if "thread" not in ex:
            conv, parent = self._thread(prompt)
        else:
            thread = (ex["thread"], _key(prompt))
            if thread not in self._threads:
                self._threads[thread] = self._thread(prompt)
            conv, parent = self._threads[thread]
        mid = self.store.add_message(conv, "assistant", text, parent_id=parent, settings=self.settings)
        self._answers[key].append((mid, {rating}))
        return mid

    def siblings(self, prompt: list[dict], *texts: str) -> list[int]:
        conv, parent = self._thread(prompt)
        return [self.store.add_message(conv, "assistant", text, parent_id=parent, settings=self.settings)
                for text in texts]

    def _thread(self, prompt: list[dict]) -> tuple[int, int | None]:
        """A new conversation holding the prompt's turns; it and the last turn's id."""
        first_user = next((t["content"] for t in prompt if t["role"] == "user"), "")
        conv = self.store.create_conversation(" ".join(first_user.split())[:60] or "Imported example")
        parent = None
        for turn in prompt:
            parent = self.store.add_message(conv, turn["role"], turn["content"], parent_id=parent,
                                            settings=self.settings)
        self.conversations.append(conv)
        return conv, parent


def import_jsonl(store: Store, path) -> Imported:
    return import_examples(store, read_jsonl(path), source=Path(path).name)
