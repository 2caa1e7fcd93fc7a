"""usertest45, finding 4 (pytest-qt): F1's "What the figures mean" had no word for the layer grid (logit
lens), its ▶, nor for the sampler line's "as sampled"."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")


# ---------------------------------------------------------------- 4. F1 says what the grid is

def test_f1_says_what_the_layer_grid_and_as_sampled_are(qtbot):
    from desktop_app.gui.shortcuts import ShortcutsDialog

    dialog = ShortcutsDialog()
    qtbot.addWidget(dialog)
    figures = dialog.figures.toPlainText()
    assert "layer by layer (logit lens)" in figures and "\u25b6 marks the first layer" in figures
    assert "as sampled" in figures
