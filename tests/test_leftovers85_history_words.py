"""leftovers85: Ctrl+H (the adapter history) with no adapter yet said "rate some answers" with 4 ratings already
waiting; it says how many wait, from the Fine-tune tab's count (core.train_counts.readiness), in the status bar and
in the history's own words (pytest-qt, the real window on the tiny fixture model, the real store)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.core.paths import AppPaths  # noqa: E402
from desktop_app.core.store import Store  # noqa: E402
from gui_windows import ctrl_h  # noqa: E402
from test_gui import make_window  # noqa: E402,F401


def _liked_answers(count: int) -> None:
    store = Store.open(AppPaths.resolve().ensure().db_path)
    for i in range(count):
        cid = store.create_conversation(f"Question {i}")
        question = store.add_message(cid, "user", f"What is {i} and {i}?")
        store.rate_message(store.add_message(cid, "assistant", f"It is {2 * i}.", parent_id=question), 1)
    store.close()


def test_ctrl_h_with_ratings_waiting_says_how_many_and_what_to_press(make_window, qtbot):
    from desktop_app.gui.ready_words import rating_count

    _liked_answers(4)
    window = make_window()
    panel = window.finetune_panel
    qtbot.waitUntil(lambda: rating_count(panel.counts) == 4)  # the tab's own count, asked at start
    ctrl_h(qtbot, window)
    said = window.statusBar().currentMessage()
    assert "4 ratings wait" in said and "Fine-tune on my ratings" in said and "first adapter" in said, said
    assert "rate some answers" not in said
    history = panel.history
    assert "4 ratings wait" in history.empty.text() and "rate some answers" not in history.empty.text()


def test_with_no_rating_it_still_says_to_rate_some_answers(make_window, qtbot):
    window = make_window()
    qtbot.waitUntil(lambda: window.finetune_panel.counts is not None and "total" in window.finetune_panel.counts)
    ctrl_h(qtbot, window)
    assert "rate some answers" in window.statusBar().currentMessage()


def test_one_rating_waits():
    from desktop_app.gui.adapter_history_words import waiting_ratings_words

    assert waiting_ratings_words(1).startswith("No adapter yet: 1 rating waits.")
