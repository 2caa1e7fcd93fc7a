"""The Fine-tune panel at 1366x768 during a run's check after its steps (panels72; pytest-qt, the tiny model, the
real window, a run's reports fed to the panel as test_finetune69_panel.py feeds them). A step back's "checking an
earlier point of the run (step 4 of 18), since ..." takes eight lines: the block held that height through the
re-scoring's one line after it, about 70 px blank above "Loss: …", and the chart under the long lines ran past the
panel's bottom, its "step" axis cut until the person scrolled."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint  # noqa: E402

from desktop_app.core.training import TrainProgress  # noqa: E402
from test_finetune69_panel import RUN_REPORTS, _fine_tuning, _laid_out  # noqa: E402
from test_gui import make_window  # noqa: E402,F401
from test_leftovers70_progress_after_pause import LATER_STEPS, ONE_LINE_PX, _blank_under_the_lines  # noqa: E402

EARLIER = "checking an earlier point of the run (step 4 of 18), since the last one made general text read less fluently"
# the steps ended early (the guard), the new adapter measured, then an earlier checkpoint measured again, then
# the re-scoring for the compare view: the reports' order and words as core/training.py and train_verdict.py say them
CHECK_REPORTS = (
    TrainProgress("training", step=18, total=19, loss=0.5, eta_s=60.0, step_s=30.0, check_s=60.0, elapsed_s=800.0),
    TrainProgress("evaluating", message="Measuring the new adapter", eta_s=60.0, elapsed_s=830.0),
    TrainProgress("evaluating", step=0, total=40, eta_s=30.0, elapsed_s=850.0, part=(3, 3), measures="reask",
                  message="measuring the new adapter: re-asking 12 questions at once: 0 of at most 40 tokens of each answer"),
    TrainProgress("evaluating", message=EARLIER[:1].upper() + EARLIER[1:], eta_s=60.0, elapsed_s=880.0,
                  checking_earlier=True),
    TrainProgress("evaluating", step=0, total=40, eta_s=20.0, elapsed_s=900.0, part=(3, 3), measures="reask",
                  checking_earlier=True,
                  message=f"{EARLIER}: re-asking 12 questions at once: 0 of at most 40 tokens of each answer"),
    TrainProgress("rescoring", step=1, total=3, message="Re-scoring for the compare view: 1 of 3 rated answers",
                  elapsed_s=960.0),
)
RESCORING = CHECK_REPORTS[-1]
LONGEST = CHECK_REPORTS[-2]


def _checking(make_window):
    """The window at 1366x768 on its Fine-tune tab, a run's reports up to its check after the steps fed, the
    progress followed as a run's start follows it."""
    window = make_window()
    window.resize(1366, 768)
    panel = _fine_tuning(window)
    panel._follow_progress()
    for report in RUN_REPORTS + LATER_STEPS + CHECK_REPORTS[:-1]:
        panel.on_progress(report)
        _laid_out(panel)
    return panel


def test_a_step_backs_long_lines_leave_no_gap_above_the_chart_once_the_rescoring_starts(make_window):
    panel = _checking(make_window)
    assert panel.phase_label.height() >= 6 * ONE_LINE_PX, "the step back's line is long (else this tests nothing)"
    held = panel.progress_box.height()
    panel.on_progress(RESCORING)
    _laid_out(panel)
    assert panel.progress_box.height() < held, "the step back's height is let go"
    assert _blank_under_the_lines(panel) < ONE_LINE_PX, f"blank above the chart: {_blank_under_the_lines(panel)} px"


def _chart_and_progress_in_view(panel) -> bool:
    view = panel.viewport().height()
    chart = panel.curve.plot
    chart_bottom = chart.mapTo(panel.viewport(), QPoint(0, chart.height())).y()
    box_top = panel.progress_box.mapTo(panel.viewport(), QPoint(0, 0)).y()
    return chart_bottom <= view and box_top >= 0


def test_the_chart_under_the_longest_lines_stays_in_view_with_them(make_window, qtbot):
    panel = _checking(make_window)
    assert panel.phase_label.text().startswith("Checking whether it helps: " + EARLIER), panel.phase_label.text()
    content = panel.widget().height()
    assert content > panel.viewport().height(), "the panel is longer than its view (else this tests nothing)"
    qtbot.waitUntil(lambda: _chart_and_progress_in_view(panel), timeout=2000)


# the model in use measured between two steps, a run from an adapter: a part of it whose line is long (a counted
# part's line names the part alone since words70: an uncounted one says its words whole), then its base margins
PAUSE_PARTS = (
    TrainProgress("evaluating", elapsed_s=300.0, training_follows=True, part=(3, 4),
                  message="measuring your current model: re-asking 12 questions at once, up to 40 tokens of each "
                          "answer, so that the check after training compares the new answers with these"),
    TrainProgress("evaluating", step=0, total=2, eta_s=20.0, elapsed_s=340.0, training_follows=True, part=(4, 4),
                  measures="trained", message="measuring the base model too: scoring the 2 answers your examples "
                                              "compare: 0 of 2"),
)


def test_a_measurings_next_part_leaves_no_gap_of_the_last_ones_lines(make_window):
    window = make_window()
    window.resize(1366, 768)
    panel = _fine_tuning(window)
    for report in RUN_REPORTS[:3] + PAUSE_PARTS:
        panel.on_progress(report)
        _laid_out(panel)
        if report is PAUSE_PARTS[0]:
            longest = panel.phase_label.height()
    assert panel.phase_label.height() < longest, "the next part's line is shorter (else this tests nothing)"
    assert _blank_under_the_lines(panel) < ONE_LINE_PX, f"blank above the chart: {_blank_under_the_lines(panel)} px"
