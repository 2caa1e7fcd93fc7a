"""A person's switch of the adapter (Use selected, Use base model) is confirmed where they look: the
status bar says what answers now, or why the switch failed, and the adapter label stands out a moment
(a new user saw only the corner label change). The real window, the tiny GPT-2, a real store."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from gui_windows import WAIT_MS, opened_window  # noqa: E402


@pytest.fixture
def window(qtbot, qapp, tiny_model_dir):
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as win:
        yield win
        win.chat.shutdown()


def saved_adapter(window, tiny_model_dir, metrics: dict) -> int:
    from desktop_app.core import adapters
    from tiny_model import random_lora

    return adapters.save_adapter(window.chat.store, random_lora(tiny_model_dir, 1), window.paths,
                                 base_model=window.chat.loaded.model_id, run_id=None, parent_id=None,
                                 settings={}, metrics=metrics)


def switched(qtbot, window, switch) -> str:
    """The status bar's message once ``switch`` put an adapter on (or failed to)."""
    with qtbot.waitSignal(window.chat.adapter_changed, timeout=WAIT_MS):
        switch()
    return window.statusBar().currentMessage()


def use_selected(window, adapter_id: int):
    history = window.finetune_panel.history
    window.finetune_panel.refresh_adapters()
    history.select(adapter_id)
    return history.use_button.click


def test_use_selected_and_base_model_say_what_answers_now(window, qtbot, tiny_model_dir):
    from desktop_app.gui.window_status import FLASH_STYLE

    aid = saved_adapter(window, tiny_model_dir, {"schedule": {"examples": 8, "batch_size": 4, "updates": 6}})
    said = switched(qtbot, window, use_selected(window, aid))
    assert said == f"Now answering with adapter {aid} (trained on 8 examples from your ratings).", said
    assert window.status.adapter_label.styleSheet() == FLASH_STYLE, "the corner label stands out a moment"
    said = switched(qtbot, window, window.finetune_panel.history.base_button.click)
    assert said == "Now answering with the base model (no adapter).", said


def test_a_switch_that_fails_says_why_and_what_still_answers(window, qtbot, tiny_model_dir):
    aid = saved_adapter(window, tiny_model_dir, {})
    folder = Path(window.chat.store.get_adapter(aid)["path"])
    for weights in folder.glob("adapter_model.*"):  # its weights broken: the model cannot put it on
        weights.write_bytes(b"not weights")
    said = switched(qtbot, window, use_selected(window, aid))
    assert said.startswith(f"Could not switch to adapter {aid}: "), said
    assert said.endswith("Still answering with the base model."), said
    assert window.chat.switch_error.split(".")[0] in said, "the reason is said, not only that it failed"


def test_a_switch_the_store_refuses_says_why(window, qtbot):
    with qtbot.waitSignal(window.finetune.adapters_changed, timeout=WAIT_MS):
        window.finetune.adapter_action("activate", 999)
    said = window.statusBar().currentMessage()
    assert said.startswith("Could not switch: There is no adapter 999"), said
    assert said.endswith("Still answering with the base model."), said


def test_two_quick_switches_confirm_the_last_one_not_a_failure(window, qtbot, tiny_model_dir):
    aid = saved_adapter(window, tiny_model_dir, {})
    use = use_selected(window, aid)
    with qtbot.waitSignal(window.finetune.adapters_changed, timeout=WAIT_MS):
        use()
    window.finetune_panel.history.base_button.click()  # before the first is on the model
    qtbot.waitUntil(lambda: not window.finetune_side.switching, timeout=WAIT_MS)
    assert window.statusBar().currentMessage() == "Now answering with the base model (no adapter).", \
        window.statusBar().currentMessage()
