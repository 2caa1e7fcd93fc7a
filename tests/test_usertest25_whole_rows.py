"""The open Surprises list shows whole rows and the summary under it whole lines (pytest-qt, the real
window, the tiny GPT-2, a real store): usertest 25 saw, at 1280x760, 1024x600 and 800x600 alike, the
top few pixels of one more row under the list's last ("…" cut through), and in a short window the top
of the summary's first line of figures under its title row, cut in half."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from gui_windows import STORY, WAIT_MS, window_with_text  # noqa: E402
from test_small40_short_window import settle  # noqa: E402

from desktop_app.gui.text_surprises import LIST_ROWS, SHORT_LIST_ROWS  # noqa: E402


def rows_cut(table) -> list[int]:
    """The rows the list's viewport shows only part of."""
    height = table.viewport().height()
    cut = []
    for row in range(table.topLevelItemCount()):
        rect = table.visualItemRect(table.topLevelItem(row))
        if rect.top() < height < rect.bottom() + 1:
            cut.append(row)
    return cut


@pytest.mark.parametrize("size, rows", [((1280, 760), LIST_ROWS), ((1024, 580), SHORT_LIST_ROWS),
                                        ((800, 580), SHORT_LIST_ROWS)])
def test_the_open_list_shows_whole_rows(qtbot, qapp, tiny_model_dir, size, rows):
    with window_with_text(qtbot, qapp, tiny_model_dir, STORY * 12) as window:
        view = window.text_view
        view.set_editing(False)
        view.surprises.toggle.setChecked(True)
        table = view.surprises.panel.list
        qtbot.waitUntil(lambda: table.topLevelItemCount() > LIST_ROWS, timeout=WAIT_MS)
        window.resize(*size)
        settle()
        assert rows_cut(table) == []
        assert table.viewport().height() == rows * table.sizeHintForRow(0)



def test_a_short_window_shows_the_summarys_title_row_and_no_part_of_the_figures(qtbot, qapp, tiny_model_dir):
    with window_with_text(qtbot, qapp, tiny_model_dir, STORY * 12) as window:
        view = window.text_view
        view.set_editing(False)
        view.surprises.toggle.setChecked(True)
        qtbot.waitUntil(lambda: view.surprises.panel.list.topLevelItemCount() > LIST_ROWS, timeout=WAIT_MS)
        window.resize(800, 580)
        settle()
        scroll, panel = view.summary_scroll, view.summary_panel
        assert scroll.least and scroll.verticalScrollBar().value() == 0
        shown = scroll.viewport().height()
        figures = panel.figures.geometry()
        assert panel.title_row.geometry().bottom() < shown, "the title row shows"
        assert figures.top() >= shown or figures.bottom() < shown, (figures, shown)
