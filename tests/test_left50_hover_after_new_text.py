"""A hovered token's figures go from the status bar when the text under a still pointer is replaced (another
text opened and analysed in the Text tab): the index under the pointer was the same, so nothing told the
status bar, which kept the old text's token (usertest 24). Now the heatmap finds the token under the
pointer again after a rebuild: its figures, or none. pytest-qt on the real window, tiny GPT-2."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtGui import QCursor  # noqa: E402

from desktop_app.core.token_words import token_status_words  # noqa: E402
from gui_windows import STORY, WAIT_MS, window_with_text  # noqa: E402
from test_small40_short_window import settle  # noqa: E402

OTHER = "Ships sailed out of the harbour at dawn, and the gulls followed them far out to sea."


def test_a_new_text_under_a_still_pointer_leaves_no_old_tokens_figures(qtbot, qapp, tiny_model_dir):
    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as window:
        view = window.text_view
        view.set_editing(False)
        settle()
        heatmap, index = view.heatmap, 3
        point = heatmap.span_rect(index).center()
        QCursor.setPos(heatmap.viewport().mapToGlobal(point))
        with qtbot.waitSignal(heatmap.token_hovered, timeout=2000):
            qtbot.mouseMove(heatmap.viewport(), point)
        shown = window.statusBar().currentMessage()
        assert shown == token_status_words(index, heatmap.records[index])
        with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):
            view.new_document(OTHER)
        view.set_editing(False)
        settle()
        now = window.statusBar().currentMessage()
        assert now != shown, "the status bar kept a token of the text that went"
        under = heatmap.pointer_index()  # the new text's token there, if told (the plain text shown first
        # while it was analysed has no tokens: the figures went then, and no mouse move has come since)
        assert now in ("", token_status_words(under, heatmap.records[under]) if under >= 0 else ""), now
