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
The import side, which reads these formats back, is ``exchange_import``'s.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from desktop_app.core.store import Store, StoreError
from desktop_app.core.text_pieces import CharacterLayout, records_layout, stored_ratings

FORMATS = ("kto", "dpo", "sft")


class ExchangeError(StoreError):
    pass


# the import side's names, now exchange_import's, still read from here by older callers; looked up when asked
# for, as exchange_import imports this module: importing it from the top of this one would go round in a circle
MOVED_TO_IMPORT = ("parse_example", "TOKEN_KEYS", "read_jsonl", "parse_jsonl", "LINES_WANTED", "Imported",
                   "new_examples", "import_examples", "import_jsonl")


def __getattr__(name: str):
    if name in MOVED_TO_IMPORT:
        from desktop_app.core import exchange_import

        return getattr(exchange_import, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
