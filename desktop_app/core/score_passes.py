"""Which forward pass made which of a scoring's records, and whether two scorings were made in
the same passes.

On 16-bit weights (and by a rounding error in float32) a token's log-probability depends on the
length of the pass that read it, not only on the tokens before it: the bundled model in bfloat16
gave 54 tokens read alone and inside 184 up to 0.18 nats a token apart. The scorings' passes now
have fixed places and shapes (``scoring.window_plan``), so every complete scoring of one text is
read in the same passes, kept records and all; this record of them still guards the Text tab's
"Fine-tune's change" (under the adapter, under the base model), which is comparable token by
token only when each token was read in a pass of the same place and length in both: then their
difference is the models', not the arithmetic of two pass plans. A pass read in the same place
and length over tokens that differ only after the ones it is kept for gives those the same
figures (a causal model's position reads nothing after it, and the kernels take the same path
for the same shape), so passes are compared by their place and length, neighbours of the same
shape as one.
"""

from __future__ import annotations

from dataclasses import dataclass

UNKNOWN = -1  # a pass's place, for records kept from a scoring that did not say which passes made them


@dataclass(frozen=True)
class Pass:
    """The records from the previous Pass's ``end`` up to ``end`` (counted from the first
    scored token) came from one forward pass fed the text's ids ``begin:stop`` (counted with the
    start token plain text is read after, as ``scoring.score_ids`` counts them; padded past the
    text's end, after the cache of the ids before ``begin`` for a block of the first window)."""

    end: int
    begin: int
    stop: int


def kept_passes(passes, kept: int) -> list[Pass]:
    """The passes of an earlier scoring's first ``kept`` records (``passes``: its Passes, or
    None when it did not say: then one pass of unknown place)."""
    if kept <= 0:
        return []
    if passes is None:
        return [Pass(kept, UNKNOWN, UNKNOWN)]
    out = []
    for p in passes:
        if p.end >= kept:
            out.append(Pass(kept, p.begin, p.stop))
            return out
        out.append(p)
    return out + [Pass(kept, UNKNOWN, UNKNOWN)]  # more records than passes said: not known


def shapes(passes) -> list[tuple[int, int, int]] | None:
    """(end, begin, stop) with neighbours of one place and length as one; None when a pass is
    not known (nothing can be said the same)."""
    out: list[tuple[int, int, int]] = []
    for p in passes:
        if p.begin == UNKNOWN:
            return None
        if out and out[-1][1:] == (p.begin, p.stop):
            out[-1] = (p.end, p.begin, p.stop)
        else:
            out.append((p.end, p.begin, p.stop))
    return out


def same_passes(a, b) -> bool:
    """Whether two scorings' records were read in passes of the same places and lengths."""
    shape_a, shape_b = shapes(a), shapes(b)
    return shape_a is not None and shape_a == shape_b
