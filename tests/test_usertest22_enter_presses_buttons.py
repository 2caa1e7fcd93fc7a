"""usertest22: Enter presses the focused button, as Space does. Outside a dialog Qt's buttons ignore
Enter: a keyboard-only user who Tabbed to "Write a better answer…", or pressed Ctrl+3 for "Fine-tune on
my ratings", saw its focus ring, pressed Enter, and nothing happened.
pytest-qt, offscreen, the tiny model, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from test_gui_ux20_fixes import window  # noqa: E402,F401  (window: a fixture)


def _answer_card(window):
    store = window.chat.store
    cid = store.create_conversation("Enter on buttons")
    question = store.add_message(cid, "user", "Hello?")
    store.add_message(cid, "assistant", "Hello there.", parent_id=question)
    window.chat.open_conversation(cid)
    QApplication.processEvents()
    return next(c for c in window.transcript.cards if c.role == "assistant")


def test_enter_on_a_focused_thumb_rates_the_answer(window, qtbot):
    card = _answer_card(window)
    thumb = card.rating.up
    thumb.setFocus()
    qtbot.keyClick(thumb, Qt.Key.Key_Return)
    qtbot.waitUntil(thumb.isChecked)
    qtbot.waitUntil(lambda: window.chat.store.message_rating(card.message_id) == 1)


def test_enter_on_the_focused_settings_button_opens_the_settings(window, qtbot):
    button = window.settings_button
    button.setFocus()
    assert not window.popover.isVisible()
    qtbot.keyClick(button, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)  # the keypad's Enter too
    qtbot.waitUntil(window.popover.isVisible)
    window.popover.hide()


def test_ctrl_enter_and_a_held_enter_do_not_press_a_button(window, qtbot):
    card = _answer_card(window)
    thumb = card.rating.up
    thumb.setFocus()
    qtbot.keyClick(thumb, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    for _ in range(3):
        QApplication.processEvents()
    assert not thumb.isDown() and not thumb.isChecked()
