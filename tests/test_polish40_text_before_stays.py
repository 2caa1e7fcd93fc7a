"""At a continuation's first streamed token the heatmap holds the text before it, whatever came just
before (a plain Continue, an edit not analysed yet, the cursor in the middle, Regenerate, a new text
continued before its colours): one screenshot had shown only the new tokens; not reproduced, kept
as a guard. pytest-qt on the real window, tiny GPT-2, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtGui import QTextCursor  # noqa: E402

from gui_windows import WAIT_MS  # noqa: E402
from test_gui_loom import continue_with, settle, window  # noqa: E402,F401


def at_first_token(window, qtbot, action) -> tuple[str, str]:
    """(the heatmap's text, the text the continuation follows) when its first tokens show."""
    view, seen = window.text_view, []

    def first(_records):
        if not seen:
            seen.append((view.heatmap.prefix + "".join(r.text for r in view.heatmap.records), window.text.plan.prefix))

    window.text.tokens.connect(first)
    with qtbot.waitSignal(window.text.continued, timeout=WAIT_MS):
        action()
    window.text.tokens.disconnect(first)
    settle(window)
    return seen[0]


def test_the_text_before_shows_at_the_first_token(window, qtbot):
    view = window.text_view
    shown, before = at_first_token(window, qtbot, view.continue_button.click)
    assert before and shown.startswith(before)
    shown, before = at_first_token(window, qtbot, view.regenerate_button.click)
    assert before and shown.startswith(before)
    view.set_editing(True)
    view.editor.moveCursor(QTextCursor.MoveOperation.End)
    view.editor.insertPlainText(" And more words came.")  # continued before its pause
    shown, before = at_first_token(window, qtbot, view.continue_text)
    assert before.endswith("And more words came.") and shown.startswith(before)
    view.set_editing(True)
    cursor = view.editor.textCursor()
    cursor.setPosition(20)
    view.editor.setTextCursor(cursor)
    shown, before = at_first_token(window, qtbot, view.continue_text)
    assert len(before) == 20 and shown.startswith(before)
    view.new_document("Another text about the sea and a small boat.")
    qtbot.waitUntil(lambda: not window.text.opening, timeout=WAIT_MS)
    shown, before = at_first_token(window, qtbot, view.continue_text)
    assert before == "Another text about the sea and a small boat." and shown.startswith(before)


def test_a_cursor_at_the_very_start_continues_the_text_not_nothing(window, qtbot):
    """Continued from the editor with its cursor before the first character (where a click or
    Ctrl+Home leaves it), the model had written from nothing: the heatmap showed only its tokens and
    the whole text had gone into the outline's main text. Nothing before the cursor to continue:
    it continues the text from its end."""
    view = window.text_view
    view.set_editing(True)
    view.editor.moveCursor(QTextCursor.MoveOperation.Start)
    text = view.editor.toPlainText()
    shown, before = at_first_token(window, qtbot, view.continue_text)
    assert before == text and shown.startswith(text)
    assert view.editor.toPlainText().startswith(text) and len(view.editor.toPlainText()) > len(text)
