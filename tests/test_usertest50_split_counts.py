"""A run's split beside its progress says examples where the ratings make more of them (usertest50: "70 of your
84 ratings to learn from" under the tab's "73 ratings in all: … 73 ratings make 84 training examples" read as
eleven ratings made up). The words, and the real window's Fine-tune panel on a run's progress report."""

from __future__ import annotations

import pytest

from desktop_app.core.progress_words import split_words

pytest.importorskip("PySide6")

from test_gui import make_window  # noqa: E402,F401


def test_the_split_counts_examples_made_from_the_ratings_where_they_differ():
    said = split_words((70, 14), ratings=73)
    assert said == ("70 of the 84 examples made from your 73 ratings to learn from, 14 kept aside to test the "
                    "result"), said
    assert split_words((5, 0), ratings=4) == ("All 5 examples made from your 4 ratings to learn from, none kept "
                                              "aside to test the result")
    # one example per rating: the ratings, as before (verdict75)
    assert split_words((5, 1), ratings=6) == "5 of your 6 ratings to learn from, 1 kept aside to test the result"
    assert split_words((5, 1)) == "5 of your 6 ratings to learn from, 1 kept aside to test the result"


def test_the_panel_says_the_split_with_the_ratings_it_counted_at_the_start(make_window):
    from desktop_app.core.training import TrainProgress

    window = make_window()
    panel = window.finetune_panel
    panel.total_at_run_start = 73  # the tab's count when the run started (set there as the run starts)
    panel.on_progress(TrainProgress(phase="preparing", split=(70, 14)))
    note = panel.split_note.text()
    assert note.startswith("70 of the 84 examples made from your 73 ratings"), note
    assert "your 84 ratings" not in note


def test_the_switch_line_says_examples_where_the_ratings_made_more_of_them():
    from desktop_app.gui.adapter_history_words import now_answering

    # run 1 of usertest50's store: 26 ratings (4 pairs of a liked and a disliked answer among them) made 30 examples
    metrics = {"train_size": 26, "heldout_size": 4, "data_sibling_pairs": 4, "data_token_ratings": 1,
               "data_token_rated_answers": 1}
    said = now_answering({"id": 1, "metrics": metrics})
    assert said == ("Now answering with adapter 1 (learnt from 26 of 30 examples made from your ratings, 4 kept "
                    "aside to test the result)."), said
    two_tokens = {"train_size": 5, "heldout_size": 0, "data_token_ratings": 2, "data_token_rated_answers": 1}
    assert "learnt from all 5 examples made from your ratings" in now_answering({"id": 2, "metrics": two_tokens})
    one_each = {"train_size": 5, "heldout_size": 1, "data_sibling_pairs": 0}  # one example per rating: ratings
    assert now_answering({"id": 2, "metrics": one_each}) == ("Now answering with adapter 2 (learnt from 5 of your 6 "
                                                            "ratings, 1 kept aside to test the result).")
