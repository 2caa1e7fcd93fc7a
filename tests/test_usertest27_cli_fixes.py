"""usertest27: a new user on a server, terminal only. Real commands through the CLI's entry point,
real SQLite, the tiny fixture model."""

from __future__ import annotations

import re

from desktop_app.cli import main
from test_fact_consent import rated  # noqa: F401 (a fixture)


def test_finetune_into_a_log_says_how_far_the_steps_are(rated, tiny_model_dir, capsys):
    """stderr is no terminal here (a log, `| tee`, nohup): the bar is off, so without these lines a run
    of many minutes showed one "training..." and nothing more until the report."""
    store, paths = rated
    common = ["--data-dir", str(paths.data_dir), "--model", str(tiny_model_dir), "--device", "cpu"]
    assert main(["finetune", "--max-steps", "12", "--heldout", "0", *common]) == 0
    err = capsys.readouterr().err
    steps = [int(n) for n in re.findall(r"^training: step (\d+) of 12\b", err, flags=re.MULTILINE)]
    assert steps[0] == 1 and steps[-1] == 12, err
    assert 3 <= len(steps) <= 11, "about one line a tenth, not one a step"
    assert "loss" in err.split("training: step 12 of 12")[1].splitlines()[0]


def test_chat_takes_rate_and_correct_as_unknown_commands_not_questions(tiny_model_dir, monkeypatch, capsys):
    """`/rate up` went to the model as a question, and the person believed the answer rated."""
    import io
    import sys

    lines = "/rate up\n/correct Four.\n/etc/hosts is what?\n/quit\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(lines))
    assert main(["chat", "--model", str(tiny_model_dir), "--max-new-tokens", "2", "--seed", "1"]) == 0
    captured = capsys.readouterr()
    assert captured.out.count("Model:") == 1, "only the path went to the model"
    assert "There is no command /rate" in captured.err and "There is no command /correct" in captured.err
    assert "gpt2-desk generate --save" in captured.err and "gpt2-desk rate ID up" in captured.err
