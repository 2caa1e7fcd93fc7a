"""TRL's dataset files read back into the store: each line checked (a bad line imports nothing), then one new
conversation per example the store does not hold yet (``new_examples``: the same prompt, answers and ratings).

``import_examples`` reads the formats ``exchange`` writes (see its docstring: the fields, a correction's
``source``, a ``thread`` of sibling answers, the token ratings and their characters), also the standard
non-conversational form with plain strings, and ``{"messages": [...]}``.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app.core.conversation_import import (NOTHING_IMPORTED, ConversationFileError, is_conversation,
                                                  json_error_words, read_file_text)
from desktop_app.core.exchange import ExchangeError, dpo_examples, kto_examples
from desktop_app.core.file_token_ratings import TokenPlacer, TokenRatingsError, parse_token_ratings
from desktop_app.core.store import ROLES, Store


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
