"""The Text tab's Settings button beside Continue (pytest-qt, the real window, the tiny GPT-2): the tab had
no visible way to its settings, only Ctrl+, (the limit note named the key for that). A click opens what
Ctrl+, opens there: the sampler's settings alone, said to apply to the next continuation, by the button (under
it where the screen has no room over it); a narrow tab keeps it as its icon, its name for screen readers."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.gui.settings_popover import TEXT_SETTINGS_HINT  # noqa: E402
from gui_windows import window_in_text_mode  # noqa: E402,F401 (the window fixture)


def inside(widget, window) -> bool:
    """The whole widget is on the window, not cut off at its edge."""
    top_left = widget.mapTo(window, QPoint(0, 0))
    return top_left.x() >= 0 and top_left.x() + widget.width() <= window.width()


@pytest.mark.parametrize("size", [(1280, 800), (800, 600)])
def test_the_text_tabs_settings_button_opens_the_sampler_settings(window, qtbot, size):
    window.resize(*size)
    QApplication.processEvents()
    view, popover = window.text_view, window.popover
    button = view.settings_button
    assert button.isVisible() and button.isEnabled() and inside(button, window)
    assert button.accessibleName() == "Settings" and "Ctrl+," in button.toolTip()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(popover.isVisible)
    assert popover.opener is button and popover.hint.text() == TEXT_SETTINGS_HINT
    assert not popover.system.isVisible() and popover.max_new.isVisible()
    popover.hide()


def test_the_settings_drop_under_the_button_where_the_screen_has_no_room_over_it(window, qtbot):
    """The bar is at the window's top: placed over the button and pushed down to the screen's top, the
    popup had covered the button that opened it."""
    button, popover = window.text_view.settings_button, window.popover
    window.move(0, 0)
    QApplication.processEvents()
    button.click()
    qtbot.waitUntil(popover.isVisible)
    bottom = button.mapToGlobal(QPoint(0, button.height())).y()
    assert popover.geometry().top() >= bottom, "under the button, not over it"
    assert popover.geometry().bottom() <= button.screen().availableGeometry().bottom()
    popover.hide()


def test_the_button_opens_what_ctrl_comma_opens_and_changes_what_continue_reads(window, qtbot):
    view, popover = window.text_view, window.popover
    qtbot.keyClick(view.text_widget(), Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(popover.isVisible)
    by_key = (popover.opener, popover.hint.text())
    popover.hide()
    view.settings_button.click()
    assert popover.isVisible() and (popover.opener, popover.hint.text()) == by_key
    popover.max_new.setValue(3)
    assert window.chat.settings.max_new_tokens == 3  # what the next continuation reads
    popover.hide()
