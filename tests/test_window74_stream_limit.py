"""window74: while an answer streams, the view follows its end but never scrolls past its question's top. Ctrl+B or
Ctrl+Shift+B pressed while the answer was still short (its end in view) lifted that limit: the answer went on and
took the question's "You" line off the top. The limit now survives the toggle (pytest-qt, the real window, the
tiny model)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gui_windows import active  # noqa: E402
from test_gui import WAIT_MS, make_window  # noqa: E402,F401
from test_left48_opened_conversation import _places  # noqa: E402
from test_panels72_panels_reflow import PANEL_KEYS  # noqa: E402


@pytest.mark.parametrize("panel", ["conversations", "side_tabs"])
def test_a_panel_toggled_while_an_answer_streams_keeps_its_question_in_view(make_window, qtbot, panel):
    window = make_window(max_new_tokens=400)
    window.resize(1024, 600)
    active(qtbot, window)
    toggled = []

    def toggle_at_first_tokens(_batch) -> None:  # the answer is still short: its end is in view
        if not toggled:
            toggled.append(window.transcript.viewport().width())
            qtbot.keyClick(window, Qt.Key.Key_B, PANEL_KEYS[panel])

    window.chat.tokens.connect(toggle_at_first_tokens)
    window.prompt.setFocus()
    qtbot.keyClicks(window.prompt, "Tell me a long story about a lighthouse")
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS * 6):
        qtbot.keyClick(window.prompt, Qt.Key.Key_Return)
    window.chat.tokens.disconnect(toggle_at_first_tokens)
    assert toggled and not window.panel_actions[panel].isChecked(), "the keys hid the panel mid-answer"
    for _ in range(3):  # the last tokens laid out
        QApplication.processEvents()
    (_role, question_top, _bottom), (_answer, _top, answer_bottom) = _places(window)[-2:]
    assert answer_bottom - question_top > window.transcript.viewport().height(), "the two are taller than the view"
    assert question_top >= 0, "the question's top stayed in view"


def test_a_panel_toggled_after_the_answer_keeps_the_view_at_its_end(make_window, qtbot):
    """The limit is the streaming answer's alone: a finished answer taller than the view, shown to its end (the keys'
    Up into it, or End), stays at its end through Ctrl+Shift+B; its question's top had come back as the limit and the
    view went up 109 px (tests/test_gui_ux12_fixes.py, under load)."""
    window = make_window(max_new_tokens=400)
    window.resize(1024, 600)
    active(qtbot, window)
    window.prompt.setFocus()
    qtbot.keyClicks(window.prompt, "Tell me a long story about a lighthouse")
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS * 6):
        qtbot.keyClick(window.prompt, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.chat.generating, timeout=WAIT_MS)
    for _ in range(3):
        QApplication.processEvents()
    bar = window.transcript.verticalScrollBar()
    bar.setValue(bar.maximum())  # as a key's scroll into view does: no person's scroll
    (_role, question_top, _bottom), (_answer, _top, answer_bottom) = _places(window)[-2:]
    assert answer_bottom - question_top > window.transcript.viewport().height(), "the two are taller than the view"
    qtbot.keyClick(window, Qt.Key.Key_B, PANEL_KEYS["side_tabs"])
    for _ in range(3):
        QApplication.processEvents()
    assert not window.panel_actions["side_tabs"].isChecked()
    last = window.transcript.cards[-1]
    assert last.mapTo(window.transcript.viewport(), last.rect().bottomLeft()).y() <= \
        window.transcript.viewport().height(), "the newest answer's end still in view"
