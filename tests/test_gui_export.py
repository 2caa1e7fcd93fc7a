"""Export and import from the adapter history, in the real window (pytest-qt, offscreen,
tiny GPT-2): the dialog's format choice, progress bar, result and errors; an adapter folder
trained elsewhere imported, judged and listed."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from desktop_app.core import adapters, gguf_export  # noqa: E402
from test_gui import WAIT_MS, make_window  # noqa: E402,F401
from test_model_export import _lora  # noqa: E402


def _history_with_adapter(window, tiny_model_dir):
    store, paths = window.finetune.store, window.finetune.paths
    aid = adapters.save_adapter(store, _lora(tiny_model_dir), paths, base_model=window.chat.loaded.model_id,
                                run_id=None, parent_id=None, settings={}, metrics={"margin_before": 0.1,
                                                                                   "margin_after": 0.4})
    history = window.finetune_panel.history
    window.finetune.adapters_changed.emit()
    history.select(aid)
    return history, aid


def test_export_from_the_history_with_progress(make_window, qtbot, tmp_path, tiny_model_dir):
    window = make_window()
    history, aid = _history_with_adapter(window, tiny_model_dir)
    assert history.export_button.isEnabled()
    qtbot.mouseClick(history.export_button, Qt.MouseButton.LeftButton)
    dialog = history.export_dialog
    assert dialog is not None and dialog.isVisible() and dialog.adapter_id == aid
    dialog.format.setCurrentIndex(1)  # GGUF q8_0
    assert dialog.choice() == ("gguf", "q8_0") and dialog.path.text().endswith(f"adapter-{aid}-q8_0.gguf")
    out = tmp_path / "mine.gguf"
    dialog.path.setText(str(out))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert not dialog.export_button.isEnabled() and dialog.bar.isVisible()  # running, off the GUI thread
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=WAIT_MS)
    assert out.is_file() and gguf_export.check_written(out)["types"] == ["F32", "Q8_0"]
    assert dialog.bar.value() == dialog.bar.maximum() and "Wrote" in dialog.status.text()
    assert "llama.cpp" in dialog.status.text() and any("Packing" in stage for stage in dialog.stages)
    # the same name again (Export is on again after a success, for another format: left47): a clear
    # message, nothing replaced, the dialog ready to retry
    size = out.stat().st_size
    assert dialog.export_button.isEnabled()
    dialog.path.setText(str(tmp_path / "other.gguf"))
    dialog.path.setText(str(out))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.task is None, timeout=WAIT_MS)
    assert "already exists" in dialog.status.text() and dialog.export_button.isEnabled()
    assert out.stat().st_size == size
    dialog.format.setCurrentIndex(3)  # PEFT folder
    dialog.path.setText(str(tmp_path / "peft"))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result is not None and dialog.result.format == "peft", timeout=WAIT_MS)
    assert (tmp_path / "peft" / "adapter_model.safetensors").is_file()
    dialog.close()


def test_import_from_the_history(make_window, qtbot, tmp_path, tiny_model_dir):
    window = make_window()
    history = window.finetune_panel.history
    folder = tmp_path / "trained-elsewhere"
    _lora(tiny_model_dir, seed=4).save_pretrained(folder)
    history.choose_folder = lambda: str(folder)
    assert history.import_button.isEnabled() and not history.rows
    qtbot.mouseClick(history.import_button, Qt.MouseButton.LeftButton)
    assert "Importing the adapter from" in window.statusBar().currentMessage()  # said while the gate checks it
    qtbot.waitUntil(lambda: history.last_message is not None and len(history.rows) == 1, timeout=WAIT_MS)
    assert window.statusBar().currentMessage() == ""
    text = history.last_message.text()
    assert "Imported as adapter" in text and "gate" in text
    row = history.rows[0]
    assert not row["active"] and row["metrics"]["imported"] and history.import_button.isEnabled()
    first = history.last_message
    first.close()
    # a folder that is not an adapter: a warning, nothing added
    history.choose_folder = lambda: str(tmp_path)
    qtbot.waitUntil(lambda: history.import_button.isEnabled() and not first.isVisible(), timeout=WAIT_MS)
    qtbot.mouseClick(history.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: history.last_message is not first, timeout=WAIT_MS)
    assert history.last_message.icon() == history.last_message.Icon.Warning
    assert "adapter_model.safetensors" in history.last_message.text() and len(history.rows) == 1
    history.last_message.close()
