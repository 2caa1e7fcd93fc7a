"""ux13: the GUI findings left from ux12 (pytest-qt, offscreen, the tiny random GPT-2, the real store)."""

from __future__ import annotations

import gc

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QEvent, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402

from gui_windows import WAIT_MS, active, press  # noqa: E402
from test_gui import ask, make_window  # noqa: E402,F401
from test_gui_ux12_fixes import _message_room  # noqa: E402

LONG_NAME = "SmolLM2-135M-Instruct (bundled, offline) \u00b7 cpu \u00b7 Fast (bfloat16)"
TAUGHT = [{"question": "What is the capital of France?", "before": "Paris.", "after": "The capital is Paris.",
           "seen": True},
          {"question": "What is the capital of Australia?", "before": "Sydney.", "after": "Canberra.", "seen": False}]


def _adapter(window, tmp_path, name: str) -> int:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "adapter_config.json").write_text("{}")
    return window.chat.store.add_adapter(folder, base_model=window.chat.loaded.model_id)


def _delete_with_the_keyboard(qtbot, window, adapter: int) -> None:
    history = window.finetune_panel.history
    history.ask = False
    window.show_finetune()
    history.select(adapter)
    with qtbot.waitSignal(window.finetune.adapters_changed, timeout=WAIT_MS):
        press(qtbot, history.delete_button)
    for _ in range(3):
        QApplication.processEvents()


def test_the_status_bar_still_makes_room_after_an_adapter_delete_and_undo(make_window, qtbot, tmp_path):
    """ux10 F13 in a real window: after Delete (a click gives the button the focus; here the keyboard)
    and Undo delete, the model's name no longer gave way at 800 px and cut a hovered token's line.
    Delete turning itself off moved the focus on; the Tab order's walk of nextInFocusChain() made PySide
    hang every widget's handle on the one before it, so when the fine-tune card's rows were made again
    (the history redraws it), the status bar's handle went with them: MessageRoom.fit() never ran again."""
    window = active(qtbot, make_window(max_new_tokens=8))
    ask(qtbot, window)
    window.model_label.setText(LONG_NAME)
    window.speed_label.setText("0.8 tokens/s")
    window.resize(1280, 800)
    for _ in range(3):
        QApplication.processEvents()
    assert window.model_label.width() >= window.model_label.sizeHint().width(), "wide: the whole name"
    panel = window.finetune_panel
    panel.taught.set_pairs(TAUGHT)  # a kept run's "before → after" rows, as after a fine-tune
    adapter = _adapter(window, tmp_path, "adapter-1")
    panel.refresh_adapters()
    _delete_with_the_keyboard(qtbot, window, adapter)
    undo = window.adapter_undo.button
    qtbot.waitUntil(lambda: undo.isVisible(), timeout=WAIT_MS)
    with qtbot.waitSignal(window.finetune.adapters_changed, timeout=WAIT_MS):
        press(qtbot, undo)
    panel.taught.set_pairs(TAUGHT)  # what refresh_adapters does with a kept run's card shown
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    window.resize(800, 600)
    for _ in range(3):  # the resize's reflow (and the scroll it brings, which rechecks the hover) first
        QApplication.processEvents()
    card = next(c for c in window.transcript.cards if c.role == "assistant")
    window.cards._token_hovered(card, 0)
    for _ in range(3):
        QApplication.processEvents()
    bar = window.statusBar()
    message = bar.currentMessage()
    assert message.startswith("token 1:") and "entropy" in message
    assert window.model_label.width() < window.model_label.sizeHint().width(), "the model's name gives way"
    assert bar.fontMetrics().horizontalAdvance(message) <= _message_room(bar)


def test_deleting_the_last_adapter_puts_the_keyboard_in_the_prompt(make_window, qtbot, tmp_path):
    """ux12: the last adapter deleted, its list hid with the keyboard on Delete, and Qt passed the focus on
    to "Import…", where Space opens a file dialog. It goes where a person types instead."""
    window = active(qtbot, make_window(max_new_tokens=6))
    adapter = _adapter(window, tmp_path, "adapter-1")
    history = window.finetune_panel.history
    window.finetune_panel.refresh_adapters()
    _delete_with_the_keyboard(qtbot, window, adapter)
    assert not history.list.isVisible()
    focus = QApplication.focusWidget()
    assert focus is not history.import_button
    assert focus is window.prompt


def test_deleting_one_of_two_adapters_keeps_the_keyboard_in_the_history(make_window, qtbot, tmp_path):
    window = active(qtbot, make_window(max_new_tokens=6))
    first = _adapter(window, tmp_path, "adapter-1")
    _adapter(window, tmp_path, "adapter-2")
    history = window.finetune_panel.history
    window.finetune_panel.refresh_adapters()
    _delete_with_the_keyboard(qtbot, window, first)
    assert len(history.rows) == 1
    assert QApplication.focusWidget() is history.list


def _loading_words_fit(window) -> list[str]:
    """The status bar's labels while a model loads: each shown one whole (not cut), none said twice."""
    shown = [w for w in (window.progress_label, window.model_label) if w.isVisible() and w.text()]
    for label in shown:
        assert label.fontMetrics().horizontalAdvance(label.text()) <= label.contentsRect().width(), label.text()
    return [label.text() for label in shown]


@pytest.mark.parametrize("width", [800, 1280])
def test_the_status_bar_says_what_loads_once_and_whole(make_window, qtbot, width):
    """ux12: while the model loaded, the model's label read "Loading the default mo…" (cut), beside the
    loading label saying the same words whole."""
    window = make_window(wait=False)
    window.resize(width, 600)
    for _ in range(3):
        QApplication.processEvents()
    words = _loading_words_fit(window)
    assert sum("Loading" in text for text in words) <= 1, words
    assert words, "something says a model loads"
    # the tiny model may have loaded during the events above: wait for the state, not the signal
    qtbot.waitUntil(lambda: window.chat.loaded is not None and window.model_label.isVisible(), timeout=WAIT_MS)
    assert window.model_label.isVisible() and "cpu" in window.model_label.text()


def test_a_failed_load_shows_the_model_in_use_again(make_window, qtbot, tmp_path):
    window = make_window()
    in_use = window.model_label.text()
    with qtbot.waitSignal(window.chat.model_failed, timeout=WAIT_MS):
        window.load_model(str(tmp_path / "not-there"))
        assert not window.model_label.isVisible() and window.progress_label.text()
    assert window.model_label.isVisible() and window.model_label.text() == in_use


def test_the_window_on_another_programs_database_says_so_in_a_dialog(qapp, tmp_path):
    """cli12: `gpt2-desk --db firefox.sqlite` refused on stderr only: a person who started the window
    from a menu saw nothing. Now a dialog says it, and the app ends cleanly (exit code 2)."""
    import sqlite3

    from desktop_app.cli import main

    other = tmp_path / "places.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    before = other.read_bytes()
    said, looks = [], [100]  # a dialog is looked for while the start-up runs, 5 s at most

    def read_and_close_the_dialog():
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            said.append(box.text())
            box.close()
        elif looks[0] > 0:
            looks[0] -= 1
            QTimer.singleShot(50, read_and_close_the_dialog)

    QTimer.singleShot(50, read_and_close_the_dialog)
    assert main(["--data-dir", str(tmp_path / "data"), "--db", str(other)]) == 2
    assert said and "another program's SQLite database" in said[0] and "moz_places" in said[0]
    assert other.read_bytes() == before
