"""The surprises of a scored text: its tokens ranked by how unexpected they were to the model, for the
Text tab's "Surprises" list and its next / previous surprise keys (no Qt).

Two orders, because "unlikely" means two things to a person studying a model:

- ``least_likely``: the lowest probability first (the highest surprisal), GLTR's red tokens. A place
  where almost anything could follow (a name after "my friend") ranks high here as often as a real slip.
- ``sure_and_wrong``: the surprisal minus the entropy of the model's distribution there, both in bits:
  how much more surprised the model was by this token than it expected to be at that place. It ranks
  first the places where the model was confident of something else (a fact it got wrong, a twist, an
  error in the text) and lets the merely open places go down, which the heatmap's colours cannot tell
  apart.

Ranking keeps the ``count`` best in one pass (``heapq``): the heatmap's 20,000 tokens in 11 ms, a third of
sorting them all, a million in 1.6 s (``bench/surprises.py --million``, load average 7 on 2 cores); the
window runs it off its own thread all the same.
"""

from __future__ import annotations

import bisect
import heapq
import math
from dataclasses import dataclass
from typing import Sequence

from desktop_app.core.records import Alternative, TokenRecord

LN2 = math.log(2)
ORDERS = ("least_likely", "sure_and_wrong")
DEFAULT_COUNT = 50
LEAST_COUNT = 5
COLD_TOKENS = 3  # a text's first tokens, read with almost no context: least likely last (text_surprises)


def surprise_count(tokens: int) -> int:
    """How many surprises a text of ``tokens`` lists: a tenth of it, at least LEAST_COUNT, at most
    DEFAULT_COUNT (fifty of a 60-token text would be most of it, and say nothing)."""
    return max(LEAST_COUNT, min(DEFAULT_COUNT, tokens // 10))


@dataclass(frozen=True)
class Surprise:
    """One surprising token: ``index`` is its place among the text's records."""

    index: int
    text: str
    prob: float
    rank: int
    surprisal_bits: float
    entropy_bits: float
    expected: Alternative | None  # the model's likeliest other token there (None: no alternatives kept)
    # the rest of the word the token is a piece of, (before it, after it): ("", "row") for " Har" of " Harrow"
    # (usertest70: "Har" alone puzzled a writer); ("", "") for a whole word
    word: tuple[str, str] = ("", "")

    @property
    def beyond_expectation_bits(self) -> float:
        """Surprisal minus entropy: the ``sure_and_wrong`` order's score."""
        return self.surprisal_bits - self.entropy_bits


def _score(record: TokenRecord, order: str) -> float:
    surprisal = -record.logprob / LN2
    if order == "least_likely":
        return surprisal
    if order == "sure_and_wrong":
        return surprisal - record.entropy_bits
    raise ValueError(f"unknown order {order!r}; choose from {', '.join(ORDERS)}")


def expected_instead(record: TokenRecord) -> Alternative | None:
    """The likeliest token the model gave there other than this one."""
    return next((alt for alt in record.top if alt.id != record.id), None)


def surprise_of(records: Sequence[TokenRecord], index: int) -> Surprise:
    record = records[index]
    return Surprise(index=index, text=record.text, prob=record.prob, rank=record.rank,
                    surprisal_bits=-record.logprob / LN2, entropy_bits=record.entropy / LN2,
                    expected=expected_instead(record), word=word_around(records, index))


WORD_REACH = 16  # tokens looked at each side for the rest of a word (a longer run is no word a writer wrote)


def _joined(left: str, right: str) -> bool:
    """Two tokens' texts are pieces of one word where a letter or digit meets another across them."""
    return bool(left) and bool(right) and left[-1].isalnum() and right[0].isalnum()


def word_around(records: Sequence[TokenRecord], index: int) -> tuple[str, str]:
    """The rest of the word token ``index`` is a piece of: (its pieces before, its pieces after); " Har" of
    " Harrow" gives ("", "row"), "row" gives (" Har", ""); a token that is a whole word, ("", "")."""
    before, first = "", index
    while first > 0 and index - first < WORD_REACH and _joined(records[first - 1].text, records[first].text):
        first -= 1
        before = records[first].text + before
    after, last = "", index
    while last + 1 < len(records) and last - index < WORD_REACH and _joined(records[last].text,
                                                                               records[last + 1].text):
        last += 1
        after += records[last].text
    return before, after


def find_surprises(records: Sequence[TokenRecord], order: str = "least_likely",
                   count: int | None = None, start: int = 0, cold: int = 0) -> list[Surprise]:
    """The ``count`` most surprising of ``records[start:]`` in ``order``, the most surprising first (ties:
    the earlier token first). A token with no text of its own (the first byte pieces of a character
    split over several tokens) is left out: nothing on screen stands for it; the piece that completes
    the character carries the character. ``start`` leaves out tokens not to be ranked (none by default:
    the first token, predicted by the start token, counts as the heatmap colours it). ``count`` None:
    ``surprise_count(len(records))``. ``cold``: the first tokens, which rank after all the others (a text's
    start, read with no context yet: ``text_surprises``)."""
    count = surprise_count(len(records)) if count is None else count
    if order not in ORDERS:
        raise ValueError(f"unknown order {order!r}; choose from {', '.join(ORDERS)}")
    if count <= 0:
        return []
    shown = ((i >= cold, _score(r, order), -i) for i, r in enumerate(records) if i >= start and r.text)
    best = heapq.nlargest(count, shown)
    return [surprise_of(records, -negated) for _warm, _score_value, negated in best]


def text_surprises(records: Sequence[TokenRecord], order: str = "least_likely",
                   count: int | None = None) -> list[Surprise]:
    """A whole text's surprises (the Text tab's list, ``analyse --surprises``): under ``least_likely`` its first
    ``COLD_TOKENS`` rank after the rest. The model read them with next to nothing before them, so any first words
    are unlikely to it, and they hid what a reader looks for: "The capital of France is London." listed " London"
    behind "The" and " capital" (usertest71). ``sure_and_wrong`` needs no such rule: it takes off the uncertainty
    the model had there, which is high at a text's start."""
    return find_surprises(records, order, count, cold=COLD_TOKENS if order == "least_likely" else 0)


def in_text_order(surprises: Sequence[Surprise]) -> list[int]:
    """The surprises' places, first in the text first: what next / previous walk."""
    return sorted(s.index for s in surprises)


def step(places: Sequence[int], current: int, forward: bool = True) -> int | None:
    """The surprise after (``forward``) or before ``current`` among ``places`` (sorted), wrapping
    around at the text's end; None when there are none. ``current`` -1 (nothing selected): the first
    going forward, the last going back."""
    if not places:
        return None
    if forward:
        at = bisect.bisect_right(places, current)
        return places[at % len(places)]
    at = bisect.bisect_left(places, current) - 1 if current >= 0 else len(places) - 1
    return places[at % len(places)]


def context(records: Sequence[TokenRecord], index: int, before: int = 24, after: int = 24) -> tuple[str, str, str]:
    """(text before, the token, text after): at most ``before`` and ``after`` characters of the text on
    each side of token ``index``, on one line (line breaks as spaces)."""
    ahead, i = "", index - 1
    while i >= 0 and len(ahead) < before:
        ahead = records[i].text + ahead
        i -= 1
    behind, j = "", index + 1
    while j < len(records) and len(behind) < after:
        behind += records[j].text
        j += 1

    def one_line(text: str) -> str:
        return " ".join(text.split("\n")).replace("\r", " ")

    return one_line(ahead[-before:] if before else ""), one_line(records[index].text), one_line(behind[:after])
