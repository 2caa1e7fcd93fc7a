"""An answer by the keyboard alone (usertest26, a keyboard-only user at 1024x600): Regenerate pressed with Space
gives the keyboard back to Regenerate once its answer ends (it went to Stop, then to the prompt box, away from
where the person was); Ctrl+Shift+Up / Down thumb the answer in hand and Ctrl+R regenerates it, as the buttons
do, without typing anything into the prompt box. pytest-qt, the real window on the tiny model, the real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gui_windows import active, ask, press  # noqa: E402
from test_gui import WAIT_MS, answer_cards, make_window  # noqa: E402,F401

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def test_space_on_regenerate_gives_the_keyboard_back_to_regenerate(make_window, qtbot):
    window = active(qtbot, make_window(max_new_tokens=6))
    ask(qtbot, window)
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
        press(qtbot, window.regenerate_button)
        assert QApplication.focusWidget() is window.stop_button, "Space on it now stops the answer"
    qtbot.waitUntil(window.regenerate_button.isEnabled, timeout=WAIT_MS)
    assert QApplication.focusWidget() is window.regenerate_button, "not back where the person was"
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):  # a second Space asks again
        QTest.keyClick(window.regenerate_button, Qt.Key.Key_Space)
    qtbot.waitUntil(window.regenerate_button.isEnabled, timeout=WAIT_MS)
    card = answer_cards(window)[-1]
    assert window.chat.sibling_position(card.message) == (3, 3)
    assert QApplication.focusWidget() is window.regenerate_button


def test_send_by_space_still_ends_in_the_prompt_box(make_window, qtbot):
    window = active(qtbot, make_window(max_new_tokens=6))
    window.prompt.setPlainText("Hello there")
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
        press(qtbot, window.send_button)
    qtbot.waitUntil(window.regenerate_button.isEnabled, timeout=WAIT_MS)
    assert QApplication.focusWidget() is window.prompt, "the box is where one goes on after Send"


def test_thumb_keys_rate_the_answer_in_hand_as_a_click_does(make_window, qtbot):
    window = active(qtbot, make_window(max_new_tokens=6))
    store = window.chat.store
    ask(qtbot, window, "First question")
    second = ask(qtbot, window, "Second question")["message_id"]
    first_card, second_card = answer_cards(window)
    window.prompt.setFocus()
    qtbot.keyClick(window.prompt, Qt.Key.Key_Up, CTRL_SHIFT)
    assert second_card.rating.up.isChecked() and not first_card.rating.up.isChecked(), "the newest answer's"
    qtbot.waitUntil(lambda: store.message_rating(second) == 1, timeout=WAIT_MS)
    assert window.prompt.hasFocus() and window.prompt.toPlainText() == "", "nothing typed, the focus kept"
    assert "Rated the answer to \u201cSecond question\u201d good" in window.statusBar().currentMessage()
    first_card.view.setFocus(Qt.FocusReason.TabFocusReason)  # on the first answer: its thumb
    qtbot.keyClick(first_card.view, Qt.Key.Key_Down, CTRL_SHIFT)
    assert first_card.rating.down.isChecked() and second_card.rating.up.isChecked()
    qtbot.waitUntil(lambda: store.message_rating(first_card.message_id) == -1, timeout=WAIT_MS)
    assert first_card.property("rated") == "down", "the card's red edge, as after a click"
    qtbot.keyClick(first_card.view, Qt.Key.Key_Down, CTRL_SHIFT)  # again: cleared, as a second click
    assert not first_card.rating.down.isChecked()
    qtbot.waitUntil(lambda: store.message_rating(first_card.message_id) is None, timeout=WAIT_MS)
    assert "Cleared the rating of the answer to \u201cFirst question\u201d" in window.statusBar().currentMessage()


def test_ctrl_r_regenerates_the_newest_answer_from_the_prompt_box(make_window, qtbot):
    window = active(qtbot, make_window(max_new_tokens=6))
    ask(qtbot, window)
    window.prompt.setFocus()
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
        qtbot.keyClick(window.prompt, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(window.regenerate_button.isEnabled, timeout=WAIT_MS)
    card = answer_cards(window)[-1]
    assert window.chat.sibling_position(card.message) == (2, 2), "a new sibling, as Regenerate makes"
    assert window.prompt.hasFocus() and window.prompt.toPlainText() == ""


def test_the_new_keys_are_listed_and_taken_by_nothing_else():
    from desktop_app.gui.shortcuts import SHORTCUTS

    keys = [part.strip() for row, _ in SHORTCUTS for part in row.split("/")]
    for new in ("Ctrl+Shift+\u2191", "Ctrl+Shift+\u2193", "Ctrl+R"):
        assert keys.count(new) == 1, f"{new} listed {keys.count(new)} times"
