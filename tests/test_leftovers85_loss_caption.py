"""leftovers85: the Fine-tune tab's loss curve caption said the loss "falls" under a curve flat near 0.25 all along.
It says what the numbers show, from the first and last smoothed values (core.loss_trend), under the real LossCurve
(pytest-qt, offscreen) and in the rule itself."""

from __future__ import annotations

import pytest

FLAT = [0.26, 0.24, 0.25, 0.27, 0.24, 0.25, 0.26, 0.25, 0.24, 0.25]  # near 0.25 all along, a batch's jitter
FALLING = [0.69, 0.66, 0.60, 0.52, 0.45, 0.40, 0.35, 0.31, 0.30, 0.28]
RISING = [0.20, 0.22, 0.25, 0.29, 0.31, 0.35, 0.38, 0.41, 0.42, 0.44]


@pytest.mark.parametrize(("losses", "trend"), [(FLAT, "stays flat"), (FALLING, "falls"), (RISING, "rises")])
def test_the_trend_is_read_from_the_smoothed_ends(losses, trend):
    from desktop_app.core.loss_trend import loss_trend

    assert loss_trend(losses) == trend


def test_one_steps_jump_does_not_make_a_flat_curve_fall():
    """The last step alone lower by a fifth: the ends' means barely move."""
    from desktop_app.core.loss_trend import loss_trend

    assert loss_trend(FLAT[:-1] + [0.20]) == "stays flat"


def caption_under(qtbot, losses: list[float]) -> str:
    """The caption a real LossCurve shows once ``losses`` are its steps."""
    pytest.importorskip("PySide6")
    from desktop_app.gui.finetune_widgets import LossCurve

    curve = LossCurve()
    qtbot.addWidget(curve)
    for step, loss in enumerate(losses, start=1):
        curve.add(step, loss, len(losses))
    return curve.caption.text()


def test_the_caption_says_what_the_curve_does(qtbot, qapp):
    flat = caption_under(qtbot, FLAT)
    assert "falls" not in flat and "flat" in flat and "0.25" in flat, flat
    falling = caption_under(qtbot, FALLING)
    assert "falls" in falling and "\u2192" in falling, falling
    rising = caption_under(qtbot, RISING)
    assert "rises" in rising
    assert "your ratings" in rising, "and still what a loss is"
