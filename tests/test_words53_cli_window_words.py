"""words53: `gpt2-desk finetune` printed core's raw reports ("preparing: Reading ratings" beside "preparing:
scoring the ...", "training paused: Measuring your current model, to compare the result with"), where the
window's progress line says "Getting ready: reading your ratings…". Both front ends now say one set of words
(core.progress_words): the CLI's line for a report is the window's line, lowercase at its start."""

from __future__ import annotations

import re

from desktop_app.cli import finetune_cmds, main
from desktop_app.core.progress_words import progress_line
from test_fact_consent import rated  # noqa: F401 (a fixture)


def test_a_cli_finetune_says_the_window_s_words_for_each_report(rated, tiny_model_dir, monkeypatch, capsys):
    store, paths = rated
    heard = []  # every report core gave the CLI's progress, in order
    say = finetune_cmds._Bar.__call__
    monkeypatch.setattr(finetune_cmds._Bar, "__call__", lambda bar, p: (heard.append(p), say(bar, p))[1])
    common = ["--data-dir", str(paths.data_dir), "--model", str(tiny_model_dir), "--device", "cpu"]
    assert main(["finetune", "--max-steps", "12", "--heldout", "0", *common]) == 0
    lines = capsys.readouterr().err.splitlines()
    said = [p for p in heard if p.message and not (p.phase == "training" and p.step)]
    window = [progress_line(p).removesuffix("\u2026") for p in said]  # the panel's line, as each report came
    assert "Getting ready: reading your ratings" in window and any(w.startswith("Training paused: ") for w in window)
    for line in window:  # each one the CLI said, in the window's words (a count's only at its tenths)
        if not re.search(r"\d+ of ", line):
            assert line[:1].lower() + line[1:] in lines, (line, lines)
    assert "getting ready: reading your ratings" in lines
    assert "getting ready: scoring your ratings with the model as it is" in lines
    assert any(line.startswith("training paused: measuring your current model") for line in lines)
    steps = [progress_line(p) for p in heard if p.phase == "training" and p.step]
    assert steps[-1] == "Training: step 12 of 12" and any(line.startswith("training: step 12 of 12") for line in lines)
    raw = {p.message for p in said} - {w.split(": ", 1)[-1] for w in window}  # core's words the window rewords
    assert "Reading ratings" in raw and not [line for line in lines if line.split(": ", 1)[-1] in raw]
    firsts = [line for line in lines if not line.startswith(("note:", "run ", "  ", "training  "))]
    assert all(not line[:1].isupper() for line in firsts if line[:2] != "GPT"), firsts
