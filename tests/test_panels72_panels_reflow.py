"""Ctrl+B / Ctrl+Shift+B hide or show a side panel: the transcript gets wider or narrower and its cards reflow. A
keyboard user at 1366x768 and 1024x600 saw the view keep its scroll value: the newest answer's end cut at the
bottom, or blank room left under it. A view at its end stays at its end; one scrolled elsewhere keeps the card at
its top where it was (panels72; pytest-qt, the real window, the real store)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QAbstractSlider, QApplication  # noqa: E402

from gui_windows import active  # noqa: E402
from test_gui import WAIT_MS, make_window  # noqa: E402,F401
from test_left48_opened_conversation import _places, opened_long  # noqa: E402

PANEL_KEYS = {"conversations": Qt.KeyboardModifier.ControlModifier,
              "side_tabs": Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier}


def _toggle(qtbot, window, panel: str) -> None:
    """The panel's keys pressed, then waited for: the transcript's new width, its cards laid out."""
    width = window.transcript.viewport().width()
    qtbot.keyClick(active(qtbot, window), Qt.Key.Key_B, PANEL_KEYS[panel])
    qtbot.waitUntil(lambda: window.transcript.viewport().width() != width, timeout=WAIT_MS)
    for _ in range(3):  # the cards' heights follow their new width over a few layout passes
        QApplication.processEvents()


def _at_the_end(window) -> bool:
    """Scrolled to the end, with no blank room under the newest card: its end sits at the view's bottom."""
    transcript, bar = window.transcript, window.transcript.verticalScrollBar()
    return bar.value() == bar.maximum() and transcript.room.height() == 0 and _places(window)[-1][2] <= transcript.viewport().height()


@pytest.mark.parametrize("size", [(1366, 768), (1024, 600)])
@pytest.mark.parametrize("panel", ["conversations", "side_tabs"])
def test_a_view_at_its_end_stays_at_its_end_as_a_panel_hides_and_shows(make_window, qtbot, size, panel):
    window = opened_long(qtbot, make_window, size)
    bar = window.transcript.verticalScrollBar()
    bar.triggerAction(QAbstractSlider.SliderAction.SliderToMaximum)  # Ctrl+End: its newest answer opens at its top
    qtbot.waitUntil(lambda: _at_the_end(window), timeout=2000)
    _toggle(qtbot, window, panel)
    assert not window.panel_actions[panel].isChecked(), "the keys hid the panel"
    qtbot.waitUntil(lambda: _at_the_end(window), timeout=2000)
    _toggle(qtbot, window, panel)
    assert window.panel_actions[panel].isChecked(), "the keys showed it again"
    qtbot.waitUntil(lambda: _at_the_end(window), timeout=2000)


@pytest.mark.parametrize("panel", ["conversations", "side_tabs"])
def test_a_view_scrolled_elsewhere_keeps_the_card_at_its_top(make_window, qtbot, panel):
    window = opened_long(qtbot, make_window, (1366, 768))
    bar = window.transcript.verticalScrollBar()
    for _ in range(2):  # Page Up, as the keys do: up into the earlier answers
        bar.triggerAction(QAbstractSlider.SliderAction.SliderPageStepSub)
    QApplication.processEvents()
    before = _places(window)
    at_top = next(index for index, (_role, _top, bottom) in enumerate(before) if bottom > 0)
    assert 0 < bar.value() < bar.maximum() and at_top < len(before) - 2, "scrolled up into the conversation"
    _toggle(qtbot, window, panel)
    qtbot.waitUntil(lambda: _places(window)[at_top][1] == before[at_top][1], timeout=2000)
    _toggle(qtbot, window, panel)
    qtbot.waitUntil(lambda: _places(window)[at_top][1] == before[at_top][1], timeout=2000)
