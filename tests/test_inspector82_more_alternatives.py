"""inspector82, finding 2 (session 62's user test): the inspector's alternatives stopped at the Alternatives setting
(10), with no way to see more there. "Show 40 more" under the list reads the token's next ones from the model (one
pass, on the lane), for an answer's token and the Text tab's, without changing the setting; Tab reaches it and its
tooltip names the setting. pytest-qt on the real window, the tiny GPT-2, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from desktop_app.core.more_alternatives import MORE_ALTERNATIVES  # noqa: E402
from gui_windows import STORY, window_with_text  # noqa: E402
from test_gui_explain import WAIT_MS, _answer, window  # noqa: E402,F401  (the window with one answer)


def shown_more(qtbot, inspector) -> None:
    button = inspector.more_button
    assert button.isVisible() and button.text() == f"Show {MORE_ALTERNATIVES - len(inspector.record.top)} more"
    assert "Settings \u2192 Alternatives kept" in button.toolTip()
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Space)  # reached from the keyboard
    qtbot.waitUntil(lambda: len(inspector.chart.alternatives) == MORE_ALTERNATIVES, timeout=WAIT_MS)


def test_an_answers_token_shows_its_next_alternatives_without_changing_the_setting(window, qtbot):
    card = _answer(window)
    card.view.select_token(3)
    window.show_token(card, 3)
    inspector, record = window.inspector, card.records[3]
    kept = len(record.top)
    assert len(inspector.chart.alternatives) == kept < MORE_ALTERNATIVES
    shown_more(qtbot, inspector)
    listed = inspector.chart.alternatives
    assert [a.id for a in listed[:kept]] == [a.id for a in record.top], "the record's own come first, as kept"
    for mine, read in zip(record.top, listed):
        assert abs(mine.prob - read.prob) < 1e-4, "read in the pass the record's figures come from"
    assert all(a.prob >= b.prob for a, b in zip(listed, listed[1:]))
    assert inspector.alt_title.text() == f"TOP {MORE_ALTERNATIVES} ALTERNATIVES"
    assert not inspector.more_button.isVisible()
    assert inspector.record is record and len(inspector.record.top) == kept, "the record keeps what it kept"
    assert window.chat.settings.alternatives == kept, "the setting is unchanged"
    card.view.select_token(4)
    window.show_token(card, 4)  # another token: its own list, offered again
    assert len(inspector.chart.alternatives) == len(card.records[4].top) and inspector.more_button.isVisible()


def test_a_prompt_token_offers_none(window, qtbot):
    window.legend.score_prompts.setChecked(True)
    prompt_card = [c for c in window.transcript.cards if c.role == "user"][-1]
    qtbot.waitUntil(lambda: bool(prompt_card.records), timeout=WAIT_MS)
    window.show_token(prompt_card, 0)
    assert window.inspector.record is prompt_card.records[0]
    assert not window.inspector.more_button.isVisible()


def test_a_text_tokens_next_alternatives(qtbot, qapp, tiny_model_dir):
    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as win:
        win.set_mode("text")
        win.text_view.set_editing(False)
        heatmap = win.text_view.heatmap
        heatmap.select_token(3)
        win.show_text_token(3, heatmap.records[3])
        record = heatmap.records[3]
        shown_more(qtbot, win.inspector)
        assert [a.id for a in win.inspector.chart.alternatives[:len(record.top)]] == [a.id for a in record.top]
