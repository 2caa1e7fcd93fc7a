"""Ctrl+S on the Text tab opens the text's own export menu (the text, the heatmap, its tokens, the summary):
a person saving there means the text, not the hidden chat's conversation (left47 bound Ctrl+S to the
conversation's menu everywhere)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gui_windows import WAIT_MS, window_in_text_mode  # noqa: E402,F401 (the window fixture)


def test_ctrl_s_on_the_text_tab_opens_the_texts_export_menu(window, qtbot):
    with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):
        window.text_view.editor.setPlainText("The keeper counted the waves and wrote a word about the moon.")
    window.text_view.set_editing(False)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.text_view.text_widget().setFocus()
    qtbot.keyClick(window.text_view.text_widget(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    text_menu = window.text_view.summary_panel.export_button.menu()
    qtbot.waitUntil(text_menu.isVisible, timeout=WAIT_MS)
    assert not window.export_button.menu().isVisible()
    assert any("PNG" in action.text() for action in text_menu.actions())
    text_menu.close()
