"""How likely was …? The chance a word or phrase the person has in mind had at one token's place of a
stored answer: the phrase read teacher-forced after the answer's prompt and its tokens before that
place, in the passes the answer's scorings read it in (core.scoring.score_ids' plan), so the written
token's own text gives the figure the inspector shows for it (on Exact weights; 16-bit weights round
a whole-text read apart from the token-by-token writing, which ``recorded_note`` says).

The model reads as "Why this token?" reads it (core.explain.as_written): an answer the base model
wrote is scored with the adapter set aside. The window asks on the model lane (gui/chat_reads.py),
the CLI's ``probe`` directly; both say it in ``probe_lines``."""

from __future__ import annotations

import math
from dataclasses import dataclass

from desktop_app.core.explain_errors import ExplainError
from desktop_app.core.models import LoadedModel
from desktop_app.core.palette import visible_whitespace
from desktop_app.core.percent_words import percent, times
from desktop_app.core.records import Alternative

MAX_PHRASE_TOKENS = 32  # a word or a phrase, not a paragraph: each token is one more position read
SAME_WITHIN = 1e-6  # chances this close are one figure (the written token typed as it is)


@dataclass(frozen=True)
class WordProbe:
    """What the model gave the typed text at token ``index`` of message ``message_id``."""

    message_id: int | None  # None: a token of a Text mode text
    index: int
    typed: str
    scored_text: str  # what was scored: the typed text, a space put before it where the written token has one
    tokens: tuple[Alternative, ...]  # the scored text's tokens, each with its chance after those before it
    first_rank: int  # the first token's rank among the whole vocabulary (1: the model's first choice)
    vocabulary: int
    written: Alternative  # the written token, read in the same pass as the first token
    recorded_prob: float | None  # the written token's figure as stored with the answer (the inspector's)
    model_id: str
    adapter_id: int | None  # the adapter the model read with (None: the base model)
    written_with_adapter: int | None
    writer: str | None  # the model that wrote the answer
    other_writer: bool  # another tokenizer wrote it: the written token is this model's at that place
    precision: str | None
    written_precision: str | None = None  # the weights that wrote the answer (None: not recorded)
    in_text: bool = False  # a Text mode token: its figure is the analysis's, whoever wrote the text
    sampled: bool = True  # the sampler drew the written token (not the person's text, branch or pick, nor an import)

    @property
    def prob(self) -> float:
        """The whole phrase's chance: the product of its tokens'."""
        return math.exp(sum(math.log(max(t.prob, 1e-300)) for t in self.tokens))

    @property
    def spaced(self) -> bool:
        return self.scored_text != self.typed

    @property
    def is_written(self) -> bool:
        return [t.id for t in self.tokens] == [self.written.id]

    def to_json(self) -> dict:
        return {"message_id": self.message_id, "token_index": self.index, "typed": self.typed,
                "scored_as": self.scored_text, "prob": self.prob,
                "tokens": [{"id": t.id, "text": t.text, "prob": t.prob} for t in self.tokens],
                "first_token_rank": self.first_rank, "vocabulary": self.vocabulary,
                "written": {"id": self.written.id, "text": self.written.text, "prob": self.written.prob},
                "times_as_likely_as_written": self.prob / self.written.prob if self.written.prob > 0 else None,
                "recorded_prob": self.recorded_prob, "model": self.model_id, "adapter_id": self.adapter_id,
                "written_with_adapter": self.written_with_adapter, "written_by": self.writer,
                "precision": self.precision, "written_precision": self.written_precision, "sampled": self.sampled}


def scored_text_for(typed: str, written_text: str) -> str:
    """The text scored for ``typed``: as typed, with a space before it where the written token begins with
    one and the typed text does not (GPT-2's words mid-sentence are " Paris", not "Paris")."""
    if written_text.startswith(" ") and typed[:1] not in (" ", "\n", "\t"):
        return " " + typed
    return typed


