"""older67: a later start after the screen changed (a saved geometry larger than the screen it now opens on, or
placed on a screen that is gone) opens fitting that screen, at a sensible size, not at Qt's shrunken fallback."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QRect  # noqa: E402

from desktop_app.core.paths import AppPaths  # noqa: E402
from desktop_app.gui.window_state import open_settings  # noqa: E402
from test_geometry62_maximized_restart import _started  # noqa: E402


def _geometry_saved_at(qtbot, rect: QRect):
    """The bytes a window at ``rect`` saves on this screen."""
    from PySide6.QtWidgets import QMainWindow

    probe = QMainWindow()
    qtbot.addWidget(probe)
    probe.setGeometry(rect)
    return probe.saveGeometry()


def _geometry_saved_on_another_screen(normal: QRect, screen_width: int, *, maximized: bool):
    """The bytes ``saveGeometry`` writes (Qt's layout 3.0) for a window left at ``normal`` on a screen
    ``screen_width`` wide: the frame as the window manager drew it, 20 px of title bar above."""
    from PySide6.QtCore import QByteArray, QDataStream, QIODevice

    data = QByteArray()
    stream = QDataStream(data, QIODevice.OpenModeFlag.WriteOnly)
    stream.setVersion(QDataStream.Version.Qt_4_0)
    stream.writeUInt32(0x1D9D0CB), stream.writeUInt16(3), stream.writeUInt16(0)
    frame = normal.adjusted(-1, -20, 1, 1)
    stream << frame
    stream << normal
    stream.writeInt32(0), stream.writeUInt8(2 if maximized else 0), stream.writeUInt8(0)
    stream.writeInt32(screen_width)
    stream << (QRect(0, 20, screen_width, 780) if maximized else normal)
    return data


@pytest.mark.parametrize("saved", [QRect(40, 40, 2400, 1500), QRect(3000, 200, 1200, 900)],
                         ids=["larger-than-the-screen", "on-a-screen-that-is-gone"])
def test_a_window_left_larger_than_its_new_screen_opens_as_a_first_start_would(qtbot, qapp, saved):
    """Qt's own restore shrank it (535x425 on 800x600) or let its frame hang off the screen; the offscreen
    screen is a small one, where a first start opens maximized."""
    from desktop_app.gui.responsive import first_geometry

    open_settings(AppPaths.resolve().ensure()).setValue("geometry", _geometry_saved_at(qtbot, saved))
    window, _paths = _started(qtbot)
    free = window.screen().availableGeometry()
    assert window.isMaximized(), "too large for this screen: it fills it, as a first start on a small screen does"
    least = window.minimumSizeHint().expandedTo(window.minimumSize())
    assert window.normalGeometry() == first_geometry(free, least, saved.size()), "un-maximized: 85% of it, centred"


def test_a_window_that_fits_keeps_its_size_when_its_screen_is_gone(qtbot, qapp):
    open_settings(AppPaths.resolve().ensure()).setValue("geometry", _geometry_saved_at(qtbot, QRect(3000, 200, 600, 500)))
    window, _paths = _started(qtbot)
    assert not window.isMaximized() and window.size().toTuple() == (600, 500)
    assert window.screen().availableGeometry().intersects(window.geometry()), "brought onto the screen there is"


def test_a_window_left_low_on_a_larger_screen_keeps_its_size_on_this_one(qtbot, qapp):
    """Left at y 373 on a 1920-wide screen: it fits this one, yet Qt's restore shrank it to 2/3 of the screen."""
    saved = _geometry_saved_on_another_screen(QRect(320, 393, 700, 500), 1920, maximized=False)
    open_settings(AppPaths.resolve().ensure()).setValue("geometry", saved)
    window, _paths = _started(qtbot)
    assert not window.isMaximized() and window.size().toTuple() == (700, 500)
    assert window.screen().availableGeometry().contains(window.geometry()), "moved onto this screen"


def test_a_window_left_maximized_on_another_screen_comes_back_maximized(qtbot, qapp):
    """Qt's restore dropped the maximized state when the screen's width changed (1280x800 to 1920x1200 under
    openbox: a 1280x428 window)."""
    saved = _geometry_saved_on_another_screen(QRect(96, 60, 610, 470), 1280, maximized=True)
    open_settings(AppPaths.resolve().ensure()).setValue("geometry", saved)
    window, _paths = _started(qtbot)
    assert window.isMaximized(), "left maximized, back maximized"
    assert window.normalGeometry().size().toTuple() == (610, 470), "with the size it returns to"
