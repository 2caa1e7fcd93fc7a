"""usertest45, finding 1 (pytest-qt): the layer grid's caption said "the most likely token from layer 3 on"
of a token ahead at layer 3 only, and of a token never ahead only that: where the model's own choice took
the lead was left to hovering the grid's cells one by one."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")


def _lens(layer_top_ids, first_top1, chosen=1):
    """Five rows (embeddings, layers 1-4); each row's most likely token ``layer_top_ids[row]``."""
    from desktop_app.core.lens import LogitLens

    texts = {1: " three", 2: " two", 3: " one"}
    return LogitLens(layer_names=["embeddings"] + [f"layer {i}" for i in range(1, 5)], token_ids=[chosen, 2, 3],
                     token_texts=[texts[chosen], " two", " one"],
                     probs=[[0.3, 0.4, 0.1] for _ in range(5)],
                     ranks=[[1 if top == chosen else 2, 1 if top == 2 else 3, 3] for top in layer_top_ids],
                     layer_top=[(top, texts[top], 0.885 if row == 4 else 0.4)
                                for row, top in enumerate(layer_top_ids)],
                     first_top1=first_top1)


# ---------------------------------------------------------------- 1. where a token leads, in the grid's caption

def test_a_token_ahead_at_one_early_layer_is_not_said_to_lead_from_there_on(qtbot):
    from desktop_app.gui.explain_view import LensGrid, lens_words

    lens = _lens([2, 1, 2, 1, 1], first_top1=1)  # ahead at layer 1, overtaken at 2, ahead again from 3
    grid = LensGrid()
    qtbot.addWidget(grid)
    grid.set_lens(lens)
    words = lens_words(lens)
    assert "from layer 1 on" not in words, words
    assert "first at layer 1 (\u25b6)" in words and "from layer 3 on" in words, words


def test_a_token_never_ahead_names_the_last_layers_choice_and_where_it_took_the_lead(qtbot):
    from desktop_app.gui.explain_view import LensGrid, lens_words

    lens = _lens([3, 3, 2, 2, 2], first_top1=None)  # " two" leads from layer 2 to the last
    grid = LensGrid()
    qtbot.addWidget(grid)
    grid.set_lens(lens)
    words = lens_words(lens)
    assert "not the most likely token at any layer" in words
    assert "\u201c\u2423two\u201d (88.5%), ahead from layer 2 on" in words, words
    assert lens.leads_from(2) == 2 and lens.leads_from(3) is None and lens.leads_from(1) is None


def test_a_token_ahead_from_its_first_lead_to_the_last_layer_reads_as_before(qtbot):
    from desktop_app.gui.explain_view import lens_words

    assert "the most likely token from layer 3 on (\u25b6)" in lens_words(_lens([2, 2, 2, 1, 1], first_top1=3))
    words = lens_words(_lens([2, 1, 1, 1, 2], first_top1=1))  # ahead in the middle, not at the end
    assert "at layer 1 (\u25b6) but not at the last layer, where \u201c\u2423two\u201d is" in words, words
    words = lens_words(_lens([2, 2, 2, 2, 1], first_top1=4))  # ahead at the last layer alone: no run of layers
    assert "the most likely token at the last layer only (\u25b6)" in words and "from layer 4 on" not in words, words
