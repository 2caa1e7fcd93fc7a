"""What the inspector keeps per token (a finished explanation, a word probe's answer): the newest last, the
oldest dropped past a bound, nothing kept under a key with a None in it (a Text token not analysed as shown)."""

from __future__ import annotations


def keep_newest(store: dict, key: tuple, value, limit: int) -> None:
    """``store[key] = value`` as its newest entry; the oldest go while there are more than ``limit``."""
    if None in key:
        return
    store.pop(key, None)
    store[key] = value
    while len(store) > limit:
        store.pop(next(iter(store)))
