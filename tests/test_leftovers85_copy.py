"""leftovers85: Copy (the token menu's, Ctrl+C) was off for an answer's token chosen with the arrow keys, which
select no text, and on for one dragged over with the mouse: a token walked to by keys copies its own text now
(pytest-qt, the real window on the tiny fixture model, a real answer)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from test_gui import make_window  # noqa: E402,F401
from test_usertest48_keys import answer_entered_by_keys  # noqa: E402

CTRL = Qt.KeyboardModifier.ControlModifier


def _answer_walked_by_keys(make_window, qtbot):
    """The window with one answer whose first token with letters after the first is chosen by keys (↑ from the
    prompt, then →: the tiny model writes pieces of characters too, whose own text is empty)."""
    window, answer = answer_entered_by_keys(make_window, qtbot)
    wordy = [i for i, r in enumerate(answer.view.records) if i and r.text.strip()]
    assert wordy, "the answer has a token with letters after its first"
    for _ in range(wordy[0]):
        qtbot.keyClick(answer.view, Qt.Key.Key_Right)
    assert answer.view.selected == wordy[0] and not answer.view.textCursor().hasSelection(), "no text selected"
    return window, answer


def test_the_token_menus_copy_is_on_for_a_token_chosen_by_keys(make_window, qtbot):
    _window, answer = _answer_walked_by_keys(make_window, qtbot)
    QApplication.clipboard().setText("before")
    view = answer.view
    view.customContextMenuRequested.emit(view.span_rect(view.selected).center())  # the Menu key's way (TokenView.event)
    menu = answer.rating._last_menu
    copy = next(a for a in menu.actions() if a.text() == "Copy")
    assert copy.isEnabled(), "Copy is on for the token walked to"
    copy.trigger()
    menu.close()
    assert QApplication.clipboard().text() == view.records[view.selected].text != "before"


def test_ctrl_c_copies_the_token_chosen_by_keys(make_window, qtbot):
    _window, answer = _answer_walked_by_keys(make_window, qtbot)
    QApplication.clipboard().setText("before")
    qtbot.keyClick(answer.view, Qt.Key.Key_C, CTRL)
    assert QApplication.clipboard().text() == answer.view.records[answer.view.selected].text


def test_a_text_selection_is_copied_rather_than_the_token(make_window, qtbot):
    """Words dragged over (here: selected whole) are what Copy takes, as before."""
    _window, answer = _answer_walked_by_keys(make_window, qtbot)
    answer.view.selectAll()
    qtbot.keyClick(answer.view, Qt.Key.Key_C, CTRL)
    # the text as written, not as shown: a piece of a split character's dot and the line breaks' ↵ stay out (intl69)
    assert QApplication.clipboard().text() == "".join(record.text for record in answer.view.records)
