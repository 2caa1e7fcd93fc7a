"""The Compare window opens beside the main window where the screen has room (a new user: it opened
over the window and covered it), else over the chat as before; never off the screen."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QRect, QSize  # noqa: E402

from desktop_app.gui.compare_dialog import beside_rect  # noqa: E402
from test_gui import make_window  # noqa: E402,F401

SCREEN = QRect(0, 0, 1920, 1080)


def test_with_room_on_the_right_it_opens_there_level_with_the_window():
    window = QRect(40, 30, 1100, 800)
    rect = beside_rect(window, QSize(700, 760), 480, SCREEN, 30)
    assert rect is not None and rect.left() > window.right() and rect.width() == 700
    assert rect.top() == window.top() + 30, "its title bar level with the window's"
    assert SCREEN.contains(rect) and not rect.intersects(window)


def test_with_room_on_the_left_only_it_opens_there_narrowed_to_the_room():
    window = QRect(1300, 100, 620, 700)  # at the screen's right edge
    rect = beside_rect(window, QSize(900, 650), 480, SCREEN, 30)
    assert rect is not None and rect.right() < window.left() and rect.width() == 900
    narrow = beside_rect(QRect(600, 100, 1320, 700), QSize(900, 650), 480, SCREEN, 30)
    assert narrow is not None and narrow.width() == 600 - 8 and narrow.left() == 0, "narrowed to the room left"
    assert not narrow.intersects(QRect(600, 100, 1320, 700))


def test_without_room_beside_it_stays_over_the_chat_and_on_the_screen():
    assert beside_rect(QRect(300, 40, 1300, 900), QSize(700, 760), 480, SCREEN, 30) is None
    assert beside_rect(QRect(0, 0, 800, 600), QSize(540, 530), 480, QRect(0, 0, 800, 600), 30) is None
    low = beside_rect(QRect(0, 600, 1000, 470), QSize(700, 760), 480, SCREEN, 30)  # a window low on the screen
    assert low is not None and SCREEN.contains(low) and low.bottom() <= SCREEN.bottom(), "moved up, not off"


def test_the_real_compare_window_opens_beside_a_window_with_room(make_window):
    from PySide6.QtWidgets import QApplication

    window = make_window()
    free = window.screen().availableGeometry()
    window.resize(600, 500)
    window.move(free.topLeft())
    for _ in range(3):
        QApplication.processEvents()
    dialog = window.open_compare(None)
    QApplication.processEvents()
    shown, frame = dialog.geometry(), window.frameGeometry()
    assert free.contains(shown), f"{shown} leaves the screen {free}"
    if free.right() - frame.right() - 8 >= dialog.view.minimumSizeHint().width():
        assert not shown.intersects(frame), f"{shown} covers the window {frame}"
    dialog.close()
