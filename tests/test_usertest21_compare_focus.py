"""usertest21: closing the Compare window gives the keyboard back (a new user: after a click on an
answer's ↗ and Esc on Compare, the next question's letters went nowhere, the focus on the transcript;
the panel's "Compare before / after…" button, opened from the keyboard, gets it back).
pytest-qt, offscreen, the tiny model with a random LoRA, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from test_gui_ux20_fixes import wear_adapter, window  # noqa: E402,F401  (window: a fixture)


def _answer_card(window):
    store = window.chat.store
    cid = store.create_conversation("Compare focus")
    question = store.add_message(cid, "user", "Hello?")
    store.add_message(cid, "assistant", "Hello there.", parent_id=question)
    window.chat.open_conversation(cid)
    QApplication.processEvents()
    return next(c for c in window.transcript.cards if c.role == "assistant")


def _settle():
    for _ in range(5):
        QApplication.processEvents()


def test_escape_on_compare_opened_from_an_answer_gives_the_keyboard_back_to_the_prompt(
        window, qtbot, tiny_model_dir):
    wear_adapter(qtbot, window, tiny_model_dir)
    card = _answer_card(window)
    window.prompt.setFocus()
    qtbot.mouseClick(card.rating.compare_button, Qt.MouseButton.LeftButton)  # the press takes the focus along
    _settle()
    dialog = window.compare_dialog
    assert dialog.isVisible()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    _settle()
    assert not dialog.isVisible()
    assert window.focusWidget() is window.prompt, window.focusWidget()
    qtbot.keyClicks(window.focusWidget(), "next")
    assert window.prompt.toPlainText() == "next", "the next question's letters land in the prompt"


def test_closing_compare_gives_the_keyboard_back_to_the_button_that_opened_it(window, qtbot, tiny_model_dir):
    wear_adapter(qtbot, window, tiny_model_dir)
    card = _answer_card(window)
    button = card.rating.compare_button
    button.setFocus()  # reached with Tab, pressed with Space
    window.open_compare(card.message_id)
    _settle()
    window.compare_dialog.close_button.click()
    _settle()
    assert window.focusWidget() is button
