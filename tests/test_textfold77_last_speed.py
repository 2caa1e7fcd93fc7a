"""textfold77: after a continuation ended, the Text tab's status bar kept a bare "3.4 tokens/s", read as the speed
of something writing now. It says "last: 3.4 tokens/s" (its tooltip: whose speed it is); a chat answer's speed,
which stands by its card, keeps its bare words. pytest-qt on the real window, tiny GPT-2, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtGui import QTextCursor  # noqa: E402

from gui_windows import STORY, WAIT_MS, answered_window, text_opened  # noqa: E402
from test_small40_short_window import settle  # noqa: E402


def test_a_finished_continuations_speed_says_it_is_the_last(qtbot, qapp, tiny_model_dir):
    with answered_window(qtbot, qapp, tiny_model_dir) as window:
        speed = window.status.speed_label
        assert not speed.text().startswith("last") and speed.text().endswith("tokens/s"), speed.text()
        window.set_mode("text")
        text_opened(qtbot, window)
        view = window.text_view
        with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):
            view.editor.setPlainText(STORY)
            view.editor.moveCursor(QTextCursor.MoveOperation.End)
        with qtbot.waitSignal(window.text.continued, timeout=WAIT_MS):
            view.continue_button.click()
        settle()
        assert speed.text().startswith("last: ") and speed.text().endswith(" tokens/s"), speed.text()
        assert "last continuation" in speed.toolTip()
