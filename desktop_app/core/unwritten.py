"""Answers no model wrote here: stored with their text and no token records (a TRL file's
rows imported by core/exchange_import.py, a script's simulated person).

Such an answer gets its colours the way any text the app did not generate gets them: the
model in use reads it after its prompt, teacher-forced (core/scoring.py), once, and the
records are kept as kind "rescored" under the adapter the model wore (None: the base model),
the very scoring the compare view and a kept fine-tune would store for it. Never as
"generated": those records say a model wrote the answer with these figures (its writer in the
card's header, the prefix a branch shares, the ids training reads).

A token's index on such an answer counts the tokens of its text as training tokenizes it
(``train_data.generated_ids`` without records): the scoring's tokens, so a rated token is the
token trained. An answer longer than the model's window with its prompt is scored as far as
the window goes (``train_data.scored_answer_ids``, as the compare view cuts it); the rest stays
plain text, and ``Scoring`` says how much was scored.

A long answer takes a minute to score, and an answer the person asks for stops it: it is scored
in parts (``scoring.score_ids_in_parts``), and ``StoppedScorings`` keeps where a stopped one was,
so asking again goes on from there rather than from the start (while chatting fast it would
otherwise never finish). The kept scoring names the model that made it (``model_id``): another
model's is never shown as this one's.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field, replace

from desktop_app.core.errors import UserFacingError
from desktop_app.core.records import TokenRecord


class ScoringStopped(UserFacingError):
    """The scoring was cancelled before it ended: nothing is stored."""


@dataclass(frozen=True)
class Scoring:
    """An unwritten answer's records as shown: the text's tokens (no end-of-text record),
    under ``adapter_id`` (None: the base model) of model ``model_id``; ``total``: the answer's tokens,
    when known (``None`` for a scoring read back from the store); ``chars``: characters of the text scored."""

    records: list
    adapter_id: int | None
    total: int | None = None
    model_id: str | None = None

    @property
    def chars(self) -> int:
        return len("".join(r.text for r in self.records))


def is_unwritten(message: dict | None, records) -> bool:
    """A stored answer with text and no generated records: no model wrote it here."""
    return (message is not None and message.get("role") == "assistant" and not records
            and bool(message.get("text")))


def text_tokens(records) -> list[TokenRecord]:
    """A scoring's records less the end-of-text token's (scored with an empty text)."""
    records = list(records)
    return records[:-1] if records and records[-1].text == "" else records


def stored_scoring(store, message: dict, model_id: str | None, adapter_id: int | None) -> Scoring | None:
    """The kept scoring of an unwritten answer by model ``model_id``: under ``adapter_id`` (the one
    it wears), else under the base model; None when neither is kept (or no model is named), or when
    what is kept no longer spells the start of the text (the text changed since)."""
    if model_id is None:
        return None
    for adapter in dict.fromkeys((adapter_id, None)):
        records = text_tokens(store.token_records(message["id"], adapter_id=adapter, kind="rescored",
                                                  model_id=model_id))
        if records and message["text"].startswith("".join(r.text for r in records)):
            return Scoring(records, adapter, model_id=model_id)
    return None


@dataclass
class _Stopped:
    """Where a stopped scoring was: of which answer (in which conversation), by which model
    (weights and adapter), of which ids, and the part scored (``scoring.ScoredPart``)."""

    message_id: int
    model: weakref.ref
    adapter_id: int | None
    ids: tuple
    part: object = None
    conversation_id: int | None = field(default=None, compare=False)
    wanted: bool = field(default=True, compare=False)  # False: its conversation went while it ran

    def fits(self, other: "_Stopped") -> bool:
        same_model = self.model() is not None and self.model() is other.model()
        return same_model and (self.message_id, self.adapter_id, self.ids) == (other.message_id, other.adapter_id,
                                                                               other.ids)


@dataclass
class StoppedScorings:
    """The latest scoring an answer asked for stopped, to go on from (``score_unwritten``'s
    ``stopped``): one only, since it holds the model's key/value cache of the part done (91 MB at
    half of the bundled model's 8,192-token window, bench/unwritten_parts.py). The model lane goes
    on from it; the window lets it go (``forget``, ``forget_conversation``) once nothing will ask
    for it soon: its conversation deleted or left for a while, a load, a fine-tune. A scoring still
    running when its conversation is deleted keeps nothing when it stops (``running``: the window
    asks from its thread while the model lane scores, hence the lock)."""

    kept: _Stopped | None = field(default=None)
    running: _Stopped | None = field(default=None)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def resume(self, key: _Stopped) -> _Stopped:
        """The kept part when it is ``key``'s scoring (the same answer, ids and model), else a fresh
        one; either way it is the one running now, and nothing is kept while it runs."""
        from desktop_app.core.scoring import ScoredPart

        with self.lock:
            at = self.kept if self.kept is not None and self.kept.fits(key) else key
            if at is key:
                key.part = ScoredPart()
            at.wanted = True
            self.kept, self.running = None, at  # (a pass that fails leaves nothing kept)
            return at

    def stopped(self, at: _Stopped) -> None:
        """The running scoring ``at`` stopped: kept to go on from, unless its conversation went meanwhile."""
        with self.lock:
            self.running = None
            self.kept = at if at.wanted else None

    def ended(self, at: _Stopped) -> None:
        """The running scoring ``at`` ended (done or failed): nothing to go on from."""
        with self.lock:
            if self.running is at:
                self.running = None

    def forget(self) -> None:
        """Let the kept part go (its cache with it): another model or adapter, a load or a fine-tune
        that wants the memory."""
        with self.lock:
            self.kept = None

    @property
    def conversation_id(self) -> int | None:
        """The conversation of the answer whose scoring is kept (None: none kept)."""
        kept = self.kept
        return kept.conversation_id if kept is not None else None

    def forget_conversation(self, conversation_id: int) -> bool:
        """Let the kept part go when its answer is in ``conversation_id`` (deleted, or left for a
        while: nothing shows the answer to ask for it again), and a scoring of its answer running now
        keep nothing when it stops; whether a kept part went."""
        with self.lock:
            running = self.running
            if running is not None and running.conversation_id == conversation_id:
                running.wanted = False
            if self.kept is None or self.kept.conversation_id != conversation_id:
                return False
            self.kept = None
            return True


def score_unwritten(store, loaded, message_id: int, *, cancel: threading.Event | None = None, progress=None,
                    stopped: StoppedScorings | None = None) -> tuple[Scoring, list[TokenRecord]]:
    """Score a stored answer after its prompt with the model as it is (its adapter on, if it
    wears one), cut to the window: (what shows, the records to keep, its end-of-text record
    included when the answer ends within the window). Raises UserFacingError for an answer
    that answers no prompt, ScoringStopped when ``cancel`` stopped it: ``stopped`` then keeps
    the part done, and a call with it goes on from there."""
    from desktop_app.core.prompts import answer_ids
    from desktop_app.core.scoring import score_ids_in_parts
    from desktop_app.core.train_data import scored_answer_ids

    try:
        prompt_ids, ids, ended = scored_answer_ids(store, loaded.tokenizer, message_id, loaded.context_window)
    except ValueError as exc:
        raise UserFacingError(f"This answer cannot be scored: {exc}.") from exc
    message = store.get_message(message_id)
    total = len(answer_ids(loaded.tokenizer, message["text"]))
    stopped = stopped if stopped is not None else StoppedScorings()
    at = stopped.resume(_Stopped(message_id, weakref.ref(loaded.model), loaded.adapter_id,
                                 tuple(prompt_ids) + tuple(ids), conversation_id=message.get("conversation_id")))
    try:
        records = score_ids_in_parts(loaded, prompt_ids, ids, at.part, cancel=cancel, progress=progress)
    except BaseException:
        stopped.ended(at)
        raise
    if len(records) < len(ids):
        stopped.stopped(at)  # kept again only when stopped, and only while its conversation is there
        raise ScoringStopped("The scoring was stopped.")
    stopped.ended(at)
    if ended:  # the end-of-text token: scored, with no text (as the compare view keeps it)
        records[-1] = replace(records[-1], text="")
    kept = records
    return Scoring(text_tokens(kept), loaded.adapter_id, total, loaded.model_id), kept


def keep_scoring(store, message_id: int, model_id: str, adapter_id: int | None, kept: list[TokenRecord]) -> None:
    """Store a scoring (``score_unwritten``'s second part) by model ``model_id`` for next time (the
    store lane's work)."""
    store.set_token_records(message_id, kept, adapter_id=adapter_id, kind="rescored", model_id=model_id)
