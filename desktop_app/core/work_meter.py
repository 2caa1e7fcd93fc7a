"""Counts from inside long loops, for whoever on this thread is listening.

A fine-tune's measuring work (the gate's margins, the probe, the greedy re-asks) runs in
loops deep in gate.py, reasking.py and train_measure.py; passing a progress callback down
through every layer would thread it through functions that are also used with no one
listening. Instead a loop calls ``advance(what, done, total)`` and a caller that wants
counts wraps the work in ``listening(callback)``. Per thread: the chat thread's own passes
never reach a fine-tune's panel. No listener: ``advance`` does nothing.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Callable

Listener = Callable[[str, int, int], None]  # (what is being done, done, total)
# ``what`` may place the numbers itself ("token {done} of at most {total}"), else they follow it

_local = threading.local()


@contextlib.contextmanager
def _this_thread(name: str, value):
    """``value`` is this thread's ``name`` inside the body (the outer one comes back afterwards)."""
    outer = getattr(_local, name, None)
    setattr(_local, name, value)
    try:
        yield
    finally:
        setattr(_local, name, outer)


def listening(listener: Listener | None):
    """``listener`` hears this thread's ``advance`` calls inside the body (the outer one
    comes back afterwards)."""
    return _this_thread("listener", listener)


@contextlib.contextmanager
def overheard():
    """The body's counts still reach the listener outside it; the list it yields is not empty once one was
    heard (a part that counted nothing, taken from a cache, can say so with a count of its own)."""
    outer = getattr(_local, "listener", None)
    heard: list[str] = []

    def listen(what: str, done: int, total: int) -> None:
        heard.append(what)
        if outer is not None:
            outer(what, done, total)

    with listening(listen):
        yield heard


def naming(subject: str):
    """The body's counts are of ``subject`` (``subject()`` says it to a listener on this thread): the same
    loop counts the ratings a run trains on, then its held-out ones, and its own words cannot tell them
    apart ("scoring the 6 answers your examples compare" twice in one part, usertest32)."""
    return _this_thread("subject", subject)


def subject() -> str | None:
    """What this thread's counts are of, where a caller named it (``naming``)."""
    return getattr(_local, "subject", None)


def advance(what: str, done: int, total: int) -> None:
    """``done`` of ``total`` pieces of ``what`` (``words`` puts them in words)."""
    listener = getattr(_local, "listener", None)
    if listener is not None and total > 0:
        listener(what, done, total)


def words(what: str, done: int, total: int) -> str:
    """``advance``'s figures in a line: "re-asking 12 questions at once: 40 of at most 64 tokens of each answer";
    ``{s}`` in ``what`` is a plural's "s" after ``total`` (a run on one rated answer read "scoring the 1 answers
    your examples compare", cli52)."""
    if "{done}" not in what:
        return f"{what} {done} of {total}"
    return what.format(done=done, total=total, s="" if total == 1 else "s")
