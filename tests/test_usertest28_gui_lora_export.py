"""usertest28: the adapter history's Export… offers the adapter alone as a GGUF LoRA for llama.cpp's
--lora (real window, tiny GPT-2): the file is written and the dialog says how to load it."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from desktop_app.core import lora_gguf  # noqa: E402
from test_gui import WAIT_MS, make_window  # noqa: E402,F401
from test_gui_export import _history_with_adapter  # noqa: E402


def test_export_dialog_writes_a_lora_gguf(make_window, qtbot, tmp_path, tiny_model_dir):
    window = make_window()
    history, aid = _history_with_adapter(window, tiny_model_dir)
    qtbot.mouseClick(history.export_button, Qt.MouseButton.LeftButton)
    dialog = history.export_dialog
    index = next(i for i in range(dialog.format.count()) if dialog.format.itemData(i)[0] == "gguf-lora")
    dialog.format.setCurrentIndex(index)
    assert "adapter alone" in dialog.intro.text()  # not only "folded in", which a LoRA file is not
    assert "LoRA" in dialog.format.currentText() and dialog.path.text().endswith(f"adapter-{aid}-gguf-lora.gguf")
    out = tmp_path / "adapter.gguf"
    dialog.path.setText(str(out))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=WAIT_MS)
    assert lora_gguf.check_written_lora(out)["architecture"] == "gpt2"
    assert "--lora" in dialog.status.text()
    dialog.close()
