"""usertest26: Tab through the settings popover (Ctrl+,) lost the focus ring twice: in "System text"
(a plain text box the style sheet gave no focus border) and on the Tab after Close (the fields' scroll
area, a stop with nothing to show). pytest-qt on the real popover, the app's style sheet applied."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QColor  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gui_windows import settings_popover  # noqa: E402


@pytest.fixture
def popover(qtbot, qapp):
    from desktop_app.gui.theme import apply_theme

    apply_theme(qapp, dark=False)
    with settings_popover(qtbot) as opened:
        yield opened


def _left_edge(widget) -> QColor:
    """The colour a pixel inside the box's left border is painted, halfway down."""
    return QColor(widget.grab().toImage().pixel(0, widget.height() // 2))


def test_the_system_text_box_shows_a_ring_in_the_accent_colour_when_it_has_the_focus(popover, qtbot):
    from desktop_app.gui.theme import colors

    box = popover.system
    popover.activateWindow()
    box.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(box.hasFocus, timeout=2000)
    QApplication.processEvents()
    assert _left_edge(box).name() == QColor(colors(False)["accent"]).name()


def test_tab_after_close_goes_to_a_field_not_to_the_scroll_area(popover, qtbot):
    popover.activateWindow()
    popover.close_button.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(popover.close_button.hasFocus, timeout=2000)
    qtbot.keyClick(popover.close_button, Qt.Key.Key_Tab)
    focus = QApplication.focusWidget()
    assert focus is not popover.scroll, "the Tab stopped on the fields' scroll area, which shows no ring"
    assert popover.scroll.widget().isAncestorOf(focus), focus
