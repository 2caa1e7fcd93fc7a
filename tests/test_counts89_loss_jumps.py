"""counts89: the loss caption said "Here it stays flat, near 2.20" under a 6-step curve that went 2.5 → 1.0 → 2.7 →
1.6 (usertest50). Steps that jump by more than the curve's smoothed ends moved are no trend: the caption says that
it jumps, and a curve that falls, stays flat or rises through its jitter still says so (core.loss_trend)."""

from __future__ import annotations

import pytest

from desktop_app.core.loss_trend import jumps, loss_caption, loss_trend, mean_step_jump
from test_leftovers85_loss_caption import caption_under

NOISY = [2.5, 2.1, 1.0, 2.7, 2.6, 1.6]  # usertest50's six steps: its smoothed ends 2.3 and 2.1 read as "flat"
NOISY_FALL = [2.5, 2.2, 2.0, 1.8, 1.5, 1.3, 1.1, 0.9, 0.8, 0.6]  # falls far more than any step moves
FLAT = [0.26, 0.24, 0.25, 0.27, 0.24, 0.25, 0.26, 0.25, 0.24, 0.25]


def test_a_curve_whose_steps_jump_more_than_its_ends_moved_jumps():
    assert mean_step_jump(NOISY) > 0.8
    assert jumps(NOISY)
    assert loss_trend(NOISY) == "jumps"


def test_its_caption_names_the_range_and_why():
    caption = loss_caption(NOISY)
    assert "flat" not in caption and "falls" not in caption, caption
    assert "jumps between 1.00 and 2.70 from step to step" in caption, caption
    assert "few ratings make a noisy loss" in caption, caption


@pytest.mark.parametrize(("losses", "trend"), [(FLAT, "stays flat"), (NOISY_FALL, "falls"),
                                               (list(reversed(NOISY_FALL)), "rises")])
def test_a_batchs_jitter_keeps_its_trend(losses, trend):
    assert not jumps(losses)
    assert loss_trend(losses) == trend


def test_two_steps_never_jump():
    """One step is the change between the ends: no jitter to compare with."""
    assert loss_trend([2.5, 1.0]) == "falls"
    assert loss_trend([1.0]) is None and not jumps([1.0])


def test_the_curve_under_the_tab_says_it(qtbot, qapp):
    assert "jumps between 1.00 and 2.70" in caption_under(qtbot, NOISY)


def test_two_or_three_steps_are_too_few_for_the_caption_to_say_a_trend():
    """usertest52: "Here it stays flat, near 1.02" after two steps of a run of twenty. Until its fourth step the
    caption says what a loss does as the model learns."""
    from desktop_app.core.loss_trend import LOSS_CAPTION, loss_caption

    assert loss_caption([1.03, 1.01]) == LOSS_CAPTION
    assert loss_caption([1.03, 1.01, 1.02]) == LOSS_CAPTION
    assert loss_caption([1.03, 1.01, 1.02, 1.02]) != LOSS_CAPTION
