"""A text or a stored answer scored token by token, for the session (core/session.py) and the
Text mode: any length, reusing an earlier scoring's windows, cancellable; the analysis kept
between starts, and a text's continuation.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field, replace
from typing import Callable

from desktop_app.core.generation import SamplingSettings
from desktop_app.core.models import LoadedModel
from desktop_app.core.records import TokenRecord, joined_text


def _ignore(*_args) -> None:
    pass


@dataclass(frozen=True)
class ScoredText:
    """A text scored token by token.

    Attributes:
        ids: all its token ids.
        unscored_prefix: the start of the text nothing predicts, exactly as it stands in the
            text: "" when the model reads plain text after a start token (the first token is
            scored too), else its first token.
        records: one TokenRecord for each of ``ids[first:]`` (only those of the windows
            done when the scoring was cancelled: see ``complete``).
        model_key: what made the records (``scoring_key``): an earlier scoring is reused
            only under the same key.
        stopped: cancelled before its last window (or while the text was read: no ids).
        first: the index in ``ids`` of the first record (core.scoring.first_scored: 0, or 1
            for a model without a start token).
    """

    ids: list
    unscored_prefix: str
    records: list
    model_key: tuple | None = field(default=None, compare=False)
    stopped: bool = field(default=False, compare=False)
    first: int = 1
    passes: tuple = field(default=(), compare=False)  # core.score_passes.Pass: which pass made which records

    @property
    def scorable(self) -> int:
        """How many of its tokens get a record once the scoring is complete."""
        return max(0, len(self.ids) - self.first)

    @property
    def complete(self) -> bool:
        return not self.stopped and len(self.records) >= self.scorable


def scoring_key(loaded: LoadedModel, alternatives: int, detailed: int | None = None, base: bool = False,
                against: dict | None = None) -> tuple:
    """The model, adapter, precision and alternatives behind a scoring: records made under
    another key are not reused. ``base``: made with the adapter set aside, or (``against``, an
    earlier adapter's row) read under that adapter in its place."""
    adapter = loaded.adapter_id
    if base:
        adapter = None if against is None else ("compared", against["id"])  # never the worn one's key
    return (id(loaded.model), loaded.model_id, adapter, loaded.precision, alternatives, detailed)


def score_whole_text(loaded: LoadedModel, text: str, alternatives: int = 10, *, previous: ScoredText | None = None,
                     cancel: threading.Event | None = None, progress=None, detailed: int | None = None,
                     base: bool = False, ids: list[int] | None = None, against: dict | None = None) -> ScoredText:
    """Score a text (any length). ``previous``: an earlier scoring (of this or another text):
    the windows before the first changed token are reused when the same model made it, so
    an edit re-runs only the windows from the edit on. ``cancel`` stops it between windows
    (the result is then not ``complete``); ``progress`` hears a core.scoring.ScoreProgress
    after each window. ``detailed``: only about the first so many tokens keep their
    alternatives (core.scoring.score_ids). ``base``: under the base model, the adapter the model
    wears set aside (PEFT's ``disable_adapter``) for the pass; with ``against`` (an earlier adapter's
    row) under that adapter instead (``session_compare.reading_as``, as the compare view reads it). ``ids``: the text's ids from another
    scoring of it (its ScoredText's), not read again. The first window's cache is kept for the next
    scoring under the same model, adapter and precision (``LoadedModel.kept_blocks``), so an edit
    reads only the block it falls in on, not the blocks before it again."""
    from desktop_app.core.scoring import BlockCache, first_scored, score_text

    base = base and loaded.adapter_id is not None
    key = scoring_key(loaded, alternatives, detailed, base, against)
    passes: list = []
    blocks = loaded.kept_blocks.get(key[:4], BlockCache)  # (keys and values hang on neither alternatives nor detail)
    with _adapter_aside(loaded, against) if base else contextlib.nullcontext():
        ids, records = score_text(loaded, text, alternatives, cancel=cancel, progress=progress,
                                  previous=reusable(previous, key), detailed=detailed, passes=passes, ids=ids,
                                  blocks=blocks)
    with loaded.lock:  # (no scoring reads on from a kept cache meanwhile)
        loaded.kept_blocks.trim(loaded.context_window)
    first = first_scored(loaded.tokenizer)
    stopped = cancel is not None and cancel.is_set() and (len(records) < len(ids) - first or (not ids and bool(text)))
    joined = joined_text(records)
    if joined and text.endswith(joined):
        prefix = text[: len(text) - len(joined)]
    else:
        prefix = loaded.tokenizer.decode(ids[:first]) if ids and first else ""
    return ScoredText(ids, prefix, records, key, stopped, first, tuple(passes))


def reusable(previous: ScoredText | None, key: tuple) -> tuple | None:
    """What a scoring under ``key`` may keep of ``previous`` (core.scoring.score_text's
    ``previous``: its ids, records and passes), None when another key made it."""
    if previous is None or previous.model_key != key:
        return None
    return previous.ids, previous.records, previous.passes or None


@contextlib.contextmanager
def _adapter_aside(loaded: LoadedModel, against: dict | None = None):
    """Inside: the model reads as its base, or as earlier adapter ``against``, under its lock (no
    switch of adapter meanwhile)."""
    from desktop_app.core.session_compare import reading_as

    with loaded.lock, reading_as(loaded, against):
        yield



def score_answer(loaded: LoadedModel, prompt_ids: list[int], ids: list[int], ended: bool) -> list:
    """Teacher-forced records of an answer; its end-of-text token (``ended``: the last id)
    gets an empty text, so the records' text is still the answer's text (``split_end``)."""
    from desktop_app.core.scoring import score_ids

    return blank_end_text(score_ids(loaded, prompt_ids, ids), ended)


def split_end(records: list, tokenizer) -> tuple[list, TokenRecord | None]:
    """A re-scored answer's token records and, apart, the record of the end-of-text token
    that ended it (None when the answer was cut, or for records stored before the end was
    scored): the token that tells whether the model learned where to stop."""
    eos = getattr(tokenizer, "eos_token_id", None)
    if records and records[-1].id == eos and records[-1].text == "":
        return list(records[:-1]), records[-1]
    return list(records), None



def blank_end_text(records: list, ended: bool) -> list:
    """``score_answer``'s records: the end-of-text token (``ended``: the last id) with an empty text."""
    if ended and records:
        records[-1] = replace(records[-1], text="")
    return records



def analyse_text(loaded: LoadedModel, text: str, *, previous: ScoredText | None = None,
                 cancel: threading.Event | None = None, progress=None, detailed: int | None = None,
                 model_spans=()):
    """A text scored (``score_whole_text``: any length, reusing ``previous``, cancellable,
    with progress, alternatives for the first ``detailed`` tokens) and GLTR's summary of it:
    (ScoredText, documents.TextSummary). ``model_spans``: the (start, end) characters a model's
    continuation wrote; the summary then also has the person's own text's (``yours``)."""
    scored = score_whole_text(loaded, text, previous=previous, cancel=cancel, progress=progress, detailed=detailed)
    return scored, summarize_scored(scored, model_spans)


def kept_scoring(loaded: LoadedModel, text: str, cache_path, alternatives: int = 10,
                 detailed: int | None = None) -> tuple[ScoredText | None, str | None]:
    """The analysis of ``text`` kept in ``cache_path`` (core/analysis_cache.py) under this model,
    adapter and precision, as a ScoredText of this model (so the next analysis goes on from it), or
    None; and the model's identity, under which a new analysis is kept (None: not to be kept)."""
    from desktop_app.core import analysis_cache

    identity = analysis_cache.model_identity(loaded, alternatives, detailed)
    kept = None if identity is None else analysis_cache.read(cache_path, text, identity)
    if kept is None:
        return None, identity
    key = scoring_key(loaded, alternatives, detailed)
    return ScoredText(kept.ids, kept.unscored_prefix, kept.records, key, False, kept.first, kept.passes), identity


def keep_scoring(cache_path, text: str, identity: str, scored: ScoredText, document_id: int | None = None) -> bool:
    """Keep a complete analysis of ``text`` for the next start (``kept_scoring`` reads it back)."""
    from desktop_app.core import analysis_cache

    if not scored.complete:
        return False
    kept = analysis_cache.KeptAnalysis(list(scored.ids), scored.unscored_prefix, list(scored.records),
                                       scored.first, tuple(scored.passes))
    return analysis_cache.write(cache_path, text, identity, kept, document_id)


def summarize_scored(scored: ScoredText, model_spans=()):
    """GLTR's summary of a scoring (documents.TextSummary), with the person's own text's
    (``yours``) when ``model_spans`` (the characters a model's continuation wrote) are in it."""
    from desktop_app.core.documents import summarize_authored, written_by_model

    written = written_by_model(scored.unscored_prefix, scored.records, model_spans)
    return summarize_authored(scored.records, written)


def continue_text(loaded: LoadedModel, text: str, settings: SamplingSettings, *,
                  cancel: threading.Event | None = None, on_token: Callable[[TokenRecord], None] | None = None):
    """Stream the model's continuation of ``text`` from its end (no chat template; an empty
    text starts from the start token or is refused in words); returns the Generation."""
    from desktop_app.core.documents import continue_text as continue_document

    return continue_document(loaded, text, settings, cancel=cancel, on_token=on_token or _ignore)
