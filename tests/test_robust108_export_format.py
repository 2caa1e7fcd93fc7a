"""`gpt2-desk adapters export ID --out NAME` reads the format from NAME's ending as every other --out does
(robust108): --format had been required even for my-model.gguf. A .gguf file is the merged model (one file
llama.cpp, Ollama and LM Studio run); the LoRA alone is asked for with --format gguf-lora; any other name is
the merged model's folder. The tiny fixture model, a real adapter, the real CLI."""

from __future__ import annotations

import json

from desktop_app.cli import main


def _adapter(tmp_path, tiny_model_dir):
    from test_model_export import _setup

    paths, store, _loaded, aid = _setup(tmp_path, tiny_model_dir)
    store.close()
    return aid, ["--data-dir", str(paths.data_dir), "--model", str(tiny_model_dir), "--json"]


def test_a_gguf_name_exports_the_merged_model_and_a_folder_name_the_merged_folder(tmp_path, tiny_model_dir, capsys):
    aid, common = _adapter(tmp_path, tiny_model_dir)
    assert main(["adapters", "export", str(aid), "--out", str(tmp_path / "My-Model.GGUF"), *common]) == 0
    written = json.loads(capsys.readouterr().out)
    assert written["format"] == "gguf" and (tmp_path / "My-Model.GGUF").read_bytes()[:4] == b"GGUF"
    assert main(["adapters", "export", str(aid), "--out", str(tmp_path / "my-model"), *common]) == 0
    written = json.loads(capsys.readouterr().out)
    assert written["format"] == "merged" and (tmp_path / "my-model" / "config.json").is_file()


def test_an_explicit_format_still_wins_and_help_says_how_to_get_the_lora_alone(tmp_path, tiny_model_dir, capsys):
    aid, common = _adapter(tmp_path, tiny_model_dir)
    out = tmp_path / "my-lora.gguf"
    assert main(["adapters", "export", str(aid), "--format", "gguf-lora", "--out", str(out), *common]) == 0
    assert json.loads(capsys.readouterr().out)["format"] == "gguf-lora"
    try:
        main(["adapters", "export", "--help"])
    except SystemExit:
        pass
    said = " ".join(capsys.readouterr().out.split())
    assert "FILE.gguf the merged model as one GGUF file" in said and "the LoRA alone: --format gguf-lora" in said
