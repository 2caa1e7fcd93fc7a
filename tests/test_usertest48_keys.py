"""usertest48: a person who works by keys alone on a 1024x600 laptop screen. What they met, mended (pytest-qt,
offscreen, the real window on the tiny fixture model, the real store): Esc in the conversations' search did nothing
(the window's Esc, which stops an answer, took the key), so the list stayed filtered and the cursor stayed in the
search; Ctrl+2 put the cursor in the Text tab's editor with no ring, the box looking as it did without the keyboard."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QColor  # noqa: E402

from desktop_app.core.paths import AppPaths  # noqa: E402
from desktop_app.core.store import Store  # noqa: E402
from test_gui import make_window  # noqa: E402,F401

CTRL = Qt.KeyboardModifier.ControlModifier


def _two_conversations() -> None:
    store = Store.open(AppPaths.resolve().ensure().db_path)
    for title, question in (("Capitals", "And of Germany?"), ("Sea haiku", "Write a haiku about the sea.")):
        store.add_message(store.create_conversation(title), "user", question)
    store.close()


def _active(window, qtbot) -> None:
    from PySide6.QtWidgets import QApplication

    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def test_esc_in_the_search_clears_it_then_goes_back_to_the_prompt(make_window, qtbot):
    _two_conversations()
    window = make_window()
    _active(window, qtbot)
    panel = window.conversations
    qtbot.keyClick(window.prompt, Qt.Key.Key_F, CTRL)
    qtbot.keyClicks(panel.search, "Germany")
    qtbot.waitUntil(lambda: panel.list.count() == 1)  # the search's pause, then the one match
    qtbot.keyClick(panel.search, Qt.Key.Key_Escape)
    assert panel.search.text() == "", "Esc takes the search's words away"
    assert panel.search.hasFocus(), "the first Esc stays in the search, for other words"
    qtbot.waitUntil(lambda: panel.list.count() == 2)  # every conversation listed again
    qtbot.keyClick(panel.search, Qt.Key.Key_Escape)
    assert window.prompt.hasFocus(), "Esc on an empty search goes back to the prompt"


def _left_edge(widget) -> list[QColor]:
    """The colours of the widget's second column of pixels, top to bottom (its middle half): where a ring of 2 px
    shows and a frame of 1 px does not."""
    image = widget.grab().toImage()
    scale = image.devicePixelRatio()
    rows = range(widget.height() // 4, widget.height() * 3 // 4)
    return [QColor(image.pixel(int(1 * scale), int(y * scale))) for y in rows]


def test_the_text_tabs_editor_shows_a_ring_when_it_has_the_keyboard(make_window, qtbot):
    from desktop_app.gui.theme import colors

    window = make_window()
    _active(window, qtbot)
    qtbot.keyClick(window.prompt, Qt.Key.Key_2, CTRL)
    editor = window.text_view.editor
    qtbot.waitUntil(lambda: window.mode == "text" and editor.hasFocus())
    assert window.text_view.text_widget() is editor  # an empty new text opens for writing
    focused = _left_edge(editor)
    window.mode_tabs.tabBar().setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: not editor.hasFocus())
    unfocused = _left_edge(editor)
    accent = QColor(colors(dark=False)["accent"])
    assert all(c == accent for c in focused), "a ring in the accent colour along the editor's edge"
    assert not any(c == accent for c in unfocused), "and none once the keyboard is elsewhere"


def answer_entered_by_keys(make_window, qtbot):
    """(window, card): the active window with one answer of 6 tokens, the keyboard in its tokens by ↑ from the
    empty prompt (its first token chosen)."""
    from gui_windows import WAIT_MS

    window = make_window(max_new_tokens=6)
    _active(window, qtbot)
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
        window.prompt.setPlainText("Hello there")
        window.send()
    answer = window.transcript.cards[-1]
    qtbot.waitUntil(lambda: answer.role == "assistant" and answer.message_id is not None)
    window.prompt.setFocus()
    qtbot.keyClick(window.prompt, Qt.Key.Key_Up)  # ↑ in the empty prompt: into the newest answer's tokens
    return window, answer


def test_esc_in_an_answers_tokens_goes_back_to_the_prompt(make_window, qtbot):
    window, answer = answer_entered_by_keys(make_window, qtbot)
    assert answer.view.hasFocus()
    qtbot.keyClick(answer.view, Qt.Key.Key_Right)
    qtbot.keyClick(answer.view, Qt.Key.Key_Escape)
    assert window.prompt.hasFocus(), "Esc leaves the answer for the prompt, as ↓ below the newest answer does"
    assert window.transcript.cards[-1] is answer and answer.message_id is not None, "and nothing else happened"