def phrase_ids(loaded: LoadedModel, text: str) -> list[int]:
    """The tokens the tokenizer makes of ``text``; refused when empty or longer than a phrase."""
    from desktop_app.core.prompts import encode

    if not text.strip():
        raise ExplainError("Type a word or a phrase to score.")
    ids = encode(loaded.tokenizer, text)
    if not ids:
        raise ExplainError(f"{text!r} makes no tokens for this model.")
    if len(ids) > MAX_PHRASE_TOKENS:
        raise ExplainError(f"That is {len(ids)} tokens; score a word or a phrase of at most {MAX_PHRASE_TOKENS}.")
    return ids


def probe_word(store, loaded: LoadedModel, message_id: int, index: int, typed: str) -> WordProbe:
    """The chance ``typed`` had in place of token ``index`` (0-based) of stored answer ``message_id``."""
    from desktop_app.core.token_context import context_for_message

    context = context_for_message(store, loaded, message_id, index, "probe")
    writer = store.get_message(message_id).get("model_id")
    return probe_in_context(loaded, context, typed, index=context.index, writer=writer)


def probe_in_context(loaded: LoadedModel, context, typed: str, *, index: int, writer: str | None = None) -> WordProbe:
    """The chance ``typed`` had in place of the last token of ``context`` (core.token_context.TokenContext: an
    answer's token, or a Text mode token after the text its analysis read before it), token ``index`` of its text."""
    from desktop_app.core.decoding import token_texts
    from desktop_app.core.explain import as_written, explaining_adapter

    texts = token_texts(loaded.tokenizer)
    written_text = texts.text(context.chosen)
    scored = scored_text_for(typed, written_text)
    ids = phrase_ids(loaded, scored)
    seen = context.ids[:-1]
    with as_written(loaded, context):
        (first, written), rank = _first_read(loaded, context, ids[0])
        later = [r.prob for r in _score(loaded, seen + ids[:1], ids[1:])] if len(ids) > 1 else []
    return WordProbe(context.message_id, index, typed, scored,
                     tuple(Alternative(i, texts.text(i), p) for i, p in zip(ids, [first, *later])),
                     rank, _vocabulary(loaded), Alternative(context.chosen, written_text, written),
                     context.recorded_prob, loaded.model_id, explaining_adapter(loaded, context),
                     context.written_with_adapter, writer, bool(context.other_writer), loaded.precision,
                     context.written_precision, context.in_text, sampled=not context.forced)


def _vocabulary(loaded: LoadedModel) -> int:
    """The tokens the model's output ranks (its config's count; the tokenizer's where none is given)."""
    return int(getattr(loaded.model.config, "vocab_size", None) or len(loaded.tokenizer))


def _first_read(loaded: LoadedModel, context, first_id: int) -> tuple[tuple[float, float], int]:
    """((the first token's chance, the written token's), the first token's rank) from the one pass that reads the
    written token where the heatmap and the scorings read it (core.scoring.TokenPass), as its records are made."""
    import torch

    from desktop_app.core.decoding import record_stats
    from desktop_app.core.lens import final_logits

    logits = final_logits(loaded, context.ids[:-1], context.read_from)
    chosen = torch.tensor([first_id, context.chosen], device=logits.device)
    logprobs, ranks, *_ = record_stats(logits[None].expand(2, -1), chosen, 0)
    first, written = logprobs.exp().tolist()
    return (first, written), int(ranks[0])


def _score(loaded: LoadedModel, seen: list[int], ids: list[int]) -> list:
    """``ids`` read after ``seen`` in score_ids' passes (its fixed plan: the heatmap's and compare view's): a
    phrase's tokens after its first, each after those before it."""
    from desktop_app.core.scoring import score_ids

    return score_ids(loaded, seen, ids, alternatives=0)


# ---------------------------------------------------------------- words (the window and the CLI)

