"""counts59: the time left went up from "about 1 min left" to "about 3 min left" as re-asking began: the
re-asks' first token (every question read whole) was taken as the pace of all of them. The "before"
measuring did the same re-asks, so their measured seconds count from the start."""

from __future__ import annotations

from desktop_app.core.check_time import CheckClock
from desktop_app.core.progress_words import eta_words, run_left
from desktop_app.core.training import TrainProgress

TOKENS = 40
FIRST_TOKEN_S, LATER_TOKEN_S = 5.0, 1.15  # the first token reads the questions: a slow start


def _measured_clock() -> CheckClock:
    clock = CheckClock()
    for part, seconds in (("margins", 10.0), ("probe", 5.0), ("reask", FIRST_TOKEN_S + 39 * LATER_TOKEN_S)):
        clock.took(part, seconds, fresh=True)
    return clock


def _reask_lefts(clock: CheckClock) -> list[float]:
    """The time left the re-ask count reports, token by token, as core.train_run_progress.Pace paces it."""
    lefts, elapsed = [clock.left("reask", None, 0.0, 0.0)], 0.0
    for done in range(1, TOKENS + 1):
        elapsed += FIRST_TOKEN_S if done == 1 else LATER_TOKEN_S
        pace_left = elapsed / done * (TOKENS - done)
        lefts.append(clock.left("reask", pace_left, done / TOKENS, elapsed))
    return lefts


def test_the_time_left_does_not_jump_up_when_re_asking_begins():
    clock = _measured_clock()
    last_step = TrainProgress("training", step=12, total=12, eta_s=0.0, check_s=clock.total())
    before = run_left(last_step)  # the margins and the probe (15 s) run in between
    lefts = _reask_lefts(clock)
    assert eta_words(before) == "about 1 min left"
    assert max(lefts) <= before - 15.0 + 1e-6, lefts
    assert eta_words(lefts[1]) == "about 50 s left", lefts[1]  # not "about 3 min left"
    assert all(b <= a + 1e-6 for a, b in zip(lefts, lefts[1:])), lefts  # only down, at this steady pace
    assert lefts[-1] == 0.0


def test_a_part_with_no_measured_seconds_goes_by_its_count_s_pace():
    clock = CheckClock()
    clock.guess("reask", 12.0)
    assert clock.left("reask", None) == 12.0
    assert clock.left("reask", 90.0, 0.1, 10.0) == 90.0
