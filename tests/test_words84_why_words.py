"""words84 (2): a teacher's discarded run said "Why: on the 1 rating kept out of training to test it, the model did
not come to prefer what you liked more (preference margin 1.38 → 1.20)" where the rating kept aside was a
thumbs-down alone: nothing was liked more. The why is worded by what the measured ratings are; its figures are
the margin line's (the gate's reason and decision are its own: core.gate.judge on the run's figures)."""

from __future__ import annotations

import re

import pytest

from desktop_app.core import gate
from desktop_app.core.margin_kinds import wrong_way_words
from desktop_app.gui.finetune_words import why_words

HELD_ONE = {"gate_margin_on": "heldout", "heldout_size": 1, "margin_heldout_before": 1.38,
            "margin_heldout_after": 1.20, "margin_before": 1.38, "margin_after": 1.20,
            "margin_all_before": 0.5, "margin_all_after": 0.7, "probe_ppl_before": 28.0, "probe_ppl_after": 28.1}


def _why(m: dict) -> str:
    verdict = gate.judge(m, 0.05)
    assert not verdict.kept and verdict.failed == ["margin"], verdict.reason
    return why_words(verdict.reason, m)


def test_a_thumbs_down_kept_aside_is_worded_as_the_disliked_answer():
    why = _why({**HELD_ONE, "heldout_counts": {"thumbs_down": 1, "thumbs_up": 0, "pairs": 0}})
    assert why == "on the 1 rating kept out of training to test it, the answer you disliked got more likely, not less"
    assert "liked more" not in why and "preference margin" not in why


def test_a_thumbs_up_kept_aside_and_tokens_have_their_own_words():
    liked = _why({**HELD_ONE, "heldout_counts": {"thumbs_up": 1}})
    assert liked.endswith("the answer you liked got less likely, not more"), liked
    marked = _why({**HELD_ONE, "heldout_counts": {"token_ratings": 2}})
    assert marked.endswith("the tokens you marked did not move the way you marked them"), marked
    assert wrong_way_words({"thumbs_down": 2}, 1.0, 1.0) == "the answers you disliked did not get less likely"


def test_pairs_and_mixed_ratings_keep_the_general_words_with_their_figures():
    for counts in ({"pairs": 1}, {"thumbs_up": 1, "thumbs_down": 1}, None):
        m = {**HELD_ONE, "heldout_size": 2, **({"heldout_counts": counts} if counts is not None else {})}
        assert _why(m) == ("on the 2 ratings kept out of training to test it, the model did not come to prefer "
                           "what you liked more (preference margin 1.380 \u2192 1.200)")


def test_the_margin_over_all_ratings_is_worded_by_all_the_ratings():
    """Nothing held out: the gate measures all the ratings, a run's ``data_*`` counts."""
    m = {"gate_margin_on": "all", "heldout_size": 0, "margin_all_before": 0.9, "margin_all_after": 0.8,
         "margin_before": 0.9, "margin_after": 0.8, "data_thumbs_down": 3, "data_thumbs_up": 0, "data_pairs": 0,
         "probe_ppl_before": 28.0, "probe_ppl_after": 28.1}
    assert _why(m) == "on your ratings, the answers you disliked got more likely, not less"


def test_the_discarded_card_says_it_in_a_real_window(qtbot, qapp, tiny_model_dir):
    pytest.importorskip("PySide6")
    from gui_windows import opened_window

    m = {**HELD_ONE, "heldout_counts": {"thumbs_down": 1}}
    reason = gate.judge(m, 0.05).reason
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        panel = window.finetune_panel
        panel.show_run({"id": None, "status": "discarded", "reason": reason, "metrics": m, "adapter_id": None})
        body, figures = panel.result_body.text(), panel.result_details.text()
    why = re.sub(r"<p[^>]*>", "", body).split("</p>")[0].split("<br>")[0]
    assert why == ("<b>Why:</b> on the 1 rating kept out of training to test it, the answer you disliked got more "
                   "likely, not less."), why
    assert "1.38 \u2192 1.20" in figures and "1.38" not in body  # the figures stay, on the margin line


def test_a_run_records_what_its_held_out_ratings_are(tmp_path, tiny_model):
    from desktop_app.core.paths import AppPaths
    from desktop_app.core.store import Store
    from desktop_app.core.train_settings import FineTuneSettings
    from desktop_app.core.training import run_finetune
    from test_training_data import add_answer, rate_three_answers

    paths = AppPaths.resolve(tmp_path / "data").ensure()
    store = Store.open(paths.db_path)
    try:
        rate_three_answers(store, tiny_model, first_seed=10)
        store.rate_message(add_answer(store, tiny_model, "Why is the sky blue?", seed=20)[2], -1)
        settings = FineTuneSettings(max_steps=2, min_steps=2, lr=0.0, reask_count=1, reask_tokens=4,
                                    heldout_fraction=0.25)
        m = run_finetune(store, tiny_model, paths, settings).metrics
    finally:
        store.close()
    held = m["heldout_counts"]
    assert m["heldout_size"] >= 1
    assert held["thumbs_up"] + held["thumbs_down"] + held["pairs"] + held["token_ratings"] == m["heldout_size"], m
