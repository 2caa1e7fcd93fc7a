"""usertest15: an answer interrupted before its first token has nothing to compare, so its card
shows no Compare button while an adapter is on (pytest-qt, offscreen, the tiny model, a real store)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.core.drafts import AnswerDraft  # noqa: E402
from test_gui_ux20_fixes import wear_adapter, window  # noqa: E402,F401  (window: a fixture)


def test_an_unstarted_answer_has_no_compare_button_a_written_one_has(window, qtbot, tiny_model_dir):
    """User test 15: the card "interrupted before its first token" (0 tokens) got the ↗ button
    once adapter 1 was in use; the compare view had no token to show."""
    store = window.chat.store
    cid = store.create_conversation("Long paste")
    written_q = store.add_message(cid, "user", "Hello?")
    written = store.add_message(cid, "assistant", "Hello there.", parent_id=written_q)
    long_q = store.add_message(cid, "user", "Summarise this: " + "words " * 50, parent_id=written)
    unstarted = AnswerDraft(store, cid, long_q).begin()
    wear_adapter(qtbot, window, tiny_model_dir)
    window.chat.open_conversation(cid)
    QApplication.processEvents()
    cards = {c.message_id: c for c in window.transcript.cards if c.role == "assistant"}
    assert cards[written].rating.compare_button.isVisibleTo(cards[written])
    assert not cards[unstarted].rating.compare_button.isVisibleTo(cards[unstarted])
