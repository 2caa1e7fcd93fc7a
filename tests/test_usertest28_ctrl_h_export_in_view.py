"""usertest28: Ctrl+H at 1024x600 shows the adapter history whole, its Export… button included.
The first Ctrl+H after a start (the Fine-tune tab never shown yet, a run's card with its re-asked
questions above the history) left the history's rows cut at the window's foot and Export… out of
sight. The real window, the tiny GPT-2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint, QRect  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from test_gui import make_window  # noqa: E402,F401
from test_gui_export import _history_with_adapter  # noqa: E402


def _inside_view(panel, widget) -> bool:
    top_left = widget.mapTo(panel.viewport(), QPoint(0, 0))
    return panel.viewport().rect().contains(QRect(top_left, widget.size()))


def test_ctrl_h_brings_export_into_view_at_1024x600(make_window, qtbot, tiny_model_dir):
    from desktop_app.gui.shortcuts import open_adapter_history

    window = make_window()
    window.resize(1024, 600)
    history, aid = _history_with_adapter(window, tiny_model_dir)
    window.side_tabs.setCurrentIndex(0)
    panel = window.finetune_panel
    assert not panel.isVisible()  # the Fine-tune tab not shown since the start
    # a real run's figures (the bundled model, 9 examples): its card with 13 re-asked questions
    metrics = json.loads((Path(__file__).parent / "fixtures" / "usertest28_run_metrics.json").read_text())
    panel._show_result("kept", "closer to the answers you liked", metrics, aid)  # the card of the run before
    QApplication.processEvents()
    open_adapter_history(window)  # what Ctrl+H runs
    for _ in range(5):  # the tab lays itself out as it shows: checked right away, stale places looked fine
        QApplication.processEvents()
    assert _inside_view(panel, history.export_button)
    assert _inside_view(panel, history.list) and history.list.hasFocus()
