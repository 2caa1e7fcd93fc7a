"""The first window's key/value cache of a model's last scorings, kept between them.

A text's first window is read in blocks, each on from the cache of those before it
(``scoring.window_plan``). An edit keeps every record before the first changed token, but the
block it falls in needs the cache of the blocks before it: without this, those were read again
(an edit at the end of a 2,000-token text re-read 1,792 tokens to score 256). Kept here, one
cache per scoring key (model, adapter, precision: what a key and value depend on), at most
``KEPT_CACHES`` of them (the analysis under the adapter and the base model's pass of
"Fine-tune's change"), together at most ``KEPT_BYTES`` after each scoring (``trim``: the newest
first; one past it keeps its first blocks). Dropped when the adapter changes (``adapters.attach``,
``detach``), at a model load and a fine-tune's start; a new model or precision is a new LoadedModel.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable

KEPT_CACHES = 2
# the bundled model's keys and values take 23 KB a token in bfloat16 (46 KB in float32): two caches of
# a 2,000-token text's first window in float32, or one of 8,192 tokens in bfloat16 and more
KEPT_BYTES = 256 * 2**20


class KeptBlocks:
    """Scoring key -> the cache its last scoring left (``scoring.BlockCache``), newest last."""

    def __init__(self) -> None:
        self._by_key: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, make: Callable[[], object]) -> object:
        """The cache kept for ``key`` (a new one from ``make`` when none), now the newest; the
        oldest beyond ``KEPT_CACHES`` are let go."""
        with self._lock:
            held = self._by_key.pop(key, None)
            self._by_key[key] = held if held is not None else make()
            while len(self._by_key) > KEPT_CACHES:
                self._by_key.popitem(last=False)
            return self._by_key[key]

    def trim(self, window: int, budget: int | None = None) -> None:
        """Hold at most ``budget`` bytes (default KEPT_BYTES), the newest cache first: one that does
        not fit in what is left keeps only its first blocks that do (``BlockCache.fit``)."""
        left = KEPT_BYTES if budget is None else budget
        with self._lock:
            for held in reversed(list(self._by_key.values())):
                held.fit(max(0, left), window)
                left -= held.nbytes

    def nbytes(self) -> int:
        """The memory the kept caches take."""
        with self._lock:
            return sum(held.nbytes for held in self._by_key.values())

    def clear(self) -> None:
        with self._lock:
            self._by_key.clear()

    def __len__(self) -> int:
        return len(self._by_key)
