"""Usertest 12, finding 6: "The run has trained 2 of 40 steps. Cancel it?" while the status bar said
"step 1/26" and the loss chart's axis ended at 25. Between two steps the run measures the model in
use, and the progress bar then counts that work (40 tokens of re-asked answers): the question took
its total from the bar. The question, the status bar and the chart now count the same steps."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.core.train_settings import FineTuneSettings  # noqa: E402
from gui_windows import active, answer_modal, liked_answer_counted  # noqa: E402
from test_gui import make_window  # noqa: E402,F401
from test_gui_usertest9_fixes import TRAIN_MS, cancelled  # noqa: E402

# more steps than the re-asked answers' tokens, so the two counts cannot agree by chance
STEPS = 30
RUN = FineTuneSettings(max_steps=STEPS, min_steps=STEPS, heldout_fraction=0.0, reask_count=1, reask_tokens=4)


def between_two_steps(p) -> bool:
    """The measuring of the model in use, counted, after the first steps (core.train_before.BeforeMeasuring)."""
    return p.phase == "evaluating" and p.training_follows and p.total > 0


def test_the_cancel_question_counts_the_steps_the_status_bar_and_the_chart_count(make_window, qtbot):
    window = active(qtbot, make_window(max_new_tokens=6))
    liked_answer_counted(qtbot, window)
    panel = window.finetune_panel
    panel.set_settings(RUN)
    window.show_finetune()
    status = []  # the status bar's label after each training step
    window.finetune.progress.connect(
        lambda p: p.phase == "training" and p.step and status.append(window.finetune_side.label.text()))
    bars = []  # after the panel's own slot: its bar at each measuring count (the next part may follow at once)
    window.finetune.progress.connect(lambda p: between_two_steps(p) and bars.append((panel.bar.maximum(), p.total)))
    try:
        with qtbot.waitSignal(window.finetune.progress, timeout=TRAIN_MS, check_params_cb=between_two_steps) as measuring:
            qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
        QApplication.processEvents()
        assert measuring.args[0].total == bars[0][1]
        assert panel.curve.steps and bars[0][0] == bars[0][1] != STEPS, "the bar counts other work now"
        done = panel.curve.steps[-1]
        seen = []
        answer_modal("Keep training", seen)
        qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
        question = seen[0][0]
        assert question == f"The run has trained {done} of {STEPS} steps. Cancel it?"
        assert any(f"step {done}/{STEPS}" in label for label in status), status
        axis = panel.curve.plot.getAxis("bottom")
        low, high = panel.curve.plot.getViewBox().viewRange()[0]
        labelled = [v for _spacing, values in axis.tickValues(low, high, axis.width()) for v in values]
        assert max(labelled) == STEPS, f"the chart's axis ends at {max(labelled)}, the run has {STEPS} steps"
        assert window.finetune.running and not window.finetune.cancel_pending
    finally:
        cancelled(qtbot, window)
