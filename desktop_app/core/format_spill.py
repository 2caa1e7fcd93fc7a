"""Whether the opening a person taught spread to requests it does not fit (usertest 13, finding 2:
after 8 "Answer: X." corrections a haiku request began "Answer:", and the result card showed it
without a word). The run re-asks fixed open requests before and after training (a story, a
description: ``reasking.OPEN_REQUESTS``); this reads those pairs against the person's own answers."""

from __future__ import annotations

import re
from collections import Counter

from desktop_app.core.taught_words import rated

# An opening is a format only up to a mark that closes it within its first words ("Answer:",
# "Great question!", "Short answer -"): "The capital of Peru is Lima." shares "The" with most
# answers, which says nothing about a format.
_OPENING = re.compile(r"^\s*((?:\S+\s+){0,2}?\S*?[:!\u2014\u2013-])(?:\s|$)")
MOST = 0.75  # the share of the person's answers that must open alike
LEAST = 2  # and at least this many: one answer is no pattern


def opening(answer: str) -> str | None:
    found = _OPENING.match(answer or "")
    return found.group(1).strip() if found else None


def taught_opening(answers: list[str]) -> str | None:
    """The opening most of the person's answers share ("Answer:"), else None."""
    openings = [opening(a) for a in answers if a]
    counted = Counter(o.lower() for o in openings if o)
    if not counted:
        return None
    common, times = counted.most_common(1)[0]
    if times < max(LEAST, MOST * len(openings)):
        return None
    return next(o for o in openings if o and o.lower() == common)


def _opens_with(text: str | None, start: str) -> bool:
    return (text or "").strip().lower().startswith(start.lower())


def spill(taught: list[dict]) -> dict | None:
    """{"opening", "requests": the open requests whose new answer takes it and whose old one did
    not, "asked": how many open requests the run re-asked}, or None when the person's answers share
    no opening or the run asked no open request."""
    # one answer per question: a rated question is re-asked in its conversation and on its own
    rights = {t.get("question"): t.get("right") for t in taught if rated(t) and t.get("right")}
    start = taught_opening(list(rights.values()))
    requests = [t for t in taught if t.get("open")]
    if start is None or not requests:
        return None
    spread = [t["question"] for t in requests
              if _opens_with(t.get("after"), start) and not _opens_with(t.get("before"), start)]
    return {"opening": start, "requests": spread, "asked": len(requests)}


def spill_words(found: dict | None) -> str:
    """One sentence for the result card and the CLI, "" when nothing spread."""
    if not found or not found["requests"]:
        return ""
    spread, asked = len(found["requests"]), found["asked"]
    which = f"{spread} of the {asked} open requests asked" if asked > 1 else "the open request asked"
    first = found["requests"][0]
    first = first if len(first) <= 50 else first[:49].rsplit(" ", 1)[0] + "\u2026"  # at a word's end
    return (f"\u201c{found['opening']}\u201d, the opening of your answers, now also begins {which} "
            f"(\u201c{first}\u201d), where it did not before: the format may spread to requests it does not fit")
