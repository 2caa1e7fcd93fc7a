"""leftovers64: Compare's "Fell most" chip for "The" showed no background beside chips that had one: a token
that moved little got the change palette's neutral, near-white on a near-white window (and the dark neutral
on a dark one), so its chip was the window's own colour. A chip is now at least a tint of its end."""

from __future__ import annotations

import math
import re

import pytest

from desktop_app.core.palette import contrast_ratio
from desktop_app.core.records import TokenRecord
from desktop_app.gui.compare_words import deltas, movers_words
from desktop_app.gui.theme import colors

TEXTS = ["The", " way", " to", " boil"]


def _records(probs):
    return [TokenRecord(id=i, text=t, logprob=math.log(p), rank=1, entropy=0.5)
            for i, (t, p) in enumerate(zip(TEXTS, probs))]


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


@pytest.mark.parametrize("dark", [False, True])
def test_a_chip_for_a_token_that_moved_little_stands_out_from_the_window(dark):
    # "The" fell from 70% to 67% while " boil" fell far: the scale is set by the big move
    before, after = _records([0.70, 0.2, 0.5, 0.4]), _records([0.67, 0.3, 0.5, 0.01])
    values = deltas(before, after)
    words = movers_words(before, after, values, 4.0, lambda i: TEXTS[i].strip(), str, dark)
    fell = words[words.index("Fell most"):]
    chip = re.search(r"background:(#[0-9a-f]{6}); color:#[0-9a-f]{6};'>&nbsp;The&nbsp;", fell)
    assert chip, fell
    window = colors(dark)["window"]
    assert contrast_ratio(_rgb(chip.group(1)), _rgb(window)) >= 1.25, (chip.group(1), window)
    assert "67.0%" in fell, "the figures still say how little it moved"
