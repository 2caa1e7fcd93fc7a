"""How long a fine-tune on the ratings waiting would take, said before the click (verdict75: nothing said it,
and a run takes minutes). From the last finished run of the model where there is one (its wall seconds, scaled
by the ratings), else a cautious rule by the ratings and the device. A range, because a shared core's pace
swings by minutes (core.step_pace). No Qt: the window's Fine-tune button and tests read it."""

from __future__ import annotations

import math
import os

# (seconds, seconds per rating) of a run where none was measured on this computer, by device. A run's
# updates follow the data's size (core.train_schedule), not a fixed number of epochs, and its measuring
# before and after does not grow with the ratings, so its time is mostly fixed: on the bundled SmolLM2-135M
# on one core (bench/learning_effect.py, sessions 60-61) 8 ratings took 70-170 CPU-s and 100 ratings
# 220-340. The graphics card's pair is a guess, kept cautious.
RULE_SECONDS = {"processor": (90.0, 2.5), "gpu": (30.0, 0.5)}
SPREAD = (0.75, 1.5)  # the range around the estimate: a busier core, a longer check


def rule_seconds(ratings: int, on_processor: bool = True) -> float:
    fixed, per_rating = RULE_SECONDS["processor" if on_processor else "gpu"]
    return fixed + per_rating * max(1, ratings)


def run_seconds(ratings: int, last_run: dict | None = None, on_processor: bool = True) -> tuple[float, float]:
    """(fewest, most) seconds a run on ``ratings`` ratings may take. ``last_run``: a finished run's metrics
    (``elapsed_s``, ``train_size`` and ``heldout_size``) on this computer, whose pace it follows."""
    measured = measured_seconds(ratings, last_run, on_processor)
    if measured is None:
        measured = rule_seconds(ratings, on_processor)
    return measured * SPREAD[0], measured * SPREAD[1]


def measured_seconds(ratings: int, last_run: dict | None, on_processor: bool = True) -> float | None:
    """The last run's seconds scaled to ``ratings`` as the rule scales (this computer's and this model's pace,
    the rule's shape: a run on 100 ratings is not 12 times one on 8); None where that run recorded no time or
    no ratings."""
    m = last_run or {}
    took, read = m.get("elapsed_s"), (m.get("train_size") or 0) + (m.get("heldout_size") or 0)
    if not took or not read or not math.isfinite(took):
        return None
    return took * rule_seconds(ratings, on_processor) / rule_seconds(read, on_processor)


# other programs' share of the processor from which the first run's estimate says it is slower (a load of 1.3
# programs a core): below it, a busy minute is within the estimate's own spread
BUSY_FROM = 1.3


def processor_busy() -> float:
    """How many programs wanted each core over the last minute (the load average over the cores), at least 1:
    a run shares its core with them. usertest47: with two other programs on its core, a first run said "about
    1-3 min" before the click and took about 10."""
    try:
        return max(1.0, os.getloadavg()[0] / max(1, os.cpu_count() or 1))
    except OSError:  # no load average on this system
        return 1.0


def estimate_words(ratings: int, last_run: dict | None = None, on_processor: bool = True,
                   busy: float = 1.0) -> str:
    """"A fine-tune on your 6 ratings takes about 2-4 min on this computer (the last run took 3 min)".
    ``busy`` (``processor_busy``): a first run on a busy processor is that many times slower than the rule; a
    measured run already took its computer's load in its time."""
    low, high = run_seconds(ratings, last_run, on_processor)
    measured = measured_seconds(ratings, last_run, on_processor) is not None
    slowed = on_processor and not measured and busy >= BUSY_FROM
    if slowed:
        low, high = low * busy, high * busy
    source = (f" (the last run took {_minutes(last_run['elapsed_s'])})" if measured
              else " (longer than usual: other programs keep it busy)" if slowed else "")
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
