"""The attribution's course in words, for the window's progress line under "Why this token?" and the CLI's
`explain` on a terminal (one set of words: the student who met both read the same line in each, usertest69).
What it runs, its passes, and its time as what is known of it."""

from __future__ import annotations

import math

# what the running attribution is doing, in a newcomer's words (usertest 21 called "step 2 ... once the
# figures settle (17 steps at least)" and the method's names jargon): the method itself is PROGRESS_TIP's
WORKING_WORDS = "Working out which earlier words mattered"
PROGRESS_TIP = ("How it works (integrated gradients): each pass runs the model forward and back over the text "
                "with every word faded in part way from a blank input (one point of the path from blank to the "
                "real text). Added up, the passes give each earlier word's share of the push toward this token. "
                "It ends once those shares add up to the whole push (within 5%) or stop changing.")


def time_left_words(seconds: float | None, kept: int = 0) -> str:
    """The attribution's time left at most, in round figures; before a pace is known, what comes first. ``kept``:
    the passes a paused or set-aside run already made (inspector78: on its return "the first rough result comes
    after two passes" stood under "after 17 passes they are still far off")."""
    if seconds is None and kept:
        return f"{WORKING_WORDS}: going on from the {kept} passes made before; the time left shows after the next\u2026"
    if seconds is None:
        return f"{WORKING_WORDS}: the first rough result comes after two passes\u2026"
    return f"at most about {_round_time(seconds)} left"


def _round_time(seconds: float) -> str:
    return f"{max(5, 5 * math.ceil(seconds / 5))} s" if seconds < 60 else f"{math.ceil(seconds / 60)} min"


def progress_line(progress) -> str:
    """The attribution's course (core.attribution.ExplainProgress): its passes, and its time as what is known of
    it. Before the first check of its figures (the first even sweep's end, where it may stop), the time to that
    check at the pace measured so far, "about 3 min", with the most it can take after it as a bound; after the
    check, the most it can still take. The span "3\u201357 min" had been as wide as the run's possible lengths,
    and a writer on a busy core read it as "no idea" (text98); the first figure is the one the pace measures."""
    least, most = progress.seconds_to_sweep, progress.seconds_left
    if most is None:
        return time_left_words(None, progress.done)
    if progress.done >= progress.sweep or least is None or _round_time(least) == _round_time(most):
        return (f"{WORKING_WORDS}: {progress.done} of at most {progress.total} passes \u00b7 "
                f"{time_left_words(most)} (it ends sooner once the result holds steady)")
    return (f"{WORKING_WORDS}: {progress.done} of {progress.sweep} passes \u00b7 about {_round_time(least)} to the "
            f"first check, where it ends if the result holds steady (if not, at most {_round_time(most)} in all)")
