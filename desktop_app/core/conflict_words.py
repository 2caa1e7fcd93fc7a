"""Conflicting ratings (core/rating_conflicts.py) in the words the Fine-tune tab and ``gpt2-desk finetune``
share: "2 ratings disagree: “Paris.” is liked in conversation 3 and disliked in conversation 7, answering the
same question: the run pushes it up and down at once and learns neither." A front end says where each side
is (``where``): a link in the window, the answer's id on the command line. No Qt, no front end.
"""

from __future__ import annotations

from typing import Callable

from desktop_app.core.count_words import counted
from desktop_app.core.rating_conflicts import Conflict, RatedPlace
from desktop_app.core.word_cut import clip_at_word

SHOWN = 3  # pairs told in full; the rest counted (a person who rated one text ten times both ways reads three)
TEXT_CHARS = 60  # an answer's text cut to this many characters, after a whole word
BEFORE_CHARS = 30  # the words before a rated token, their end kept

NEITHER = "the run pushes it up and down at once and learns neither"
EACH = "the run learns it as good for one and as bad for the other"


TITLE_CHARS = 30  # a text's title cut to this many characters, after a whole word


def conversation_place(place: RatedPlace) -> str:
    """A side's place in plain words: the conversation it is in, or for a Text continuation its text."""
    if place.branch_id is not None:
        return text_place(place)
    return f"conversation {place.conversation_id}"


def text_place(place: RatedPlace, escape: Callable[[str], str] = str) -> str:
    """A Text continuation's side: "the text ‹Lighthouse›" (its title, cut after a word)."""
    return f"the text \u2039{escape(clip_at_word(place.title or '', TITLE_CHARS))}\u203a"


def quoted(text: str) -> str:
    return f"\u201c{text}\u201d"


def conflicts_line(conflicts: list[Conflict], where: Callable[[RatedPlace], str] = conversation_place,
                   escape: Callable[[str], str] = str) -> str:
    """One sentence for all the conflicts ("" for none): how many ratings disagree, the first ``SHOWN``
    pairs each with what the run makes of it, and how many more pairs there are. ``escape``: what the
    person's texts go through (the window's rich text escapes them; ``where`` is the front end's own)."""
    if not conflicts:
        return ""
    told = "; ".join(pair_words(c, where, escape) for c in conflicts[:SHOWN])
    more = more_pairs(conflicts)
    return f"{headline(conflicts)}: {told}{'; and ' + more if more else ''}."


def headline(conflicts: list[Conflict]) -> str:
    """"5 ratings disagree": the ratings in any pair, each once."""
    ratings = len({(p.message_id, p.how, p.token_index) for c in conflicts for p in (c.up, c.down)})
    return f"{ratings} ratings disagree"


def more_pairs(conflicts: list[Conflict]) -> str:
    """"2 more pairs" past the ``SHOWN`` told ("" for none)."""
    more = len(conflicts) - SHOWN
    return counted(more, "more pair") if more > 0 else ""


def pair_words(conflict: Conflict, where: Callable[[RatedPlace], str] = conversation_place,
               escape: Callable[[str], str] = str) -> str:
    """One pair: what was rated both ways, where, and what the run makes of it."""
    up, down = where(conflict.up), where(conflict.down)
    text_mode = conflict.kind in ("continuation", "text token")  # the same question, for a continuation: the same text
    if conflict.kind in ("token", "text token"):
        start = "the continuation's start" if text_mode else "the answer's start"
        return (f"the token {quoted(escape(conflict.text))} {after_words(conflict.before, escape, start)} is rated "
                f"good in {up} and bad in {down}, after the same {'text' if text_mode else 'question'}: {NEITHER}")
    how = "replaced by your better answer" if conflict.kind == "correction" else "disliked"
    text = quoted(escape(clip_at_word(conflict.text, TEXT_CHARS)))
    same, other = (("continuing the same text", "continuing different texts") if text_mode
                   else ("answering the same question", "answering different questions"))
    why = f"{same}: {NEITHER}" if conflict.same_question else f"{other}: {EACH}"
    return f"{text} is liked in {up} and {how} in {down}, {why}"


def after_words(before: str, escape: Callable[[str], str] = str, start: str = "the answer's start") -> str:
    """Where a rated token stands in its answer or continuation: after which words (their end), or at its
    ``start``."""
    words = " ".join(before.split())
    if not words:
        return f"at {start}"
    cut = words if len(words) <= BEFORE_CHARS else "\u2026" + words[-BEFORE_CHARS:].lstrip()
    return f"after {quoted(escape(cut))}"
