"""The first window's key/value cache of a model's last scorings, kept between them.

A text's first window is read in blocks, each on from the cache of those before it
(``scoring.window_plan``). An edit keeps every record before the first changed token, but the
block it falls in needs the cache of the blocks before it: without this, those were read again
(an edit at the end of a 2,000-token text re-read 1,792 tokens to score 256). Kept here, one
cache per scoring key (model, adapter, precision: what a key and value depend on), at most
``KEPT_CACHES`` of them (the analysis under the adapter and the base model's pass of
"Fine-tune's change"), each at most one window's: bounded memory. Dropped when the adapter
changes (``adapters.attach``, ``detach``); a new model or precision is a new LoadedModel.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable

KEPT_CACHES = 2


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

    def clear(self) -> None:
        with self._lock:
            self._by_key.clear()

    def __len__(self) -> int:
        return len(self._by_key)
