"""The Text tab's top bar puts a long status on a row under it while it does not fit beside the buttons (which keep
their words; a continuation from the cursor says "writing… 40%" there, its tooltip the rest), and
takes it back once the status is gone and there is room: it stayed icons-only after such a
continuation, at 1280 px, until the window was widened past the width the long status had wanted.
pytest-qt on the real window, tiny GPT-2."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtGui import QTextCursor  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.core.text_notes import AT_THE_LIMIT, WRITING_FROM_CURSOR, writing_words  # noqa: E402
from gui_windows import WAIT_MS  # noqa: E402
from test_gui_loom import TEXT, continue_with, settle, window  # noqa: E402,F401


def test_the_bar_takes_its_words_back_after_a_continuation_from_the_middle(window, qtbot):
    view = window.text_view
    bar = view.continue_button.parentWidget()
    QApplication.processEvents()
    assert view.bar.ladder.step == 0 and view.continue_button.text() == "Continue"
    view.set_editing(True)
    cursor = view.editor.textCursor()
    cursor.setPosition(len(TEXT) // 2)  # the words after the cursor stay in their branch
    view.editor.setTextCursor(cursor)
    while_writing = []
    window.text.tokens.connect(lambda _records: while_writing.append(
        (view.status.text(), view.bar.ladder.step, view.continue_button.text(),
         view.bar.status_line.indexOf(view.status) >= 0, view.status.toolTip(), list(window.text.streamed))))
    continue_with(qtbot, window, view.continue_text)
    status, step, words, under, said, _streamed = while_writing[0]
    # the tab's short words stay in its bar; its tooltip says the rest (textflow67: beside the
    # Chat | Text tabs a new user did not connect them with the text)
    # (with how far it is, "writing… 40%", and in the tooltip what the share counts: usertest43)
    assert status == writing_words(len(while_writing[0][5]), window.chat.settings.max_new_tokens)
    assert status.startswith("writing\u2026 ") and said.startswith(WRITING_FROM_CURSOR + "\n")
    assert step == 0 and not under and words == "Continue", "the bar kept its words and its status"

    qtbot.waitUntil(lambda: not window.text.continuing and window.text.summary is not None, timeout=WAIT_MS)
    settle(window)
    # the continuation stopped at Max new tokens, which the status bar says until the text changes (usertest 25)
    assert window.statusBar().currentMessage() == AT_THE_LIMIT.format(count=window.chat.settings.max_new_tokens)
    view.set_editing(True)
    with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):
        view.editor.moveCursor(QTextCursor.MoveOperation.End)
        view.editor.insertPlainText(" And")
    settle(window)
    assert view.status.text() == ""
    assert view.bar.ladder.step == 0, "room again: the bar takes its status back without a resize"
    assert [b.text() for b in view.bar.labels] == list(view.bar.labels.values())
    assert bar.width() >= bar.sizeHint().width()
