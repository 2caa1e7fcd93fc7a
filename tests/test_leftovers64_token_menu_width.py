"""leftovers64: at 640x480 in the Text tab, a right-click on a token (which shows the inspector, as a click
does) widened the window to 667 px: the Text bar's narrowest form was 382 px (the texts' picker kept room for
9 characters beside six icon buttons), more than the 359 px the inspector's 280 px leave. The narrowest bar
now keeps 5 characters and closes its buttons up, and the window keeps its width. pytest-qt on the real
window, tiny GPT-2, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication  # noqa: E402

from gui_windows import STORY, WAIT_MS, window_with_text  # noqa: E402


def _settle(rounds: int = 20) -> None:
    for _ in range(rounds):
        QApplication.processEvents()


def test_a_tokens_right_click_at_640_px_shows_the_inspector_without_widening_the_window(qtbot, qapp, tiny_model_dir):
    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as window:
        view = window.text_view
        with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):
            view.analyse_now(save=False)
        window.panel_actions["side_tabs"].setChecked(False)
        window.resize(640, 480)
        qtbot.waitUntil(lambda: window.size().toTuple() == (640, 480), timeout=WAIT_MS)
        _settle()
        heatmap = view.heatmap
        heatmap.customContextMenuRequested.emit(heatmap.span_rect(3).center())
        menu = window.text_mode.token_menu.last
        try:
            qtbot.waitUntil(lambda: window.side_tabs.isVisible(), timeout=WAIT_MS)
            _settle()
            assert window.width() == 640, f"the window grew to {window.width()} px"
            bar = view.bar
            assert bar.width() >= bar.minimumSizeHint().width(), "the Text bar fits the room the inspector leaves"
            picker = bar.documents
            assert len(picker.shown_text().rstrip("\u2026")) >= 3, f"the picker shows {picker.shown_text()!r}"
            assert window.side_tabs.width() >= window.side_tabs.minimumWidth(), "the inspector whole"
        finally:
            menu.close()
