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


def times(ratio: float) -> str:
    """A ratio of chances of 1 or more, rounded as a person reads it ("2.4×", "136,761×")."""
    if ratio >= 1e6:
        return "over a million times"
    if ratio >= 100:
        return f"{ratio:,.0f}\u00d7"
    return f"{ratio:.1f}\u00d7" if ratio < 10 else f"{ratio:.0f}\u00d7"


def likelier_words(ratio: float) -> str:
    """How much likelier one chance is than another, ``ratio`` = first / second, always the way up:
    "136,761× less likely", "2.4× more likely" (a "7.31e-06× as likely" beside "136,761× less likely" for
    the same pair read as two figures: text67)."""
    if ratio <= 0:
        return "over a million times less likely"
    if times(max(ratio, 1 / ratio)) == "1.0\u00d7":
        return "about as likely"
    if ratio < 1:
        return f"{times(1 / ratio)} less likely"
    return f"{times(ratio)} more likely"
