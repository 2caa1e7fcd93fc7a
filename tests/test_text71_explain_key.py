"""text71: "Why this token?" has a key, Ctrl+I (off_words.EXPLAIN_KEYS), on the selected token in Chat and in Text,
named in its button's tooltip and in F1's list (pytest-qt, the real window, the tiny model)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.gui.off_words import EXPLAIN_KEYS, NO_TOKEN_TO_EXPLAIN  # noqa: E402
from test_gui_explain import _answer, window  # noqa: E402,F401
from test_gui_text import TEXT, WAIT_MS, analysed, text_window  # noqa: E402,F401
from test_gui_text_explain import click_heatmap  # noqa: E402


def _press_ctrl_i(qtbot, win, widget) -> None:
    win.activateWindow()  # a window shortcut acts in the active window only
    qtbot.waitUntil(win.isActiveWindow, timeout=5000)
    qtbot.keyClick(widget, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    QApplication.processEvents()


def test_ctrl_i_explains_the_selected_answer_token_and_is_named(window, qtbot):
    from desktop_app.gui.shortcuts import SHORTCUTS

    view = window.inspector.explain
    _press_ctrl_i(qtbot, window, window.prompt)
    assert window.statusBar().currentMessage() == NO_TOKEN_TO_EXPLAIN and view.result is None, "no token: which to pick"
    card = _answer(window)
    card.view.select_token(3)
    window.show_token(card, 3)
    assert EXPLAIN_KEYS == "Ctrl+I" and f"({EXPLAIN_KEYS})" in view.button.toolTip()
    _press_ctrl_i(qtbot, window, card.view)
    qtbot.waitUntil(lambda: view.result is not None, timeout=WAIT_MS)
    assert view.index == 3 and not view.in_text
    assert [what for keys, what in SHORTCUTS if keys == EXPLAIN_KEYS] != []


def test_ctrl_i_explains_the_selected_token_of_the_text(text_window, qtbot):
    window = text_window()
    analysed(qtbot, window, TEXT)
    click_heatmap(qtbot, window, 2)
    view = window.inspector.explain
    assert view.in_text and view.result is None
    _press_ctrl_i(qtbot, window, window.text_view.heatmap)
    qtbot.waitUntil(lambda: view.result is not None, timeout=WAIT_MS)
    assert view.index == 2 and view.result.context.in_text
