"""The window's side of a split character's rating (an emoji over several tokens): a right-click or a
key on the emoji, or on a dot of its first bytes, rates the one character, stored where the model
chose it; the marks go under the emoji and its dots; a rating stored the old way (on the token that
shows the emoji) still marks it and reads back in the inspector; the compare view marks it too. Real
widgets (pytest-qt, offscreen), the tiny model's real tokens."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from helpers import piece_records  # noqa: E402
from test_gui import answer_cards, ask, make_window  # noqa: E402,F401
from test_tokalign42_split_ratings import EMOJI_TEXT, split_emoji  # noqa: E402


def emoji_card(qtbot, window):
    """A second answer "Nice 😀 day" to the window's question, written by its model, shown."""
    from desktop_app.core.prompts import answer_ids
    from desktop_app.core.text_pieces import layout_of

    ask(qtbot, window, "Hello")
    chat, loaded = window.chat, window.chat.loaded
    ids = answer_ids(loaded.tokenizer, EMOJI_TEXT)
    layout = layout_of(loaded.tokenizer, ids)
    records = piece_records(ids, layout.pieces)
    user = next(m for m in chat.thread() if m["role"] == "user")
    mid = chat.store.add_message(chat.conversation_id, "assistant", EMOJI_TEXT, parent_id=user["id"],
                                 model_id=loaded.model_id, records=records)
    chat.choice[user["id"]] = mid
    chat.reload()
    card = answer_cards(window)[-1]
    assert card.message_id == mid
    return card, split_emoji(layout)


def test_a_key_on_the_emoji_rates_its_first_token_and_marks_the_whole_character(make_window, qtbot):
    window = make_window()
    card, (first, shown) = emoji_card(qtbot, window)
    card.view.choose_token(shown)
    qtbot.keyClick(card.view, Qt.Key.Key_Minus)
    window.writer.wait()
    stored = window.chat.store.ratings(card.message_id)
    assert [(r["token_index"], r["value"]) for r in stored] == [(first, -1)]
    assert set(card.view.marks) == set(range(first, shown + 1))  # the emoji and the dots before it
    assert window.inspector.index == shown and window.inspector.bad_button.isChecked()
    card.view.choose_token(first)  # a dot of the same character: the inspector shows its rating
    assert window.inspector.index == first and window.inspector.bad_button.isChecked()
    qtbot.keyClick(card.view, Qt.Key.Key_0)
    window.writer.wait()
    assert window.chat.store.ratings(card.message_id) == [] and card.view.marks == {}


def test_a_rating_stored_the_old_way_still_marks_the_emoji(make_window, qtbot):
    window = make_window()
    card, (first, shown) = emoji_card(qtbot, window)
    with window.chat.store.transaction() as conn:  # what the window stored before: the shown token
        conn.execute("INSERT INTO ratings (message_id, token_index, value, created) VALUES (?, ?, 1, '2026-01-01')",
                     (card.message_id, shown))
    card.rating.refresh()
    assert card.rating.tokens == {first: 1}
    assert set(card.view.marks) == set(range(first, shown + 1))
    card.view.choose_token(first)
    assert window.inspector.good_button.isChecked()


def test_the_compare_view_marks_the_whole_emoji_whose_rating_is_stored_on_its_first_token(make_window, qtbot, tmp_path):
    from desktop_app.core.prompts import answer_ids
    from desktop_app.core.text_pieces import layout_of
    from test_gui import WAIT_MS
    from test_gui_compare_window_size_and_wording import stored_answer, wear_random_lora

    window = make_window()
    wear_random_lora(window, qtbot, tmp_path / "adapter")
    mid = stored_answer(window, EMOJI_TEXT)  # an answer without records: the compare view scores its text
    layout = layout_of(window.chat.loaded.tokenizer, answer_ids(window.chat.loaded.tokenizer, EMOJI_TEXT))
    first, shown = split_emoji(layout)
    window.chat.store.rate_token(mid, first, -1)
    view = window.open_compare(mid).view
    qtbot.waitUntil(lambda: view.message_id == mid and len(view.values) > 0, timeout=WAIT_MS)
    assert [r.text for r in view.after[first:shown + 1]] == layout.pieces[first:shown + 1]
    assert view.token_ratings == {i: -1 for i in range(first, shown + 1)}  # the dots and the emoji
    assert set(view.view.marks) == set(range(first, shown + 1))
