"""User test 13, finding 4: Roll back follows one rule, the adapter the one in use was trained
from (its parent, as core.adapters.rollback and the CLI take it). Every adapter without a parent
(the first run's, an imported one) has it greyed with the same reason, even when other adapters
exist; one with a parent names it and goes there. Real window, real store, real adapter folders
on the tiny model."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop_app.core import adapters
from gui_windows import WAIT_MS, opened_window
from tiny_model import random_lora


def _save(window, tiny_model_dir, seed, parent=None, metrics=None) -> int:
    return adapters.save_adapter(window.chat.store, random_lora(tiny_model_dir, seed), window.paths,
                                 base_model=window.chat.loaded.model_id, run_id=None, parent_id=parent,
                                 settings={}, metrics=metrics or {})


def _use(qtbot, window, adapter_id) -> None:
    history = window.finetune_panel.history
    history.select(adapter_id)
    with qtbot.waitSignal(window.chat.adapter_changed, timeout=WAIT_MS):
        qtbot.mouseClick(history.use_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.chat.loaded.adapter_id == adapter_id, timeout=WAIT_MS)


def test_parentless_adapters_have_nothing_to_roll_back_to_and_say_so_alike(qtbot, qapp, tiny_model_dir):
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        history = window.finetune_panel.history
        first = _save(window, tiny_model_dir, 1)
        window.finetune_panel.refresh_adapters()
        _use(qtbot, window, first)
        alone_tip = history.rollback_button.toolTip()
        assert not history.rollback_button.isEnabled()
        # usertest 13: an imported adapter used after adapter 1 rolled back to the base model
        imported = _save(window, tiny_model_dir, 2, metrics={"imported": True})
        window.finetune_panel.refresh_adapters()
        _use(qtbot, window, imported)
        assert not history.rollback_button.isEnabled()
        assert f"adapter {first} was not trained from another adapter" in alone_tip
        assert history.rollback_button.toolTip() == alone_tip.replace(f"adapter {first}", f"adapter {imported}")
        assert "Use base model goes back to the base model" in history.rollback_button.toolTip()
        assert window.chat.store.active_adapter(window.chat.loaded.model_id)["id"] == imported


def test_an_adapter_with_a_parent_names_it_and_rolls_back_to_it(qtbot, qapp, tiny_model_dir):
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        history = window.finetune_panel.history
        first = _save(window, tiny_model_dir, 1)
        other = _save(window, tiny_model_dir, 2)  # in use between them: roll back does not go here
        child = _save(window, tiny_model_dir, 3, parent=first)
        window.finetune_panel.refresh_adapters()
        _use(qtbot, window, other)
        _use(qtbot, window, child)
        assert history.rollback_button.isEnabled()
        assert history.rollback_button.toolTip().endswith(f"trained from: adapter {first}")
        with qtbot.waitSignal(window.chat.adapter_changed, timeout=WAIT_MS):
            qtbot.mouseClick(history.rollback_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.chat.loaded.adapter_id == first, timeout=WAIT_MS)
        assert window.chat.store.active_adapter(window.chat.loaded.model_id)["id"] == first
        assert not history.rollback_button.isEnabled()  # adapter 1 has no parent
