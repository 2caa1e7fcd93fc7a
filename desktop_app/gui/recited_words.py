"""The Text tab's "Known by heart" passages in words (Qt-free): the order's name and meaning in the
Surprises picker, a row's cells and its tooltip, the line over the list; ``analyse --recited`` prints
the same rows."""

from __future__ import annotations

import html
from typing import Collection, Sequence

from desktop_app.core import recited
from desktop_app.core.count_words import counted
from desktop_app.core.percent_words import percent
from desktop_app.core.recited import RecitedSpan
from desktop_app.core.word_cut import ELLIPSIS, clip_at_word

ORDER = "recited"  # the Surprises picker's third order: passages, not tokens
ORDER_NAME = ("recited", "Known by heart",
              f"not surprises but their opposite: passages of {recited.MIN_TOKENS} tokens or more where the model "
              "predicted nearly every token (over 3 in 4 its first choice, their mean probability at least "
              f"{percent(recited.MIN_MEAN_PROB)}), each with why: it repeats earlier text (the model copies what it "
              "read), or it occurs nowhere earlier, so the model most likely learnt it in training (a licence, a "
              "famous quote, boilerplate, common code)")
HEADERS = ("Why", "Tokens", "Mean probability", "First choice", "Words")
SHORT_HEADERS = ("Why", "Tokens", "Mean prob.", "First", "Words")  # where those do not fit (surprise_words's)
HEADER_TIPS = (
    "Repeats earlier text: most of the passage occurs earlier in what the model read, from the line named "
    "(it copies it). Known by heart: it occurs nowhere earlier, so the model most likely saw it in training. "
    "The model's own words: the model wrote it (its continuation), so it finds it likely by construction",
    "The passage's length in tokens",
    "The mean probability the model gave the passage's tokens",
    "The share of the passage's tokens that were the model's first choice",
    "The passage's words, on one line",
)
FINDING = "Finding the passages the model knows by heart\u2026"
WORDS_LIMIT = 90  # characters of a passage's words on its row (the column cuts them further when narrow)
TIP_WORDS_LIMIT = 300


MODEL_WROTE = "The model's own words"
MODEL_WROTE_TIP = ("The model wrote it (its continuation, in italics): it picked these words itself, so of course it "
                   "finds them likely. Not something it learnt by heart")


def model_wrote(span: RecitedSpan, written: Collection[int] = ()) -> bool:
    """Whether most of the passage is the model's continuation (``written``: the heatmap's indices of the
    tokens a model wrote). Its own sampled words are likely to it by construction: called "known by heart"
    ("memorised"), the continuation it had just written read as a quote it had learnt (usertest 24)."""
    return bool(written) and 2 * sum(i in written for i in range(span.start, span.stop)) > span.tokens


def why(span: RecitedSpan, written: Collection[int] = ()) -> str:
    """The Why cell: "Known by heart", or "Repeats line 12" (where the earlier copy starts), or "Repeats
    earlier text" where that copy starts on the passage's own line ("Repeats line 1" read oddly in a text
    of one line: usertest23), or MODEL_WROTE for a passage mostly of the model's continuation (``written``)."""
    if model_wrote(span, written):
        return MODEL_WROTE
    if span.why == recited.BY_HEART:
        return "Known by heart"
    return "Repeats earlier text" if span.earlier_line == span.line else f"Repeats line {span.earlier_line:,}"


def passage_words(records, span: RecitedSpan, limit: int = WORDS_LIMIT) -> str:
    """The passage's words on one line, cut after a whole word; "…" before them where it starts inside a
    word (a passage begins where the model's first choices begin: "…etition-penalty")."""
    inside_word = (span.start > 0 and span.text[:1].isalnum() and records[span.start - 1].text[-1:].isalnum())
    return (ELLIPSIS if inside_word else "") + clip_at_word(span.text, limit)


def cells(records, span: RecitedSpan, written: Collection[int] = ()) -> tuple[str, ...]:
    """A row's five cells, as HEADERS name them (``written``: the model's tokens, as ``why`` reads them)."""
    return (why(span, written), f"{span.tokens:,}", percent(span.mean_prob), percent(span.first_choice_share),
            passage_words(records, span))


def row_tip(records, span: RecitedSpan, written: Collection[int] = ()) -> str:
    """A row's tooltip: what the passage is and why the model could predict it, in a few sentences (its tokens
    counted from 1, as the status bar counts the token under the pointer; they had counted from 0, cli52)."""
    lines = [f"<b>{html.escape(why(span, written))}</b>: {span.tokens:,} tokens from line {span.line:,} "
             f"(tokens {span.start + 1:,} to {span.stop:,}), mean probability {percent(span.mean_prob)}, "
             f"{percent(span.first_choice_share)} of them the model's first choice."]
    if model_wrote(span, written):
        lines.append(html.escape(MODEL_WROTE_TIP) + ".")
    elif span.why == recited.REPEAT:
        lines.append(f"{percent(span.copied_share)} of its tokens continue text that occurs earlier, from line "
                     f"{span.earlier_line:,} (token {span.earlier + 1:,}): the model copies what it has read.")
    else:
        lines.append("It occurs nowhere earlier in what the model read: the model most likely saw it in training "
                     "(memorised).")
    lines.append(f"\u201c{html.escape(passage_words(records, span, TIP_WORDS_LIMIT))}\u201d")
    lines.append("Click, or Enter, to ring it in the text.")
    return "<br>".join(lines)


def tokens_listed(tokens: int, whole: int | None = None) -> str:
    """The tokens a list (Surprises' orders, Known by heart) was made of: "341 tokens", or "the first 20,000
    tokens (the heatmap's; the text has 31,000)" where the heatmap draws fewer than the text holds."""
    return (f"the first {tokens:,} tokens (the heatmap's; the text has {whole:,})" if whole and whole > tokens
            else f"{tokens:,} tokens")


def headline(spans: Sequence[RecitedSpan], tokens: int, whole: int | None = None,
             written: Collection[int] = ()) -> str:
    """The line over the list: how many passages, how many tokens they hold, of each kind (``written``: the
    model's tokens; a passage mostly of them is counted as the model's own words)."""
    of = tokens_listed(tokens, whole)
    if not spans:
        return f"No passage the model knows by heart among {of}."
    own = sum(model_wrote(s, written) for s in spans)
    by_heart = sum(s.why == recited.BY_HEART and not model_wrote(s, written) for s in spans)
    repeats = len(spans) - by_heart - own
    held = sum(s.tokens for s in spans)
    kinds = ", ".join(([f"{by_heart} known by heart"] if by_heart else [])
                      + ([f"{repeats} repeating earlier text"] if repeats else [])
                      + ([f"{own} of the model's own words"] if own else []))
    return f"{counted(len(spans), 'passage')} ({kinds}): {held:,} of {of}"
