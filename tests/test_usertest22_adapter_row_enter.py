"""usertest22: Enter on a row of the adapter history uses that adapter, as a double-click does. From
the keyboard, the row picked with the arrows took a Tab to "Use selected" first; Enter on it did
nothing. Enter on the adapter already in use changes nothing. Real window, real store, real adapter
folders on the tiny model."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from gui_windows import WAIT_MS, opened_window
from test_gui_adapter_edits import _two_adapters


def test_enter_on_an_adapter_row_uses_it_and_on_the_one_in_use_does_nothing(qtbot, qapp, tiny_model_dir):
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        first, second = _two_adapters(window, tiny_model_dir)
        history = window.finetune_panel.history
        window.side_tabs.setCurrentIndex(1)
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=2000)
        history.select(first)
        history.list.setFocus()
        with qtbot.waitSignal(window.chat.adapter_changed, timeout=WAIT_MS):
            QTest.keyClick(history.list, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: window.chat.loaded.adapter_id == first, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: history.active_id() == first, timeout=WAIT_MS)
        history.select(first)  # the one in use now: Enter has nothing to do
        history.list.setFocus()
        emitted = []
        history.activate_requested.connect(emitted.append)
        QTest.keyClick(history.list, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
        for _ in range(3):
            QApplication.processEvents()
        assert emitted == []
        assert window.chat.loaded.adapter_id == first
        qtbot.waitUntil(lambda: not window.chat.lane.tasks, timeout=WAIT_MS)


def test_the_row_the_buttons_act_on_is_shown_selected(qtbot):
    """Tab into the list with the base model in use made its first row current (Qt's focus-in) but not
    selected: "Use selected" came on while no row looked selected."""
    from PySide6.QtCore import QItemSelectionModel

    from desktop_app.gui.adapter_history import AdapterHistory

    history = AdapterHistory()
    qtbot.addWidget(history)
    history.set_adapters([{"id": 1, "active": False, "created": "2026-12-04T13:35:06"},
                          {"id": 2, "active": False, "created": "2026-12-04T14:35:06"}])
    assert history.list.currentItem() is None and not history.use_button.isEnabled()
    history.list.selectionModel().setCurrentIndex(history.list.model().index(0, 0),
                                                  QItemSelectionModel.SelectionFlag.NoUpdate)  # as focus-in does
    assert history.use_button.isEnabled()
    assert history.list.currentItem().isSelected(), "the row Use selected acts on is shown selected"
