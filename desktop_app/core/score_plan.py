"""Where a scoring's passes fall: the plan of fixed places and shapes every scoring of a text follows.

A text's first window is read in blocks (``block_width``), each on from the cache of those before
it, and a longer text window by window after it (``window_plan``). The plan depends on the text's
length and the model's window alone, so what an earlier scoring made can be kept for a text that
begins alike (``reusable_records``) and a scoring's passes told without running one
(``planned_passes``). No torch here: the plan is arithmetic on token counts.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.core.score_passes import Pass, kept_passes

# the tokens each pass of a text's first window reads (the last one padded to it; ``window_plan``):
# the first PASS_TOKENS, then as many as were read before it, at most PASS_TOKENS_MAX: a short text
# pads little, a long one takes few passes (bench/same_figures.py: the analysis against plain passes)
PASS_TOKENS, PASS_TOKENS_MAX = 64, 256


@dataclass(frozen=True)
class Window:
    """One forward pass of a scoring's plan: its predictions read ``full[begin:stop]`` and it
    predicts ``full[start:stop]``. The pass itself is fed ``width`` tokens from ``fed``
    (``full[fed:fed + width]``, padded past the text's end), after the model's cache of
    ``full[begin:fed]`` that the plan's passes before it made (a block of the first window),
    and makes the logits of the last ``rows`` of them."""

    begin: int
    start: int
    stop: int
    fed: int
    width: int
    rows: int

    @property
    def cached(self) -> bool:
        """Whether the pass reads on from the cache of the blocks before it."""
        return self.fed > self.begin


def window_plan(length: int, first: int, window: int) -> list[Window]:
    """The passes that score positions [first, length) of a text. Every pass has a fixed place
    and shape whatever the text's length: the first window is read in blocks (``block_width``:
    64, 64, 128, then 256 tokens), each after the cache of those before it; each later window
    predicts the next half window from the full window before it, so every token past the first
    window is predicted from at least half a window of text. The last pass is padded past the
    text's end.

    Why fixed: on 16-bit weights a pass's length changes a token's figures (the bundled model in
    bfloat16: up to 0.15 nats a token between a text read alone and inside a longer one), so a
    plan that followed the text's length gave one text other figures after a continuation, an
    edit and its undo, or typed in pieces than after a restart or from the CLI. In these passes a
    token's figures depend only on the tokens up to it (a causal model's position reads nothing
    after it; the kernels take the same path for the same shapes): the same text, model and
    adapter give the same figures however the analysis came about."""
    plan = _first_window_plan(length, first, window)
    stride = max(1, window // 2)
    start = window
    while start < length:
        end = start + stride  # the window's end, fixed: the last one reads padding past the text
        if end > first:
            plan.append(Window(end - window, max(start, first), min(length, end), end - window, window, stride + 1))
        start = end
    return plan


def _first_window_plan(length: int, first: int, window: int) -> list[Window]:
    """The blocks that predict the first window's targets [first, min(length, window)): block
    ``fed`` reads tokens [fed, fed + width) after the cache of those before it."""
    end, fed = min(length, window), 0
    plan = []
    while fed < end - 1:
        width = block_width(fed, window)
        start, stop = max(first, fed + 1), min(end, fed + width + 1)
        if start < stop:
            plan.append(Window(0, start, stop, fed, width, width))
        fed += width
    return plan


def block_width(fed: int, window: int) -> int:
    """The tokens the first window's block from token ``fed`` reads (fixed by ``fed`` alone)."""
    return max(1, min(window - fed, PASS_TOKENS_MAX, max(PASS_TOKENS, fed)))


def reusable_records(old_full: list[int], old_records: int, new_full: list[int], first: int) -> int:
    """How many leading records of a scoring of ``old_full`` (it has ``old_records`` of them,
    fewer when it was cancelled) hold for ``new_full``: those of the positions before the first
    change. The plan's passes have fixed places and shapes (``window_plan``), so a record read
    only tokens before it in a pass that a scoring of ``new_full`` reads alike: it is the very
    record a fresh scoring gives. A text that grew (a continuation after the person's words)
    keeps the person's figures (usertest 12: 29.9 -> 30.0 when a longer pass re-read them)."""
    same = 0
    for a, b in zip(old_full, new_full):
        if a != b:
            break
        same += 1
    return max(0, min(same - first, old_records))


def planned_passes(full: list[int], first: int, window: int, previous: tuple | None = None) -> list[Pass]:
    """The Passes ``score_ids`` makes for the targets ``full[first:]`` given ``previous`` (as
    score_ids takes it, with its passes as a third item), without running one: which windows
    it would keep and which it would read."""
    kept = 0 if previous is None else reusable_records(list(previous[0]), len(previous[1]), full, first)
    passes = kept_passes(previous_passes(previous), kept)
    return passes + [pass_of(w, w.stop - first) for w in window_plan(len(full), first, window)
                     if w.stop > first + kept]


def pass_of(w: Window, end: int) -> Pass:
    """The score_passes.Pass of a plan's window whose records end at ``end``: the ids it was fed."""
    return Pass(end, w.fed, w.fed + w.width)


def previous_passes(previous: tuple | None):
    """The Passes an earlier scoring (``previous``: ids, records[, passes]) says made its records;
    None when it did not say."""
    return previous[2] if previous is not None and len(previous) > 2 else None
