"""What a conversation's row in the list says under its title: when it was last used and what the person rated
in it, "yesterday · ▲2 ▼1 ±3 ✎1". A person with sixty conversations saw titles only, and could not tell last
week's from last month's, nor which ones held the answers they had rated (rows92). The marks are the compare
picker's too (gui/compare_words.rating_marks): ▲ an answer liked, ▼ one disliked, ± one rated token by token, ✎ a
better answer written; each counts answers. The row's facts come from ``Store.list_conversations``, one query
for every row."""

from __future__ import annotations

from datetime import datetime

from desktop_app.core.local_time import day_words

LIKED, DISLIKED, TOKENS, BETTER = "\u25b2", "\u25bc", "\u00b1", "\u270e"
# the row's count keys (list_conversations') in the order their marks are shown
MARKED_COUNTS = (("liked_count", LIKED), ("disliked_count", DISLIKED), ("token_rated_count", TOKENS),
                 ("better_count", BETTER))


def rating_marks(row: dict) -> str:
    """"▲2 ▼1 ±3": each kind of rating the conversation holds with how many answers carry it; "" for none,
    so an unrated conversation's row stays quiet."""
    return " ".join(f"{mark}{row[key]}" for key, mark in MARKED_COUNTS if row.get(key))


MARK_NAMES = {"liked_count": "liked", "disliked_count": "disliked", "token_rated_count": "rated token by token",
              "better_count": "with a better answer you wrote"}


def marks_said(row: dict) -> str:
    """The row's marks in words, for its tooltip: "▲ 2 liked, ± 1 rated token by token" ("" for none): a mark
    seen in the row is read there (± and ✎ are not everyday signs)."""
    said = [f"{mark} {row[key]} {MARK_NAMES[key]}" for key, mark in MARKED_COUNTS if row.get(key)]
    return f"Answers: {', '.join(said)}" if said else ""


def row_facts(row: dict, now: datetime | None = None) -> str:
    """The row's second line: "today 14:05 · ▲2 ▼1", or the time alone where nothing is rated."""
    return " \u00b7 ".join(part for part in (day_words(row.get("updated"), now), rating_marks(row)) if part)
