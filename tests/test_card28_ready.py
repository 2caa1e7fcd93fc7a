"""User test 11, #11: the Fine-tune tab's ready line ("8 examples ready: 3 better answers (each paired
with the answer it replaces), 4 thumbs, 1 rated token. 3 thumbs on answers you also corrected are used
twice: ...", read three times) says what the run trains on in plain words, each kind once; how each
kind is used is its tooltip."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from test_gui import make_window  # noqa: E402,F401


def test_the_ready_line_reads_at_a_glance_and_keeps_its_details_in_the_tooltip(make_window):
    window = make_window(wait=False)
    panel = window.finetune_panel
    # user test 11's ratings: 3 better answers, 4 thumbs (3 of them on corrected answers), 1 rated token
    panel.set_counts({"total": 8, "thumbs_up": 3, "thumbs_down": 1, "token_ratings": 1, "corrections": 3,
                      "pairs": 3, "thumbs_on_corrected": 3, "liked_and_corrected": 1})
    text = panel.ready_label.text()
    # counts59: the ratings, each once, the thumbs first
    assert text.startswith("<b>8 ratings ready to train on</b>: 3 answers you liked, 1 you disliked, "
                           "3 better answers you wrote and 1 rated token.")
    assert "used twice" not in text and "each paired" not in text
    assert "Mixed signals" in text  # the notice the user found clear stays
    tip = panel.ready_label.toolTip()
    assert "3 thumbs are on answers you also corrected" in tip and "prefer it over the answer it replaces" in tip
    panel.set_counts({})
    assert panel.ready_label.toolTip() == ""