def shown(text: str) -> str:
    """A token or phrase in quotes, its spaces as the inspector marks them (␣)."""
    return f"\u201c{visible_whitespace(text)}\u201d"


def probe_lines(probe: WordProbe) -> list[str]:
    """The figures in words: the phrase's chance, each token's, the first token's rank, against the written token."""
    phrase = (f"Scored as {shown(probe.scored_text)} (a space first, as the written token has)" if probe.spaced
              else shown(probe.scored_text))
    lines = [f"{phrase}: {chance_words(probe.prob)}"]
    if len(probe.tokens) > 1:
        lines.append("  = " + " \u00d7 ".join(f"{shown(t.text)} {percent(t.prob)}" for t in probe.tokens)
                     + " (each after those before it)")
    first = probe.tokens[0]
    lines.append(f"{'Its first token ' + shown(first.text) if len(probe.tokens) > 1 else 'It'} ranks "
                 f"{probe.first_rank:,} of {probe.vocabulary:,} tokens in the vocabulary.")
    lines.append(versus_written(probe))
    return lines + writer_notes(probe)


def chance_words(prob: float) -> str:
    """A chance as the inspector says it; one too small for a per cent in odds ("about 1 in 2.4e+09")."""
    return percent(prob) if prob >= 1e-6 else f"{percent(prob)} (about 1 in {1 / max(prob, 1e-300):.1e})"


def versus_written(probe: WordProbe) -> str:
    """How the phrase compares with the token the answer has there."""
    written = f"{shown(probe.written.text)} ({percent(probe.written.prob)})"
    if probe.is_written:
        return "That is the written token."
    if abs(probe.prob - probe.written.prob) <= SAME_WITHIN:
        return f"As likely as the written token {written}."
    if probe.prob < probe.written.prob:
        return f"{_times(probe.written.prob / max(probe.prob, 1e-300))} less likely than the written token {written}."
    return (f"{_times(probe.prob / max(probe.written.prob, 1e-300))} more likely than the written token {written}"
            + (": the sampler picked the lower one." if probe.sampled else _not_drawn(probe)))


def _not_drawn(probe: WordProbe) -> str:
    """Who put a token no sampler drew there: a Text token the person wrote (or picked to continue from) was
    their choice, not a draw that passed over the likelier phrase."""
    return ": you chose the less likely one." if probe.in_text else ": no sampler drew it."


def _times(ratio: float) -> str:
    said = times(ratio)
    return said[0].upper() + said[1:]


def writer_notes(probe: WordProbe) -> list[str]:
    """Which model scored it where that is not the answer's writer, and a written figure that reads apart."""
    from desktop_app.core.adapters import adapter_name

    notes = []
    if probe.writer and probe.writer != probe.model_id:
        notes.append(f"Scored by {probe.model_id}, the model in use; {probe.writer} wrote this answer"
                     + (" in its own tokens." if probe.other_writer else "."))
    elif probe.written_with_adapter != probe.adapter_id:
        notes.append(f"Scored with {adapter_name(probe.adapter_id)}; {adapter_name(probe.written_with_adapter)} "
                     f"{'analysed the text' if probe.in_text else 'wrote this token'}.")
    elif probe.recorded_prob is not None and abs(probe.recorded_prob - probe.written.prob) >= 5e-4:
        notes.append(f"When {'analysed' if probe.in_text else 'written'} the token had {percent(probe.recorded_prob)}, "
                     f"the inspector's figure; read "
                     f"again here {percent(probe.written.prob)}: {_apart_reason(probe)}.")
    return notes


def _apart_reason(probe: WordProbe) -> str:
    from desktop_app.core.precision import label

    if probe.written_precision and probe.precision and probe.written_precision != probe.precision:
        return f"{label(probe.written_precision)} weights wrote it, {label(probe.precision)} weights read it now"
    if probe.in_text:
        return "this read differs from the analysis's pass (a text longer than the model's window)"
    return "16-bit weights round a whole-text read apart from writing token by token"
