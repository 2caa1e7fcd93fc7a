"""The training steps' time left, from the steps as they are timed.

On a shared core a step's time swings by minutes: the mean over the whole run so far kept the
pace of the run's start, and between two reports the time left stood still while a step took
far longer than it said (usertest40: "about 33 min left", then minutes at the same step). So the
pace is the mean of the last few steps timed, the first step (the slowest: it warms up the
model's buffers) left out once another is timed, and a step running past that pace makes the
time left grow as it runs (``left_now``).

No Qt, no torch: ``core.training`` times the steps, the window's panel re-tells the time left
between two reports.
"""

from __future__ import annotations

from collections import deque

RECENT_STEPS = 4  # the steps the pace is the mean of: a few, so that a busier core shows within minutes


class StepPace:
    """Seconds per training step from the last ``RECENT_STEPS`` steps timed."""

    def __init__(self):
        self.first: float | None = None
        self.recent: deque[float] = deque(maxlen=RECENT_STEPS)

    def record(self, seconds: float) -> None:
        if self.first is None:
            self.first = seconds
        else:
            self.recent.append(seconds)

    def per_step(self) -> float | None:
        """None before any step is timed; the first step's seconds until a second one is timed."""
        if self.recent:
            return sum(self.recent) / len(self.recent)
        return self.first


def left_now(per_step: float | None, steps_left: int, running_s: float) -> float | None:
    """Seconds left of the ``steps_left`` steps not yet done (the one under way among them), ``running_s``
    after the step before them was reported. Within the pace it counts down; a step running past the pace
    counts at least the seconds it has run, and so do the steps after it, so the figure grows with it."""
    if per_step is None:
        return None
    if steps_left <= 0:
        return 0.0
    running_s = max(0.0, running_s)
    return (steps_left - 1) * max(per_step, running_s) + max(0.0, per_step - running_s)
