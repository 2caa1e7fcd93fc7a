"""A continuation cut at Settings' Max new tokens says so in the Text tab (pytest-qt, the real window,
the tiny GPT-2, a real store): usertest 25's continuation ended mid-sentence, on a lone quote mark, and
nothing said why or where the limit is set (the Text tab has no Settings button; Ctrl+, opens it). The
words stay until the text changes, as a stopped continuation's do; one the model ended says nothing."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication  # noqa: E402

from gui_windows import STORY, WAIT_MS, window_with_text  # noqa: E402


def continued(qtbot, window) -> str:
    """Continue, wait for the text with its new branch analysed: the reason it ended."""
    text = window.text
    with qtbot.waitSignal(text.continued, timeout=WAIT_MS) as ended:
        window.text_view.continue_button.click()
    with qtbot.waitSignal(text.analysed, timeout=WAIT_MS):
        pass
    QApplication.processEvents()
    return ended.args[1]


def test_a_continuation_at_the_limit_says_so_until_the_text_changes(qtbot, qapp, tiny_model_dir):
    from desktop_app.core.text_notes import AT_THE_LIMIT

    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as window:
        window.popover.max_new.setValue(5)
        view = window.text_view
        assert continued(qtbot, window) == "length"
        said = window.statusBar().currentMessage()
        assert said == AT_THE_LIMIT.format(count=5) and "Stopped at 5 new tokens" in said
        assert view.status.text() == "", "the window's status bar says it: the tab's row takes no room from the text"
        view.set_editing(True)
        view.editor.insertPlainText(" And then")  # an edit: the words were about the text before it
        assert window.statusBar().currentMessage() != AT_THE_LIMIT.format(count=5)
