"""A count and its noun as a person reads it, "1 token" and "2 tokens", the same in the window, the CLI
and core's own words (each had written the "s" rule again, a dozen times over)."""

from __future__ import annotations


def plural(noun: str, n: int) -> str:
    """``noun`` as ``n`` of it reads: "answer" for one, "answers" for none or many."""
    return noun if n == 1 else noun + "s"


def counted(n: int, noun: str, *, grouped: bool = False) -> str:
    """"1 token", "0 tokens", "3 rated answers"; ``grouped``: thousands with commas ("1,024 tokens"),
    where a count can run that high (tokens)."""
    return f"{n:,} {plural(noun, n)}" if grouped else f"{n} {plural(noun, n)}"
