"""The layer grid's log scale: where a probability lies between a grid's lowest and highest, a tenfold
rise one step of colour at any level. Apart from core.lens because the window draws with it, and core.lens
imports torch, which the window's modules must not (tests/test_startup_imports.py)."""

from __future__ import annotations

import math

# the dimmest colour of the layer grid's log scale: 0.0001%; anything rarer is as dark, as six
# decades under a certain token are as many as the eye tells apart in one palette
LOG_FLOOR = 1e-6


def log_scale(probs: list[list[float]]) -> tuple[float, float]:
    """The (lowest, highest) probability a log-scaled colouring of ``probs`` spans: the grid's own
    highest, and its lowest no lower than LOG_FLOOR (at least a decade under the highest)."""
    values = [p for row in probs for p in row] or [1.0]
    high = max(max(values), LOG_FLOOR * 10)
    return min(max(min(values), LOG_FLOOR), high / 10), high


def log_position(prob: float, low: float, high: float) -> float:
    """Where ``prob`` lies between ``low`` (0) and ``high`` (1) on a log scale, clamped to [0, 1]:
    a token a layer finds ten times likelier is a step brighter however unlikely it is."""
    if prob <= low:
        return 0.0
    return min(1.0, math.log(prob / low) / math.log(high / low))
