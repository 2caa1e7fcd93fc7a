"""The Fine-tune tab counts what the person did once, everywhere (pytest-qt, the tiny random GPT-2, the
real SQLite store): the count tiles add up to the ratings the ready line names, a thumbs-down with a
better answer being one of them."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.gui.ready_words import rating_count  # noqa: E402
from test_gui import WAIT_MS, ask, make_window  # noqa: E402,F401


def recount(qtbot, window) -> dict:
    with qtbot.waitSignal(window.writer.counts_changed, timeout=WAIT_MS):
        window.writer.recount()
    QApplication.processEvents()
    return window.finetune_panel.counts


def tiles(panel) -> dict[str, int]:
    return {key: int(tile.number.text()) for key, tile in panel.tiles.items()}


def test_the_tiles_add_up_to_the_ratings_the_ready_line_counts(make_window, qtbot):
    window = make_window(max_new_tokens=6)
    store, panel = window.chat.store, window.finetune_panel
    corrected = ask(qtbot, window, "Hello")["message_id"]
    store.rate_message(corrected, -1)
    store.set_correction(corrected, "Hello! How can I help?")  # one gesture: this answer is bad, here is better
    store.rate_message(ask(qtbot, window, "Why?")["message_id"], -1)  # a dislike on its own
    counts = recount(qtbot, window)
    assert rating_count(counts) == 2 and "<b>2 ratings ready to train on</b>" in panel.ready_label.text()
    assert tiles(panel) == {"thumbs_up": 0, "thumbs_down": 1, "token_ratings": 0, "corrections": 1}
    assert sum(tiles(panel).values()) == 2
    note = panel.tiles["corrections"].note
    assert note.isVisibleTo(panel) and note.text() == "for an answer you disliked"
    assert "1 disliked answer counts with its better answer" in panel.tiles["thumbs_down"].toolTip()
    # the dislike taken away: the better answer alone, no note
    store.clear_rating(corrected)
    recount(qtbot, window)
    assert tiles(panel)["thumbs_down"] == 1 and not panel.tiles["corrections"].note.isVisibleTo(panel)
    assert sum(tiles(panel).values()) == rating_count(panel.counts) == 2
