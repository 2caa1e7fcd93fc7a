"""verdict75: six ratings, and the panel said "Getting ready: … 0 of 5 pairs"; that one was kept aside to test
the result came only after the run, and the status bar's "trained on 5 examples" said it nowhere. The panel says
the split from the run's first report after it, and the status bar in the same words (pytest-qt, a real window
on the tiny model)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.core.progress_words import split_words  # noqa: E402
from desktop_app.core.training import TrainProgress  # noqa: E402
from desktop_app.gui.adapter_history_words import now_answering  # noqa: E402
from test_gui import make_window  # noqa: E402,F401

PAIRS = "scoring your preferred answers against the ones they beat: 0 of 5 pairs"


def test_split_words_name_the_ratings_kept_aside():
    assert split_words((5, 1)) == "5 of your 6 ratings to learn from, 1 kept aside to test the result"
    assert split_words((3, 0)) == "Your 3 ratings to learn from, none kept aside to test the result"
    assert split_words(None) == ""


def test_the_panel_says_the_split_while_it_counts_pairs(make_window, qtbot):
    window = make_window()
    panel = window.finetune_panel
    panel.on_progress(TrainProgress("preparing", message="Reading ratings"))  # before the split: nothing to say
    assert panel.split_note.isHidden()
    panel.on_progress(TrainProgress("preparing", message=PAIRS, step=0, total=5, split=(5, 1)))
    assert "0 of 5" in panel.phase_label.text()
    assert not panel.split_note.isHidden()
    assert panel.split_note.text() == "5 of your 6 ratings to learn from, 1 kept aside to test the result"
    layout = panel.progress_box.layout()
    assert layout.indexOf(panel.split_note) > layout.indexOf(panel.bar)  # under the count it explains


def test_the_status_bar_counts_ratings_as_the_panel_did():
    row = {"id": 2, "metrics": {"schedule": {"examples": 5}, "train_size": 5, "heldout_size": 1}}
    assert now_answering(row) == ("Now answering with adapter 2 (learnt from 5 of your 6 ratings, "
                                  "1 kept aside to test the result).")
    row["metrics"]["heldout_size"] = 0
    assert now_answering(row) == "Now answering with adapter 2 (learnt from your 5 ratings)."


def a_real_run(tmp_path, tiny_model) -> tuple:
    """A first run on three rated answers (the tiny model, FAST settings): (its result, every progress report)."""
    from desktop_app.core.paths import AppPaths
    from desktop_app.core.store import Store
    from desktop_app.core.train_settings import FineTuneSettings
    from desktop_app.core.training import run_finetune
    from test_training import FAST
    from test_training_data import rate_three_answers

    paths = AppPaths.resolve(tmp_path / "data").ensure()
    store = Store.open(paths.db_path)
    try:
        rate_three_answers(store, tiny_model, first_seed=10)
        seen: list = []
        result = run_finetune(store, tiny_model, paths, FineTuneSettings(**FAST), progress=seen.append)
    finally:
        store.close()
    return result, seen


def test_a_real_run_reports_its_split_after_reading_the_ratings(tmp_path, tiny_model):
    """The counts, and (waiting83) which exchanges were kept aside, to name their questions."""
    result, seen = a_real_run(tmp_path, tiny_model)
    assert seen[0].split is None  # reading the ratings: not split yet
    split = (result.metrics["train_size"], result.metrics["heldout_size"])
    assert split[0] > 0 and seen[-1].split == split
    assert any(p.split == split and p.phase == "preparing" for p in seen)  # said before training starts
    assert seen[0].held_groups == ()  # reading the ratings: not split yet
    assert seen[-1].held_groups == tuple(result.metrics["heldout_groups"])
    assert bool(seen[-1].held_groups) == bool(result.metrics["heldout_size"])  # none kept aside: none named
