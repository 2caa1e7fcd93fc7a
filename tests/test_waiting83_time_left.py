"""waiting83 (3): measuring the model in use ("Training paused: measuring your current model (part 1 of 3, ...)")
said "about 30 s left", then "about 30 s left" again at part 2 and part 3: its time left was the part's alone,
the later parts' time not known yet. Where it covers the parts to come it is said as before; where not, the
measuring's time so far and the parts to come, which only go one way (pytest-qt, a real window on the tiny model)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.core.check_time import CheckClock  # noqa: E402
from desktop_app.core.progress_words import count_eta_words, short_eta_words  # noqa: E402
from desktop_app.core.training import TrainProgress  # noqa: E402
from test_gui import make_window  # noqa: E402,F401

PAUSE = "measuring your current model"


def measuring(part: int, step: int, elapsed: float, whole: bool = False) -> TrainProgress:
    return TrainProgress("evaluating", message=f"{PAUSE}: scoring your ratings: {step} of 8 answers", step=step,
                         total=8, eta_s=30.0, elapsed_s=elapsed, training_follows=True, part=(part, 3),
                         measures="margins", eta_whole=whole)


def test_the_clock_knows_whether_its_time_left_covers_the_parts_to_come():
    clock = CheckClock()
    assert not clock.covers_rest("margins", 2)  # nothing measured yet: the probe's and the re-asks' time unknown
    clock.guess("reask", 12.0)
    assert not clock.covers_rest("margins", 2) and clock.covers_rest("probe", 1)
    clock.took("probe", 5.0, fresh=True)
    assert clock.covers_rest("margins", 2)
    assert not clock.covers_rest("margins", 3)  # a run from an adapter measures the base model after: not clocked


def test_a_part_s_own_time_left_is_not_said_as_the_measuring_s():
    p = measuring(1, 0, 100.0)
    assert count_eta_words(p, (2, 24), 20.0) == "20 s so far, 2 more parts to come, then training goes on from step 3 of 24"
    assert count_eta_words(measuring(2, 0, 130.0), (2, 24)) == "1 more part to come, then training goes on from step 3 of 24"
    assert short_eta_words(p) == "2 more parts to come, then training"
    assert count_eta_words(measuring(3, 0, 150.0), None, 50.0) == "50 s so far, the last part, then training goes on"
    assert count_eta_words(measuring(1, 0, 100.0, whole=True), (2, 24)) == (
        "about 30 s left for this, then training goes on from step 3 of 24")


def test_the_panel_s_time_so_far_goes_one_way_through_the_parts(make_window, qtbot):
    window = make_window(wait=False)
    panel = window.finetune_panel
    panel.on_progress(TrainProgress("training", message="Step 2 of 24", step=2, total=24, elapsed_s=90.0))
    lines = []
    # part 1 holds several counts, each from 0 (the ratings trained on, the held-out ones): the time so far goes on
    for part, step, elapsed in ((1, 0, 100.0), (1, 8, 112.0), (1, 0, 125.0), (2, 0, 126.0), (2, 8, 150.0),
                                (3, 0, 151.0)):
        panel.on_progress(measuring(part, step, elapsed, whole=part == 3))  # the last part: nothing to come
        lines.append(panel.eta_label.text())
    assert lines == ["a few seconds so far, 2 more parts to come, then training goes on from step 3 of 24",
                     "10 s so far, 2 more parts to come, then training goes on from step 3 of 24",
                     "20 s so far, 2 more parts to come, then training goes on from step 3 of 24",
                     "30 s so far, 1 more part to come, then training goes on from step 3 of 24",
                     "50 s so far, 1 more part to come, then training goes on from step 3 of 24",
                     "about 30 s left for this, then training goes on from step 3 of 24"]
    panel.on_progress(TrainProgress("training", message="Step 3 of 24", step=3, total=24, elapsed_s=160.0))
    panel.on_progress(measuring(2, 0, 300.0))  # another measuring: its time so far is its own
    assert panel.eta_label.text().startswith("a few seconds so far")


def test_a_first_run_s_pause_says_which_counts_cover_the_parts_to_come(tmp_path, tiny_model):
    from test_verdict75_split import a_real_run

    _result, seen = a_real_run(tmp_path, tiny_model)
    parted = [p for p in seen if p.part and p.total]
    assert parted, "the model in use was measured in no numbered parts"
    assert all(p.eta_whole for p in parted if p.part[0] == p.part[1])  # the last part: nothing to come
    first = [p for p in parted if p.part[0] == 1]
    # a first run has measured no probe yet: the first part's time left cannot cover it
    assert first and not any(p.eta_whole for p in first), [(p.part, p.measures) for p in first]
