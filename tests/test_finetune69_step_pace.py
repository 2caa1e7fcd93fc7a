"""The training steps' time left on a shared core (usertest40: "about 33 min left", then minutes at one
step with the figure standing still): the pace is the recent steps', without the slow first one, and a step
running past it makes the time left grow. No Qt, no model."""

from __future__ import annotations

import pytest

from desktop_app.core.step_pace import RECENT_STEPS, StepPace, left_now


def test_no_pace_before_a_step_is_timed_then_the_first_steps_alone():
    pace = StepPace()
    assert pace.per_step() is None
    assert left_now(pace.per_step(), 27, 0.0) is None
    pace.record(90.0)
    assert pace.per_step() == 90.0


def test_the_pace_is_the_mean_of_the_last_few_steps_without_the_first():
    pace = StepPace()
    for seconds in (90.0, 10.0, 10.0):
        pace.record(seconds)
    assert pace.per_step() == 10.0, "the first step (the slowest) no longer counts"
    for _ in range(RECENT_STEPS):
        pace.record(40.0)  # the core got busier
    assert pace.per_step() == 40.0, "the steps before the last few no longer count"


def test_within_its_pace_a_step_counts_down():
    assert left_now(60.0, 24, 0.0) == pytest.approx(24 * 60.0)
    assert left_now(60.0, 24, 45.0) == pytest.approx(24 * 60.0 - 45.0)
    assert left_now(60.0, 24, 60.0) == pytest.approx(23 * 60.0)


def test_a_step_past_its_pace_makes_the_time_left_grow():
    at_pace = left_now(60.0, 24, 60.0)
    later = left_now(60.0, 24, 150.0)
    assert later == pytest.approx(23 * 150.0)
    assert later > at_pace
    assert left_now(60.0, 24, 200.0) > later, "it keeps growing while the step runs"


def test_nothing_is_left_after_the_last_step():
    assert left_now(60.0, 0, 500.0) == 0.0
    assert left_now(60.0, 1, 500.0) == 0.0, "the last step under way: its own time is unknown, no later steps"
