"""words84 (1): a teacher's run said "1 new since this run started" though all 4 ratings were made before it
started. The last thumb was still being written when Fine-tune was clicked: the panel took the count on screen
(3) as the run's, the run read all 4, and the 4th's count came after. The count at a run's start now waits for
the writes asked for before it (pytest-qt, a real window on the tiny model)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication  # noqa: E402

from test_gui import WAIT_MS, ask, make_window  # noqa: E402,F401
from test_gui_usertest9_panels import recount_ratings  # noqa: E402


def test_a_rating_still_being_written_as_a_run_starts_is_not_new_since_it(make_window, qtbot):
    window = make_window(max_new_tokens=6)
    store, panel = window.chat.store, window.finetune_panel
    store.rate_message(ask(qtbot, window, "Hello")["message_id"], 1)
    recount_ratings(qtbot, window)
    last = ask(qtbot, window, "Hi")["message_id"]
    with qtbot.waitSignal(window.writer.counts_changed, timeout=WAIT_MS):
        window.writer.rate_message(last, -1)  # the thumb clicked, its write under way...
        assert window.writer.pending == 1
        window.finetune.running_changed.emit(True)  # ...as Fine-tune is clicked (the run reads both)
    QApplication.processEvents()
    text = panel.ready_label.text()
    assert "2 ratings ready" in text, text
    assert "since this run started" not in text, text
    assert panel.total_at_run_start == 2
    # a rating given after the start is still new since it
    store.rate_message(ask(qtbot, window, "Why?")["message_id"], -1)
    recount_ratings(qtbot, window)
    assert "<b>1 new since this run started</b>" in panel.ready_label.text()
    window.finetune.running_changed.emit(False)
    assert "since this run started" not in panel.ready_label.text()
    assert window.writer.pending == 0
