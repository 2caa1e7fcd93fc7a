"""window74: Up from the prompt into a newest answer taller than the view gave it the keyboard and showed its first
token in the inspector, but the transcript centred the card, and that token lay above the view; Home and End moved
the selection off screen likewise. The token picked now stays in view (pytest-qt, the real window, the tiny model
scoring the stored answers)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from test_gui import WAIT_MS, make_window  # noqa: E402,F401
from test_left48_opened_conversation import opened_long  # noqa: E402


def _token_in_view(window, view, index: int) -> bool:
    transcript = window.transcript
    rect = view.span_rect(index)
    top = view.viewport().mapTo(transcript.viewport(), rect.topLeft()).y()
    return 0 <= top and top + rect.height() <= transcript.viewport().height()


def test_the_token_the_keys_pick_in_a_tall_answer_stays_in_view(make_window, qtbot):
    window = opened_long(qtbot, make_window, (1024, 600), last_paragraphs=16)
    answer = window.transcript.cards[-1].view
    qtbot.waitUntil(lambda: len(answer.records) > 0, timeout=WAIT_MS)  # scored by the model: its tokens
    assert answer.height() > window.transcript.viewport().height(), "the answer is taller than the view"
    window.prompt.setFocus()
    qtbot.keyClick(window.prompt, Qt.Key.Key_Up)
    assert answer.hasFocus() and window.inspector.index == 0
    assert _token_in_view(window, answer, 0), "the first token, shown in the inspector, is on screen"
    qtbot.keyClick(answer, Qt.Key.Key_End)
    last = len(answer.records) - 1
    assert window.inspector.index == last and _token_in_view(window, answer, last)
    qtbot.keyClick(answer, Qt.Key.Key_Home)
    assert window.inspector.index == 0 and _token_in_view(window, answer, 0)
