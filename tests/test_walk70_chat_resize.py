"""A writer's walk (usertest70): the window resized from 1280x800 to 1024x640 and the chat jumped to an earlier
answer. A view at its end stays at its end across a resize; one scrolled elsewhere keeps the card at its top where
it was (pytest-qt, the real window, the real store)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QAbstractSlider, QApplication  # noqa: E402

from test_gui import make_window  # noqa: E402,F401
from test_left48_opened_conversation import _places, opened_long  # noqa: E402
from test_panels72_panels_reflow import _at_the_end  # noqa: E402


def _resized(qtbot, window, size) -> None:
    width = window.transcript.viewport().width()
    window.resize(*size)
    qtbot.waitUntil(lambda: window.transcript.viewport().width() != width, timeout=2000)
    for _ in range(3):  # the cards' heights follow their new width over a few layout passes
        QApplication.processEvents()


@pytest.mark.parametrize("sizes", [((1280, 800), (1024, 640)), ((1024, 640), (1280, 800))])
def test_a_view_at_its_end_stays_at_its_end_across_a_resize(make_window, qtbot, sizes):
    window = opened_long(qtbot, make_window, sizes[0])
    bar = window.transcript.verticalScrollBar()
    bar.triggerAction(QAbstractSlider.SliderAction.SliderToMaximum)  # Ctrl+End
    qtbot.waitUntil(lambda: _at_the_end(window), timeout=2000)
    _resized(qtbot, window, sizes[1])
    qtbot.waitUntil(lambda: _at_the_end(window), timeout=2000)


def test_a_view_scrolled_elsewhere_keeps_the_card_at_its_top_across_a_resize(make_window, qtbot):
    window = opened_long(qtbot, make_window, (1280, 800))
    bar = window.transcript.verticalScrollBar()
    for _ in range(2):  # Page Up: up into the earlier answers
        bar.triggerAction(QAbstractSlider.SliderAction.SliderPageStepSub)
    QApplication.processEvents()
    before = _places(window)
    at_top = next(index for index, (_role, _top, bottom) in enumerate(before) if bottom > 0)
    assert 0 < bar.value() < bar.maximum() and at_top < len(before) - 2, "scrolled up into the conversation"
    _resized(qtbot, window, (1024, 640))
    qtbot.waitUntil(lambda: _places(window)[at_top][1] == before[at_top][1], timeout=2000)
