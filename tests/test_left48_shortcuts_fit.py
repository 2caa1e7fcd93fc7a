"""Leftover of the user tests: the F1 shortcut box was a message box 575 px tall or more, cut at the bottom of
an 800x600 screen with its Close button. It fits the screen, scrolls where the screen is shorter than the list,
and closes with Esc (pytest-qt, the real window and dialog)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QRect, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from test_gui import make_window  # noqa: E402,F401


def _fits(dialog, screen: QRect) -> bool:
    from desktop_app.gui.shortcuts import TITLE_BAR

    # on the screen as placed, and with room for a window manager's title bar (none offscreen)
    return screen.contains(dialog.frameGeometry()) and dialog.height() + TITLE_BAR <= screen.height()


def test_f1_fits_the_screen_it_opens_on(make_window, qtbot):
    from desktop_app.gui.shortcuts import show_shortcuts

    window = make_window(wait=False)
    box = show_shortcuts(window)
    qtbot.waitExposed(box)
    assert _fits(box, window.screen().availableGeometry())
    assert box.buttons.isVisible() and box.rect().contains(box.buttons.geometry())


@pytest.mark.parametrize("width, height", [(800, 600), (1024, 600), (800, 400)])
def test_f1_fits_small_screens_and_scrolls_where_it_must(make_window, qtbot, width, height):
    from desktop_app.gui.shortcuts import SHORTCUTS, show_shortcuts

    window = make_window(wait=False)
    box = show_shortcuts(window)
    screen = QRect(0, 0, width, height)
    box.fit_to(screen)
    QApplication.processEvents()
    assert _fits(box, screen), (box.geometry(), screen)
    assert box.rect().contains(box.buttons.geometry()), "Close is inside the dialog, not cut"
    bar = box.browser.verticalScrollBar()
    assert box.browser.hasFocus()
    qtbot.keyClick(box.browser, Qt.Key.Key_End)  # the keyboard reaches the list's end
    assert bar.value() == bar.maximum()
    end = box.browser.document().size().height() - bar.value()
    assert end <= box.browser.viewport().height() + 1, "the last row can be read"
    assert SHORTCUTS[-1][1] in box.browser.toPlainText()
    if height == 400:
        assert bar.maximum() > 0, "a list taller than the screen scrolls"
    qtbot.keyClick(box.browser, Qt.Key.Key_Escape)
    assert not box.isVisible(), "Esc closes it"
