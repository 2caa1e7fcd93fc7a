"""The status bar's tokens/s is the speed of what was last written in the tab in front: a chat answer's
in Chat, a continuation's in Text (usertest 24: the last chat answer's "3.6 tokens/s" stood on the Text
tab, read as the continuation's); a finished continuation's reads "last: 3.4 tokens/s" (textfold77). pytest-qt on the real window, tiny GPT-2, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtGui import QTextCursor  # noqa: E402

from gui_windows import STORY, WAIT_MS, answered_window, text_opened  # noqa: E402
from test_small40_short_window import settle  # noqa: E402


def test_each_tab_shows_the_speed_of_its_own_writing(qtbot, qapp, tiny_model_dir):
    with answered_window(qtbot, qapp, tiny_model_dir) as window:
        speed = window.status.speed_label
        answer_words = speed.text()
        assert answer_words.endswith("tokens/s") and "answer" in speed.toolTip()
        assert not answer_words.startswith("last")  # the chat's figure stands by its card: bare (textfold77)
        window.set_mode("text")
        text_opened(qtbot, window)
        settle()
        assert speed.text() == "", f"the chat answer's {speed.text()!r} stands on the Text tab"
        view = window.text_view
        with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):
            view.editor.setPlainText(STORY)
            view.editor.moveCursor(QTextCursor.MoveOperation.End)
        with qtbot.waitSignal(window.text.continued, timeout=WAIT_MS):
            view.continue_button.click()
        settle()
        assert speed.text().endswith("tokens/s") and "continuation" in speed.toolTip()
        # once it has ended, "last: …": a bare figure read as the speed of something writing now (textfold77)
        assert speed.text().startswith("last: ") and "last continuation" in speed.toolTip(), speed.text()
        continuation_tip = speed.toolTip()
        window.set_mode("chat")
        settle()
        assert speed.text() == answer_words and "answer" in speed.toolTip()
        window.set_mode("text")
        settle()
        assert speed.toolTip() == continuation_tip
