"""usertest54: a run from an adapter, at the start of its last measuring part ("measuring the base model too (part 4
of 4 ...): 0 of 7"), said under its bar "then training goes on from step 3 of 23": a line that began in lower case
with "then", after nothing, its time left not known yet."""

from __future__ import annotations

from desktop_app.core.progress_words import count_eta_words
from desktop_app.core.training import TrainProgress


def first_count_of_a_part(eta_s: float | None) -> TrainProgress:
    return TrainProgress("evaluating", message="measuring the base model too: scoring your ratings: 0 of 7 answers",
                         step=0, total=7, eta_s=eta_s, elapsed_s=40.0, training_follows=True, part=(4, 4),
                         measures="margins", eta_whole=True)


def test_a_time_left_not_known_yet_does_not_leave_a_line_that_begins_with_then():
    line = count_eta_words(first_count_of_a_part(None), (2, 23))
    assert line == "after this, training goes on from step 3 of 23"
    assert count_eta_words(first_count_of_a_part(None), None) == "after this, training goes on"


def test_a_known_time_left_still_leads_the_line():
    assert count_eta_words(first_count_of_a_part(30.0), (2, 23)) == (
        "about 30 s left for this, then training goes on from step 3 of 23")
