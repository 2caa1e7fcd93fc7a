"""Back from the other tab, the token still ringed in a chat card or in the Text heatmap shows in the
inspector again (usertest36: Chat -> Text -> Chat left the answer's token ringed beside an empty inspector,
"Click any coloured token", and its explanation had to be asked for again). pytest-qt on the real window,
tiny GPT-2, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from gui_windows import answered_window, text_opened, window_with_text, STORY  # noqa: E402
from test_small40_short_window import settle  # noqa: E402


def _click(qtbot, view, index: int) -> None:
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.span_rect(index).center())


def test_chat_token_shows_again_after_a_visit_to_text(qtbot, qapp, tiny_model_dir):
    with answered_window(qtbot, qapp, tiny_model_dir) as window:
        card = next(c for c in reversed(window.transcript.cards) if c.role == "assistant")
        index = min(2, len(card.records) - 1)
        _click(qtbot, card.view, index)
        inspector = window.inspector
        assert (inspector.message_id, inspector.index) == (card.message_id, index)
        window.set_mode("text")
        text_opened(qtbot, window)
        settle()
        assert inspector.index == -1  # the chat's token does not stand beside the text
        window.set_mode("chat")
        settle()
        assert card.view.selected == index, "the card lost its ring"
        assert (inspector.message_id, inspector.index) == (card.message_id, index), \
            "the ringed token's inspector stayed empty back in Chat"
        assert inspector.placeholder.isHidden() and inspector.record == card.records[index]


def test_text_token_shows_again_after_a_visit_to_chat(qtbot, qapp, tiny_model_dir):
    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as window:
        window.text_view.set_editing(False)
        settle()
        heatmap = window.text_view.heatmap
        qtbot.waitUntil(lambda: len(heatmap.records) > 3, timeout=30_000)
        _click(qtbot, heatmap, 3)
        inspector = window.inspector
        assert inspector.index == 3 and inspector.message_id is None
        window.set_mode("chat")
        settle()
        assert inspector.index == -1
        window.set_mode("text")
        text_opened(qtbot, window)
        settle()
        assert heatmap.selected == 3
        assert inspector.index == 3 and inspector.record == heatmap.records[3], \
            "the ringed Text token's inspector stayed empty back in Text"
