"""Keys reach the model dialog (Ctrl+L), Compare (Ctrl+Shift+C), the adapter history (Ctrl+H) and the
conversation's export menu (Ctrl+S), and F1 names them; no two of the window's shortcuts share a key (Qt
runs neither of two). pytest-qt, the tiny model, real widgets, keys pressed in the prompt."""

from __future__ import annotations

from collections import Counter

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QKeySequence, QShortcut  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.gui.shortcuts import SHORTCUTS, shortcuts_html  # noqa: E402
from gui_windows import modal_types_opened_by  # noqa: E402
from test_gui import ask, make_window  # noqa: E402,F401

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


def _press(qtbot, window, key, modifiers=CTRL):
    window.activateWindow()  # back from the window a key before opened
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.prompt.setFocus()
    qtbot.keyClick(window.prompt, key, modifiers)
    QApplication.processEvents()


def test_keys_reach_the_model_dialog_compare_the_adapter_history_and_the_export_menu(make_window, qtbot):
    from desktop_app.gui.model_dialog import ModelDialog

    window = make_window()
    ask(qtbot, window, "Hello there")
    _press(qtbot, window, Qt.Key.Key_C, CTRL | SHIFT)
    assert window.compare_dialog is not None and window.compare_dialog.isVisible()
    window.compare_dialog.close()

    _press(qtbot, window, Qt.Key.Key_H)
    assert window.side_tabs.currentWidget() is window.finetune_panel
    assert QApplication.focusWidget() in (window.finetune_panel.history.list, window.side_tabs.tabBar(),
                                          window.finetune_panel.train_button)

    _press(qtbot, window, Qt.Key.Key_S)
    menu = window.export_button.menu()
    assert menu.isVisible() and window.import_conversation_action in menu.actions()
    menu.close()

    opened = modal_types_opened_by(lambda: _press(qtbot, window, Qt.Key.Key_L))
    assert opened == [ModelDialog]


def test_f1_names_the_new_keys_and_no_window_shortcut_is_bound_twice(make_window):
    window = make_window(wait=False)
    listed = " ".join(keys for keys, _what in SHORTCUTS)
    for keys in ("Ctrl+L", "Ctrl+Shift+C", "Ctrl+H", "Ctrl+S"):
        assert keys in listed and keys in shortcuts_html()
    bound = [QKeySequence(s.key()).toString() for s in window.findChildren(QShortcut)
             if s.context() == Qt.ShortcutContext.WindowShortcut and s.parent() is window]
    bound += [a.shortcut().toString() for a in window.findChildren(type(window.help_action)) if not a.shortcut().isEmpty()]
    twice = [keys for keys, n in Counter(bound).items() if n > 1]
    assert twice == [] and {"Ctrl+L", "Ctrl+Shift+C", "Ctrl+H", "Ctrl+S"} <= set(bound)
