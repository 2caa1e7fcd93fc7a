"""A length of time as a person reads it, the same in the window and the CLI (they had a function each:
the CLI's "4 min", the window's "4 min 05 s", cli52)."""

from __future__ import annotations

import math


def duration_words(seconds: float | None, rough: bool = False) -> str:
    """"45 s", "4 min 05 s"; "" for no length (None, negative, not finite). ``rough``: an estimate's words,
    whole minutes from 90 s ("4 min": the seconds of a time left are noise) and seconds below, as the CLI's
    time left says it; a length that was measured (a run took, has run for) keeps its seconds."""
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        return ""
    if rough:
        return f"{round(seconds)} s" if seconds < 90 else f"{round(seconds / 60)} min"
    seconds = int(round(seconds))
    return f"{seconds} s" if seconds < 60 else f"{seconds // 60} min {seconds % 60:02d} s"
