"""The Fine-tune tab's progress during a run, as usertest40 and the lead met it on a shared core (pytest-qt,
the tiny random GPT-2, the real SQLite store, real windows): the time left grows while a step runs past its
pace, the progress block keeps its height, the loss chart's axis is the run's own steps."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.core.training import TrainProgress  # noqa: E402
from gui_windows import chart_ticks  # noqa: E402
from test_gui import make_window  # noqa: E402,F401


def test_the_time_left_grows_while_a_step_runs_past_the_pace(make_window, monkeypatch):
    """"about 33 min left" stood through minutes of one step: the figure, told once a report, went stale."""
    from desktop_app.gui import finetune_progress

    window = make_window()
    panel = window.finetune_panel
    now = [1000.0]
    monkeypatch.setattr(finetune_progress.time, "monotonic", lambda: now[0])
    panel.progress_box.show()
    panel.on_progress(TrainProgress("training", step=3, total=27, loss=1.0, eta_s=24 * 60.0, step_s=60.0,
                                    elapsed_s=300.0))
    assert panel.eta_label.text() == "about 24 min left \u00b7 loss 1.000"
    assert panel.elapsed_timer.isActive(), "the time left is told again between two reports"
    now[0] += 45
    panel.elapsed_timer.timeout.emit()
    assert panel.eta_label.text().startswith("about 23 min left"), "within its pace a step counts down"
    now[0] += 75  # the step under way has run two minutes, twice the pace
    panel.elapsed_timer.timeout.emit()
    assert panel.eta_label.text().startswith("about 46 min left"), "23 steps at least as slow as this one"
    assert "46 min left" in window.finetune_side.forms[0], "the status bar's time left grows too"
    panel.on_progress(TrainProgress("training", step=4, total=27, loss=0.9, eta_s=23 * 90.0, step_s=90.0,
                                    elapsed_s=420.0))
    assert panel.eta_label.text().startswith("about 34 min left"), "the next report's pace takes over"


def test_before_the_steps_have_a_pace_no_minutes_are_told(make_window):
    window = make_window()
    panel = window.finetune_panel
    panel.progress_box.show()
    panel.on_progress(TrainProgress("training", step=1, total=27, loss=1.0, elapsed_s=200.0))
    assert panel.eta_label.text() == "time left: known after a few steps \u00b7 loss 1.000"
    assert not panel.elapsed_timer.isActive()


def _laid_out(panel) -> None:
    """The layout requests the new words posted, handled (the box's own layout first, then the panel's)."""
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    for _ in range(3):
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
    panel.widget().layout().activate()


def _fine_tuning(window):
    """The window on its Fine-tune tab with a run's progress block and chart shown, as the panel's start shows them."""
    window.show_finetune()
    panel = window.finetune_panel
    panel.progress_box.show()
    panel.curve.clear()
    panel.curve.show()
    _laid_out(panel)
    return panel


# the model in use measured between two steps: "Training paused: ...", five lines at the panel's width
PAUSE = TrainProgress("evaluating", step=3, total=40, eta_s=200.0, elapsed_s=120.0, training_follows=True, part=(3, 3),
                      measures="reask", message="measuring your current model: re-asking 12 questions at once: 3 of "
                                                "at most 40 tokens of each answer")
# a pause whose line is long: the counted pause's line names its part alone since words70 (its count in the
# tooltip), an uncounted one says its message whole
LONG_PAUSE = TrainProgress("evaluating", elapsed_s=120.0, training_follows=True,
                           message="measuring your current model on held-out ratings, general text and a few "
                                   "questions asked again, so that the check after training compares with it")
# a run's reports in the order they come, their lines long and short, the time left there and not
RUN_REPORTS = (
    TrainProgress("preparing", message="Reading ratings", elapsed_s=1.0),
    TrainProgress("training", message="Computing reference log-probabilities", step=0, total=27, elapsed_s=5.0),
    TrainProgress("training", step=2, total=27, loss=1.2, elapsed_s=90.0),
    PAUSE,
    LONG_PAUSE,
    TrainProgress("training", step=3, total=27, loss=1.1, eta_s=1440.0, step_s=60.0, check_s=300.0, elapsed_s=400.0),
    TrainProgress("training", step=4, total=27, loss=1.0, eta_s=1380.0, step_s=60.0, check_s=300.0, elapsed_s=460.0),
)


def test_the_progress_block_keeps_its_height_as_its_lines_come_and_go(make_window):
    """The block grew and shrank as its lines came and went: the chart under it jumped (usertest40)."""
    window = make_window()
    panel = _fine_tuning(window)
    heights, chart_tops = [], []
    for report in RUN_REPORTS:
        panel.on_progress(report)
        _laid_out(panel)
        heights.append(panel.progress_box.height())
        chart_tops.append(panel.curve.y())
    assert max(heights) > min(heights), "the reports' lines need different heights (else this tests nothing)"
    before_steps_go_on = RUN_REPORTS.index(LONG_PAUSE) + 1  # the pause's end lets its lines go (test_leftovers70_...)
    for stretch in (slice(0, before_steps_go_on), slice(before_steps_go_on, None)):
        grown = [max(heights[stretch][:i + 1]) for i in range(len(heights[stretch]))]
        assert heights[stretch] == grown, f"the block shrank: {heights}"
        tops = chart_tops[stretch]
        assert tops == [max(tops[:i + 1]) for i in range(len(tops))], chart_tops
    panel.let_go_height()
    _laid_out(panel)
    assert panel.progress_box.height() < max(heights), "a run's end gives the room back"


def _ticks(curve) -> list[float]:
    return chart_ticks(curve, "bottom", 256)


def test_the_charts_axis_counts_the_runs_own_steps_before_the_first(make_window):
    """Before a run of 6 updates the chart's axis read 1-10 (usertest40)."""
    window = make_window()
    panel = _fine_tuning(window)
    assert _ticks(panel.curve) == [], "no steps to count before the run says how many"
    panel.on_progress(TrainProgress("training", message="Computing reference log-probabilities", step=0, total=6,
                                    elapsed_s=5.0))
    assert _ticks(panel.curve) == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    low, high = panel.curve.plot.getPlotItem().viewRange()[0]
    assert 0.5 < low < 1 and 6 < high < 6.5, (low, high)
    panel.on_progress(TrainProgress("training", step=1, total=6, loss=1.0, elapsed_s=30.0))
    assert _ticks(panel.curve) == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
