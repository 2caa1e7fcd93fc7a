"""verdict75: nothing said how long a fine-tune takes before the click. The Fine-tune button's tooltip gives a
rough range for the ratings waiting: from the model's last finished run where there is one, else a cautious rule
by the ratings and the device (core.run_estimate; pytest-qt for the button, a real window on the tiny model)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.core.run_estimate import estimate_words, run_seconds  # noqa: E402
from test_gui import WAIT_MS, make_window  # noqa: E402,F401
from test_gui_finetune import rate_some_answers  # noqa: E402

LAST_RUN = {"elapsed_s": 180.0, "train_size": 4, "heldout_size": 1}  # 3 min for 5 ratings


def test_no_run_measured_gives_a_cautious_range_by_device():
    low, high = run_seconds(6, None, on_processor=True)
    assert 60 <= low < high
    gpu_low, gpu_high = run_seconds(6, None, on_processor=False)
    assert gpu_high < high  # a graphics card is faster
    assert run_seconds(12, None)[1] > high  # more ratings, longer
    assert estimate_words(6) == "A fine-tune on your 6 ratings takes about 1-3 min on this computer's processor"
    # the updates follow the data's size and the measuring does not grow: 100 ratings are not 12 runs of 8
    assert run_seconds(8)[1] < run_seconds(100)[1] < 4 * run_seconds(8)[1]


def test_a_measured_run_sets_the_pace():
    low, high = run_seconds(5, LAST_RUN)
    assert low <= 180 <= high  # the same ratings: around what it took
    assert run_seconds(10, LAST_RUN)[0] > low  # twice the ratings: longer, if not twice as long
    assert run_seconds(10, LAST_RUN)[1] < 2 * high
    words = estimate_words(6, LAST_RUN)
    assert words == ("A fine-tune on your 6 ratings takes about 2-5 min on this computer's processor "
                     "(the last run took 3 min)")
    assert estimate_words(1, {"elapsed_s": 20, "train_size": 1, "heldout_size": 0}).startswith(
        "A fine-tune on your 1 rating takes under a minute")


def test_the_fine_tune_button_says_how_long_before_the_click(make_window, qtbot):
    window = make_window(max_new_tokens=8)
    panel = window.finetune_panel
    rate_some_answers(qtbot, window)
    qtbot.waitUntil(lambda: panel.train_button.isEnabled(), timeout=WAIT_MS)
    tip = panel.train_button.toolTip()
    assert "Train an adapter on your ratings in the background; chatting goes on." in tip
    ratings = panel.counts["total"]
    assert f"A fine-tune on your {ratings} rating" in tip and "min on this computer's processor" in tip, tip
