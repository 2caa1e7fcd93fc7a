"""The Fine-tune tab counts what the person did once, everywhere (pytest-qt, the tiny random GPT-2, the
real SQLite store): the count tiles, less the dislikes that have a better answer (said under both tiles),
add up to the ratings the ready line names, a thumbs-down with a better answer being one of them."""

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
    store.set_correction(corrected, "Hello! How can I help?")  # a better answer for it: a rating of its own
    store.rate_message(ask(qtbot, window, "Why?")["message_id"], -1)  # a dislike on its own
    counts = recount(qtbot, window)
    assert rating_count(counts) == 3 and "<b>3 ratings ready to train on</b>" in panel.ready_label.text()
    assert tiles(panel) == {"thumbs_up": 0, "thumbs_down": 2, "token_ratings": 0, "corrections": 1}
    assert sum(tiles(panel).values()) == 3, "each rating once (counts59)"
    note = panel.tiles["corrections"].note
    assert note.isVisibleTo(panel) and note.text() == "for a disliked answer"
    assert panel.tiles["thumbs_down"].note.text() == "1 with a better answer"
    assert "1 of them also has a better answer you wrote" in panel.tiles["thumbs_down"].toolTip()  # counts59
    # the dislike taken away: the better answer alone, no note
    store.clear_rating(corrected)
    recount(qtbot, window)
    assert tiles(panel)["thumbs_down"] == 1 and not panel.tiles["corrections"].note.isVisibleTo(panel)
    assert sum(tiles(panel).values()) == rating_count(panel.counts) == 2


# ---------------------------------------------------------------- a click that would repeat a discarded run

REASON = "the held-out margin did not move the right way (0.120 -> 0.104)"


def kept_then_discarded(qtbot, window, tmp_path) -> tuple[list[int], int, int, int]:
    """Four answers; two liked, then a kept run 1 (its adapter in use); one more disliked, then run 2
    from that adapter, discarded after 6 min 5 s: run 2 trained on all three ratings."""
    from datetime import datetime, timedelta

    store, model = window.chat.store, window.chat.loaded.model_id
    answers = [ask(qtbot, window, text)["message_id"] for text in ("Hello", "Hi", "Why?", "How?")]
    for answer in answers[:2]:
        store.rate_message(answer, 1)
    kept = store.create_run({}, model)
    (tmp_path / "adapter-1").mkdir()
    adapter = store.add_adapter(tmp_path / "adapter-1", base_model=model, run_id=kept)
    store.update_run(kept, status="kept", adapter_id=adapter)
    store.set_active_adapter(adapter, model)
    store.rate_message(answers[2], -1)
    discarded = store.create_run({}, model, parent_adapter_id=adapter)
    started = datetime.fromisoformat(store.get_run(discarded)["started"])
    store.update_run(discarded, status="discarded", reason=REASON,
                     finished=(started + timedelta(minutes=6, seconds=5)).isoformat())
    return answers, kept, adapter, discarded


def test_a_click_that_would_repeat_a_discarded_run_says_so_first(make_window, qtbot, tmp_path):
    from PySide6.QtCore import Qt

    from gui_windows import answer_modal

    window = make_window(max_new_tokens=6)
    store, panel = window.chat.store, window.finetune_panel
    answers, kept, adapter, discarded = kept_then_discarded(qtbot, window, tmp_path)
    counts = recount(qtbot, window)
    window.show_finetune()
    seen = []
    answer_modal("Not now", seen)
    qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    assert seen, "a click asks before training on what run 2 already trained on"
    question, detail = seen[0]
    assert question == (f"Run {discarded} already trained on these ratings and was discarded: on your ratings, the "
                        "model did not come to prefer what you liked more (preference margin 0.120 \u2192 0.104). "
                        "Train again on the same 3 examples?")  # the card's words for the reason (ux42)
    assert detail.startswith(f"A new run starts from adapter {adapter} too, on the same ratings: with the same "
                             "settings it would most likely be discarded again.")
    assert f"Run {discarded} took 6 min 05 s; a new run takes about as long." in detail
    assert not window.finetune.running and len(store.list_runs()) == 2
    # new since the kept run whose adapter is in use, yet all of it in the discarded run
    assert (counts["last_run"], counts["new_since_run"]) == (kept, 1)
    assert (counts["newer_run"], counts["new_since_newer"]) == (discarded, 0)
    line = panel.ready_label.text()
    assert f"Run {discarded} already trained on all of them and was discarded: rate more" in line
    assert "A new run starts from" not in line
    assert panel.train_button.toolTip().startswith(f"Run {discarded} already trained on all of them")

    # something run 2 never saw: no question, and the line says what a run does with it
    from desktop_app.gui.ready_words import retrained_run

    store.rate_message(answers[3], 1)
    counts = recount(qtbot, window)
    assert (counts["new_since_run"], counts["new_since_newer"]) == (2, 1)
    assert retrained_run(counts) is None
    assert "already trained" not in panel.ready_label.text() and "A new run starts from" in panel.ready_label.text()
    assert "same ones again" not in panel.train_button.toolTip()
