"""leftovers56: what new users found in the command line and was left (session 50)."""

from __future__ import annotations

import io
import os
import signal
import sys

import pytest

from desktop_app.core import train_run_progress
from desktop_app.core.train_settings import FineTuneSettings
from desktop_app.core.training import run_finetune
from test_training import FAST, env  # noqa: F401  (a fixture)


def test_the_measuring_before_training_says_each_part_from_the_first(env, tiny_model, monkeypatch, capsys):  # noqa: F811
    """A first run's "training paused" lines began at "part 2 of 3": its first part, the margins, came from
    the reference pass's sums with no count, so nothing said part 1. Every part is said, from 1 to the last."""
    monkeypatch.setattr(train_run_progress.Pace, "EVERY_S", 0.0)
    store, paths = env
    seen = []
    result = run_finetune(store, tiny_model, paths, FineTuneSettings(**FAST), progress=seen.append)
    assert result.status in ("kept", "discarded"), result.reason
    parts = [p.part for p in seen if p.training_follows and p.total]
    assert parts, [p.message for p in seen]
    last = parts[0][1]
    assert sorted({n for n, _of in parts}) == list(range(1, last + 1)), parts
    assert [n for n, _of in parts] == sorted(n for n, _of in parts)
    from desktop_app.cli.finetune_cmds import _Bar

    bar = _Bar(quiet=False)
    for p in seen:
        bar(p)
    # the part named as what it counts, "measuring 1 of 4 (your current model)" (cli59; it said "(part 1 of 4)")
    paused = [line for line in capsys.readouterr().err.splitlines()
              if line.startswith("training paused: measuring ") and " of " in line and ")" in line]
    assert paused and f"measuring 1 of {last} (" in paused[0], paused[:3]
    assert "known already" in paused[0], paused[0]
    assert "(your current model), scoring your ratings: " in paused[0], paused[0]  # the part named (leftovers60)


class _CtrlCAtToken(io.StringIO):
    """stdout that presses Ctrl+C (a real SIGINT to this process) as its ``at``-th write, a token of the
    continuation, as a person does while it streams."""

    def __init__(self, at: int):
        super().__init__()
        self.at, self.writes, self.pressed = at, 0, False

    def write(self, text: str) -> int:
        self.writes += 1
        if self.writes == self.at and not self.pressed:
            self.pressed = True
            os.kill(os.getpid(), signal.SIGINT)
        return super().write(text)


def test_ctrl_c_in_continue_keeps_what_was_written_says_so_and_ends_as_chat_does(tiny_model_dir, tmp_path,
                                                                               monkeypatch, capsys):
    """`continue` ended with exit code 130 and "[stopped]" on Ctrl+C where `chat` keeps the stopped answer and
    ends with 0: it stops at the next token, says what it kept, and ends with 0, as `--help` says."""
    from desktop_app.cli import main

    essay = tmp_path / "essay.txt"
    essay.write_text("The history of the city begins", encoding="utf-8")
    out = _CtrlCAtToken(at=3)
    monkeypatch.setattr(sys, "stdout", out)
    code = main(["continue", str(essay), "--model", str(tiny_model_dir), "--data-dir", str(tmp_path / "data"),
                 "--max-new-tokens", "60", "--seed", "3", "--temperature", "0.1"])
    monkeypatch.undo()
    assert out.pressed and code == 0
    err = capsys.readouterr().err
    assert "stopped by Ctrl+C: the words written so far are above" in err, err
    assert "tokens," in err and "interrupted" not in err
    written = out.getvalue()
    assert written.strip(), "what was written before Ctrl+C stays on stdout"


def test_continue_s_help_says_what_ctrl_c_does_and_its_exit_codes(capsys):
    from desktop_app.cli import main

    with pytest.raises(SystemExit):
        main(["continue", "--help"])
    said = " ".join(capsys.readouterr().out.split())
    assert "Ctrl+C stops the continuation" in said and "exit code 0" in said and "exit code 130" in said


def test_ctrl_c_during_a_first_conversion_says_so_and_leaves_no_half_written_folder(tmp_path, tiny_model_dir,
                                                                                   monkeypatch, capsys):
    """Ctrl+C while the CLI converted a GGUF quit with a bare "interrupted" and left its half-written staging
    folder (a float32 model's size) behind; the next run converted from the start unsaid. It says what
    happened, keeps no half-done folder, and the next run converts and loads."""
    from transformers import AutoModelForCausalLM, AutoTokenizer, PreTrainedTokenizerBase

    from desktop_app.cli import main
    from desktop_app.core.gguf_export import write_gguf
    from tiny_model import build_tiny_llama

    llama = build_tiny_llama(tmp_path / "llama", tiny_model_dir)
    gguf_path = tmp_path / "tiny.gguf"
    write_gguf(AutoModelForCausalLM.from_pretrained(llama), AutoTokenizer.from_pretrained(llama), llama, gguf_path,
               quant="f16", pre_tokenizer="smollm")
    data = tmp_path / "data"
    score = ["score", "Hello there", "--model", str(gguf_path), "--data-dir", str(data), "--device", "cpu"]
    pressed = []

    def saved_then_ctrl_c(tokenizer, *args, **kwargs):  # the weights are written by now: a half-done folder
        written = save(tokenizer, *args, **kwargs)
        pressed.append(True)
        os.kill(os.getpid(), signal.SIGINT)  # a real Ctrl+C, as a person presses it
        return written

    save = PreTrainedTokenizerBase.save_pretrained
    monkeypatch.setattr(PreTrainedTokenizerBase, "save_pretrained", saved_then_ctrl_c)
    code = main(score)
    monkeypatch.undo()
    assert pressed and code == 130
    said = capsys.readouterr().err
    assert "stopped converting the model" in said and "starts again from the beginning next time" in said, said
    from desktop_app.core.paths import AppPaths

    converted = AppPaths.resolve(data).converted_models_dir
    left = [p.name for p in converted.rglob("*")] if converted.exists() else []
    assert not left, left
    assert main(score) == 0
    assert any(converted.rglob("model*.safetensors"))
