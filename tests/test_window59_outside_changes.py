"""The Fine-tune tab follows what the command line writes to the same database while the window
runs: a rating from a second connection shows in its counts without a restart, with no click on
the window (a terminal beside it) and when the window comes to the front; an adapter stored from
outside shows in its history. Real window, real store, the tiny model."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication

from desktop_app.core import adapters
from desktop_app.core.store import Store
from gui_windows import WAIT_MS, opened_window
from tiny_model import random_lora


def _answered(qtbot, window) -> int:
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
        window.chat.send("Hello")
    window.writer.wait()
    qtbot.wait(50)  # the recount's signal after the answer
    return window.chat.store.messages(window.chat.conversation_id)[-1]["id"]


def _seen_own_writes(qtbot, window) -> None:
    """The window's own writes looked at (and their recount heard) before the outside one."""
    with qtbot.waitSignal(window.writer.counts_changed, timeout=WAIT_MS):
        assert window.outside_changes.look() is True, "the answer's own writes changed the file"


def _total(window) -> int:
    return int(window.finetune_side.panel.counts.get("total", 0) or 0)


def _rated_from_outside(window, message_id: int) -> None:
    """What ``gpt2-desk rate`` does: its own connection to the same file."""
    other = Store.open(window.paths.db_path)
    try:
        other.rate_message(message_id, 1)
    finally:
        other.close()


def test_a_rating_written_from_outside_shows_in_the_counts_without_a_click(qtbot, qapp, tiny_model_dir):
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        message_id = _answered(qtbot, window)
        assert _total(window) == 0
        _rated_from_outside(window, message_id)
        qtbot.waitUntil(lambda: _total(window) == 1, timeout=WAIT_MS)  # the periodic look found it
        assert "Nothing to learn from yet" not in window.finetune_side.panel.ready_label.text()


def test_a_rating_written_from_outside_is_counted_when_the_window_comes_to_the_front(qtbot, qapp, tiny_model_dir):
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        window.outside_changes.timer.stop()  # only the activation looks here
        message_id = _answered(qtbot, window)
        _seen_own_writes(qtbot, window)
        _rated_from_outside(window, message_id)
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=WAIT_MS)
        assert _total(window) == 0
        QApplication.sendEvent(window, QEvent(QEvent.Type.ActivationChange))  # back from the terminal
        qtbot.waitUntil(lambda: _total(window) == 1, timeout=WAIT_MS)


def test_nothing_is_re_read_when_nobody_else_wrote(qtbot, qapp, tiny_model_dir):
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        window.outside_changes.timer.stop()
        window.outside_changes.look()
        assert window.outside_changes.look() is False, "no commit from elsewhere: no recount"


def test_an_adapter_stored_from_outside_shows_in_the_history(qtbot, qapp, tiny_model_dir):
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        window.outside_changes.timer.stop()
        window.outside_changes.look()
        other = Store.open(window.paths.db_path)
        try:
            made = adapters.save_adapter(other, random_lora(tiny_model_dir, 2), window.paths,
                                         base_model=window.chat.loaded.model_id, run_id=None, parent_id=None,
                                         settings={}, metrics={"imported": True})
        finally:
            other.close()
        assert made not in [row["id"] for row in window.finetune_side.panel.history.rows]
        assert window.outside_changes.look() is True
        assert made in [row["id"] for row in window.finetune_side.panel.history.rows]


def test_a_run_finished_from_outside_redraws_the_last_run_card(qtbot, qapp, tiny_model_dir):
    """leftovers60 (usertest32): `gpt2-desk finetune` in a terminal beside the window finished a run, and the
    Fine-tune panel's card kept the run before (or none) until a restart. It shows the new run's report; a run
    still going in the terminal is not called interrupted."""
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        window.outside_changes.timer.stop()
        window.outside_changes.look()
        panel = window.finetune_side.panel
        model = window.chat.loaded.model_id
        other = Store.open(window.paths.db_path)
        try:
            run = other.create_run({}, model)
            assert window.outside_changes.look() is True
            assert panel.last_run_id is None and panel.result_box.isHidden(), "a run still going: no card yet"
            other.update_run(run, status="discarded", reason="the held-out ratings did not move the right way",
                             metrics={})
        finally:
            other.close()
        assert window.outside_changes.look() is True
        assert panel.last_run_id == run and not panel.result_box.isHidden()
        assert "did not move the right way" in panel.result_title.text() + panel.result_body.text()
