"""The Text tab's summary at 1024x581 (a 1024x600 screen under a title bar): the tab is short, so its
histograms are closed, and the summary's title row (the bar, Histograms, Export) and its figures reach the
panel's right margin. The wide form had kept the hidden histograms' two columns and their 16 px gaps:
32 px empty right of the Export button. pytest-qt on the real window, tiny GPT-2, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from gui_windows import STORY, window_with_text  # noqa: E402
from test_small40_short_window import settle  # noqa: E402


def right_gap(panel, widget) -> int:
    """The px between ``widget``'s right edge and the summary's right margin."""
    inner_right = panel.width() - panel.grid.contentsMargins().right()
    return inner_right - widget.geometry().right() - 1


@pytest.mark.parametrize("width", [1024, 1366])
def test_a_short_tabs_summary_leaves_no_empty_columns_at_its_right(qtbot, qapp, tiny_model_dir, width):
    with window_with_text(qtbot, qapp, tiny_model_dir, STORY * 3) as window:
        window.panel_actions["side_tabs"].setChecked(True)
        window.resize(width, 581)
        settle()
        window.set_mode("text")
        settle()
        panel = window.text_view.summary_panel
        assert panel.short and panel.probabilities.isHidden(), "the tab is short: its histograms are closed"
        assert panel.width() >= 620, f"the summary is {panel.width()} px wide: not the width the gap showed at"
        for part in (panel.title_row, panel.figures):
            assert right_gap(panel, part) <= 1, f"{right_gap(panel, part)} px empty right of {part.objectName() or part}"
        panel.histograms_button.setChecked(True)  # opened: the wide form puts them beside the bar and figures
        settle()
        assert panel.wide and panel.probabilities.geometry().left() > panel.figures.geometry().right()
        assert right_gap(panel, panel.entropies) <= 1
