"""The model's key/value cache of a text's first blocks (``BlockCache``), which the next block of a
scoring reads on from and the next scoring of a text that begins alike keeps, and a later window's
pass stopped between layers (``StoppedPass``), which it holds until that pass runs again.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import torch

from desktop_app.core.models import LoadedModel
from desktop_app.core.score_plan import Window, block_width


class Stopped(Exception):
    """A cancel heard inside a window's pass: the records of the windows before it stand."""


@dataclass(frozen=True)
class StoppedPass:
    """A later window's pass stopped between two of its layers (a chat answer came first): what it was
    fed, and the output of the last layer it ran. Run again, the same pass starts after that layer
    (``scoring._resumable``), and its figures are the very ones of a pass run whole: the next layer reads the
    same input. Kept on the scoring's BlockCache, so it belongs to one model, adapter and precision."""

    fed: tuple
    window: Window
    layer: int
    output: object

    @property
    def nbytes(self) -> int:
        parts = self.output if isinstance(self.output, tuple) else (self.output,)
        return sum(t.nbytes for t in parts if isinstance(t, torch.Tensor))


@dataclass
class BlockCache:
    """The model's cache of ``ids``, the first tokens of a text as its first window's blocks read
    them in their plan's passes (``window_plan``; the last one padded past the text's end): the
    next block reads on from it. Kept after a scoring (``kept_blocks.KeptBlocks``), it serves the
    next scoring of a text that begins with the same blocks: their keys and values are the very
    ones a fresh reading makes (a causal model's position reads nothing after it)."""

    ids: tuple = ()
    cache: object = None
    stopped: "StoppedPass | None" = None  # a later window's pass stopped between layers (``_resumable``)

    @property
    def tokens(self) -> int:
        return len(self.ids)

    def read_to(self, loaded: LoadedModel, full: list[int], fed: int, cancel: threading.Event | None) -> None:
        """Hold the cache of ``full[:fed]`` (``fed``: a block's start): what it holds of the blocks
        ``full`` begins with is kept, the blocks after them are read now, in their plan's passes,
        without their records. Raises Stopped when ``cancel`` is set between two."""
        self._keep(full, fed, loaded.context_window)
        while self.tokens < fed:
            if cancel is not None and cancel.is_set():
                raise Stopped()
            block = full[self.tokens:self.tokens + block_width(self.tokens, loaded.context_window)]
            self.read(loaded, block, logits_to_keep=1)

    def read(self, loaded: LoadedModel, block: list[int], **kwargs):
        """One block's pass on from the cache (``kwargs``: the model's, logits_to_keep among them);
        the model's output. Emptied while it runs: a pass stopped or failed inside leaves a cache
        half grown, which nothing may read on from."""
        ids, cache = self.take()
        out = loaded.model(input_ids=torch.tensor([block], device=loaded.device), cache=cache, use_cache=True,
                           **kwargs)
        self.ids, self.cache = ids + tuple(block), out.cache
        return out

    def take(self) -> tuple[tuple, object]:
        """(ids, cache) it holds, and it holds none any more."""
        held = self.ids, self.cache
        self.ids, self.cache = (), None
        return held

    def _keep(self, full: list[int], fed: int, window: int) -> None:
        """Keep the cache of the most blocks that ``full[:fed]`` begins with (cut the rest off)."""
        same = 0
        for a, b in zip(self.ids[:fed], full):
            if a != b:
                break
            same += 1
        end = 0
        while end + block_width(end, window) <= same:
            end += block_width(end, window)
        if end != self.tokens:
            self._cut(end, copy=False)  # (the next block's pass makes new tensors of them anyway)

    @property
    def nbytes(self) -> int:
        """The memory its keys and values and a stopped pass's layer output take."""
        return self._kv_bytes + (self.stopped.nbytes if self.stopped is not None else 0)

    @property
    def _kv_bytes(self) -> int:
        return sum(t.nbytes for layer in getattr(self.cache, "layers", ()) for t in _layer_tensors(layer))

    def fit(self, budget: int, window: int) -> None:
        """Keep only its first blocks whose keys and values take at most ``budget`` bytes (copied,
        so the memory of those cut off goes now: a view of them would hold all of it), less what a
        stopped pass takes (let go itself when it alone is over)."""
        if self.stopped is not None:
            if self.stopped.nbytes > budget:
                self.stopped = None
            else:
                budget -= self.stopped.nbytes
        size = self._kv_bytes
        if size <= budget:
            return
        end = 0
        while end < self.tokens and (end + block_width(end, window)) * size <= budget * self.tokens:
            end += block_width(end, window)
        self._cut(end, copy=True)

    def _cut(self, end: int, copy: bool) -> None:
        """Hold the cache of its first ``end`` tokens (a block's start), or none where the cache
        cannot be cut."""
        from transformers.cache_utils import DynamicLayer

        layers = getattr(self.cache, "layers", None)
        # a plain layer holds its keys and values and nothing else that counts them (a sliding one does)
        if end == 0 or not layers or not all(type(layer) is DynamicLayer and layer.is_initialized for layer in layers):
            self.take()
            return
        for layer in layers:
            keys, values = (t[..., :end, :] for t in _layer_tensors(layer))
            layer.keys, layer.values = (keys.clone(), values.clone()) if copy else (keys, values)
        self.ids = self.ids[:end]


def _layer_tensors(layer) -> list:
    """A cache layer's key and value tensors (none before its first pass)."""
    return [t for t in (getattr(layer, "keys", None), getattr(layer, "values", None)) if t is not None]
