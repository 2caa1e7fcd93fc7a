"""The Fine-tune tab's "new since the last run" reads as English for one and for many (user test: "1 rating or
better answer new since run 1" read clumsy): "1 new rating or better answer since run 1"; the run card's hint
and its figures for a run from an adapter likewise."""

from __future__ import annotations

from desktop_app.gui.finetune_words import against_words, from_adapter_words
from desktop_app.gui.ready_words import headline_words
from test_newfirst38_new_ratings_first import _metrics


def test_the_ready_line_puts_new_before_the_noun_for_one_and_for_many():
    counts = {"total": 3, "ratings": 3, "thumbs_up": 2, "corrections": 1, "last_run": 2, "new_since_run": 1}
    assert headline_words(counts) == "<b>1 new rating or better answer since run 2</b>; 3 ratings in all: "
    counts["new_since_run"] = 3
    assert headline_words(counts) == "<b>3 new ratings or better answers since run 2</b>; 3 ratings in all: "
    counts["new_since_run"] = 0
    assert headline_words(counts) == "<b>Nothing new since run 2</b>; 3 ratings in all: "


def test_the_run_cards_words_on_new_ratings_read_naturally():
    hint = against_words(_metrics(moved=False))
    assert "the answers to what you rated since run 1 did not move toward your answers" in hint
    figures = from_adapter_words({"gate_margin_on": "held_out", "started_from_adapter": 1, "margin_held_out_base": 0.5,
                                  "margin_held_out_after": 0.7, "margin_new_before": 0.21, "margin_new_after": 1.47,
                                  "new_rated": 1})
    assert "on your 1 new rating since adapter 1: <b>0.21 \u2192 1.47</b>" in figures
    assert "the same preference margin: <b>0.50 \u2192 0.70</b>" in figures
    # each figure once (leftovers60: a muted copy repeated them to three places)
    assert "0.210" not in figures and "0.700" not in figures
    assert figures.count("0.21") == 1 and figures.count("0.5") == 1, figures
    assert "rating new since" not in figures
