"""usertest22: the Menu key on a selected token opens that token's menu, at the token, as a right-click
does. A keyboard user told "Right-click a token to rate it" walked to a token with the arrows and
pressed the Menu key: Qt put a menu at the text cursor with only Copy and Select all. The chat's answer
and the Text tab's heatmap alike. pytest-qt, offscreen, the tiny model, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint, Qt  # noqa: E402
from PySide6.QtGui import QContextMenuEvent  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gui_windows import STORY, WAIT_MS, window_with_text  # noqa: E402
from test_gui_ux20_fixes import answer_cards, ask, window  # noqa: E402,F401  (window: a fixture)


def _menu_key(view) -> None:
    """What Qt sends the focused widget for the Menu key (QTest's key clicks do not make one)."""
    QApplication.sendEvent(view, QContextMenuEvent(QContextMenuEvent.Reason.Keyboard, QPoint(1, 1),
                                                   view.mapToGlobal(QPoint(1, 1))))


def test_the_menu_key_on_an_answers_selected_token_offers_its_ratings(window, qtbot):
    ask(qtbot, window)
    card = answer_cards(window)[-1]
    card.view.setFocus()
    for _ in range(3):
        QTest.keyClick(card.view, Qt.Key.Key_Right)
    assert card.view.selected == 2
    _menu_key(card.view)
    menu = card.rating._last_menu
    try:
        words = [a.text() for a in menu.actions()]
        assert any("is good" in w for w in words) and any("is bad" in w for w in words), words
        assert card.view.selected == 2, "the token selected stays the one the menu is of"
        ring = card.view.viewport().mapToGlobal(card.view.span_rect(2).center())
        assert menu.pos().y() >= ring.y() - 2, "the menu opens at the token, not at the text cursor"
    finally:
        menu.close()


def test_the_menu_key_in_the_text_tab_opens_the_selected_tokens_menu(qtbot, qapp, tiny_model_dir):
    from desktop_app.gui.text_token_menu import YOURS

    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as window:
        view = window.text_view
        with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):
            view.analyse_now(save=False)
        heatmap = view.heatmap
        heatmap.setFocus()
        for _ in range(4):
            QTest.keyClick(heatmap, Qt.Key.Key_Right)
        assert heatmap.selected == 3
        window.text_mode.token_menu.last = None
        _menu_key(heatmap)
        menu = window.text_mode.token_menu.last
        assert menu is not None
        try:
            assert YOURS in [a.text() for a in menu.actions()], "the token's own line, not Copy and Select all alone"
        finally:
            menu.close()
