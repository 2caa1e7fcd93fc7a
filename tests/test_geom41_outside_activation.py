"""An adapter the command line activates under the open window is put on before the next answer
and when the window comes to the front, with a notice, as a deactivation or deletion outside
already was (it went unnoticed until the window's next switch). Real window, real store, real
adapter folders on the tiny model, the real CLI."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication

from desktop_app.cli import main
from desktop_app.core import adapters
from gui_windows import WAIT_MS, opened_window
from tiny_model import random_lora


def _stored_adapter(window, tiny_model_dir, seed: int) -> int:
    return adapters.save_adapter(window.chat.store, random_lora(tiny_model_dir, seed), window.paths,
                                 base_model=window.chat.loaded.model_id, run_id=None, parent_id=None,
                                 settings={}, metrics={"imported": True})


def _cli(window, tiny_model_dir, *words) -> None:
    common = ["--data-dir", str(window.paths.data_dir), "--model", str(tiny_model_dir)]
    assert main(["adapters", *words, *common]) == 0


def test_an_adapter_activated_by_the_cli_is_worn_for_the_next_answer(qtbot, qapp, tiny_model_dir):
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        first = _stored_adapter(window, tiny_model_dir, 2)
        assert window.chat.loaded.adapter_id is None
        _cli(window, tiny_model_dir, "activate", str(first))
        notices = []
        window.chat.notice.connect(notices.append)
        with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
            window.chat.send("Hello")
        assert window.chat.loaded.adapter_id == first and window.chat.adapter_label.startswith(f"Adapter {first}")
        assert any(n.startswith("The base model is no longer the one in use") and f"from adapter {first}" in n
                   for n in notices), notices
        answer = window.chat.store.messages(window.chat.conversation_id)[-1]
        assert answer["adapter_id"] == first, "the answer itself came from the adapter the CLI chose"
        qtbot.waitUntil(lambda: window.finetune_panel.history.active_id() == first, timeout=WAIT_MS)


def test_an_adapter_activated_by_the_cli_is_put_on_when_the_window_comes_to_the_front(qtbot, qapp, tiny_model_dir):
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        first, second = _stored_adapter(window, tiny_model_dir, 2), _stored_adapter(window, tiny_model_dir, 3)
        _cli(window, tiny_model_dir, "activate", str(first))
        with qtbot.waitSignal(window.chat.adapter_changed, timeout=WAIT_MS):
            window.chat.notice_outside_adapter_change()
        assert window.chat.loaded.adapter_id == first
        _cli(window, tiny_model_dir, "activate", str(second))
        notices = []
        window.chat.notice.connect(notices.append)
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=WAIT_MS)
        with qtbot.waitSignal(window.chat.adapter_changed, timeout=WAIT_MS):
            QApplication.sendEvent(window, QEvent(QEvent.Type.ActivationChange))  # back from the terminal
        assert window.chat.loaded.adapter_id == second
        assert any(n.startswith(f"Adapter {first} is no longer the one in use") and f"from adapter {second}" in n
                   for n in notices), notices
        qtbot.waitUntil(lambda: window.notice_banner.isVisible() and f"adapter {second}" in
                        window.notice_banner.label.text(), timeout=WAIT_MS)


def test_an_active_adapter_that_cannot_be_put_on_is_told_once(qtbot, qapp, tiny_model_dir):
    import shutil

    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        broken = _stored_adapter(window, tiny_model_dir, 2)
        _cli(window, tiny_model_dir, "activate", str(broken))
        shutil.rmtree(window.chat.store.get_adapter(broken)["path"])  # its folder gone since
        notices = []
        window.chat.notice.connect(notices.append)
        with qtbot.waitSignal(window.chat.adapter_changed, timeout=WAIT_MS):
            window.chat.notice_outside_adapter_change()
        assert window.chat.loaded.adapter_id is None and len(notices) == 1, "the base model answers"
        window.chat.notice_outside_adapter_change()
        with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
            window.chat.send("Hello")
        assert len(notices) == 1, f"told again at every focus and answer: {notices}"
