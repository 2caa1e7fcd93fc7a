"""inspector82, finding 5 (session 62's user test): SmolLM2's layer grid had 31 rows of 11 px with its figures on
hover only. Where the cells are wide enough, a deep model's rows grow to hold each layer's probability as text at
the grid's font; a narrow grid keeps its short rows. pytest-qt on the real LensGrid."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtGui import QFontMetrics  # noqa: E402

from desktop_app.core.lens import LogitLens  # noqa: E402
from desktop_app.gui.explain_grid import LensGrid  # noqa: E402

LAYERS = 30  # SmolLM2-135M's


def deep_lens() -> LogitLens:
    chosen = [0.0001] * (LAYERS - 4) + [0.004, 0.05, 0.2, 0.37]
    return LogitLens(layer_names=["embeddings"] + [f"layer {n}" for n in range(1, LAYERS + 1)],
                     token_ids=[1, 2, 3, 4, 5], token_texts=[" Lima", " C", " called", " Qu", " indeed"],
                     probs=[[p, 0.1, 0.05, 0.02, 0.001] for p in [0.0001] + chosen],
                     ranks=[[9, 1, 2, 3, 40] for _ in range(LAYERS + 1)],
                     layer_top=[(2, " C", 0.1)] * LAYERS + [(1, " Lima", 0.37)], first_top1=LAYERS)


def grid_at(qtbot, width: int) -> LensGrid:
    grid = LensGrid()
    qtbot.addWidget(grid)
    grid.resize(width, 10)
    grid.set_lens(deep_lens())
    grid.show()
    qtbot.waitExposed(grid)
    return grid


def test_a_wide_grid_writes_each_layers_probability_in_rows_that_hold_it(qtbot):
    grid = grid_at(qtbot, 300)  # the inspector's grid at 1280x800: five 53 px cells
    text_height = QFontMetrics(grid.small_font()).height()
    assert grid.row_h() > grid.MANY_ROW_H and grid.row_h() >= text_height, (grid.row_h(), text_height)
    rows = LAYERS + 1
    assert grid.height() == grid.HEADER_H + rows * grid.row_h() + 2 + grid.KEY_H
    assert grid.cell_words(rows - 1, 0) == "37%" and grid.cell_words(rows - 2, 0) == "20%"
    assert grid.cell_words(rows - 4, 0) == "0.4%"
    assert grid.cell_words(5, 1) == "10%", "every column's figure, not the chosen token's alone"
    assert grid.cell_words(5, 4) == "", "another token under 1%: its colour and its tooltip say it"
    assert grid.cell_words(5, 0) == "0.01%", "the chosen token's own, at every layer (text98: not \"<0.1%\")"


def test_a_narrow_grid_keeps_its_short_rows_without_figures(qtbot):
    grid = grid_at(qtbot, grid_width_for_cells(LensGrid.WRITTEN_CELL_W - 6))
    assert grid.row_h() == grid.MANY_ROW_H and grid.cell_words(LAYERS, 0) == ""
    grid.resize(300, grid.height())  # widened: the rows grow with it
    qtbot.waitUntil(lambda: grid.row_h() > grid.MANY_ROW_H)
    assert grid.height() == grid.HEADER_H + (LAYERS + 1) * grid.row_h() + 2 + grid.KEY_H
    assert grid.cell_words(LAYERS, 0) == "37%"


def grid_width_for_cells(cell: int) -> int:
    return LensGrid.LABEL_W + 5 * cell
