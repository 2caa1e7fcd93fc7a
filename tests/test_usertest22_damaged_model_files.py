"""usertest22: a damaged model or adapter folder is named in words a person can act on.

A model folder whose model.safetensors was cut short said "Error while deserializing header:
incomplete metadata, file not fully covered" (the window's banner and the CLI alike), and a model
folder chosen in Adapter history > Import… said only "… has no adapter_model.safetensors".
The tiny fixture model, the real window (pytest-qt) and the real CLI."""

from __future__ import annotations

import os
import shutil

import pytest

from desktop_app.core.adapter_import import AdapterImportError, read_adapter_config
from desktop_app.core.errors import ModelError
from desktop_app.core.models import check_model_folder, open_model
from desktop_app.core.paths import AppPaths


def _copy(tiny_model_dir, tmp_path, name="model"):
    folder = tmp_path / name
    shutil.copytree(tiny_model_dir, folder)
    return folder


def _cut_short(path, keep: float = 0.5) -> None:
    os.truncate(path, int(path.stat().st_size * keep))


def test_a_cut_short_safetensors_file_says_which_file_and_what_to_do(tiny_model_dir, tmp_path):
    folder = _copy(tiny_model_dir, tmp_path)
    _cut_short(folder / "model.safetensors")
    with pytest.raises(ModelError) as caught:
        open_model(str(folder), AppPaths.resolve().ensure(), device="cpu", precision="exact")
    said = str(caught.value)
    assert "model.safetensors is incomplete" in said and "short of the" in said
    assert "Copy or download the model again" in said
    assert "deserializ" not in said


def test_overwritten_weights_and_a_broken_config_are_named(tiny_model_dir, tmp_path):
    folder = _copy(tiny_model_dir, tmp_path)
    (folder / "model.safetensors").write_bytes(os.urandom(1000))
    with pytest.raises(ModelError, match="model.safetensors is damaged: its first bytes are not a safetensors header"):
        check_model_folder(folder)
    other = _copy(tiny_model_dir, tmp_path, "other")
    (other / "config.json").write_text('{"model_type": "gpt2", "n_layer": ', encoding="utf-8")
    with pytest.raises(ModelError, match=r"config.json is not valid JSON \(Expecting value at line 1"):
        check_model_folder(other)


def test_a_whole_model_folder_passes_the_check(tiny_model_dir):
    check_model_folder(tiny_model_dir)  # no false alarm on a folder transformers wrote


def test_the_cli_says_it_in_one_sentence_and_exit_code_2(tiny_model_dir, tmp_path, capsys):
    from desktop_app.cli import main

    folder = _copy(tiny_model_dir, tmp_path)
    _cut_short(folder / "model.safetensors")
    assert main(["generate", "--model", str(folder), "--device", "cpu", "Hi"]) == 2
    err = capsys.readouterr().err
    assert f"In {folder}, model.safetensors is incomplete" in err and "Traceback" not in err


def test_a_model_folder_chosen_as_an_adapter_is_called_a_model(tiny_model_dir):
    with pytest.raises(AdapterImportError, match="holds a model, not an adapter: to use it, open it with Model"):
        read_adapter_config(tiny_model_dir)


def test_a_cut_short_adapter_is_named_before_it_is_loaded(tiny_model_dir, tmp_path):
    from safetensors.torch import save_file
    import json
    import torch

    folder = tmp_path / "adapter"
    folder.mkdir()
    (folder / "adapter_config.json").write_text(json.dumps({"peft_type": "LORA"}), encoding="utf-8")
    save_file({"a.lora_A.weight": torch.zeros(4, 64)}, str(folder / "adapter_model.safetensors"))
    assert read_adapter_config(folder)["peft_type"] == "LORA"  # whole: read as before
    _cut_short(folder / "adapter_model.safetensors", 0.8)
    with pytest.raises(AdapterImportError, match="adapter_model.safetensors is incomplete.*Copy or download the adapter"):
        read_adapter_config(folder)


def test_the_window_keeps_its_model_and_shows_the_plain_words(qtbot, qapp, tiny_model_dir, tmp_path):
    pytest.importorskip("PySide6")
    from gui_windows import WAIT_MS, opened_window

    folder = _copy(tiny_model_dir, tmp_path)
    _cut_short(folder / "model.safetensors")
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        before = window.chat.loaded
        with qtbot.waitSignal(window.chat.model_failed, timeout=WAIT_MS):
            window.load_model(str(folder))
        shown = window.notices.error.label.text()
        assert window.chat.loaded is before
        assert "model.safetensors is incomplete" in shown, shown
        assert "Still using" in shown
