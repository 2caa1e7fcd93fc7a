"""geometry62: a first start maximized, un-maximized and resized by the person, then ended, comes back at the size
the person gave it; and one left maximized comes back maximized with that size to return to. Written by the
window as it changes (GeometryWatch), so a kill keeps it as a quit does. pytest-qt, offscreen, the real window
and its settings file. (Under a real window manager: bench/wm_restart_geometry.sh drives openbox with xdotool.)"""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.core.paths import AppPaths  # noqa: E402
from desktop_app.core.store import Store  # noqa: E402
from test_leftovers61_geometry import _on_disk  # noqa: E402


def _started(qtbot):
    """A window as gpt2-desk starts one: its settings restored, shown as they say (maximized at a first start
    on the offscreen platform's small screen)."""
    from desktop_app.gui import window_state
    from desktop_app.gui.main_window import MainWindow

    paths = AppPaths.resolve().ensure()
    window = MainWindow(Store.open(paths.db_path), paths, autoload=False)
    window.ask_before_quit = False
    qtbot.addWidget(window)
    window_state.show_at_start(window)
    qtbot.waitExposed(window)
    return window, paths


def _ended_without_quit(window) -> None:
    """Gone as after kill -9: nothing written on the way out."""
    window.geometry_watch.timer.stop()
    window.quitting = True
    window.hide()


def _saved(paths):
    """(maximized, the size it returns to when not) as the next start's restoreGeometry reads the file now."""
    from PySide6.QtCore import QByteArray, Qt
    from PySide6.QtWidgets import QMainWindow

    saved = _on_disk(paths.data_dir).value("geometry")
    if not isinstance(saved, QByteArray) or saved.isEmpty():
        return None
    probe = QMainWindow()
    probe.restoreGeometry(saved)
    maximized = bool(probe.windowState() & Qt.WindowState.WindowMaximized)
    normal = (probe.normalGeometry() if maximized else probe.geometry()).size().toTuple()
    probe.deleteLater()
    return maximized, normal


def test_a_size_given_after_a_maximized_first_start_comes_back(qtbot, qapp):
    first, paths = _started(qtbot)
    assert first.first_start and first.isMaximized(), "the offscreen screen is a small one: a first start fills it"
    first.showNormal()
    first.resize(610, 470)  # the person's drag
    qtbot.waitUntil(lambda: not first.isMaximized() and first.size().toTuple() == (610, 470))
    qtbot.waitUntil(lambda: _saved(paths) == (False, (610, 470)))  # written as it changed, no quit needed
    _ended_without_quit(first)
    again, _paths = _started(qtbot)
    assert not again.isMaximized(), "the person un-maximized it: it stays so"
    assert again.size().toTuple() == (610, 470), "at the size the person gave it"


def test_maximized_again_keeps_the_persons_size_to_return_to(qtbot, qapp):
    first, paths = _started(qtbot)
    first.showNormal()
    first.resize(610, 470)
    qtbot.waitUntil(lambda: _saved(paths) == (False, (610, 470)))
    first.showMaximized()
    qtbot.waitUntil(lambda: _saved(paths) == (True, (610, 470)))
    _ended_without_quit(first)
    again, _paths = _started(qtbot)
    assert again.isMaximized(), "left maximized, back maximized"
    again.showNormal()
    qtbot.waitUntil(lambda: not again.isMaximized())
    assert again.size().toTuple() == (610, 470), "un-maximized, it returns to the person's size, not the first one"
