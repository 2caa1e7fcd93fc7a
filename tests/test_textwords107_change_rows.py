"""textwords107: at 800x600 with Fine-tune's change on, the Text tab's branch list under the text showed about 2.5
rows, the selected one cut in half. It keeps three whole rows, as with the change off, and the selected row shows
whole. pytest-qt, offscreen, the real window on the tiny fixture model, a real LoRA adapter and a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.core import text_branches as tb  # noqa: E402
from desktop_app.gui.text_tree_panel import UNDER_ROWS  # noqa: E402
from gui_windows import STORY, WAIT_MS, window_with_text  # noqa: E402
from test_cli40_outside_adapter import _use_imported  # noqa: E402


def _settle(times: int = 8) -> None:
    for _ in range(times):
        QApplication.processEvents()


def _row_heights(outline) -> list[int]:
    it, heights = outline.topLevelItem(0), []
    while it is not None:
        heights.append(outline.visualItemRect(it).height())
        it = outline.itemBelow(it)
    return heights


def test_with_the_change_on_the_branch_list_keeps_three_whole_rows_and_the_selected_one_whole(
        qtbot, qapp, tiny_model_dir):
    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as window:
        _use_imported(qtbot, window, tiny_model_dir, seed=3)
        made = [tb.add_branch(window.chat.store, window.text.document_id, None, len(STORY), f" Branch {i} went on.")
                for i in range(5)]
        tb.rate_branch(window.chat.store, made[1], 1)
        window.text.tree.reload()
        view, mode = window.text_view, window.text_view.change_mode
        window.resize(800, 600)
        _settle()
        mode.toggle.click()
        qtbot.waitUntil(lambda: mode.change is not None and mode.change.complete, timeout=WAIT_MS)
        _settle()
        outline = view.branch_panel.outline
        window.resize(1280, 800)  # the list beside the text, every row in view
        _settle()
        view.branch_panel.tree.show(made[4])  # the last row: below the three the list shows under the text
        _settle()
        for height in (600, 575, 550):
            window.resize(800, height)
            _settle()
            rows = _row_heights(outline)
            assert max(rows) > min(rows), rows  # the rated row, with its thumb, is the taller
            assert outline.viewport().height() >= UNDER_ROWS * max(rows), (height, rows, outline.viewport().height())
            current = outline.visualItemRect(outline.currentItem())
            assert outline.currentItem().data(0, Qt.ItemDataRole.UserRole) == made[4]
            assert current.top() >= 0 and current.bottom() < outline.viewport().height(), (height, current)
