"""A first start on a small screen (800x600, 1366x768) opens maximized: 85% of an 800x600 screen
was 680x510 and left the chat about 260 px tall. A big screen still gets 1280x800, and a later
start keeps what was saved (maximized or not). The offscreen platform's screen is 800x800 here,
too small for 1280x800 within its share."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect

from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from desktop_app.gui.responsive import opens_maximized


@pytest.mark.parametrize("width, height, maximized", [
    (800, 600, True), (1024, 768, True), (1366, 768, True), (1440, 900, True),
    (1920, 1080, False), (2560, 1440, False)])
def test_only_a_screen_too_small_for_the_first_size_opens_maximized(width, height, maximized):
    assert opens_maximized(QRect(0, 0, width, height)) is maximized


def _window(qtbot, paths):
    from desktop_app.gui.main_window import MainWindow

    store = Store.open(paths.db_path)
    window = MainWindow(store, paths, autoload=False)
    window.ask_before_quit = False
    qtbot.addWidget(window)
    return window


def _started(qtbot, paths):
    from desktop_app.gui import window_state

    window = _window(qtbot, paths)
    window_state.show_at_start(window)  # what gpt2-desk does as it starts
    qtbot.waitExposed(window)
    return window


def test_the_first_start_on_a_small_screen_fills_it(qtbot, qapp):
    paths = AppPaths.resolve().ensure()
    window = _started(qtbot, paths)
    free = window.screen().availableGeometry()
    assert opens_maximized(free), "the offscreen screen is a small one"
    assert window.isMaximized()
    qtbot.waitUntil(lambda: window.height() >= free.height() - 40, timeout=5000)
    assert window.width() >= free.width() - 40


def test_a_later_start_keeps_what_was_saved(qtbot, qapp):
    paths = AppPaths.resolve().ensure()
    first = _started(qtbot, paths)
    first.save_state()
    first.close()
    again = _started(qtbot, paths)
    assert not again.first_start and again.isMaximized(), "left maximized, comes back maximized"
    again.showNormal()
    again.resize(700, 520)
    qtbot.waitUntil(lambda: not again.isMaximized(), timeout=5000)
    again.save_state()
    again.close()
    third = _started(qtbot, paths)
    assert not third.isMaximized(), "a person's own size is theirs: a later start does not maximize it"
