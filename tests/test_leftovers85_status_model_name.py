"""leftovers85: during a fine-tune, the status bar at 1024x600 cut the model's name mid-word ("SmolLM2-13…") beside
the run's long label. The run's label gives way first (its shorter forms say what it does and counts); the model's
name stays whole (pytest-qt, offscreen, the real window on the tiny fixture model under a long folder name)."""

from __future__ import annotations

import shutil

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.core.training import TrainProgress  # noqa: E402
from test_gui import make_window  # noqa: E402,F401

LONG_NAME = "SmolLM2-135M-Instruct"  # the bundled model's name
REASKING = "measuring the new adapter: re-asking 12 questions at once: 13 of at most 40 tokens of each answer"
REPORTS = [TrainProgress("training", step=4, total=22, eta_s=780),
           TrainProgress("evaluating", 13, 40, eta_s=70, message=REASKING)]


def _painted(label) -> str:
    return label.fitted(label.text(), label.fontMetrics(), label.contentsRect().width())


@pytest.mark.parametrize("report", REPORTS, ids=["training", "checking"])
def test_the_model_name_stays_whole_beside_a_run_at_1024_px(make_window, qtbot, tiny_model_dir, tmp_path, report):
    folder = tmp_path / LONG_NAME
    shutil.copytree(tiny_model_dir, folder)
    window = make_window(spec=str(folder))
    window.resize(1024, 600)
    qtbot.waitUntil(lambda: window.statusBar().width() == 1024)
    model_label, side = window.status.model_label, window.finetune_side
    assert model_label.text().startswith(LONG_NAME), model_label.text()
    side._running(True)
    side._progress(report)
    for _ in range(6):
        QApplication.processEvents()
    shown = _painted(model_label)
    assert shown.split(" \u00b7 ")[0] == LONG_NAME, f"the model's name was cut: {shown!r}"
    run = _painted(side.label)
    assert run.startswith(side.forms[-1].split(" \u00b7 ")[0]), f"the run's label still says what it does: {run!r}"
    side._running(False)
