"""What the active adapter changed, on any text: the text scored under the adapter and under
the base model (PEFT's ``disable_adapter``, as the compare view and "Why this token?" read the
base), token by token, and the figures that sum it up.

Like the compare view, it can read the text under an earlier adapter of the model's history in
place of the base model (``against``: ``session_compare.reading_as``, the one way to wear an
earlier adapter), to see what the runs after it changed.

The compare view shows this only for what the person rated; here the person brings any text
(one in the style they taught, or ordinary English) and sees how their fine-tune moved the
model's view of it. Both passes are ``session.score_whole_text``: any length, window by window,
cancellable between windows (and inside a long one), with progress, and an edit re-runs only
the windows from the first changed token. Both passes read the text in the same forward passes
(``core.score_passes``), so a token's change is never the arithmetic of two pass plans; the
text's analysis under the adapter serves as the adapter's pass when the base pass can read its
passes (the change then costs one pass, not two: ``_adapter_scoring``). The base pass takes the text's
token ids from the adapter's (a 5 MB text is not tokenised twice).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field

from desktop_app.core.errors import UserFacingError
from desktop_app.core.models import LoadedModel
from desktop_app.core.records import joined_text
from desktop_app.core.score_passes import same_passes
from desktop_app.core.session_compare import compared_name
from desktop_app.core.session_scoring import ScoredText, reusable, score_whole_text, scoring_key

NO_ADAPTER = ("No adapter is active, so there is nothing to compare with the base model: fine-tune it first, "
              "or make one of your adapters active.")
PASSES = ("your adapter", "the base model")  # the order the passes run in, as the progress names them
MOVERS = 5  # the tokens that moved most, each way


@dataclass(frozen=True)
class ChangeProgress:
    """Pass ``part`` (1 or 2) of 2 runs, under ``under`` (``PASSES``); ``scoring``: that pass's
    core.scoring.ScoreProgress, None as the pass begins."""

    part: int
    under: str
    scoring: object = None
    parts: int = 2

    @property
    def share(self) -> float:
        """How much of the whole work is done, 0..1 (each pass counts half)."""
        done = 0.0
        if self.scoring is not None and self.scoring.stage == "scoring" and self.scoring.total:
            done = min(1.0, self.scoring.done / self.scoring.total)
        return (self.part - 1 + done) / self.parts


@dataclass(frozen=True)
class Mover:
    """A token that moved: its place in the records, its text, the change in nats and its
    probability under the base model and under the adapter."""

    index: int
    text: str
    delta: float
    base_prob: float
    adapter_prob: float


@dataclass(frozen=True)
class TextChange:
    """A text scored under the adapter and under the base model (or an earlier adapter: ``against``).

    Attributes:
        adapter: the ScoredText under the adapter (its records are the ones the heatmap shows).
        base: the ScoredText under the base model, or under ``against`` (empty when the first pass
            was stopped).
        adapter_id: the adapter that was on.
        deltas: per token, the adapter's log-probability minus the base model's (nats), for the
            tokens both passes scored."""

    adapter: ScoredText
    base: ScoredText
    adapter_id: int | None
    deltas: list = field(default_factory=list)
    against: dict | None = None  # the earlier adapter's row ``base`` was read under; None: the base model

    @property
    def compared_with(self) -> str:
        """What ``base`` was read under, in words: "the base model", "adapter 2"."""
        return compared_name(self.against)

    @property
    def complete(self) -> bool:
        return self.adapter.complete and self.base.complete

    @property
    def tokens(self) -> int:
        return len(self.deltas)

    @property
    def total_change(self) -> float:
        """The whole text's log-probability under the adapter minus under the base model (nats):
        the text is exp(this) times as likely under the adapter."""
        return math.fsum(self.deltas)

    @property
    def times(self) -> float:
        """How many times as likely the adapter makes the whole text (inf past float's range)."""
        return math.exp(min(self.total_change, 700.0))

    @property
    def base_perplexity(self) -> float:
        return _perplexity(self.base.records[:self.tokens])

    @property
    def adapter_perplexity(self) -> float:
        return _perplexity(self.adapter.records[:self.tokens])

    def risen(self, count: int = MOVERS) -> list[Mover]:
        """The tokens the adapter made most more likely, most first (only those that rose)."""
        order = sorted(range(self.tokens), key=lambda i: -self.deltas[i])
        return [self._mover(i) for i in order[:count] if self.deltas[i] > 0]

    def fallen(self, count: int = MOVERS) -> list[Mover]:
        """The tokens the adapter made most less likely, most first (only those that fell)."""
        order = sorted(range(self.tokens), key=lambda i: self.deltas[i])
        return [self._mover(i) for i in order[:count] if self.deltas[i] < 0]

    def _mover(self, index: int) -> Mover:
        after, before = self.adapter.records[index], self.base.records[index]
        return Mover(index, after.text, self.deltas[index], before.prob, after.prob)

    def figures(self) -> dict:
        """The summary as plain numbers (the CLI's --json): tokens, both perplexities, the whole
        text's change in nats and as a factor, and the movers each way. The "base" figures are
        ``compared_with``'s: ``compared_with_id`` says which (None: the base model)."""
        def movers(items):
            return [{"index": m.index, "text": m.text, "delta_logprob": m.delta, "base_prob": m.base_prob,
                     "adapter_prob": m.adapter_prob} for m in items]

        times = self.times
        return {"adapter_id": self.adapter_id, "compared_with": self.compared_with,
                "compared_with_id": None if self.against is None else self.against["id"], "tokens": self.tokens, "complete": self.complete,
                "perplexity_base": _finite(self.base_perplexity),
                "perplexity_adapter": _finite(self.adapter_perplexity),
                "logprob_base": math.fsum(r.logprob for r in self.base.records[:self.tokens]),
                "logprob_adapter": math.fsum(r.logprob for r in self.adapter.records[:self.tokens]),
                "total_change_nats": self.total_change, "times_as_likely": _finite(times),
                "rose_most": movers(self.risen()), "fell_most": movers(self.fallen())}


def _perplexity(records) -> float:
    if not records:
        return math.nan
    mean = math.fsum(r.logprob for r in records) / len(records)
    return math.exp(min(-mean, 700.0))


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None  # JSON has no inf or nan


def deltas(adapter_records, base_records) -> list[float]:
    """Per token, the adapter's log-probability minus the base model's (the same tokens)."""
    return [a.logprob - b.logprob for a, b in zip(adapter_records, base_records)]


def can_compare(loaded: LoadedModel | None) -> bool:
    """Whether ``loaded`` wears an adapter that can be set aside for the base model's pass."""
    return loaded is not None and loaded.adapter_id is not None and hasattr(loaded.model, "disable_adapter")


def score_change(loaded: LoadedModel, text: str, *, previous: TextChange | None = None,
                 cancel: threading.Event | None = None, progress=None, alternatives: int = 10,
                 detailed: int | None = None, analysis: ScoredText | None = None,
                 against: dict | None = None) -> TextChange:
    """``text`` scored under the adapter ``loaded`` wears (pass 1) and under its base model
    (pass 2), and their per-token change. ``previous``: an earlier TextChange (of this or another
    text): each pass reuses its windows before the first changed token. ``analysis``: the text's
    analysis under the adapter (``session.analyse_text``, made with these ``alternatives`` and
    ``detailed``): it is the adapter's pass when the base pass can read the text in the very
    passes it was read in (``_adapter_scoring``), and only the base pass runs. ``cancel`` stops it
    between windows: the result is then not ``complete`` (the passes' parts are kept, for reuse).
    ``progress`` hears a ChangeProgress as each pass begins and after each of its windows.
    ``alternatives``/``detailed``: the adapter's records, as the analysis keeps them (the base
    pass keeps none: its probabilities are all the change needs). ``against``: an earlier adapter's
    row (``session_compare.earlier_adapters``), read in place of the base model for pass 2.
    UserFacingError without an adapter."""
    if not can_compare(loaded):
        raise UserFacingError(NO_ADAPTER)
    report = progress or (lambda _p: None)
    adapter_id, under = loaded.adapter_id, (PASSES[0], compared_name(against))
    with loaded.lock:  # an adapter switch waits: both passes read one adapter
        after, base_from = _adapter_scoring(loaded, text, previous, analysis, alternatives, detailed, against)
        parts = 1 if after is not None else 2
        if after is None:
            report(ChangeProgress(1, under[0]))
            after = score_whole_text(loaded, text, alternatives, cancel=cancel, detailed=detailed,
                                     previous=previous.adapter if base_from is not None else None,
                                     progress=lambda p: report(ChangeProgress(1, under[0], p)))
            if not after.complete:
                return TextChange(after, _nothing(after), adapter_id, against=against)
        report(ChangeProgress(parts, under[1], parts=parts))
        before = score_whole_text(loaded, text, 0, cancel=cancel, base=True, previous=base_from, ids=after.ids,
                                  against=against,
                                  progress=lambda p: report(ChangeProgress(parts, under[1], p, parts)))
    return TextChange(after, before, adapter_id, deltas(after.records, before.records), against)


def _adapter_scoring(loaded: LoadedModel, text: str, previous: TextChange | None, analysis: ScoredText | None,
                     alternatives: int, detailed: int | None,
                     against: dict | None = None) -> tuple[ScoredText | None, ScoredText | None]:
    """(the adapter's scoring when ``analysis`` can be it, else None; the scoring the base pass
    goes on from, None for a fresh one). Either way the two passes read the text in the same
    passes (``score_passes``): a token's change is the models', never two pass plans' rounding.

    The passes have fixed places and shapes (``scoring.window_plan``): an analysis that kept its
    records after an edit was read in the passes a fresh scoring reads, so the base pass reads
    them too, going on from the previous change's base scoring or from nothing. The check stays:
    a scoring whose passes are not known (or not alike) has both passes run anew."""
    from desktop_app.core.scoring import encode_long, planned_text_passes  # torch: not at the window's start

    base_key = scoring_key(loaded, 0, None, base=True, against=against)
    base_previous = previous.base if previous is not None and previous.base.model_key == base_key else None
    is_analysis = _is_analysis_of(analysis, loaded, text, alternatives, detailed)
    if is_analysis:
        for start in (base_previous, None):
            planned = planned_text_passes(loaded, analysis.ids, reusable(start, base_key))
            if same_passes(planned, analysis.passes):
                return analysis, start
    if base_previous is not None:  # both passes go on from the previous change when they would read alike
        adapter_key = scoring_key(loaded, alternatives, detailed)
        ids = analysis.ids if is_analysis else encode_long(loaded.tokenizer, text)
        if same_passes(planned_text_passes(loaded, ids, reusable(previous.adapter, adapter_key)),
                       planned_text_passes(loaded, ids, reusable(base_previous, base_key))):
            return None, base_previous
    return None, None


def _is_analysis_of(analysis: ScoredText | None, loaded: LoadedModel, text: str, alternatives: int,
                    detailed: int | None) -> bool:
    """Whether ``analysis`` is a whole scoring of ``text`` under the adapter worn now, kept as asked."""
    return (analysis is not None and analysis.complete
            and analysis.model_key == scoring_key(loaded, alternatives, detailed)
            and analysis.unscored_prefix + joined_text(analysis.records) == text)


def _nothing(scored: ScoredText) -> ScoredText:
    """The base pass that never ran."""
    return ScoredText(scored.ids, scored.unscored_prefix, [], None, True, scored.first)
