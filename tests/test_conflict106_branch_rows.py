"""conflict106: at 800x600 the Text tab's branch list, under the text, kept a fixed 40 px: under three rows in the
test font, one whole row in a larger one, the rest behind a scroll bar. It now keeps three whole rows at its
font's row height. pytest-qt, offscreen, the real window on the tiny fixture model and a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.core import text_branches as tb  # noqa: E402
from desktop_app.gui.text_tree_panel import UNDER_ROWS  # noqa: E402
from gui_windows import STORY, window_with_text  # noqa: E402


def _settle(times: int = 6) -> None:
    for _ in range(times):
        QApplication.processEvents()


def _whole_rows(outline) -> int:
    return outline.viewport().height() // outline.sizeHintForRow(0)


def test_at_800x600_the_branch_list_under_the_text_shows_three_whole_rows_and_scrolls_for_more(
        qtbot, qapp, tiny_model_dir):
    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as window:
        for i in range(5):
            tb.add_branch(window.chat.store, window.text.document_id, None, len(STORY), f" Branch {i} went on.")
        window.text.tree.reload()
        outline = window.text_view.branch_panel.outline
        for width, height in ((800, 600), (1280, 800), (800, 600), (800, 480)):
            window.resize(width, height)
            _settle()
            assert _whole_rows(outline) >= UNDER_ROWS, (width, height, outline.viewport().height())
        assert window.text_view.lower.orientation() == Qt.Orientation.Vertical, "at 800 px the list is under the text"
        assert outline.verticalScrollBar().isVisible(), "six rows in three: a scroll bar says there are more"


def test_a_larger_font_keeps_three_whole_rows_under_the_text(qtbot, qapp, tiny_model_dir):
    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as window:
        for i in range(3):
            tb.add_branch(window.chat.store, window.text.document_id, None, len(STORY), f" Branch {i} went on.")
        panel = window.text_view.branch_panel
        font = panel.outline.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        panel.outline.setFont(font)
        window.text.tree.reload()
        window.resize(800, 600)
        _settle()
        assert _whole_rows(panel.outline) >= UNDER_ROWS, (panel.outline.viewport().height(),
                                                          panel.outline.sizeHintForRow(0))
