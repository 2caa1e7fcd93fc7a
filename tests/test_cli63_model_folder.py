"""cli63: `gpt2-desk score --model /etc` (a folder that holds no model) started PyTorch (10 s) before it said the
folder holds no model: the folder is checked before the command imports PyTorch."""

from __future__ import annotations

import json
import subprocess
import sys

from desktop_app.cli import main

PROGRAM = ("import sys\n"
           "from desktop_app.cli import main\n"
           "code = main(['score', '--model', sys.argv[1], '--json', 'Hi'])\n"
           "print('torch imported' if 'torch' in sys.modules else 'no torch', code)\n")


def test_a_folder_without_a_model_is_refused_before_pytorch_starts(tmp_path):
    (tmp_path / "notes.txt").write_text("not a model")
    done = subprocess.run([sys.executable, "-c", PROGRAM, str(tmp_path)], capture_output=True, text=True,
                          timeout=120, env={**__import__("os").environ, "GPT2_DESK_DATA_DIR": str(tmp_path / "data")})
    error, last = done.stdout.splitlines()[0], done.stdout.splitlines()[-1]
    assert last == "no torch 2", done.stdout + done.stderr
    assert json.loads(error)["error"] == f"{tmp_path} is not a model folder (no config.json)."
    assert done.stderr.strip() == f"gpt2-desk: {tmp_path} is not a model folder (no config.json).", done.stderr


def test_a_missing_folder_or_gguf_file_is_one_line(tmp_path, capsys):
    for model, words in ((str(tmp_path / "nowhere"), "No such model folder"), ("missing.gguf", "No such GGUF file")):
        assert main(["generate", "--model", model, "Hi"]) == 2
        said = capsys.readouterr()
        assert said.err.startswith(f"gpt2-desk: {words}") and len(said.err.splitlines()) == 1 and not said.out


def test_a_model_folder_and_a_hub_name_pass_the_early_check(tiny_model_dir):
    """A hub id resolves at the load (the cache, the network): the early check leaves it to that."""
    from desktop_app.core.models import check_named_model

    assert [check_named_model(spec) for spec in (str(tiny_model_dir), "gpt2", "someone/some-model", None)] == [None] * 4
