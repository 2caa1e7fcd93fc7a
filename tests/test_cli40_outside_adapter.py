"""User test 16, finding 8: the command line and the window share one database. A rollback of
an imported adapter (no parent) is refused as the window's greyed Roll back refuses it, and an
adapter the command line deleted under the open window is set aside before the next answer,
with a notice; the answer comes from the base model. Real window, real store, real adapter
folders on the tiny model, the real CLI."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop_app.cli import main
from desktop_app.core import adapters
from gui_windows import WAIT_MS, opened_window
from tiny_model import random_lora


def _use_imported(qtbot, window, tiny_model_dir, seed: int = 2) -> int:
    """A random LoRA adapter saved as imported and put in use from the adapter history: its id."""
    adapter_id = adapters.save_adapter(window.chat.store, random_lora(tiny_model_dir, seed), window.paths,
                                       base_model=window.chat.loaded.model_id, run_id=None, parent_id=None,
                                       settings={}, metrics={"imported": True})
    window.finetune_panel.refresh_adapters()
    history = window.finetune_panel.history
    history.select(adapter_id)
    with qtbot.waitSignal(window.chat.adapter_changed, timeout=WAIT_MS):
        qtbot.mouseClick(history.use_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.chat.loaded.adapter_id == adapter_id, timeout=WAIT_MS)
    return adapter_id


def test_cli_rollback_of_a_parentless_adapter_is_refused_like_the_window(qtbot, qapp, tiny_model_dir, capsys):
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        imported = _use_imported(qtbot, window, tiny_model_dir)
        assert not window.finetune_panel.history.rollback_button.isEnabled()
        common = ["--data-dir", str(window.paths.data_dir), "--model", str(tiny_model_dir)]
        assert main(["adapters", "rollback", *common]) == 2
        err = capsys.readouterr().err
        assert f"Adapter {imported} was not trained from another adapter" in err and "deactivate" in err
        assert window.chat.store.active_adapter(window.chat.loaded.model_id)["id"] == imported


def test_adapter_deleted_by_the_cli_is_set_aside_before_the_next_answer(qtbot, qapp, tiny_model_dir):
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        imported = _use_imported(qtbot, window, tiny_model_dir)
        common = ["--data-dir", str(window.paths.data_dir), "--model", str(tiny_model_dir)]
        assert main(["adapters", "deactivate", *common]) == 0
        assert main(["adapters", "delete", str(imported), *common]) == 0
        notices = []
        window.chat.notice.connect(notices.append)
        with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
            window.chat.send("Hello")
        assert window.chat.loaded.adapter_id is None and window.chat.adapter_label == "base"
        assert any(f"Adapter {imported} is no longer the one in use" in n and "the base model" in n for n in notices)
        assert imported not in [r["id"] for r in window.finetune_panel.history.rows]
