"""The fine-tune card's before/after pairs by the keyboard (usertest26: reached only by scrolling the panel with
PageUp/PageDown): each pair is a Tab stop with a visible ring, ↑ ↓ go from one to the next, Home / End to the
ends, and the panel scrolls to the pair that has the focus. pytest-qt, the real TaughtView in a scroll area as
the Fine-tune panel holds it, the app's style sheet, re-asks as core.finetune_effect.taught makes them."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint, Qt  # noqa: E402
from PySide6.QtGui import QColor  # noqa: E402
from PySide6.QtWidgets import QApplication, QPushButton, QScrollArea, QVBoxLayout, QWidget  # noqa: E402

from test_card37_wrong_rated_first import usertest13_pairs  # noqa: E402
from test_gui import make_window  # noqa: E402,F401


@pytest.fixture
def card(qtbot, qapp):
    from desktop_app.gui.taught_view import TaughtView
    from desktop_app.gui.theme import apply_theme

    apply_theme(qapp, dark=False)
    area = QScrollArea()
    area.setWidgetResizable(True)
    inner = QWidget()
    column = QVBoxLayout(inner)
    compare = QPushButton("Compare before / after\u2026")  # the stop before the pairs in the panel
    view = TaughtView()
    column.addWidget(compare)
    column.addWidget(view)
    area.setWidget(inner)
    area.resize(360, 320)  # shorter than the pairs, as the panel at 1024x600
    qtbot.addWidget(area)
    area.show()
    view.set_pairs(usertest13_pairs())
    area.activateWindow()
    qtbot.waitUntil(area.isActiveWindow, timeout=2000)
    return area, compare, view


def ring_colour(frame) -> QColor:
    """The colour in the middle of the frame's left edge, where its ring is drawn."""
    return frame.grab().toImage().pixelColor(QPoint(0, frame.height() // 2))


def shown(area, frame) -> bool:
    top = frame.mapTo(area.viewport(), QPoint(0, 0)).y()
    return 0 <= top < area.viewport().height()


def test_tab_reaches_the_pairs_and_the_arrows_walk_them(card, qtbot):
    from desktop_app.gui.theme import colors

    area, compare, view = card
    frames = view.pair_frames
    assert len(frames) >= 3
    compare.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(compare, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is frames[0], "Tab did not reach the first pair"
    accent = QColor(colors(False)["accent"])
    QApplication.processEvents()
    assert ring_colour(frames[0]) == accent, "no ring on the pair that has the focus"
    assert ring_colour(frames[1]) != accent
    qtbot.keyClick(frames[0], Qt.Key.Key_Down)
    assert QApplication.focusWidget() is frames[1]
    qtbot.keyClick(frames[1], Qt.Key.Key_End)
    last = frames[-1]
    assert QApplication.focusWidget() is last
    QApplication.processEvents()
    assert shown(area, last), "the panel did not scroll to the pair"
    qtbot.keyClick(last, Qt.Key.Key_Up)
    assert QApplication.focusWidget() is frames[-2]
    qtbot.keyClick(frames[-2], Qt.Key.Key_Home)
    assert QApplication.focusWidget() is frames[0] and shown(area, frames[0])
    assert frames[0].accessibleName().startswith(f"Pair 1 of {len(frames)}: \u201c")
    assert "after:" in frames[0].accessibleDescription()


def test_in_the_window_tab_goes_from_the_panel_into_the_pairs(make_window, qtbot):
    """The window's own Tab order (gui/focus_order.py) takes the pairs as stops after the card's buttons."""
    from desktop_app.gui import focus_order
    from gui_windows import active

    window = active(qtbot, make_window())  # the model loaded: its loading does not turn the side tabs after
    window.show_finetune()
    assert window.side_tabs.currentWidget() is window.finetune_panel
    panel = window.finetune_panel
    panel.taught.set_pairs(usertest13_pairs())  # the card as a kept run leaves it
    panel.result_box.show()
    QApplication.processEvents()
    window.side_tabs.tabBar().setFocus(Qt.FocusReason.TabFocusReason)
    first = panel.taught.pair_frames[0]
    walked = []
    for _ in range(len(focus_order.ring(window))):  # once round the whole ring at most
        if QApplication.focusWidget() is first:
            break
        walked.append(QApplication.focusWidget())
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is first, f"Tab never reached the card's first pair: {walked}"
    QApplication.processEvents()
    top = first.mapTo(panel.viewport(), QPoint(0, 0)).y()
    assert 0 <= top < panel.viewport().height(), "the panel did not scroll to it"
