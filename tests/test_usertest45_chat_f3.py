"""usertest45, finding 3 (pytest-qt, the tiny model, the real window): F3 in Chat did nothing, silently;
an answer had no way to its least likely tokens but reading every colour."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from test_gui import make_window  # noqa: E402,F401
from test_gui_explain import WAIT_MS, _answer, window  # noqa: E402,F401  (the window with one answer)


# ---------------------------------------------------------------- 3. F3 / Shift+F3 in Chat

def test_f3_in_chat_walks_the_answers_least_likely_tokens(window, qtbot):
    from desktop_app.core.surprises import find_surprises, in_text_order

    card = _answer(window)
    places = in_text_order(find_surprises(card.view.records))
    assert places, "the tiny model's answer has surprises"
    window.transcript.setFocus()
    qtbot.keyClick(window.transcript, Qt.Key.Key_F3)
    assert card.view.selected == places[0], "F3 rings the answer's first surprise"
    assert window.inspector.index == places[0], "and the inspector shows it"
    said = window.statusBar().currentMessage()
    assert said.startswith("Surprise ") and f"of {len(places)} in this answer" in said, said
    qtbot.keyClick(window.transcript, Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier)
    assert card.view.selected == places[-1], "Shift+F3 goes back, round to the last"


def test_f3_before_any_answer_says_why_nothing_moved(make_window, qtbot):
    from desktop_app.gui.surprise_words import CHAT_KEYS_NOTHING

    win = make_window()
    win.show()
    win.transcript.setFocus()
    qtbot.keyClick(win.transcript, Qt.Key.Key_F3)
    assert win.statusBar().currentMessage() == CHAT_KEYS_NOTHING


def test_f1_lists_f3_for_the_chat_too(qtbot):
    from desktop_app.gui.shortcuts import ShortcutsDialog

    dialog = ShortcutsDialog()
    qtbot.addWidget(dialog)
    assert "in Chat: the answer's least likely tokens" in dialog.browser.toPlainText()
