"""While the Text tab shows its editor, the Edit button says how to get the colours back: "Done
editing", its tooltip and name with Ctrl+E; back on the coloured text it says "Edit" again. It had
read "Edit" while editing, so nothing said how to colour the text again (user test 15).
pytest-qt on the real window, tiny GPT-2, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gui_windows import WAIT_MS  # noqa: E402
from test_gui_loom import settle, window  # noqa: E402,F401


def test_the_edit_button_says_how_to_leave_the_editor(window, qtbot):
    view = window.text_view
    button = view.edit_button
    view.set_editing(False)
    QApplication.processEvents()
    assert not view.editing and button.text() == "Edit"
    qtbot.keyClick(view.heatmap, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    QApplication.processEvents()
    assert view.editing and button.isChecked()
    assert button.text() == "Done editing", "the button says how to get the colours back"
    assert "Ctrl+E" in button.toolTip() and "colour" in button.toolTip()
    assert button.accessibleName() == "Done editing"
    bar = view.continue_button.parentWidget()
    assert bar.width() >= bar.sizeHint().width(), "the longer words fit (or the bar steps down)"
    with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):
        view.editor.insertPlainText(" More.")
        button.click()
    settle(window)
    assert not view.editing and button.text() == "Edit" and button.accessibleName() == "Edit"
    assert "Ctrl+E" in button.toolTip()


def test_a_narrow_bar_shows_the_editor_state_without_words(window, qtbot):
    window.resize(800, 560)
    settle(window)
    view = window.text_view
    view.set_editing(True)
    QApplication.processEvents()
    bar = view.continue_button.parentWidget()
    assert bar.width() >= bar.sizeHint().width()
    assert view.edit_button.isChecked() and "Ctrl+E" in view.edit_button.toolTip()
    assert view.edit_button.text() in ("", "Done editing")
