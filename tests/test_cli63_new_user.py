"""cli63: what a new user of the command line tripped over: `--device cuda` without a GPU said so after the bundled
model's first conversion (minutes); `--max-new-tokens 100000` ended "stopped at --max-new-tokens 64", a number nobody
typed; `explain` of a question (not an answer) started PyTorch first; `finetune --lr -1` and `--heldout 1` both said
"--lr must be >= 0 and --heldout in [0, 1)"; `--screenshot /nonexist/x.png` made the folder and said "saved"."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from desktop_app.cli import main
from desktop_app.cli.model_cmds import generation_summary


def test_a_missing_gpu_is_said_before_the_model_is_converted_or_read(tiny_model_dir, monkeypatch, tmp_path):
    import torch

    from desktop_app.core import models
    from desktop_app.core.errors import ModelError
    from desktop_app.core.model_sources import ModelSource
    from desktop_app.core.paths import AppPaths

    if torch.cuda.is_available():
        pytest.skip("this machine has the GPU asked for")
    read = []
    monkeypatch.setattr(models, "local_folder", lambda *args: read.append(args) or tiny_model_dir)
    source = ModelSource("folder", f"folder:{tiny_model_dir}", str(tiny_model_dir), "tiny")
    with pytest.raises(ModelError, match="no CUDA GPU is available"):
        models.load_model(source, AppPaths.resolve(tmp_path / "data"), "cuda")
    assert read == [], "the device is checked before a GGUF's conversion or a download"


def test_a_length_cut_by_the_window_names_what_was_asked():
    generation = SimpleNamespace(finish_reason="length", settings=SimpleNamespace(max_new_tokens=64),
                                 records=[None] * 64, tokens_per_s=10.0)
    assert generation_summary(generation, 100000) == (
        "[64 tokens, 10.0 tok/s, stopped at 64 tokens, the most an answer gets in this model's window "
        "(--max-new-tokens 100000 asked for more)]")
    assert generation_summary(generation, 64) == "[64 tokens, 10.0 tok/s, stopped at --max-new-tokens 64]"


def test_explaining_a_question_is_refused_before_pytorch_starts(run_cli):
    assert run_cli("ask", "--max-new-tokens", "2", "--seed", "1", "Hi")[0] == 0
    code, out, err = run_cli("explain", "1", "--token", "0")
    assert code == 2 and not out
    assert err == "gpt2-desk: Message 1 is a user message; only answer tokens can be explained.\n"


@pytest.mark.parametrize("option, value, said", [
    ("--lr", "-1", "--lr -1 is out of range: give 0 or more"),
    ("--heldout", "1", "--heldout 1 is out of range: give a share from 0 up to, not including, 1"),
    ("--batch-size", "0", "--batch-size 0 is out of range: give a whole number from 1 up"),
])
def test_a_fine_tune_option_out_of_range_is_named(option, value, said, tmp_path, capsys):
    assert main(["finetune", "--data-dir", str(tmp_path / "data"), option, value]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"gpt2-desk: {said}") and len(err.splitlines()) == 1


def test_a_screenshot_into_a_missing_folder_is_refused(tmp_path, capsys):
    out = tmp_path / "nowhere" / "window.png"
    assert main(["--screenshot", str(out)]) == 2
    assert capsys.readouterr().err.startswith(f"gpt2-desk: There is no folder {out.parent} for --screenshot")
    assert not out.parent.exists()


def test_an_unreachable_hub_model_names_the_one_that_works_offline():
    from desktop_app.core.errors import ModelError
    from desktop_app.core.model_sources import resolve_spec

    with pytest.raises(ModelError, match="cannot be reached \\(offline\\). The bundled model works offline: 'bundled'"):
        resolve_spec("someone/not-here-cli63", probe=lambda: False)


def test_a_dpo_export_of_a_lone_thumb_says_what_makes_a_pair(run_cli, tmp_path):
    """A person who had rated an answer up was told "rate answers ... first" by `export --format dpo`."""
    assert run_cli("ask", "--max-new-tokens", "2", "--seed", "1", "Hi")[0] == 0
    assert run_cli("rate", "2", "up")[0] == 0
    code, out, err = run_cli("export", "--format", "dpo", "--out", str(tmp_path / "pairs.jsonl"))
    assert code == 2 and not (tmp_path / "pairs.jsonl").exists()
    assert "a DPO example is a pair: a better answer you wrote for an answer" in err and "rate answers" not in err
    assert run_cli("export", "--format", "sft", "--out", str(tmp_path / "liked.jsonl"))[0] == 0


def test_an_option_a_command_does_not_take_is_said_by_that_command(capsys, tmp_path):
    assert main(["chat", "--data-dir", str(tmp_path / "data"), "--conversation", "3"]) == 2
    assert capsys.readouterr().err == ("gpt2-desk chat: error: unrecognized arguments: --conversation 3 "
                                       "(`gpt2-desk chat --help` shows what it takes)\n")
    assert main(["--bogus"]) == 2
    assert capsys.readouterr().err.startswith("gpt2-desk: error: unrecognized arguments: --bogus")


def test_a_better_answer_that_is_the_answer_itself_is_refused(run_cli):
    """The window's box will not save the same text again; `correct` saved it."""
    code, out, _ = run_cli("ask", "--json", "--max-new-tokens", "3", "--seed", "1", "Hi")
    assert code == 0
    answer = json.loads(out)
    code, out, err = run_cli("correct", str(answer["message_id"]), f" {answer['text']} ")
    assert code == 2 and "a better answer must differ from it" in err and "Nothing was saved" in err
    code, out, _ = run_cli("history", "1", "--json")
    assert code == 0 and all(m.get("correction") is None for m in json.loads(out)["messages"])
