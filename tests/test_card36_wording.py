"""Usertest 12, finding 12: small wording on the rating side (pytest-qt, real window, tiny model)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.core.drafts import AnswerDraft  # noqa: E402
from desktop_app.core.paths import AppPaths  # noqa: E402
from desktop_app.core.store import Store  # noqa: E402
from desktop_app.gui.main_window import open_settings  # noqa: E402
from gui_windows import opened_window  # noqa: E402


def test_an_empty_interrupted_answer_offers_only_regenerate(qtbot, qapp, tiny_model_dir):
    """After a restart, a 0-token interrupted answer offered "Write a better answer…": better than
    nothing. Its card offers Regenerate alone (no thumbs, no better answer, no token hint, no export)."""
    paths = AppPaths.resolve().ensure()
    open_settings(paths).setValue("mode", "chat")
    store = Store.open(paths.db_path)
    conversation = store.create_conversation("long paste")
    user = store.add_message(conversation, "user", "a long paste")
    row = AnswerDraft(store, conversation, user).begin()
    store.close()
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        window.chat.open_conversation(conversation)
        card = window.transcript.cards[-1]
        assert card.message_id == row
        qtbot.waitUntil(card.isVisible)
        assert card.regenerate_button.isVisible()
        offered = [w for w in (card.rating.correct_button, card.rating.token_summary, card.rating.up,
                               card.rating.down, card.export_button) if w is not None and w.isVisible()]
        assert not offered, f"an empty answer offers {[getattr(w, 'text', lambda: w)() for w in offered]}"
