"""A token's figures said in one plain sentence: what the model guessed first at that place and where the
written token stood among its guesses. usertest70: a novelist clicked "envelope" and met token id, log-probability,
entropy and surprisal in bits, and could not say whether the model had expected the word; "its first guess was
“letter” (15.7%); “envelope” was its 448th guess" answers that in the words they came with. No Qt: the
inspector shows it, and the CLI may print it.
"""

from __future__ import annotations

from desktop_app.core.records import TokenRecord
from desktop_app.core.token_words import listed_alternatives, listed_label, listed_percents

ONE_IN_BELOW = 0.1  # under 10% a chance reads better as "about 1 in 40" than as a small percentage alone


def ordinal(number: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 1,002nd."""
    if number % 100 in (11, 12, 13):
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number:,}{suffix}"


def one_in(prob: float) -> str:
    """ ", about 1 in 4,000" for a small chance, rounded to two significant digits as a person says it; "" above
    ``ONE_IN_BELOW`` or for no chance at all."""
    if not 0 < prob < ONE_IN_BELOW:
        return ""
    times = 1 / prob
    digits = len(str(int(times))) - 2
    rounded = int(round(times, -digits)) if digits > 0 else round(times)
    return f", about 1 in {rounded:,}"


def guess_sentence(record: TokenRecord) -> str:
    """The model's first guess at this place and where the written token stood among its guesses, with their
    chances as the alternatives' rows show them. The written token's own rank is used, which counts the whole
    vocabulary, so a token outside the kept alternatives still reads "its 448th guess"."""
    listed = listed_alternatives(record)
    texts, _tied = listed_percents(record)
    own = next(i for i, alt in enumerate(listed) if alt.id == record.id)
    written = f"\u201c{listed_label(listed[own], record)}\u201d"
    if record.rank <= 1:
        return f"{written} was the model's first guess here ({texts[own]})."
    place = f"its {ordinal(record.rank)} guess ({texts[own]}{one_in(record.prob)})"
    if own == 0:  # no alternative kept above it (Settings' "Alternatives kept" at 0): its place alone
        return f"{written} was the model's {place.removeprefix('its ')}."
    first = f"\u201c{listed_label(listed[0], record)}\u201d ({texts[0]})"
    return f"The model's first guess here was {first}; {written} was {place}."
