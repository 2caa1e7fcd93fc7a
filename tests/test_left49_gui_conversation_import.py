"""The window's conversation JSON import: an imported answer cut at the token limit says so under its text,
as the exporter's card did, and offers Regenerate but not Continue (no model wrote its tokens here: going on
"from its last token" would start the answer over in its own row and lose its text). pytest-qt, the tiny
fixture model, real SQLite."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("PySide6")

from desktop_app.core.conversation_import import import_conversation_file  # noqa: E402
from desktop_app.gui.answer_words import TOKEN_LIMIT_WORDS  # noqa: E402
from test_gui import answer_cards, make_window  # noqa: E402,F401


def _file(tmp_path) -> str:
    path = tmp_path / "cut.json"
    path.write_text(json.dumps({"format": "gpt2-desk conversation", "version": 2, "title": "Cut", "messages": [
        {"id": 1, "parent_id": None, "role": "user", "text": "Tell me a story"},
        {"id": 2, "parent_id": 1, "role": "assistant", "text": "Once upon a time there", "model_id": "elsewhere",
         "ending": "token_limit", "token_ratings": [{"token": 1, "value": -1}], "shown": True}]}),
        encoding="utf-8")
    return str(path)


def test_an_imported_cut_answer_says_so_without_continue(make_window, qtbot, tmp_path):
    window = make_window()
    done = import_conversation_file(window.chat.store, _file(tmp_path))
    window.open_conversation(done.conversation_id)
    [card] = answer_cards(window)
    assert card.interrupted_label.text() == TOKEN_LIMIT_WORDS
    assert not card.continue_button.isVisibleTo(card) and card.regenerate_button.isVisibleTo(card)
    assert [(r["token_index"], r["value"]) for r in window.chat.store.ratings(card.message_id)] == [(1, -1)]
