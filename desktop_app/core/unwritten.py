"""Answers no model wrote here: stored with their text and no token records (a TRL file's
rows imported by core/exchange.py, a script's simulated person).

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
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace

from desktop_app.core.errors import UserFacingError
from desktop_app.core.records import TokenRecord


class ScoringStopped(UserFacingError):
    """The scoring was cancelled before it ended: nothing is stored."""


@dataclass(frozen=True)
class Scoring:
    """An unwritten answer's records as shown: the text's tokens (no end-of-text record),
    under ``adapter_id`` (None: the base model); ``total``: the answer's tokens, when known
    (``None`` for a scoring read back from the store); ``chars``: characters of the text scored."""

    records: list
    adapter_id: int | None
    total: int | None = None

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


def stored_scoring(store, message: dict, adapter_id: int | None) -> Scoring | None:
    """The kept scoring of an unwritten answer: under ``adapter_id`` (the model in use), else
    under the base model; None when neither is kept, or when what is kept no longer spells the
    start of the text (the text changed since)."""
    for adapter in dict.fromkeys((adapter_id, None)):
        records = text_tokens(store.token_records(message["id"], adapter_id=adapter, kind="rescored"))
        if records and message["text"].startswith("".join(r.text for r in records)):
            return Scoring(records, adapter)
    return None


def score_unwritten(store, loaded, message_id: int, *, cancel: threading.Event | None = None,
                    progress=None) -> tuple[Scoring, list[TokenRecord]]:
    """Score a stored answer after its prompt with the model as it is (its adapter on, if it
    wears one), cut to the window: (what shows, the records to keep, its end-of-text record
    included when the answer ends within the window). Raises UserFacingError for an answer
    that answers no prompt, ScoringStopped when ``cancel`` stopped it."""
    from desktop_app.core.prompts import answer_ids
    from desktop_app.core.scoring import score_ids
    from desktop_app.core.train_data import scored_answer_ids

    try:
        prompt_ids, ids, ended = scored_answer_ids(store, loaded.tokenizer, message_id, loaded.context_window)
    except ValueError as exc:
        raise UserFacingError(f"This answer cannot be scored: {exc}.") from exc
    total = len(answer_ids(loaded.tokenizer, store.get_message(message_id)["text"]))
    records = score_ids(loaded, prompt_ids, ids, cancel=cancel, progress=progress)
    if len(records) < len(ids):
        raise ScoringStopped("The scoring was stopped.")
    if ended:  # the end-of-text token: scored, with no text (as the compare view keeps it)
        records[-1] = replace(records[-1], text="")
    kept = records
    return Scoring(text_tokens(kept), loaded.adapter_id, total), kept


def keep_scoring(store, message_id: int, adapter_id: int | None, kept: list[TokenRecord]) -> None:
    """Store a scoring (``score_unwritten``'s second part) for next time (the store lane's work)."""
    store.set_token_records(message_id, kept, adapter_id=adapter_id, kind="rescored")
