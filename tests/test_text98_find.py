"""text98: a writer pressed Ctrl+F in the Text tab to jump to a word and see its figures, and the key searched the
chat's conversations instead. In the Text tab Ctrl+F now opens a find bar over the text: every match highlighted,
Enter / F3 next, Shift+Enter / Shift+F3 back, a count ("2 of 3"), Esc closes, and the token a match starts in
selected and shown in the inspector. In Chat, Ctrl+F still goes to the conversations' search. (pytest-qt, the real
window on the tiny fixture model.)"""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.core import text_find  # noqa: E402
from gui_windows import active, window_with_text  # noqa: E402

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
TEXT = "The keeper counted the waves. Then the keeper slept, and THE waves went on."


def test_matches_are_found_without_case_and_counted_as_a_person_reads_them():
    spans = text_find.find_spans(TEXT, "the")
    assert [TEXT[a:b] for a, b in spans] == ["The", "the", "The", "the", "THE"], "\"Then\" counts: as typed"
    assert text_find.find_spans(TEXT, "") == []
    assert text_find.find_spans("a.b", ".") == [(1, 2)], "the words are found as typed, not as a pattern"
    # an emoji is two UTF-16 units to the document: the match after it moves one place on
    assert text_find.to_utf16("\U0001f600 the", [(2, 5)]) == [(3, 6)]
    assert text_find.count_words(1, 3, "the") == "2 of 3"
    assert text_find.count_words(-1, 0, "zzz") == text_find.NO_MATCHES
    assert text_find.next_match([(0, 1), (5, 6)], 1, forward=True) == 0, "round the end, as a browser's find"
    assert text_find.next_match([(0, 1), (5, 6)], 0, forward=False) == 1
    assert text_find.token_at([3, 7, 12], 7) == 2 and text_find.token_at([3, 7, 12], 12) == -1


def _highlighted(heatmap) -> list[str]:
    return [s.cursor.selectedText() for s in heatmap.extraSelections()]


def test_ctrl_f_in_the_text_tab_finds_in_the_text_and_shows_the_token(qtbot, qapp, tiny_model_dir):
    with window_with_text(qtbot, qapp, tiny_model_dir, TEXT) as window:
        active(qtbot, window)
        view, heatmap = window.text_view, window.text_view.heatmap
        heatmap.setFocus()
        qtbot.keyClick(heatmap, Qt.Key.Key_F, CTRL)
        find = view.find
        assert window.mode == "text" and find.is_open and find.bar.field.hasFocus()
        qtbot.keyClicks(find.bar.field, "keeper")
        assert _highlighted(heatmap) == ["keeper", "keeper"]
        assert find.bar.count.text() == "1 of 2"
        first = heatmap.selected
        assert first >= 0 and heatmap.starts[first] <= find.spans[0][0] < heatmap.ends[first], "the match's token"
        assert window.inspector.index == first, "the found token's figures are in the inspector"

        qtbot.keyClick(find.bar.field, Qt.Key.Key_Return)
        assert find.bar.count.text() == "2 of 2" and heatmap.selected > first
        qtbot.keyClick(find.bar.field, Qt.Key.Key_F3)
        assert find.bar.count.text() == "1 of 2", "F3 in the field steps the matches, round the end"
        qtbot.keyClick(find.bar.field, Qt.Key.Key_Return, SHIFT)
        assert find.bar.count.text() == "2 of 2"
        qtbot.keyClick(find.bar.field, Qt.Key.Key_F3, SHIFT)
        assert find.bar.count.text() == "1 of 2"
        assert window.inspector.index == heatmap.selected == first

        find.bar.field.setText("lighthouse")
        assert find.bar.count.text() == text_find.NO_MATCHES and _highlighted(heatmap) == []

        find.bar.field.setText("waves")
        qtbot.keyClick(find.bar.field, Qt.Key.Key_Escape)
        assert not find.is_open and heatmap.extraSelections() == [], "Esc closes the bar and its highlights go"
        assert heatmap.hasFocus()
        window.chat.shutdown()


def test_ctrl_f_in_chat_still_searches_the_conversations(qtbot, qapp, tiny_model_dir):
    with window_with_text(qtbot, qapp, tiny_model_dir, TEXT) as window:
        active(qtbot, window)
        window.set_mode("chat")
        window.prompt.setFocus()
        qtbot.keyClick(window.prompt, Qt.Key.Key_F, CTRL)
        QApplication.processEvents()
        assert window.conversations.search.hasFocus()
        assert not window.text_view.find.is_open
        window.chat.shutdown()
