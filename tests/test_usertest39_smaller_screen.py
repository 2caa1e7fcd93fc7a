"""usertest39: a start on a smaller screen than the window was left on (1024x600, then 800x600) came back at two
thirds of it, 533x400 (Qt's restoreGeometry shrinks a size the screen cannot hold), not filling it; the Text tab
showed four lines of the text. pytest-qt, offscreen (its screen is 800x800), the real window and its settings file."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QMainWindow  # noqa: E402

from desktop_app.core.paths import AppPaths  # noqa: E402
from test_geometry62_maximized_restart import _started  # noqa: E402


def test_a_size_left_on_a_bigger_screen_opens_maximized(qtbot, qapp):
    from desktop_app.gui.main_window import open_settings

    paths = AppPaths.resolve().ensure()
    bigger = QMainWindow()  # the window as it was left on a 1280x1000 screen: bigger than offscreen's 800x800
    bigger.resize(1280, 1000)
    free = bigger.screen().availableGeometry()
    assert free.width() < 1280 or free.height() < 1000, "the offscreen screen is the smaller one"
    settings = open_settings(paths)
    settings.setValue("geometry", bigger.saveGeometry())
    settings.sync()
    bigger.deleteLater()
    window, _paths = _started(qtbot)
    assert window.isMaximized(), f"left at 1280x1000, it came back at {window.size().toTuple()}, not filling the screen"


def test_a_size_that_fits_the_screen_stays_as_it_was_left(qtbot, qapp):
    from desktop_app.gui.main_window import open_settings

    paths = AppPaths.resolve().ensure()
    left = QMainWindow()
    left.resize(700, 520)
    settings = open_settings(paths)
    settings.setValue("geometry", left.saveGeometry())
    settings.sync()
    left.deleteLater()
    window, _paths = _started(qtbot)
    assert not window.isMaximized() and window.size().toTuple() == (700, 520)
