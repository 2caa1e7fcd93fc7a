"""rows92 gave each conversation row a second line with its ratings' marks ("today 07:20 · ▲1"); in a real
window a thumbs-up given to the answer on screen left the row saying "today 07:20" until the list was filled
again (another conversation, a search). The rows' facts now follow each rating as it is written, in place: the
list keeps its rows, its current one and its scroll. pytest-qt, the real window on the tiny model."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.gui.conversation_panel import ROW_FACTS  # noqa: E402
from gui_windows import answered_window  # noqa: E402


@pytest.fixture
def window(qtbot, qapp, tiny_model_dir):
    with answered_window(qtbot, qapp, tiny_model_dir) as win:
        yield win


def _row(window):
    listed = window.conversations.list
    return listed.currentItem(), listed.count()


def test_a_thumb_and_a_better_answer_show_on_the_conversations_row_at_once(window, qtbot):
    item, count = _row(window)
    assert "\u25b2" not in item.data(ROW_FACTS)
    answer = [c for c in window.transcript.cards if c.role == "assistant"][-1]
    with qtbot.waitSignal(window.writer.written, timeout=30_000):
        window.writer.rate_message(answer.message_id, 1)
    same, again = _row(window)
    assert same is item and again == count, "updated in place, not filled anew"
    assert "\u25b21" in item.data(ROW_FACTS) and "\u25b2 1 liked" in item.toolTip(), item.toolTip()
    with qtbot.waitSignal(window.writer.written, timeout=30_000):
        window.writer.set_correction(answer.message_id, "Fine, thank you.")
    assert "\u270e1" in item.data(ROW_FACTS), item.data(ROW_FACTS)
    assert "\u270e 1 with a better answer you wrote" in item.toolTip()


def test_the_tooltip_says_what_each_mark_counts():
    from desktop_app.core.conversation_rows import marks_said

    assert marks_said({"liked_count": 2, "token_rated_count": 1}) == "Answers: \u25b2 2 liked, \u00b1 1 rated token by token"
    assert marks_said({"liked_count": 0}) == ""
