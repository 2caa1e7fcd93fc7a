"""usertest70: the Fine-tune panel's line while a run measures the model in use between two steps read "Training
paused: measuring your current model (part 3 of 3, ...): 40 of at most 40 tokens of each continuation and answer",
four lines of a narrow panel. The line names the part alone; the count and why it pauses are in its tooltip
(pytest-qt, the real window at 1024x640)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.core.progress_words import PAUSE_WHY, panel_line, progress_line  # noqa: E402
from desktop_app.core.training import TrainProgress  # noqa: E402
from test_finetune69_panel import PAUSE, _fine_tuning, _laid_out  # noqa: E402
from test_gui import make_window  # noqa: E402,F401


def test_the_pause_s_line_names_its_part_and_its_tooltip_the_count_and_why(make_window):
    window = make_window()
    window.resize(1024, 640)
    panel = _fine_tuning(window)
    panel.on_progress(PAUSE)
    _laid_out(panel)
    assert panel.phase_label.text() == "Measuring your current model: part 3 of 3"
    tip = panel.phase_label.toolTip()
    assert "3 of at most 40 tokens of each answer" in tip and "re-asking your questions" in tip and PAUSE_WHY in tip
    one_line = panel.phase_label.fontMetrics().lineSpacing()
    assert panel.phase_label.height() < 2 * one_line, "the line fits on one line of the panel"


def test_other_lines_are_the_cli_s_with_no_tooltip(make_window):
    window = make_window()
    panel = _fine_tuning(window)
    step = TrainProgress("training", step=3, total=27, loss=1.1, eta_s=1440.0, step_s=60.0, elapsed_s=400.0)
    panel.on_progress(PAUSE)
    panel.on_progress(step)
    assert panel.phase_label.text() == progress_line(step) == "Training: step 3 of 27"
    assert panel.phase_label.toolTip() == ""


def test_a_pause_without_parts_is_named_alone():
    pause = TrainProgress("evaluating", step=2, total=8, training_follows=True,
                          message="measuring your current model: reading general text: 2 of 8")
    assert panel_line(pause) == "Measuring your current model"
