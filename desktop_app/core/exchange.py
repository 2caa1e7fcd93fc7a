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
``import_examples`` reads these formats back (also the standard non-conversational form
with plain strings, and ``{"messages": [...]}``), one new conversation per example the store
does not hold yet (``new_examples``: the same prompt, answers and ratings).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app.core.store import ROLES, Store, StoreError

FORMATS = ("kto", "dpo", "sft")


class ExchangeError(StoreError):
    pass


def _turn(message: dict) -> dict:
    return {"role": message["role"], "content": message["text"]}


def _answer(text: str) -> list[dict]:
    return [{"role": "assistant", "content": text}]


class _Snapshot:
    """Everything export needs, read in one consistent snapshot."""

    def __init__(self, store: Store):
        with store.snapshot() as conn:
            self.messages = {r["id"]: dict(r) for r in conn.execute(
                "SELECT id, conversation_id, parent_id, role, text FROM messages ORDER BY id")}
            self.thumbs = {r[0]: r[1] for r in conn.execute(
                "SELECT message_id, value FROM ratings WHERE token_index IS NULL")}
            self.token_ratings: dict[int, dict[int, int]] = defaultdict(dict)
            for mid, idx, value in conn.execute(
                    "SELECT message_id, token_index, value FROM ratings WHERE token_index IS NOT NULL"):
                self.token_ratings[mid][idx] = value
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


def kto_examples(store: Store, *, with_ids: bool = False) -> list[dict]:
    snap = _Snapshot(store)
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
            out.append(_meta(row, with_ids, source="rating" if value else "corrected",
                             message_id=mid, token_ratings=dict(snap.token_ratings.get(mid, {}))))
        if corrected is not None:
            out.append(_meta(_correction({"prompt": snap.prompt(mid), "completion": _answer(corrected),
                                          "label": True}, m["text"]), with_ids,
                             source="correction", message_id=mid, token_ratings={}))
    return out


def dpo_examples(store: Store, *, with_ids: bool = False) -> list[dict]:
    snap = _Snapshot(store)
    out = []
    groups: dict[tuple, dict[int, list[dict]]] = defaultdict(lambda: {1: [], -1: []})
    for m in snap.answers():
        mid = m["id"]
        if mid in snap.corrections:
            out.append(_meta(_correction({"prompt": snap.prompt(mid), "chosen": _answer(snap.corrections[mid]),
                                          "rejected": _answer(m["text"])}), with_ids, source="correction",
                             chosen_message_id=None, rejected_message_id=mid))
        value = snap.thumbs.get(mid)
        if value is not None:
            groups[(m["conversation_id"], m["parent_id"])][value].append(m)
    for (_conv, _parent), by_value in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
        for good in by_value[1]:
            for bad in by_value[-1]:
                if good["text"] == bad["text"]:
                    continue
                out.append(_meta({"prompt": snap.prompt(good["id"]), "chosen": _answer(good["text"]),
                                  "rejected": _answer(bad["text"])}, with_ids, source="siblings",
                                 chosen_message_id=good["id"], rejected_message_id=bad["id"]))
    return out


def sft_examples(store: Store, *, with_ids: bool = False) -> list[dict]:
    snap = _Snapshot(store)
    out = []
    for m in snap.answers():
        mid = m["id"]
        if mid in snap.corrections:
            out.append(_meta(_correction({"prompt": snap.prompt(mid),
                                          "completion": _answer(snap.corrections[mid])}, m["text"]), with_ids,
                             source="correction", message_id=mid, token_ratings={}))
        elif snap.thumbs.get(mid) == 1:
            out.append(_meta({"prompt": snap.prompt(mid), "completion": _answer(m["text"])}, with_ids,
                             source="rating", message_id=mid,
                             token_ratings=dict(snap.token_ratings.get(mid, {}))))
    return out


def build_examples(store: Store, fmt: str, *, with_ids: bool = False) -> list[dict]:
    builders = {"kto": kto_examples, "dpo": dpo_examples, "sft": sft_examples}
    if fmt not in builders:
        raise ExchangeError(f"Unknown export format {fmt!r}; use one of {', '.join(FORMATS)}.")
    return builders[fmt](store, with_ids=with_ids)


def write_jsonl(examples, fh) -> int:
    n = 0
    for ex in examples:
        fh.write(json.dumps(ex, ensure_ascii=False) + "\n")
        n += 1
    return n


def export_jsonl(store: Store, fmt: str, fh) -> int:
    """Write the examples of ``fmt`` as JSON Lines to an open text file; returns the count."""
    return write_jsonl(build_examples(store, fmt), fh)


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
    return ex


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
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ExchangeError(f"There is no file {path}.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ExchangeError(f"Cannot read {path}: {exc}.") from exc
    out = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path} line {lineno}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ExchangeError(f"{where}: not valid JSON ({exc.msg}).") from None
        out.append(parse_example(data, where))
    if not out:
        raise ExchangeError(f"{path} holds no examples.")
    return out


@dataclass
class Imported:
    """What an import did: the conversations it made, and how many examples it left out because
    the store already held them (``already_here``)."""

    conversation_ids: list[int] = field(default_factory=list)
    already_here: int = 0


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
    for ex in kto_examples(store):
        keys[_key(ex["prompt"], "one", ex["completion"][0]["content"], 1 if ex["label"] else -1)] += 1
    for ex in dpo_examples(store):
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


def import_examples(store: Store, examples: list[dict], *, source: str | None = None) -> Imported:
    """One new conversation per parsed example the store does not hold yet (``new_examples``: a second
    import would double their ratings for the next fine-tune), all in one transaction.

    kto: the answer rated +1/-1 by its label; sft: the answer rated +1;
    dpo: two sibling answers, chosen rated +1 and rejected rated -1.
    A correction's row (``corrects``) brings back the corrected answer with that correction, not a
    liked answer; the kto row of a corrected answer without thumbs adds nothing of its own. A thumb
    and a correction of the same answer in one import land on one answer.
    """
    settings = {"imported_from": source} if source else {"imported": True}
    with store.transaction():
        fresh, already_here = new_examples(store, examples)
        done = Imported(already_here=already_here)
        made = _Made(store, settings)
        for ex in fresh:
            if ex.get("corrected_only"):
                continue  # its correction's row brings the answer back
            if ex.get("corrects") is not None:
                correction = ex["chosen"] if ex["kind"] == "dpo" else ex["completion"]
                store.set_correction(made.answer(ex, ex["corrects"], "correction"), correction)
            elif ex["kind"] == "dpo":
                good, bad = made.siblings(ex["prompt"], ex["chosen"], ex["rejected"])
                store.rate_message(good, 1)
                store.rate_message(bad, -1)
            else:
                store.rate_message(made.answer(ex, ex["completion"], "thumbs"),
                                   1 if ex.get("label", True) else -1)
        done.conversation_ids.extend(made.conversations)
    return done


class _Made:
    """The conversations one import makes: one per example, except that a thumb and a correction of
    the same answer (same prompt and text) go on one answer when it has no such rating yet, and the
    answers of one exported ``thread`` become sibling answers again."""

    def __init__(self, store: Store, settings: dict):
        self.store, self.settings = store, settings
        self.conversations: list[int] = []
        self._answers: dict[tuple, list[tuple[int, set]]] = defaultdict(list)
        self._threads: dict[tuple, tuple[int, int | None]] = {}

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
