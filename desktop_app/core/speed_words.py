"""How fast an answer was written, as every place shows it: the answer card's "1.0 tok/s", the status bar's
"1.0 tokens/s", the CLI's line under a generation. One figure for all: an answer's row keeps its speed to two
decimals, and the one decimal shown is rounded half up from those, so the live figure and the stored one read
the same (0.9512 is kept as 0.95, which a float's own rounding had shown as "0.9" on the card beside the status
bar's "1.0")."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

KEPT_DECIMALS = 2


def kept_speed(tokens_per_s: float) -> float:
    """The tokens a second an answer's row keeps (``settings["tokens_per_s"]``)."""
    return round(tokens_per_s, KEPT_DECIMALS)


def per_second(tokens_per_s: float) -> str:
    """``tokens_per_s``, live or as kept, to one decimal: "1.0" for 0.9512 and for its kept 0.95 alike."""
    kept = Decimal(str(kept_speed(tokens_per_s)))
    return str(kept.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
