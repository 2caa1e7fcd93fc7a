"""text98: every layer-grid cell of the chosen token under 0.1% read "<0.1%", so the grid said nothing of a token
climbing from rank 30,000 to rank 40 below the layer it leads from. Those cells now say one significant figure
down to 0.01% ("0.03%") and the token's rank under it ("#850", "#12k"), in cells no wider than before (pytest-qt
on the real LensGrid)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtGui import QFontMetrics  # noqa: E402

from desktop_app.core.lens import LogitLens  # noqa: E402
from desktop_app.core.lens_words import cell_figure  # noqa: E402
from desktop_app.gui.explain_grid import LensGrid  # noqa: E402

CLIMB = [(0.00000002, 31_250), (0.0000009, 2_400), (0.00004, 850), (0.00034, 40), (0.004, 6), (0.37, 1)]


def test_small_probabilities_keep_saying_something():
    said = [cell_figure(prob, rank) for prob, rank in CLIMB]
    assert said == ["#31k", "#2k", "#850", "0.03%", "0.4%", "37%"]
    assert len(set(said)) == len(said), "each layer's cell tells it apart from the next"
    assert cell_figure(0.00095, 12) == "0.1%" and cell_figure(0.0001, 900) == "0.01%"


def _climbing_lens() -> LogitLens:
    rows = len(CLIMB)
    return LogitLens(layer_names=["embeddings"] + [f"layer {n}" for n in range(1, rows)],
                     token_ids=[1, 2, 3, 4, 5], token_texts=[" Lima", " C", " called", " Qu", " indeed"],
                     probs=[[prob, 0.1, 0.05, 0.02, 0.001] for prob, _rank in CLIMB],
                     ranks=[[rank, 1, 2, 3, 40] for _prob, rank in CLIMB],
                     layer_top=[(2, " C", 0.1)] * (rows - 1) + [(1, " Lima", 0.37)], first_top1=rows - 1)


def test_the_grid_writes_them_in_cells_as_narrow_as_before(qtbot):
    grid = LensGrid()
    qtbot.addWidget(grid)
    grid.resize(LensGrid.LABEL_W + 5 * 38, 10)  # the narrowest cells that held the old "<0.1%"
    grid.set_lens(_climbing_lens())
    grid.show()
    qtbot.waitExposed(grid)
    metrics = QFontMetrics(grid.small_font())
    assert metrics.horizontalAdvance("<0.1%") <= grid._cell_w() - 4 and grid.cells_written()
    written = [grid.cell_words(row, 0) for row in range(len(CLIMB))]
    assert written == ["#31k", "#2k", "#850", "0.03%", "0.4%", "37%"], written
    assert all(metrics.horizontalAdvance(w) <= metrics.horizontalAdvance("<0.1%") for w in written), \
        "no wider than the words they replace: the cells keep their width"
