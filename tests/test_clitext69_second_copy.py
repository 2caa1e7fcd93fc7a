"""A second copy on the same data folder (usertest41): the terminal is told in one line, and the box that asks
whether to open anyway is safe for stray typing (the person's typing, meant for the other window, went into it
and its Enter quit it): no button is the default and none has the focus, so Enter, Space and letters press none;
Esc still quits."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from desktop_app.gui.instance_lock import take_data_lock


def _shown_box() -> QMessageBox:
    return next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible())


def test_the_terminal_says_the_app_is_already_running_and_on_which_folder(qtbot, qapp, tmp_path, capsys):
    first = take_data_lock(tmp_path)
    assert first is not None and capsys.readouterr().err == ""  # the first copy says nothing
    QTimer.singleShot(0, lambda: _shown_box().reject())  # Esc's path: Quit
    try:
        assert take_data_lock(tmp_path) is None
    finally:
        first.unlock()
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    assert "GPT-2 Desk is already running" in lines[0] and str(tmp_path) in lines[0]


def test_stray_typing_presses_no_button_and_esc_quits(qtbot, qapp, tmp_path):
    first = take_data_lock(tmp_path)
    seen = {}

    def type_into_the_box():
        box = _shown_box()
        buttons = box.findChildren(QPushButton)
        seen["default"] = [b.text() for b in buttons if b.isDefault() or b.autoDefault()]
        seen["focus"] = box.focusWidget()
        for key in (Qt.Key.Key_H, Qt.Key.Key_I, Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            QTest.keyClick(box.focusWidget() or box, key)
            QTest.keyClick(box, key)  # and to the dialog itself, where a default button would take Enter
        seen["after typing"] = (box.isVisible(), box.clickedButton())
        seen["words"] = box.text()
        QTest.keyClick(box, Qt.Key.Key_Escape)

    QTimer.singleShot(0, type_into_the_box)
    try:
        assert take_data_lock(tmp_path) is None  # Esc: Quit
    finally:
        first.unlock()
    assert seen["default"] == []
    assert not isinstance(seen["focus"], QPushButton) and seen["focus"] is not None
    assert seen["after typing"] == (True, None)
    assert "Keys typed here do nothing" in seen["words"]
