"""The Fine-tune tab's title agrees with the ready line (pytest-qt, the tiny random GPT-2, the real
SQLite store): after a kept run 1 and a discarded run 2 that trained on every rating there is, the
rating new since run 1 is not new to a run, so the title counts nothing new."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from test_counts39_gui_counts import kept_then_discarded, recount  # noqa: E402
from test_gui import ask, make_window  # noqa: E402,F401


def tab_title(window) -> str:
    tabs = window.side_tabs
    return tabs.tabText(tabs.indexOf(window.finetune_panel))


def test_the_title_counts_nothing_new_when_a_discarded_run_had_it_all(make_window, qtbot, tmp_path):
    window = make_window(max_new_tokens=6)
    answers, kept, _adapter, discarded = kept_then_discarded(qtbot, window, tmp_path)
    counts = recount(qtbot, window)
    assert (counts["last_run"], counts["new_since_run"], counts["new_since_newer"]) == (kept, 1, 0)
    assert f"Run {discarded} already trained on all of them" in window.finetune_panel.ready_label.text()
    assert tab_title(window) == "Fine-tune"
    # a rating run 2 never saw is new to a run: the title counts what is new since the adapter's run
    window.chat.store.rate_message(answers[3], 1)
    recount(qtbot, window)
    assert tab_title(window) == "Fine-tune (2 new)"
