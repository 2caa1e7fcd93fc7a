"""Find in the Text tab's text (Ctrl+F there): where a word or phrase stands in the text shown, which of its
tokens a match starts in, and the find bar's count, in words. No Qt.

A writer pressed Ctrl+F in the Text tab to jump to a word and see its figures, and the key searched the
chat's conversations instead (text98)."""

from __future__ import annotations

import bisect
import re

NO_MATCHES = "No matches"


def find_spans(text: str, query: str) -> list[tuple[int, int]]:
    """Where ``query`` stands in ``text``, case-insensitively, without overlaps: (start, end) in
    characters of ``text`` (Python's, code points). Blank ``query``: none."""
    if not query:
        return []
    return [(m.start(), m.end()) for m in re.finditer(re.escape(query), text, re.IGNORECASE)]


def to_utf16(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``spans`` in UTF-16 code units, as a QTextDocument counts its positions: an emoji before a match is one
    character to Python and two to the document, which would have put every later highlight a place early."""
    wide = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]
    if not wide:
        return spans
    return [(start + bisect.bisect_left(wide, start), end + bisect.bisect_left(wide, end)) for start, end in spans]


def token_at(ends: list[int], position: int) -> int:
    """The index of the token whose span holds document ``position`` (``ends``: each token's end, ascending):
    the one a match starting there begins in; -1 past the last token (the text's plain, unscored rest)."""
    index = bisect.bisect_right(ends, position)
    return index if index < len(ends) else -1


def next_match(spans: list[tuple[int, int]], current: int, forward: bool) -> int:
    """The match after (or before) match ``current``, round the text's end as a browser's find goes;
    -1 when there is none. ``current`` -1: the first (or the last)."""
    if not spans:
        return -1
    if current < 0:
        return 0 if forward else len(spans) - 1
    return (current + (1 if forward else -1)) % len(spans)


def first_from(spans: list[tuple[int, int]], position: int) -> int:
    """The first match that starts at ``position`` or after it, else the first: typing in the find field keeps
    to the place being read rather than jumping back to the text's start."""
    starts = [start for start, _end in spans]
    index = bisect.bisect_left(starts, max(0, position))
    return index if index < len(spans) else (0 if spans else -1)


def count_words(current: int, total: int, query: str) -> str:
    """The find bar's count: "3 of 7"; "No matches" for a query found nowhere; nothing before one is typed."""
    if not query:
        return ""
    if not total:
        return NO_MATCHES
    return f"{current + 1:,} of {total:,}" if current >= 0 else f"{total:,} found"
