"""Compare's line under "Rose most" gave a bare punctuation token beside its figure, broken over
lines: "… before . 16% · , 13% → …" read as the line's own punctuation. Each token is quoted as the
sentence quotes it and held to its figure (and to the "·" after it) by non-breaking spaces."""

from __future__ import annotations

import pytest

from helpers import token_record

pytest.importorskip("PySide6")


def test_punctuation_tokens_are_quoted_and_held_to_their_figures():
    from desktop_app.gui.compare_words import displaced_words
    from desktop_app.core.token_words import token_label

    full_stop, comma = 13, 11
    before = token_record(comma, ",", 0.13, [(full_stop, ".", 0.16), (comma, ",", 0.13)])
    after = token_record(comma, ",", 0.40, [(comma, ",", 0.40), (full_stop, ".", 0.10)])
    words = displaced_words(before, after, token_label)
    assert "before \u201c.\u201d\u00a016%\u00a0\u00b7 \u201c,\u201d\u00a013%" in words, words
    assert "after \u201c,\u201d\u00a040%\u00a0\u00b7 \u201c.\u201d\u00a010%" in words, words
    assert ". 16%" not in words and ", 13%" not in words


def test_every_figure_is_held_to_its_quoted_token():
    """Split where a line may break (plain spaces): each piece with a figure starts with its token."""
    from desktop_app.gui.compare_words import displaced_words
    from desktop_app.core.token_words import token_label

    before = token_record(11, ",", 0.13, [(13, ".", 0.16), (11, ",", 0.13)])
    after = token_record(11, ",", 0.40, [(11, ",", 0.40), (13, ".", 0.10)])
    pieces = [piece for piece in displaced_words(before, after, token_label).split(" ") if "%" in piece]
    assert len(pieces) == 4, pieces
    assert all(piece.startswith("\u201c") and "\u201d\u00a0" in piece for piece in pieces), pieces
