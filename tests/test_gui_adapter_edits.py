"""Adapter history (user test 2, finding 14): rename an adapter (F2 or its context menu; the
name is stored and shown in the history, the status bar and the compare view), undo a delete
from the status bar for the session, and buttons that are disabled when there is nothing to
act on. Real window, real store, real adapter folders on the tiny model."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from desktop_app.core import adapters
from gui_windows import WAIT_MS, opened_window
from tiny_model import random_lora


def _two_adapters(window, tiny_model_dir) -> tuple[int, int]:
    store, base = window.chat.store, window.chat.loaded.model_id
    first = adapters.save_adapter(store, random_lora(tiny_model_dir, 1), window.paths, base_model=base, run_id=None,
                                  parent_id=None, settings={}, metrics={})
    second = adapters.save_adapter(store, random_lora(tiny_model_dir, 2), window.paths, base_model=base, run_id=None,
                                   parent_id=first, settings={}, metrics={})
    window.finetune_panel.refresh_adapters()
    return first, second


def _history_change(qtbot, window, action) -> None:
    with qtbot.waitSignal(window.finetune.adapters_changed, timeout=WAIT_MS):
        action()
    qtbot.waitUntil(lambda: not window.chat.lane.tasks, timeout=WAIT_MS)  # the chat model follows


def test_rename_is_stored_and_shown_in_history_status_bar_and_compare_view(qtbot, qapp, tiny_model_dir):
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        first, _second = _two_adapters(window, tiny_model_dir)
        history = window.finetune_panel.history
        history.ask_name = lambda aid, current: "  Short   answers "
        history.select(first)
        window.side_tabs.setCurrentIndex(1)
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=2000)
        history.list.setFocus()
        _history_change(qtbot, window, lambda: QTest.keyClick(history.list, Qt.Key.Key_F2))
        assert window.chat.store.get_adapter(first)["name"] == "Short answers"
        assert f"Adapter {first} \u201cShort answers\u201d" in history.list.item(1).text()
        with qtbot.waitSignal(window.chat.adapter_changed, timeout=WAIT_MS):
            qtbot.mouseClick(history.use_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "Short answers" in window.adapter_label.text(), timeout=WAIT_MS)
        assert "Short answers" in history.using.text()
        window.set_mode("chat")
        with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS) as answered:
            window.prompt.setPlainText("Hi")
            window.send()
        dialog = window.open_compare(answered.args[0]["message_id"])
        assert dialog.view.after_label.text() == f"Adapter {first} \u201cShort answers\u201d (active)"
        dialog.close()
        qtbot.waitUntil(lambda: not window.chat.lane.tasks, timeout=WAIT_MS)


def test_a_deleted_adapter_comes_back_with_undo_until_the_window_closes(qtbot, qapp, tiny_model_dir):
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        first, second = _two_adapters(window, tiny_model_dir)
        store, history, undo = window.chat.store, window.finetune_panel.history, window.adapter_undo
        adapters.rename(store, second, "Polite")
        folder = Path(store.get_adapter(second)["path"])
        history.ask = False
        history.select(second)
        assert undo.button.isHidden()
        _history_change(qtbot, window, lambda: qtbot.mouseClick(history.delete_button, Qt.MouseButton.LeftButton))
        assert [a["id"] for a in store.list_adapters()] == [first] and not folder.exists()
        assert not undo.button.isHidden()
        _history_change(qtbot, window, lambda: qtbot.mouseClick(undo.button, Qt.MouseButton.LeftButton))
        back = store.get_adapter(second)
        assert (back["name"], back["parent_id"], Path(back["path"])) == ("Polite", first, folder)
        assert adapters.list_adapters(store)[1]["present"]
        assert undo.button.isHidden()
        history.select(second)
        _history_change(qtbot, window, lambda: qtbot.mouseClick(history.delete_button, Qt.MouseButton.LeftButton))
        trash = Path(window.paths.adapters_dir) / adapters.TRASH_DIR
        assert any(trash.iterdir())
    assert not trash.exists()  # the session ended: deleted for good


def test_buttons_are_disabled_when_there_is_nothing_to_act_on(qtbot, qapp, tiny_model_dir):
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        history = window.finetune_panel.history
        buttons = (history.use_button, history.rollback_button, history.delete_button, history.base_button)
        assert not any(b.isEnabled() for b in buttons)  # no adapters at all
        first, second = _two_adapters(window, tiny_model_dir)
        history.list.setCurrentItem(None)
        assert not history.use_button.isEnabled() and not history.delete_button.isEnabled()  # none selected
        assert not history.rollback_button.isEnabled()  # none in use: nothing to roll back from
        history.ask = False
        for aid in (second, first):
            history.select(aid)
            _history_change(qtbot, window, lambda: qtbot.mouseClick(history.delete_button, Qt.MouseButton.LeftButton))
        assert history.rows == []
        assert not any(b.isEnabled() for b in buttons)
