"""Usertest 19: a card's "You stopped this answer" row (Continue, Regenerate) set its Continue
button visible before the row held it, and a widget with no parent shown is a window of its own: it
took the window's activation, so Ctrl+3 (and Ctrl+N) typed in the prompt did nothing after it.
Found when the row came to answers cut at the token limit. Real widgets, the tiny model."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from test_gui import WAIT_MS, answer_cards, ask, make_window  # noqa: E402,F401


def test_a_stopped_answers_row_leaves_the_window_active_and_its_shortcuts_working(make_window, qtbot):
    from desktop_app.gui.answer_words import STOPPED_WORDS

    window = make_window()
    ask(qtbot, window, "Hello there")
    qtbot.waitUntil(lambda: answer_cards(window)[-1].message is not None, timeout=WAIT_MS)
    card = answer_cards(window)[-1]
    if getattr(card, "interrupted_label", None) is None:
        card.show_interrupted(STOPPED_WORDS)  # as the card an answer was stopped in shows it
    QApplication.processEvents()
    strays = [w for w in QApplication.topLevelWidgets() if w.isVisible() and w in (card.continue_button,
                                                                                   card.regenerate_button)]
    assert not strays
    assert card.continue_button.window() is window and card.continue_button.isVisible()
    window.prompt.setFocus()
    QApplication.processEvents()
    assert QApplication.activeWindow() is window and window.prompt.hasFocus()
    qtbot.keyClick(window.prompt, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    QApplication.processEvents()
    assert window.side_tabs.currentWidget() is window.finetune_panel
