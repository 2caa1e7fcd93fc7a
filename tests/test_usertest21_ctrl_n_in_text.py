"""usertest21: Ctrl+N on the Text tab makes a new text, as its New button does. It made a new
conversation in the hidden Chat tab and put the keyboard in that tab's prompt, so a paste that
followed went there unseen (and Enter would have sent it). pytest-qt, offscreen, the tiny model."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtGui import QShortcut  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gui_windows import text_opened  # noqa: E402
from test_gui import WAIT_MS, make_window  # noqa: E402,F401
from test_gui_text import analysed, text_window  # noqa: E402,F401  (text_window: a fixture)


def _ctrl_n(window) -> None:
    shortcut = next(s for s in window.findChildren(QShortcut) if s.key().toString() == "Ctrl+N")
    shortcut.activated.emit()


def test_ctrl_n_on_the_text_tab_makes_a_new_text_and_keeps_the_keyboard_there(text_window, qtbot):
    window = text_window()
    view = window.text_view
    analysed(qtbot, window, "The lighthouse stood at the edge of the cliff.")
    view.set_editing(False)  # the coloured text, as after Done editing
    first, conversation = window.text.document_id, window.chat.conversation_id
    with qtbot.waitSignal(window.text.opened, timeout=WAIT_MS):
        _ctrl_n(window)
    text_opened(qtbot, window)
    QApplication.processEvents()
    assert window.mode == "text"
    assert window.text.document_id != first and view.editor.toPlainText() == "", "a new, empty text"
    assert window.chat.conversation_id == conversation, "no conversation made in the hidden Chat tab"
    assert window.focusWidget() is view.editor, window.focusWidget()
    qtbot.keyClicks(window.focusWidget(), "Rain fell")
    assert view.editor.toPlainText() == "Rain fell" and window.prompt.toPlainText() == ""


def test_ctrl_n_in_chat_still_starts_a_new_conversation(make_window, qtbot):
    window = make_window()
    window.chat.store.create_conversation("Old one")
    window.chat.open_conversation(window.chat.conversations()[0]["id"])
    assert window.chat.conversation_id is not None
    _ctrl_n(window)
    assert window.chat.conversation_id is None and window.focusWidget() is window.prompt
