"""Words for an answer no model wrote here (core/unwritten.py): who its card names as its
author, and what its meta line says about its colours. Qt-free, like the other *_words modules."""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.core.adapters import adapter_name
from desktop_app.core.count_words import counted

SCORING_WORDS = "not scored yet \u00b7 scoring\u2026"
UNSCORED_WORDS = "not scored yet"
NOT_SCORED_WORDS = "not scored"
WHY_PLAIN = "No model wrote this answer here, so it came with no figures of its own."


@dataclass
class UnwrittenState:
    """What an unwritten answer's card shows: its ``scoring`` (core.unwritten.Scoring) once
    there is one, else plain text; ``failed``: why it could not be scored."""

    scoring: object = None
    failed: str | None = None
    progress: tuple[int, int] | None = None  # tokens scored so far, of how many (a long answer's)


def has_writer(message: dict | None) -> bool:
    """Whether a stored answer names the model that wrote it (the streaming one does)."""
    return message is None or bool(message.get("model_id"))


def unwritten_author(message: dict) -> tuple[str, str]:
    """(title, tooltip) of an answer stored without its writer: where it came from, never the
    model in use (which did not write it)."""
    settings = message.get("settings") or {}
    source = settings.get("imported_from")
    if source or settings.get("imported"):
        where = f" from {source}" if source else ""
        return "Imported answer", f"Imported{where}: no model wrote it in this app."
    return "Writer not recorded", "This answer was stored without the model that wrote it."


def scorer_words(adapter_id: int | None) -> str:
    return adapter_name(adapter_id)


def scored_by(card) -> str | None:
    """Who scored the tokens an unwritten answer's card shows (None: a written answer's own; "":
    not scored yet)."""
    state = getattr(card, "unwritten", None)
    if state is None:
        return None
    return "" if state.scoring is None else scorer_words(state.scoring.adapter_id)


def unwritten_meta(state: UnwrittenState, text: str, model_loaded: bool) -> tuple[str, str]:
    """(meta line, its tooltip) of an unwritten answer's card of ``text``."""
    scoring = state.scoring
    if scoring is None:
        if state.failed:
            return NOT_SCORED_WORDS, f"{WHY_PLAIN} It could not be scored: {state.failed}"
        if not model_loaded:
            return UNSCORED_WORDS, f"{WHY_PLAIN} Its tokens get their colours once a model is loaded."
        done, total = state.progress or (0, 0)
        meta = f"{SCORING_WORDS} {100 * done // total}%" if total and done else SCORING_WORDS
        return meta, (f"{WHY_PLAIN} The model in use is scoring it now (in the background); its tokens get "
                      "their colours once it is done. Meanwhile its text shows plain.")
    n, by = len(scoring.records), scorer_words(scoring.adapter_id)
    colours = (f"Its colours: how sure {by} was of each token, read after its prompt (scored, not "
               "generated); token ratings on it count for the next fine-tune.")
    if scoring.chars >= len(text):
        return f"{counted(n, 'token', grouped=True)} \u00b7 scored, not generated", f"{WHY_PLAIN} {colours}"
    of = f" of {scoring.total:,}" if scoring.total else ""
    return (f"{n:,}{of} tokens scored" if of else f"first {n:,} tokens scored",
            f"{WHY_PLAIN} {colours} With its prompt it is longer than the model's window: its first {n:,}{of} "
            f"tokens ({scoring.chars:,} of {len(text):,} characters) were scored; the rest shows as plain text.")
