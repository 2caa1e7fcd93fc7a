"""Ratings that contradict each other in what the next fine-tune trains on, found without a model.

A person can like a text in one conversation and dislike the very same text in another, write a better
answer in place of a text they liked elsewhere, or mark one token good in one answer and bad in another
after the same words. The run reads every one of them (train_data.build_training_data): a thumbs-up and a
thumbs-down on one text are a KTO example each, a better answer a DPO pair against the answer it replaces,
a token rating a +1/-1 at that token. Three kinds of conflict, each a pair of two ratings:

- ``answer``: two answers whose texts are equal once runs of white space are one space (``same_text``),
  one with a thumbs-up, the other with a thumbs-down.
- ``correction``: an answer the person wrote a better answer for (its pair trains that answer's text as
  worse than theirs) whose text equals another answer's liked text. The same answer's own thumbs-up
  and better answer are not counted here: the panel and the compare view already say that case
  (train_counts' ``liked_and_corrected``, "Mixed signals"); a thumbs-down with a better answer agree.
- ``token``: one token's text rated good in one answer and bad in another, after the same question and
  the same answer text before it (what the model read when it chose that token), at the same index (the
  same words before it are as many tokens; answers two tokenizers wrote may part there, and are not read).

``same_question`` says whether the two were rated answering one question (its text, white space made
one space). There the run pushes one text up and down at once and learns little from either; under two
questions it learns each where it was rated, which may be what the person meant ("Paris." right for
France, wrong for Italy), so the words say which it is and leave the choice to the person.

The fine-tune trains on both sides as before, on purpose: which side the person meant cannot be read
from the ratings (the newer one is not always the one they stand by), under two questions the pair is no
contradiction to the model at all, and under one question the liked and the disliked terms pull the same
text up and down at once (KTO's two terms, weighted to balance the thumbs' counts), so the run learns
little of that text either way; dropping both would change that little while moving the batches, the
held-out split and the counts the panel shows. The benchmark (bench/learning_effect.py) has no conflicts:
nothing it measures moves. Saying it where the person decides lets them take one away.

Text mode's continuations are read the same way (add_text_examples trains them as the chat's kinds), each side a
branch (``message_id`` minus its id, as the training data has it; ``conversation_id`` its text's id, ``title`` the
text's title):

- ``continuation``: two continuations whose texts are the same (``same_text``), one liked, the other disliked;
  ``same_question``: they continue the same text before them.
- ``text token``: one token's text rated good in one continuation and bad in another, after the same text before
  the continuation and the same words of it before the token (text_branches.intact_tokens: a token the person's
  edit reached is not read).

A chat answer and a Text continuation with the same text, liked in one and disliked in the other, are not looked
for, on purpose (left68). They are the same kinds of example (text_training: a thumb is an ``Unpaired`` either way)
but never under the same prompt: the answer's is its conversation's turns as the chat template (or the plain
"User:"/"Assistant:" transcript) writes them, ending where the assistant's turn starts; the continuation's is the
plain text before it, no turn in it. So no example pulls the other down: the run learns each where it was rated,
as it does two answers under two questions. Those are still listed because a short answer ("Paris.") rated both
ways in two chats is most often the person changing their mind on it; a continuation is judged as the next words of
a passage and an answer as a reply to a question, so the same words liked in one and disliked in the other say two
things about two places, not one text both ways, and listing them would ask the person to take away a rating that
meant what it said.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


TOKEN_KINDS = ("token", "text token")


@dataclass(frozen=True)
class RatedPlace:
    """Where one side of a conflict was rated: an answer (``message_id``) in a conversation, and the
    token (``token_index``, counting the answer's tokens as its card does) for a token rating."""

    message_id: int
    conversation_id: int
    how: str  # "liked" | "disliked" | "corrected" (a better answer written for it) | "good" | "bad" (a token)
    token_index: int | None = None
    title: str | None = None  # a Text continuation's side (``message_id`` minus its branch id): its text's title

    @property
    def branch_id(self) -> int | None:
        """The Text continuation this side is, None for a chat answer."""
        return -self.message_id if self.message_id < 0 else None


@dataclass(frozen=True)
class Conflict:
    kind: str  # "answer" | "correction" | "token" | "continuation" | "text token"
    text: str  # the answer's text, white space made one space; for a token, the token's text
    up: RatedPlace  # the side that says "more likely"
    down: RatedPlace  # the side that says "less likely"
    same_question: bool
    before: str = ""  # a token's: the answer's text before it

    def message_ids(self) -> tuple[int, int]:
        return self.up.message_id, self.down.message_id

    def as_dict(self) -> dict:
        """``finetune --json``'s form: the places as ``liked`` and ``disliked``."""
        return {"kind": self.kind, "text": self.text, "same_question": self.same_question,
                **({"before": self.before} if self.kind in TOKEN_KINDS else {}),
                "liked": asdict(self.up), "disliked": asdict(self.down)}


def same_text(text: str) -> str:
    """A text as the conflicts compare it: runs of white space one space, none at either end."""
    return " ".join(text.split())


def find_conflicts(store) -> list[Conflict]:
    """Every conflicting pair of ratings in the store (see the module docstring), answers' conflicts
    first, then better answers', then tokens'; each kind in the order of its answers' ids."""
    messages = _Messages(store)
    ratings = store.ratings()
    thumbs = [r for r in ratings if r["token_index"] is None]
    return (_answer_conflicts(thumbs, messages) + _correction_conflicts(store, thumbs, messages)
            + _token_conflicts([r for r in ratings if r["token_index"] is not None], messages)
            + _continuation_conflicts(store))


def conflicts_of(conflicts: list[Conflict], message_id: int) -> list[Conflict]:
    """The conflicts one side of which is the answer ``message_id``."""
    return [c for c in conflicts if message_id in c.message_ids()]


class _Messages:
    """Rated answers' rows and questions, each read once."""

    def __init__(self, store):
        self.store = store
        self.rows: dict[int, dict] = {}
        self.questions: dict[int, str] = {}
        self.tokens: dict[int, list[str]] = {}

    def row(self, message_id: int) -> dict:
        if message_id not in self.rows:
            self.rows[message_id] = self.store.get_message(message_id)
        return self.rows[message_id]

    def question(self, message_id: int) -> str:
        """The person's message the answer answers, white space made one space ("" for none)."""
        if message_id not in self.questions:
            thread = self.store.thread(message_id)[:-1]
            self.questions[message_id] = next((same_text(m["text"]) for m in reversed(thread)
                                               if m["role"] == "user"), "")
        return self.questions[message_id]

    def token_texts(self, message_id: int) -> list[str]:
        """The answer's tokens as its card showed them: the records it was written with, else (an answer
        no model wrote here, core/unwritten.py) its scoring by the model in use; [] when it has neither."""
        if message_id not in self.tokens:
            records = (self.store.token_records(message_id)
                       or self.store.token_records(message_id, kind="rescored"))
            self.tokens[message_id] = [r.text for r in records]
        return self.tokens[message_id]

    def place(self, message_id: int, how: str, token_index: int | None = None) -> RatedPlace:
        return RatedPlace(message_id, self.row(message_id)["conversation_id"], how, token_index)

    def same_question(self, a: int, b: int) -> bool:
        return self.question(a) == self.question(b)


def _answer_conflicts(thumbs: list[dict], messages: _Messages) -> list[Conflict]:
    by_text: dict[str, dict[int, list[int]]] = {}
    for r in thumbs:
        if messages.row(r["message_id"])["role"] == "assistant":
            text = same_text(messages.row(r["message_id"])["text"])
            by_text.setdefault(text, {1: [], -1: []})[r["value"]].append(r["message_id"])
    found = [Conflict("answer", text, messages.place(up, "liked"), messages.place(down, "disliked"),
                      messages.same_question(up, down))
             for text, sides in by_text.items() for up in sides[1] for down in sides[-1]]
    return sorted(found, key=_order)


def _correction_conflicts(store, thumbs: list[dict], messages: _Messages) -> list[Conflict]:
    """A better answer's pair against another answer's liked text; one the answer's own thumbs-down
    already pairs with that liked answer (``_answer_conflicts``) is not counted twice."""
    liked: dict[str, list[int]] = {}
    disliked = {r["message_id"] for r in thumbs if r["value"] == -1}
    for r in thumbs:
        if r["value"] == 1:
            liked.setdefault(same_text(messages.row(r["message_id"])["text"]), []).append(r["message_id"])
    found = []
    for c in store.corrections():
        corrected = c["message_id"]
        for up in liked.get(same_text(c["original"]), []):
            if up != corrected and corrected not in disliked:
                found.append(Conflict("correction", same_text(c["original"]), messages.place(up, "liked"),
                                      messages.place(corrected, "corrected"), messages.same_question(up, corrected)))
    return sorted(found, key=_order)


def _token_conflicts(token_ratings: list[dict], messages: _Messages) -> list[Conflict]:
    """Token ratings keyed by what the model read before the token and the token itself. Only ratings
    at an index rated both ways are read further: the same words before a token are as many tokens
    before it, and an answer's tokens are the costly read (500 answers of 200 tokens: 0.17 s of 0.26)."""
    by_context: dict[tuple[str, str, str], dict[int, list[RatedPlace]]] = {}
    for r in _both_ways_at_an_index(token_ratings):
        texts = messages.token_texts(r["message_id"])
        if not 0 <= r["token_index"] < len(texts):
            continue
        i = r["token_index"]
        key = (messages.question(r["message_id"]), "".join(texts[:i]), texts[i])
        how = "good" if r["value"] == 1 else "bad"
        by_context.setdefault(key, {1: [], -1: []})[r["value"]].append(messages.place(r["message_id"], how, i))
    found = [Conflict("token", token, up, down, True, before)
             for (_question, before, token), sides in by_context.items() for up in sides[1] for down in sides[-1]]
    return sorted(found, key=_order)


def _both_ways_at_an_index(token_ratings: list[dict]) -> list[dict]:
    """The token ratings at an index that another answer's rating there contradicts."""
    values: dict[int, set[int]] = {}
    for r in token_ratings:
        values.setdefault(r["token_index"], set()).add(r["value"])
    return [r for r in token_ratings if len(values[r["token_index"]]) == 2]


def _order(conflict: Conflict) -> tuple:
    return conflict.up.message_id, conflict.down.message_id, conflict.up.token_index or 0


def _continuation_conflicts(store) -> list[Conflict]:
    """Text mode's: continuations liked and disliked with the same text, then tokens rated both ways after the same
    text (the module docstring), in the order of their branches' ids."""
    from desktop_app.core import text_branches as tb
    from desktop_app.core.text_training import rated_branches

    rated = rated_branches(store)
    titles = {row["id"]: row["title"] for row in store._rows("SELECT id, title FROM documents")}

    def place(branch: dict, how: str, token_index: int | None = None) -> RatedPlace:
        doc = branch["document_id"]
        return RatedPlace(-branch["id"], doc, how, token_index, titles.get(doc) or f"text {doc}")

    thumbs: dict[str, dict[int, list[tuple[dict, str]]]] = {}
    tokens: dict[tuple[str, str, str], dict[int, list[RatedPlace]]] = {}
    for branch in rated.rated:
        ratings, before = rated.ratings[branch["id"]], same_text(rated.prompt(branch))
        if ratings["thumbs"] is not None:
            thumbs.setdefault(same_text(branch["text"]), {1: [], -1: []})[ratings["thumbs"]].append((branch, before))
        pieces = [t[1] for t in branch["tokens"][:tb.intact_tokens(branch)]]
        for i, value in dict(ratings["tokens"]).items():
            if 0 <= i < len(pieces):
                key = (rated.prompt(branch) + "".join(pieces[:i]), "".join(pieces[:i]), pieces[i])
                tokens.setdefault(key, {1: [], -1: []})[value].append(place(branch, "good" if value == 1 else "bad", i))
    found = [Conflict("continuation", text, place(up, "liked"), place(down, "disliked"), up_before == down_before)
             for text, sides in thumbs.items() for up, up_before in sides[1] for down, down_before in sides[-1]]
    found += [Conflict("text token", token, up, down, True, before)
              for (_all_before, before, token), sides in tokens.items() for up in sides[1] for down in sides[-1]]
    return sorted(found, key=lambda c: (c.kind != "continuation", -c.up.message_id, -c.down.message_id,
                                        c.up.token_index or 0))
