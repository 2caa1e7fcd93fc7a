"""usertest26: with the Fine-tune tab showing, Enter on "Use base model" (reached with Tab, its focus
ring on) did nothing, where Space pressed it; F1 says Enter or Space presses the button with the ring.
The adapter list's Enter (and F2) shortcuts were the whole window's, not the list's: PySide6 dropped their
``context=``. Real window, real store, real adapter folders on the tiny model."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from gui_windows import WAIT_MS, opened_window
from test_gui_adapter_edits import _two_adapters


def _history_in_front(qtbot, window):
    window.side_tabs.setCurrentIndex(1)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    return window.finetune_panel.history


def test_enter_on_use_base_model_puts_the_base_model_in_use(qtbot, qapp, tiny_model_dir):
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        first, _second = _two_adapters(window, tiny_model_dir)
        history = _history_in_front(qtbot, window)
        history.select(first)
        with qtbot.waitSignal(window.chat.adapter_changed, timeout=WAIT_MS):
            history.use_button.click()
        qtbot.waitUntil(history.base_button.isEnabled, timeout=WAIT_MS)
        history.base_button.setFocus()
        with qtbot.waitSignal(window.chat.adapter_changed, timeout=WAIT_MS):
            QTest.keyClick(history.base_button, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: window.chat.loaded.adapter_id is None, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: not window.chat.lane.tasks, timeout=WAIT_MS)


def test_f2_outside_the_adapter_list_renames_no_adapter(qtbot, qapp, tiny_model_dir):
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        first, _second = _two_adapters(window, tiny_model_dir)
        history = _history_in_front(qtbot, window)
        history.select(first)
        asked = []
        history.ask_name = lambda adapter_id, current: asked.append(adapter_id)  # the name dialog's answer
        window.prompt.setFocus()
        QTest.keyClick(window.prompt, Qt.Key.Key_F2)
        QApplication.processEvents()
        assert asked == [], "F2 in the prompt box asked for a new name of the selected adapter"
        history.list.setFocus()
        QTest.keyClick(history.list, Qt.Key.Key_F2)
        assert asked == [first], "in the list F2 still renames the selected adapter"
