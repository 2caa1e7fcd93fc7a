"""usertest8's findings (pytest-qt, offscreen, the tiny random GPT-2, the real SQLite store)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication  # noqa: E402

from test_gui import WAIT_MS, ask, make_window  # noqa: E402,F401
from test_gui_finetune_again import rated_and_trained  # noqa: E402


def _tab_text(window) -> str:
    return window.side_tabs.tabText(window.side_tabs.indexOf(window.finetune_panel))


def _recount(qtbot, window) -> None:
    with qtbot.waitSignal(window.writer.counts_changed, timeout=WAIT_MS):
        window.writer.recount()
    QApplication.processEvents()


# ---------------------------------------------------------------- A6: the counts after a run used them all

def test_after_a_run_used_every_rating_the_tab_and_line_say_nothing_is_new(make_window, qtbot, tmp_path):
    window = make_window(max_new_tokens=6)
    run, _adapter = rated_and_trained(qtbot, window, tmp_path)
    assert _tab_text(window) == "Fine-tune", "it read 'Fine-tune (3)' though run 1 used all 3"
    text = window.finetune_panel.ready_label.text()
    assert f"Nothing new since run {run}" in text and "3 examples ready" not in text
    assert f"Run {run} used all of them" in text

    store = window.chat.store
    store.rate_message(ask(qtbot, window, "Again?")["message_id"], 1)
    _recount(qtbot, window)
    assert _tab_text(window) == "Fine-tune (1 new)"
    assert f"1 rating or better answer new since run {run}" in window.finetune_panel.ready_label.text()


def test_after_a_restart_the_tab_still_counts_what_is_new(make_window, qtbot, tmp_path):
    window = make_window(max_new_tokens=6)
    rated_and_trained(qtbot, window, tmp_path)
    window.chat.shutdown()
    window.close()
    again = make_window(max_new_tokens=6)  # the same data folder: a restart
    qtbot.waitUntil(lambda: "since run" in again.finetune_panel.ready_label.text(), timeout=WAIT_MS)
    assert _tab_text(again) == "Fine-tune"
    assert "Nothing new since run" in again.finetune_panel.ready_label.text()
