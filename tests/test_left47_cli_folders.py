"""`gpt2-desk import DIR` says in words that it was given a folder (it said "[Errno 21] Is a
directory"), and `gpt2-desk adapters import FOLDER` refuses a folder that is not an adapter before it
loads the model: with a model that cannot load, the message is still about the folder. Real CLI, real
SQLite, the tiny fixture model."""

from __future__ import annotations

from desktop_app.cli import main


def test_import_of_a_folder_is_said_in_words(tmp_path, capsys):
    (tmp_path / "exports").mkdir()
    assert main(["import", "--db", str(tmp_path / "db.sqlite"), str(tmp_path / "exports")]) == 2
    err = capsys.readouterr().err
    assert "exports is a folder, not a file" in err and "Errno" not in err


def test_adapters_import_checks_the_folder_before_loading_the_model(tmp_path, capsys):
    folder = tmp_path / "not-an-adapter"
    folder.mkdir()
    (folder / "notes.txt").write_text("hello", encoding="utf-8")
    missing_model = tmp_path / "no-model-here"
    assert main(["adapters", "import", "--model", str(missing_model), "--db", str(tmp_path / "db.sqlite"),
                 str(folder)]) == 2
    err = capsys.readouterr().err
    assert "not-an-adapter" in err and "adapter_config.json" in err
    assert "no-model-here" not in err  # the model was never asked for


def test_an_adapter_folder_still_reaches_the_model(tmp_path, capsys, tiny_model_dir):
    """The check lets a real adapter folder through: the model is loaded and asked next (here a
    missing one, said as such)."""
    import json

    folder = tmp_path / "adapter"
    folder.mkdir()
    (folder / "adapter_config.json").write_text(json.dumps({"peft_type": "LORA", "r": 4}), encoding="utf-8")
    import torch
    from safetensors.torch import save_file

    save_file({"base_model.model.h.0.attn.c_attn.lora_A.weight": torch.zeros(4, 8)}, str(folder / "adapter_model.safetensors"))
    missing_model = tmp_path / "no-model-here"
    assert main(["adapters", "import", "--model", str(missing_model), "--db", str(tmp_path / "db.sqlite"),
                 str(folder)]) == 2
    assert "no-model-here" in capsys.readouterr().err
