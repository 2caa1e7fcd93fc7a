"""How long a fine-tune on the ratings waiting would take, said before the click (verdict75: nothing said it,
and a run takes minutes). From the last finished run of the model where there is one (its wall seconds, scaled
by the ratings), else a cautious rule by the ratings and the device. A range, because a shared core's pace
swings by minutes (core.step_pace). No Qt: the window's Fine-tune button and tests read it."""

from __future__ import annotations

import math

# a run's fixed part (loading a training copy, measuring before and after, re-asking questions) does not grow
# with the ratings: the share of a measured run's time that does not scale with how many ratings it read
FIXED_SHARE = 0.5
# the cautious rule where no run was measured: (minutes of the fixed part, minutes per rating) by device
RULE_MINUTES = {"processor": (3.0, 0.5), "gpu": (1.0, 0.1)}
SPREAD = (0.75, 1.5)  # the range around the estimate: a busier core, a longer check


def run_seconds(ratings: int, last_run: dict | None = None, on_processor: bool = True) -> tuple[float, float]:
    """(fewest, most) seconds a run on ``ratings`` ratings may take. ``last_run``: a finished run's metrics
    (``elapsed_s``, ``train_size`` and ``heldout_size``) on this computer, whose pace it follows."""
    measured = measured_seconds(ratings, last_run)
    if measured is None:
        fixed, per_rating = RULE_MINUTES["processor" if on_processor else "gpu"]
        measured = 60 * (fixed + per_rating * max(1, ratings))
    return measured * SPREAD[0], measured * SPREAD[1]


def measured_seconds(ratings: int, last_run: dict | None) -> float | None:
    """The last run's seconds scaled to ``ratings``: its fixed share as it was, the rest by the ratings' ratio;
    None where that run recorded no time or no ratings."""
    m = last_run or {}
    took, read = m.get("elapsed_s"), (m.get("train_size") or 0) + (m.get("heldout_size") or 0)
    if not took or not read or not math.isfinite(took):
        return None
    return took * (FIXED_SHARE + (1 - FIXED_SHARE) * max(1, ratings) / read)


def estimate_words(ratings: int, last_run: dict | None = None, on_processor: bool = True) -> str:
    """"A fine-tune on your 6 ratings takes about 2-4 min on this computer (the last run took 3 min)"."""
    low, high = run_seconds(ratings, last_run, on_processor)
    source = ("" if measured_seconds(ratings, last_run) is None
              else f" (the last run took {_minutes(last_run['elapsed_s'])})")
    device = "this computer's processor" if on_processor else "this computer's graphics card"
    return (f"A fine-tune on your {ratings} rating{'s' if ratings != 1 else ''} takes "
            f"{_span(low, high)} on {device}{source}")


def _span(low: float, high: float) -> str:
    """"about 2-4 min", "under a minute": whole minutes, as rough as the estimate is."""
    if high < 60:
        return "under a minute"
    lo, hi = max(1, math.floor(low / 60)), max(1, math.ceil(high / 60))
    return f"about {lo} min" if lo == hi else f"about {lo}-{hi} min"


def _minutes(seconds: float) -> str:
    return "under a minute" if seconds < 60 else f"{round(seconds / 60)} min"
