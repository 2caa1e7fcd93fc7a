"""inspector78, finding 6: at 1024x600 the layer grid's column headers are cut ("␣welco…") with nothing to say
the rest: a header's tooltip now says its token whole, with its figures at the last layer. And the Text tab's
inspector lacked the "Token N of M" line the Chat's has over its token (real window, tiny model)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.core.lens import LogitLens  # noqa: E402
from gui_windows import WAIT_MS, window_in_text_mode  # noqa: E402,F401 (the window fixture)


def _lens() -> LogitLens:
    return LogitLens(layer_names=["embeddings", "layer 1", "layer 2"], token_ids=[5, 6],
                     token_texts=[" welcome", " farewell"], probs=[[0.1, 0.2], [0.3, 0.4], [0.6, 0.25]],
                     ranks=[[3, 2], [2, 1], [1, 2]], layer_top=[(9, " x", 0.5), (6, " farewell", 0.4),
                                                                (5, " welcome", 0.6)], first_top1=2)


def test_a_cut_column_header_says_its_token_whole_on_hover(qtbot):
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QApplication, QToolTip

    from desktop_app.gui.explain_grid import LensGrid

    grid = LensGrid()
    qtbot.addWidget(grid)
    grid.resize(grid.LABEL_W + 60, 120)  # two 30 px columns: "␣welcome" does not fit its header
    grid.set_lens(_lens())
    grid.show()
    assert grid.header_column_at(grid.LABEL_W + 45, 5) == 1 and grid.header_column_at(grid.LABEL_W + 45, 40) == -1
    assert grid.column_tip(0) == "\u201c\u2423welcome\u201d (the chosen token): 60.0% at the last layer, rank 1"
    where = QPoint(grid.LABEL_W + 10, grid.HEADER_H // 2)
    QApplication.sendEvent(grid, QHelpEvent(QHelpEvent.Type.ToolTip, where, grid.mapToGlobal(where)))
    assert QToolTip.text() == grid.column_tip(0)
    QToolTip.hideText()


def test_the_text_tabs_inspector_says_where_its_token_stands(window, qtbot):
    view = window.text_view
    with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):
        view.editor.setPlainText("The keeper counted the waves and wrote a word about the moon.")
    view.set_editing(False)
    records = view.heatmap.records
    view.heatmap.token_clicked.emit(2)
    source = window.inspector.source
    assert not source.isHidden() and source.text() == f"Token 3 of {len(records)} \u00b7 the text"
