"""Ctrl+, in the Text tab opens the sampling settings over Continue (pytest-qt, the real window, the tiny
GPT-2): the Text tab hides the prompt row and its Settings button, and the popup, placed by that hidden
button, opened at the screen's left edge, hanging off the window's (usertest 25, at 1280x800). In the
chat it stays over the Settings button."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gui_windows import window_in_text_mode  # noqa: E402,F401 (the window fixture)


def right_edge(widget) -> int:
    return widget.mapToGlobal(QPoint(widget.width(), 0)).x()


def assert_over_the_button(popover, button) -> None:
    """One of the popup's edges on the button's, on the side where the window has more room (polish36): its left
    edge where the button stands left of the window's middle, else its right edge. Where the Text tab's button
    stands depends on the side panel's width (session 55's narrower inspector moved it just left of the middle)."""
    window = button.window()
    middle = window.mapToGlobal(QPoint(window.width() // 2, 0)).x()
    left = button.mapToGlobal(QPoint(0, 0)).x()
    if (left + right_edge(button)) // 2 < middle:
        assert abs(popover.geometry().left() - left) <= 2, f"{popover.geometry()} by a button at {left}, left of {middle}"
    else:
        assert abs(popover.geometry().right() + 1 - right_edge(button)) <= 2, f"{popover.geometry()} by a button right of {middle}"


def test_ctrl_comma_in_the_text_tab_opens_the_settings_over_its_settings_button(window, qtbot):
    """Over the Text tab's own Settings button, beside Continue (session 49: before it, over Continue)."""
    window.resize(700, 500)  # within the offscreen screen, so nothing clamps the popup
    qtbot.waitUntil(lambda: window.width() == 700)
    for _ in range(6):  # the side panel's fit and the Text bar's words follow from queued events
        QApplication.processEvents()
    text_settings = window.text_view.settings_button
    assert not window.settings_button.isVisible() and text_settings.isVisible()
    qtbot.keyClick(window.text_view.text_widget(), Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    popover = window.popover
    qtbot.waitUntil(popover.isVisible)
    assert popover.opener is text_settings
    assert_over_the_button(popover, text_settings)
    popover.hide()
    from desktop_app.gui.shortcuts import open_settings

    window.set_mode("chat")
    QApplication.processEvents()
    open_settings(window)  # what Ctrl+, runs
    assert popover.isVisible()
    assert popover.opener is window.settings_button
    popover.hide()


def test_the_text_tabs_settings_leave_out_what_only_the_chat_reads(window, qtbot):
    """Usertest 25: in the Text tab the settings said "Changes apply to the next answer" over a System text
    ("instructions placed before the conversation") and "Enter sends", none of which a continuation reads."""
    from desktop_app.gui.settings_popover import SETTINGS_HINT, TEXT_SETTINGS_HINT
    from desktop_app.gui.shortcuts import open_settings

    popover = window.popover
    open_settings(window)
    assert popover.hint.text() == TEXT_SETTINGS_HINT and "continuation" in popover.hint.text()
    assert not popover.system.isVisible() and not popover.enter_sends.isVisible()
    assert popover.max_new.isVisible() and popover.temperature.isVisible()
    popover.hide()
    window.set_mode("chat")
    QApplication.processEvents()
    window.settings_button.click()  # the chat's button: its settings whole
    assert popover.isVisible() and popover.hint.text() == SETTINGS_HINT
    assert popover.system.isVisible() and popover.enter_sends.isVisible()
    popover.hide()
