"""usertest21: the Text tab's save dialog names what it saves ("Export the heatmap as PNG"), as the
Export menu's item does; it said "Export" for all four kinds. pytest-qt, offscreen, the tiny model."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QFileDialog  # noqa: E402

from test_gui_text import analysed, text_window  # noqa: E402,F401  (text_window: a fixture)


def test_each_export_asks_with_a_title_that_names_what_it_saves(text_window, qtbot, monkeypatch):
    window = text_window()
    analysed(qtbot, window, "The lighthouse stood at the edge of the cliff.")
    titles = []

    def cancelled_dialog(_parent, title, _start, _filters):  # the person cancels: nothing is written
        titles.append(title)
        return "", ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", cancelled_dialog)
    tools = window.text_view.analysis_tools
    for kind in ("txt", "png", "json", "csv"):
        assert tools.export(kind) is None
    assert titles == ["Export the text", "Export the heatmap as PNG", "Export the tokens as JSON",
                      "Export the summary as CSV"]
