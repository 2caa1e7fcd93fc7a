"""A switch of the adapter the store refused said its reason in the status bar with the database
file's whole path ("There is no adapter 999 in /home/…/gpt2desk.db"): the reason is said without
it, and the log keeps the whole error. The real window, the tiny GPT-2, a real store."""

from __future__ import annotations

import logging

import pytest

pytest.importorskip("PySide6")

from gui_windows import WAIT_MS, opened_window  # noqa: E402


def test_the_words_leave_the_database_path_out():
    from desktop_app.gui.adapter_history_words import switch_failed

    db = "/home/someone/.local/share/gpt2-desk/gpt2desk.db"
    said = switch_failed(None, "the base model", f"There is no adapter 9 in {db}.", db)
    assert said == "Could not switch: There is no adapter 9. Still answering with the base model.", said
    opened = switch_failed(None, "the base model", f"Cannot open the database file {db}: disk full.", db)
    assert db not in opened and "Cannot open the database file: disk full." in opened, opened


def test_a_refused_switch_says_why_without_the_path_and_logs_it_whole(qtbot, qapp, tiny_model_dir, caplog):
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        db = str(window.chat.store.path)
        with caplog.at_level(logging.WARNING), qtbot.waitSignal(window.finetune.adapters_changed, timeout=WAIT_MS):
            window.finetune.adapter_action("activate", 999)
        said = window.statusBar().currentMessage()
        window.chat.shutdown()
    assert said == "Could not switch: There is no adapter 999. Still answering with the base model.", said
    assert any(db in record.getMessage() for record in caplog.records), "the log keeps the whole error"
