"""usertest21: Ctrl+V on the Text tab's coloured text (which takes no paste) says where a paste goes;
it did nothing visible, and the paragraph a new user pasted was simply not there. pytest-qt,
offscreen, the tiny model, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from test_gui_text import analysed, text_window  # noqa: E402,F401  (text_window: a fixture)

TEXT = "The lighthouse stood at the edge of the cliff."


def test_ctrl_v_on_the_coloured_text_says_how_to_paste_and_changes_nothing(text_window, qtbot):
    window = text_window()
    view = window.text_view
    analysed(qtbot, window, TEXT)
    view.set_editing(False)
    QApplication.clipboard().setText("Rain fell over the quiet village.")
    window.activateWindow()
    view.heatmap.setFocus()
    QApplication.processEvents()
    assert "Ctrl+E" not in window.notice_banner.label.text()
    qtbot.keyClick(view.heatmap, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    QApplication.processEvents()
    assert window.notice_banner.isVisible()
    words = window.notice_banner.label.text()
    assert "Ctrl+E" in words and "New" in words, words
    assert view.editor.toPlainText() == TEXT and not view.editing, "the text is as it was"


def test_the_paste_notice_goes_once_the_editor_shows(text_window, qtbot):
    window = text_window()
    view = window.text_view
    analysed(qtbot, window, TEXT)
    view.set_editing(False)
    view.heatmap.setFocus()
    qtbot.keyClick(view.heatmap, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert window.notice_banner.isVisible() and "Ctrl+E" in window.notice_banner.label.text()
    view.set_editing(True)  # Edit, Ctrl+E, or a new empty text
    assert not window.notice_banner.isVisible(), "its advice was taken: it does not linger over the editor"
