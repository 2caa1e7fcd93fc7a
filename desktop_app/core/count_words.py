"""A count and its noun as a person reads it, "1 token" and "2 tokens", the same in the window, the CLI
and core's own words (each had written the "s" rule again, a dozen times over)."""

from __future__ import annotations


def plural(noun: str, n: int) -> str:
    """``noun`` as ``n`` of it reads: "answer" for one, "answers" for none or many ("passes", "matches": a noun
    ending in a hiss takes "es")."""
    if n == 1:
        return noun
    return noun + ("es" if noun.endswith(("s", "x", "ch", "sh")) else "s")


def counted(n: int, noun: str, *, grouped: bool = False) -> str:
    """"1 token", "0 tokens", "3 rated answers"; ``grouped``: thousands with commas ("1,024 tokens"),
    where a count can run that high (tokens)."""
    return f"{n:,} {plural(noun, n)}" if grouped else f"{n} {plural(noun, n)}"
