"""The settings popover on a screen shorter than it (800x480, or 1280x800 at 150 %): no taller
than the screen, Close and "Enter sends" still reachable (the fields scroll). Its foot, Close among
it, had been off the screen. pytest-qt on the real popover; the screen's height is passed in."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint, QRect  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gui_windows import settings_popover  # noqa: E402

from test_small40_short_window import shown_whole  # noqa: E402


@pytest.fixture
def popover(qtbot):
    with settings_popover(qtbot) as opened:
        yield opened


def inside(widget, top) -> bool:
    return QRect(QPoint(0, 0), top.size()).contains(QRect(widget.mapTo(top, QPoint(0, 0)), widget.size()))


@pytest.mark.parametrize("screen_height", [480, 400])
def test_on_a_short_screen_close_shows_and_the_fields_scroll(popover, screen_height):
    whole = popover.height()
    assert whole > screen_height, f"the popover ({whole} px) fits {screen_height} px anyway"
    popover.fit_height(screen_height)
    QApplication.processEvents()
    assert popover.height() <= screen_height
    assert inside(popover.close_button, popover) and popover.close_button.isVisible(), "Close is cut off"
    scroll = popover.scroll
    assert scroll.verticalScrollBar().maximum() > 0, "the fields do not scroll"
    scroll.ensureWidgetVisible(popover.enter_sends)
    QApplication.processEvents()
    assert shown_whole(popover.enter_sends, popover), "Enter's meaning cannot be scrolled to"


def test_on_a_tall_screen_it_shows_whole_without_a_scroll_bar(popover):
    popover.fit_height(2000)
    QApplication.processEvents()
    assert popover.scroll.verticalScrollBar().maximum() == 0, "a tall screen scrolls the fields"
    for field in (popover.temperature, popover.system, popover.enter_sends, popover.close_button):
        assert shown_whole(field, popover)
