"""words53: `gpt2-desk finetune` printed core's raw reports ("preparing: Reading ratings" beside "preparing:
scoring the ...", "training paused: Measuring your current model, to compare the result with"), where the
window's progress line says "Getting ready: reading your ratings…". Both front ends now say one set of words
(core.progress_words): the CLI's line for a report is the window's line, lowercase at its start."""

from __future__ import annotations

import re

from desktop_app.cli import finetune_cmds, main
from desktop_app.core.progress_words import progress_line
from test_fact_consent import rated  # noqa: F401 (a fixture)


def cli_finetune(rated, tiny_model_dir, monkeypatch, capsys) -> tuple[list, list[str]]:  # noqa: F811
    """A real tiny-model `finetune` through the CLI's main(): (the reports core gave its progress, the lines
    it printed on stderr)."""
    store, paths = rated
    heard = []
    say = finetune_cmds._Bar.__call__  # the CLI's own progress, which still says every line
    monkeypatch.setattr(finetune_cmds._Bar, "__call__", lambda bar, p: (heard.append(p), say(bar, p))[1])
    common = ["--data-dir", str(paths.data_dir), "--model", str(tiny_model_dir), "--device", "cpu"]
    assert main(["finetune", "--max-steps", "12", "--heldout", "0", *common]) == 0
    return heard, capsys.readouterr().err.splitlines()


def said_alone(heard: list) -> list:
    """The reports the CLI gives a line of its own (the steps have their bar, or a line at each tenth)."""
    return [p for p in heard if p.message and not (p.phase == "training" and p.step)]


def as_cli_says(line: str) -> str:
    return line.removesuffix("\u2026")[:1].lower() + line.removesuffix("\u2026")[1:]


def test_a_cli_finetune_says_the_window_s_words_for_each_report(rated, tiny_model_dir, monkeypatch,  # noqa: F811
                                                                capsys):
    heard, lines = cli_finetune(rated, tiny_model_dir, monkeypatch, capsys)
    window = [progress_line(p) for p in said_alone(heard)]  # the panel's line, as each report came
    assert "Getting ready: reading your ratings\u2026" in window
    assert any(w.startswith("Training paused: measuring your current model") for w in window)
    for line in window:  # each one the CLI said, in the window's words (a count's only at its tenths)
        if not re.search(r"\d+ of ", line):
            assert as_cli_says(line) in lines, (line, lines)
    assert "getting ready: reading your ratings" in lines
    assert "getting ready: scoring your ratings with the model as it is" in lines
    assert any(line.startswith("training paused: measuring your current model") for line in lines)
    steps = [progress_line(p) for p in heard if p.phase == "training" and p.step]
    assert steps[-1] == "Training: step 12 of 12" and any(line.startswith("training: step 12 of 12") for line in lines)
    raw = {p.message for p in said_alone(heard)} - {w.removesuffix("\u2026").split(": ", 1)[-1] for w in window}
    assert "Reading ratings" in raw and not [line for line in lines if line.split(": ", 1)[-1] in raw]
    assert all(not line[:1].isupper() for line in lines if not line.startswith(("note:", "GPT"))), lines
