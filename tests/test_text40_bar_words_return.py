"""The Text tab's top bar drops its buttons' words while a long status ("writing… (the text after the
cursor stays in its branch)") does not fit beside them, and takes them back once the status is gone
and there is room: it stayed icons-only after such a continuation, at 1280 px, until the window was
widened past the width the long status had wanted. pytest-qt on the real window, tiny GPT-2."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication  # noqa: E402

from gui_windows import WAIT_MS  # noqa: E402
from test_gui_loom import TEXT, continue_with, settle, window  # noqa: E402,F401


def test_the_bar_takes_its_words_back_after_a_continuation_from_the_middle(window, qtbot):
    view = window.text_view
    bar = view.continue_button.parentWidget()
    QApplication.processEvents()
    assert not view.bar_compactor.compact and view.continue_button.text() == "Continue"
    view.set_editing(True)
    cursor = view.editor.textCursor()
    cursor.setPosition(len(TEXT) // 2)  # the words after the cursor stay in their branch
    view.editor.setTextCursor(cursor)
    while_writing = []
    window.text.tokens.connect(lambda _records: while_writing.append(
        (view.status.text(), view.bar_compactor.compact, view.continue_button.text())))
    continue_with(qtbot, window, view.continue_text)
    status, compact, words = while_writing[0]
    assert "the text after the cursor stays in its branch" in status
    assert compact and words == "", "the long status did not fit beside the words"

    qtbot.waitUntil(lambda: not window.text.continuing and window.text.summary is not None, timeout=WAIT_MS)
    settle(window)
    assert view.status.text() == ""
    assert not view.bar_compactor.compact, "room again: the words come back without a resize"
    assert [b.text() for b in view.bar_labels] == list(view.bar_labels.values())
    assert bar.width() >= bar.sizeHint().width()
