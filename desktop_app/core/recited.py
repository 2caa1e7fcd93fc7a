"""The passages of a scored text the model knows by heart: long stretches where it predicted nearly every
token, and why each was predictable, for the Text tab's "Known by heart" list and ``analyse --recited``
(no Qt).

The rule. Each token scores +1 where it was the model's first choice (rank 1) and -MISS_COST (3) where it
was not; a passage is a maximal scoring segment of that sequence (Ruzzo and Tompa's linear-time
algorithm, 1999), so more than three in four of its tokens were first choices, and so were most of those
at each of its ends (a segment begins and ends with a first choice, and no part at either end scores
below zero): a rare miss inside (a name in a licence, a near tie) does not break a passage; misses in a
row split it where they cost as much as the first choices on one side bring (six misses, 18 points,
split two runs of 17 first choices; four do not). It is kept when it is at least MIN_TOKENS (12) tokens
long and its tokens' mean probability is at least MIN_MEAN_PROB (50%); a stretch of white space or
punctuation alone is no passage to read.

Why those numbers, measured on the bundled SmolLM2-135M (its scorings of four texts): the MIT licence's
body came out as one passage of 211 tokens (mean 72%) and a paragraph pasted twice as its second copy
(38 tokens, 83%), while a page of new prose (a market, a neighbour, pears) had no first-choice run
longer than 4 tokens. A cost of 2 let the tokens before a repeat ("….\\n\\nOur", where the model could
not know a repeat was coming) into it; 4 cut the licence in two at one unlucky word. At 8 tokens this
app's own README had fluent phrases as "passages" (" on a colour for how sure the model was": 9 tokens);
at 12 it kept a list of command-line options and a repeated image link, and Hamlet's "or not to be,
that is the question" (9 tokens) is left out: ``min_tokens`` lowers the bar (``analyse --recited
--recited-min 8``).

Why it was predictable. A token is *copied* when the MATCH_TOKENS (4) tokens ending at it occurred
earlier, ending within what the model read when it predicted it (``window``): an induction-style
repeat, which a model continues whether or not it ever saw the text in training. A passage most of
whose tokens (COPIED_SHARE, a half) are copied "repeats earlier text", and says where the earlier copy
starts; any other was predictable with nothing in the text to copy from, so the model most likely saw
it in training: "known by heart" (a licence, a quote, boilerplate, common code).

Linear time: one pass for the scores and the segments, one over the token ids (a dictionary of
4-grams) when there is a passage to explain; ``bench/recited.py`` times it against the surprises.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from desktop_app.core.records import TokenRecord

MISS_COST = 3.0  # what a token that was not the model's first choice takes off a passage's score
MIN_TOKENS = 12
MIN_MEAN_PROB = 0.5
MATCH_TOKENS = 4  # tokens that must match an earlier place for a token to count as copied from it
ID_BITS = 32  # room for any tokenizer's ids in a copy's key
COPIED_SHARE = 0.5  # a passage whose copied tokens are at least this share "repeats earlier text"
REPEAT, BY_HEART = "repeat", "by_heart"


@dataclass(frozen=True)
class RecitedSpan:
    """A passage: ``records[start:stop]``.

    Attributes:
        mean_prob: its tokens' mean probability.
        first_choice_share: the share of its tokens that were the model's first choice.
        why: REPEAT (it repeats earlier text) or BY_HEART (nothing earlier to copy from).
        copied_share: the share of its tokens copied from earlier text (MATCH_TOKENS matching).
        earlier: where the earlier text it repeats starts (a token's place), None for BY_HEART.
        earlier_line: that place's line in the text (1 the first), None for BY_HEART.
        line: the line the passage starts on.
        text: its words."""

    start: int
    stop: int
    mean_prob: float
    first_choice_share: float
    why: str
    copied_share: float
    earlier: int | None
    earlier_line: int | None
    line: int
    text: str

    @property
    def tokens(self) -> int:
        return self.stop - self.start


def find_recited(records: Sequence[TokenRecord], min_tokens: int = MIN_TOKENS,
                 window: int | None = None) -> list[RecitedSpan]:
    """The passages of ``records`` the model predicted nearly every token of, in the text's order.
    ``window``: the model's context window in tokens (what it read before a token, for "repeats earlier
    text"); None: all the text before it."""
    if min_tokens < 1:
        raise ValueError("a passage is at least 1 token long")
    scores = [1.0 if r.rank == 1 else -MISS_COST for r in records]
    kept = [(a, b) for a, b in maximal_segments(scores) if _is_passage(records, a, b, min_tokens)]
    if not kept:
        return []
    sources = copy_sources([r.id for r in records], window)
    lines = _line_numbers(records)
    return [_span(records, a, b, sources, lines) for a, b in kept]


def maximal_segments(scores: Sequence[float]) -> list[tuple[int, int]]:
    """All maximal scoring segments of ``scores`` as (start, stop), in order (Ruzzo and Tompa, "A linear
    time algorithm for finding all maximal scoring subsequences", ISMB 1999): each has a positive sum,
    none can be lengthened or cut at either end without lowering its sum, and none overlap."""
    # each: (start, stop, total before start, total at stop, the place in ``found`` of the nearest earlier
    # segment whose total before start is lower): that link skips, in one step, every segment a search
    # would look past, which keeps the whole linear (a plain search back is quadratic on prose, whose totals
    # fall: each new segment looked at all the earlier ones; 20,000 made-up tokens: 602 ms, linked 3 ms)
    found: list[tuple[int, int, float, float, int]] = []
    total = 0.0
    for i, score in enumerate(scores):
        if score <= 0:
            total += score
            continue
        start, before, total = i, total, total + score
        while True:
            j = len(found) - 1
            while j >= 0 and found[j][2] >= before:
                j = found[j][4]
            if j < 0 or found[j][3] >= total:
                found.append((start, i + 1, before, total, j))
                break
            start, before = found[j][0], found[j][2]  # it extends back over segment j and those after it
            del found[j:]
    return [(s[0], s[1]) for s in found]


def _is_passage(records: Sequence[TokenRecord], start: int, stop: int, min_tokens: int) -> bool:
    if stop - start < min_tokens:
        return False
    if sum(records[i].prob for i in range(start, stop)) / (stop - start) < MIN_MEAN_PROB:
        return False
    return any(ch.isalnum() for i in range(start, stop) for ch in records[i].text)


def copy_sources(ids: Sequence[int], window: int | None = None, match: int = MATCH_TOKENS) -> list[int]:
    """For each token, where its copy ends earlier in the text: the place of the last earlier token whose
    ``match`` tokens up to it equal the ``match`` tokens up to this one, -1 where none is in reach.
    In reach: any earlier place in the first ``window`` tokens; past them, within half a window (a long
    text is scored window by window, each token read with at least half a window before it:
    core.scoring.window_plan)."""
    sources = [-1] * len(ids)
    last_seen: dict[int, int] = {}
    # the ``match`` ids up to a token as one integer, ID_BITS bits each, rolled along: no tuple per token
    # (their garbage collections had made a 200,000-token text take 18 times a 20,000-token one's time)
    key, keep = 0, (1 << (ID_BITS * match)) - 1
    for i, token in enumerate(ids):
        key = ((key << ID_BITS) | token) & keep
        if i < match - 1:
            continue
        j = last_seen.get(key)
        if j is not None and _in_reach(i, j, window):
            sources[i] = j
        last_seen[key] = i  # the latest: the nearest, so in reach if any is
    return sources


def _in_reach(i: int, j: int, window: int | None) -> bool:
    if window is None or i < window:
        return True
    return i - j < window // 2


def _line_numbers(records: Sequence[TokenRecord]) -> list[int]:
    """The line each token starts on (1 the first)."""
    lines, line = [], 1
    for record in records:
        lines.append(line)
        line += record.text.count("\n")
    return lines


def _span(records: Sequence[TokenRecord], start: int, stop: int, sources: list[int], lines: list[int]) -> RecitedSpan:
    count = stop - start
    text = "".join(records[i].text for i in range(start, stop))
    copied = [i for i in range(start, stop) if sources[i] >= 0]
    repeat = len(copied) >= COPIED_SHARE * count
    # the earlier copy lined up with the passage's start, from its first copied token
    earlier = max(0, sources[copied[0]] - (copied[0] - start)) if repeat else None
    return RecitedSpan(
        start=start, stop=stop,
        mean_prob=sum(records[i].prob for i in range(start, stop)) / count,
        first_choice_share=sum(records[i].rank == 1 for i in range(start, stop)) / count,
        why=REPEAT if repeat else BY_HEART, copied_share=len(copied) / count,
        earlier=earlier, earlier_line=lines[earlier] if earlier is not None else None,
        line=lines[start] + _leading_breaks(text), text=text)


def _leading_breaks(text: str) -> int:
    """Line breaks before a passage's first word: its line is the word's ("…to deal\\n" then "in the
    Software…": the passage's first token is the break, its words begin on the next line)."""
    return text[:len(text) - len(text.lstrip())].count("\n")


def span_at(spans: Sequence[RecitedSpan], index: int) -> RecitedSpan | None:
    """The passage that holds token ``index``, None if none does."""
    return next((s for s in spans if s.start <= index < s.stop), None)
