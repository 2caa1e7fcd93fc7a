"""Usertest 19: Compare's line under "Rose most" named the end of an answer "␣⏎␣end" ("“␣⏎␣end”
took the place of “␣This”: before ␣This 23% · ␣⏎␣end 14% → after ␣⏎␣end 94% …"), while its chip
and the summary above it say "⏎ end": the end cell's " ⏎ end" went through token_label, which marks
spaces. The figures are the walk's (the bundled model, "A spider has eight legs." taught)."""

from __future__ import annotations

import pytest

from helpers import token_record

pytest.importorskip("PySide6")


def test_the_end_that_took_a_place_reads_as_its_chip():
    from desktop_app.gui.compare_words import END_CELL, displaced_words
    from desktop_app.core.token_words import token_label

    end, this, newline = 2, 7, 9
    before = token_record(end, END_CELL, 0.14, [(this, " This", 0.23), (end, "<|im_end|>", 0.14)])
    after = token_record(end, END_CELL, 0.94, [(end, "<|im_end|>", 0.94), (newline, "\n", 0.04), (this, " This", 0.001)])
    words = displaced_words(before, after, token_label)
    assert words.startswith("\u201c\u23ce end\u201d took the place of \u201c\u2423This\u201d")
    assert "before \u201c\u2423This\u201d\u00a023%\u00a0\u00b7 \u201c\u23ce end\u201d\u00a014% \u2192 after \u201c\u23ce end\u201d\u00a094%" in words
    assert "\u2423\u23ce" not in words
