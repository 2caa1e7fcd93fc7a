"""The Fine-tune tab's ready line after a run, where the ratings are fewer than the examples (pytest-qt,
offscreen, the tiny random GPT-2, the real SQLite store): a disliked answer with a better answer is one
rating and two examples, so "2 ratings in all ... Run 1 used all of them: 2 to learn from, 1 to test the
result" read as 3 of 2 ratings (usertest 24). The figures now say they count examples."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")


from test_gui import ask, make_window  # noqa: E402,F401
from test_gui_finetune_again import kept_run  # noqa: E402


def test_the_used_line_names_examples_where_they_are_not_the_ratings(make_window, qtbot, tmp_path):
    window = make_window(max_new_tokens=6)
    store = window.chat.store
    store.rate_message(ask(qtbot, window, "Hello")["message_id"], 1)
    window.new_conversation()
    disliked = ask(qtbot, window, "Why?")["message_id"]
    store.rate_message(disliked, -1)
    store.set_correction(disliked, "Because.")
    run, _adapter = kept_run(qtbot, window, tmp_path, minutes=2, seconds=0)
    text = window.finetune_panel.ready_label.text()
    # counts59: the dislike and its better answer are two ratings: 3 ratings, 3 examples
    assert "3 ratings in all" in text and "examples" not in text
    assert f"Run {run} used all of them: 2 to learn from, 1 to test the result" in text
