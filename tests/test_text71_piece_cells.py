"""text71: a family emoji spread over many tokens drew a row of full-width "·" before its glyph (one per piece: ~11
with GPT-2's tokenizer, 20 with the tiny test tokenizer's bytes, 95 px). Each piece's mark now takes half its width
(token_view.PIECE_SPACING), and each piece keeps its own cell, colour and click for the inspector; a text with no
pieces draws as before (pytest-qt, the real window, the tiny model)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.gui.token_view import PIECE_MARK  # noqa: E402
from gui_windows import window_with_text  # noqa: E402

FAMILY = "\U0001F468\u200d\U0001F469\u200d\U0001F467\u200d\U0001F466"  # 👨‍👩‍👧‍👦


def test_a_family_emojis_pieces_take_half_the_room_and_each_is_clicked_to_the_inspector(qtbot, qapp, tiny_model_dir):
    with window_with_text(qtbot, qapp, tiny_model_dir, f"{FAMILY} family") as window:
        heatmap = window.text_view.heatmap
        pieces = [i for i, drawn in enumerate(heatmap.drawn) if drawn == ""]
        assert len(pieces) > 10 and all(heatmap.shown[i] == PIECE_MARK for i in pieces)
        full = heatmap.fontMetrics().horizontalAdvance(PIECE_MARK)
        row = heatmap.span_rect(pieces[-1]).right() - heatmap.span_rect(pieces[0]).left()
        assert row <= 0.6 * full * len(pieces), (row, full, len(pieces))
        for index in (pieces[0], pieces[len(pieces) // 2], pieces[-1]):
            qtbot.mouseClick(heatmap.viewport(), Qt.MouseButton.LeftButton, pos=heatmap.span_rect(index).center())
            QApplication.processEvents()
            assert heatmap.selected == index and window.inspector.explain.index == index


def test_english_cells_keep_their_width(qtbot, qapp, tiny_model_dir):
    with window_with_text(qtbot, qapp, tiny_model_dir, "The quick brown fox.") as window:
        heatmap = window.text_view.heatmap
        assert not any(heatmap.is_piece(i) for i in range(len(heatmap.records)))
        first = heatmap.span_rect(0)  # the first character's cell, as wide as the font draws it
        assert abs(first.width() - heatmap.fontMetrics().horizontalAdvance(heatmap.shown[0][0])) <= 1
