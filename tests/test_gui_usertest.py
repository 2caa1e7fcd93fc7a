"""What the second new-user test found (usertest findings 6, 8-12): each on real widgets (pytest-qt,
offscreen, the tiny random GPT-2) and the real SQLite store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from test_gui import WAIT_MS, answer_cards, ask, make_window  # noqa: E402,F401


# ---------------------------------------------------------------- 6. the compare view has a visible way back

def test_compare_view_has_a_visible_back_to_chat_button(make_window, qtbot):
    window = make_window()
    dialog = window.open_compare(None)
    QApplication.processEvents()
    back = dialog.back_button
    assert back.isVisible() and "Back to chat" in back.text()
    assert "Esc" in back.toolTip(), "the tooltip tells the keyboard way back too"
    qtbot.mouseClick(back, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible(), "the button closes the compare view"
