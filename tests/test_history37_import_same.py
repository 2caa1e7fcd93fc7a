"""User test 13, finding 5: importing the person's own PEFT export of the adapter in use was
judged against that same adapter ("did not move the right way (2.004 -> 2.004)") without a word
on it. The message now says the weights are the same as adapter N (the safetensors file's hash
against the stored adapters') and what the gate compared the import with. Real window, real
store, a real export of an adapter on the tiny model."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from desktop_app.core import adapters, model_export  # noqa: E402
from test_gui import WAIT_MS, make_window  # noqa: E402,F401
from tiny_model import random_lora  # noqa: E402


def _import(qtbot, history, folder) -> str:
    history.last_message = None
    history.choose_folder = lambda: str(folder)
    qtbot.waitUntil(history.import_button.isEnabled, timeout=WAIT_MS)
    qtbot.mouseClick(history.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: history.last_message is not None, timeout=WAIT_MS)
    text = history.last_message.text()
    history.last_message.close()
    return text


def test_importing_an_export_of_the_adapter_in_use_names_it_and_what_was_compared(make_window, qtbot, tmp_path,
                                                                                   tiny_model_dir):
    window = make_window()
    store, history = window.chat.store, window.finetune_panel.history
    base = window.chat.loaded.model_id
    first = adapters.save_adapter(store, random_lora(tiny_model_dir, 1), window.paths, base_model=base,
                                  run_id=None, parent_id=None, settings={}, metrics={})
    adapters.activate(store, first, base)
    window.finetune_panel.refresh_adapters()
    model_export.export_adapter(store, first, "peft", tmp_path / "mine", window.paths)
    text = _import(qtbot, history, tmp_path / "mine")
    assert f"the same weights as adapter {first}" in text
    assert f"compared it with adapter {first}, the one in use" in text
    assert store.list_adapters(base)[-1]["metrics"]["same_as"] == first
    assert f"same weights as adapter {first}" in history.list.item(0).text()  # newest first
    # other weights: no "same", and with no adapter in use the base model is named
    adapters.deactivate(store, base)
    random_lora(tiny_model_dir, 2).save_pretrained(tmp_path / "other")
    text = _import(qtbot, history, tmp_path / "other")
    assert "same weights" not in text and "compared it with the base model" in text
