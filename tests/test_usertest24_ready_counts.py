"""The Fine-tune tab's ready line after a run, where the ratings are fewer than the examples (pytest-qt,
offscreen, the tiny random GPT-2, the real SQLite store): a disliked answer with a better answer is one
rating and two examples, so "2 ratings in all ... Run 1 used all of them: 2 to learn from, 1 to test the
result" read as 3 of 2 ratings (usertest 24). The figures now say they count examples."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication  # noqa: E402

from test_gui import WAIT_MS, ask, make_window  # noqa: E402,F401

METRICS = {"margin_before": 0.605, "margin_after": 0.938, "probe_ppl_before": 28.06, "probe_ppl_after": 27.98,
           "gate_margin_on": "heldout", "heldout_size": 1, "train_size": 2}


def test_the_used_line_names_examples_where_they_are_not_the_ratings(make_window, qtbot, tmp_path):
    window = make_window(max_new_tokens=6)
    store = window.chat.store
    store.rate_message(ask(qtbot, window, "Hello")["message_id"], 1)
    window.new_conversation()
    disliked = ask(qtbot, window, "Why?")["message_id"]
    store.rate_message(disliked, -1)
    store.set_correction(disliked, "Because.")
    model_id = window.chat.loaded.model_id
    run = store.create_run({}, model_id)
    folder = tmp_path / "adapter-1"
    folder.mkdir()
    adapter = store.add_adapter(folder, base_model=model_id, run_id=run, metrics=METRICS)
    started = datetime.fromisoformat(store.get_run(run)["started"])
    store.update_run(run, status="kept", metrics=METRICS, adapter_id=adapter,
                     finished=(started + timedelta(minutes=2)).isoformat())
    with qtbot.waitSignal(window.writer.counts_changed, timeout=WAIT_MS):
        window.writer.recount()
    QApplication.processEvents()
    text = window.finetune_panel.ready_label.text()
    assert "2 ratings in all" in text and "3 examples in all" in text
    assert f"Run {run} used all of them (3 examples): 2 to learn from, 1 to test the result" in text
