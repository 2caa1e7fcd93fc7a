"""A GGUF export says how to run the file it wrote (usertest 14, finding 4): the bundled model's
export (Llama architecture) named only Ollama, though the dialog offers it "for llama.cpp, LM
Studio, Ollama", and neither format said that this app opens it too. The commands are quoted so
they paste whole into a shell, a folder name with a space included."""

from __future__ import annotations

import shlex

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from desktop_app.core import model_export  # noqa: E402
from test_gui import WAIT_MS, make_window  # noqa: E402,F401
from test_gui_export import _history_with_adapter  # noqa: E402
from test_model_export import _setup  # noqa: E402
from tiny_model import build_tiny_llama  # noqa: E402


def test_the_export_dialog_says_this_app_opens_the_gguf(make_window, qtbot, tmp_path, tiny_model_dir):
    window = make_window()
    history, _aid = _history_with_adapter(window, tiny_model_dir)
    qtbot.mouseClick(history.export_button, Qt.MouseButton.LeftButton)
    dialog = history.export_dialog
    out = tmp_path / "my models" / "tiny.gguf"
    out.parent.mkdir()
    dialog.format.setCurrentIndex(1)  # GGUF q8_0: the smaller file
    dialog.path.setText(str(out))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=WAIT_MS)
    said = " ".join(dialog.status.text().split())
    assert f"This app: gpt2-desk --model {shlex.quote(str(out))}" in said
    assert shlex.split(f"gpt2-desk --model {shlex.quote(str(out))}")[-1] == str(out)
    dialog.close()


def test_a_llama_gguf_names_llama_cpp_and_this_app(tmp_path, tiny_model_dir):
    folder = build_tiny_llama(tmp_path / "tiny-llama", tiny_model_dir)
    paths, store, _loaded, aid = _setup(tmp_path, folder)
    out = tmp_path / "my llama.gguf"
    try:
        result = model_export.export_adapter(store, aid, "gguf", out, paths, quant="q8_0")
    finally:
        store.close()
    notes, path = " ".join(result.notes), shlex.quote(str(out))
    assert "ollama create my-model -f 'my llama.Modelfile'" in notes
    assert f"llama-cli -m {path}" in notes and f"llama-server -m {path}" in notes
    assert f"This app: gpt2-desk --model {path}" in notes
