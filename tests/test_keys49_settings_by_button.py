"""The settings popover opens by its button and inside the window (usertest26: at 1024x600 it opened at the
screen's top-left corner, placed by the screen's height, half off the window). pytest-qt, the real window
on the tiny model, opened with Ctrl+, from the prompt as a keyboard user does, and by a Space on the button."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint, QRect, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gui_windows import active, press  # noqa: E402
from test_gui import WAIT_MS, make_window  # noqa: E402,F401


def global_rect(widget) -> QRect:
    return QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())


def opened_by_ctrl_comma(qtbot, window):
    window.prompt.setFocus()
    qtbot.keyClick(window.prompt, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(window.popover.isVisible, timeout=WAIT_MS)
    QApplication.processEvents()
    return window.popover


@pytest.mark.parametrize("size", [(1024, 600), (800, 600), (1280, 800)])
def test_the_settings_open_over_their_button_inside_the_window(make_window, qtbot, size):
    window = active(qtbot, make_window(wait=False))
    window.resize(*size)
    QApplication.processEvents()
    for opening in ("ctrl+,", "space"):
        if opening == "space":
            press(qtbot, window.settings_button)
            qtbot.waitUntil(window.popover.isVisible, timeout=WAIT_MS)
            popover = window.popover
        else:
            popover = opened_by_ctrl_comma(qtbot, window)
        shown, button, inside = global_rect(popover), global_rect(window.settings_button), global_rect(window)
        assert inside.contains(shown), f"{opening} at {size}: {shown} is not inside the window {inside}"
        assert shown.bottom() < button.top() and button.top() - shown.bottom() <= 8, "not right over its button"
        assert shown.left() <= button.right() and shown.right() >= button.left(), "not by its button"
        assert popover.close_button.isVisible() and inside.contains(global_rect(popover.close_button))
        popover.hide()
