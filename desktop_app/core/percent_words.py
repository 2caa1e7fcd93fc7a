"""A probability as a person reads it, the same in the window and the CLI."""

from __future__ import annotations

import math


def percent(prob: float) -> str:
    """A probability in per cent, with two significant digits below 1% ("0.012%"): a token the adapter
    made twice as likely had read "0.0% \u2192 0.0%"."""
    value = prob * 100
    if value >= 1 or value == 0:
        return f"{value:.1f}%"
    if value < 1e-4:
        return "<0.0001%"
    decimals = 1 - math.floor(math.log10(value))
    if round(value, decimals) >= 10 ** (2 - decimals):  # 0.00998 rounds up to the next decade: "0.010%", not "0.0100%"
        decimals -= 1
    return f"{value:.{decimals}f}%"
