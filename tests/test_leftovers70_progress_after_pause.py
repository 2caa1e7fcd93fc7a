"""The fine-tune panel's progress block held the most height its lines needed during a run, so after the
five-line "Training paused: measuring your current model ..." it kept ~75 px blank above the loss chart for
the rest of the run. It lets the pause's lines go as the steps go on, and holds the steps' own from there
(pytest-qt, the tiny model, the real window at 1024x640 and 1280x800)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.core.training import TrainProgress  # noqa: E402
from test_finetune69_panel import LONG_PAUSE as PAUSE, RUN_REPORTS, _fine_tuning, _laid_out  # noqa: E402
from test_gui import make_window  # noqa: E402,F401

ONE_LINE_PX = 14
LATER_STEPS = (  # the time left's line comes and goes as the steps' pace is known and not
    TrainProgress("training", step=5, total=27, loss=0.9, elapsed_s=520.0),
    TrainProgress("training", step=6, total=27, loss=0.8, eta_s=1260.0, step_s=60.0, check_s=300.0, elapsed_s=580.0),
)


def _blank_under_the_lines(panel) -> int:
    box = panel.progress_box
    lines = [w for w in (panel.bar, panel.eta_label, panel.stop_note, panel.slow_note, panel.explain_note)
             if not w.isHidden()]
    return box.height() - max(w.geometry().bottom() + 1 for w in lines)


@pytest.mark.parametrize("size", [(1024, 640), (1280, 800)])
def test_a_pauses_five_lines_leave_no_gap_above_the_chart_as_the_steps_go_on(make_window, size):
    window = make_window()
    window.resize(*size)
    panel = _fine_tuning(window)
    reports = RUN_REPORTS + LATER_STEPS
    heights, chart_tops = [], []
    for report in reports:
        panel.on_progress(report)
        _laid_out(panel)
        heights.append(panel.progress_box.height())
        chart_tops.append(panel.curve.y())
        if report is PAUSE:
            assert panel.phase_label.height() >= 4 * ONE_LINE_PX, "the pause's line is long (else this tests nothing)"
    steps_go_on = reports.index(PAUSE) + 1
    assert max(heights[steps_go_on:]) < heights[steps_go_on - 1], "the pause's height is let go"
    assert _blank_under_the_lines(panel) < ONE_LINE_PX, f"blank above the chart: {heights}"
    assert len(set(chart_tops[steps_go_on:])) == 1, f"the chart stays still as the steps' lines change: {chart_tops}"
