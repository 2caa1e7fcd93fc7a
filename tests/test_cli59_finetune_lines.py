"""cli59: `gpt2-desk finetune`'s progress lines, steady: "part 1 of 4" held several counts that each restarted at
"0 of N", and the training lines' columns ("kl", "margin") came and went from one line to the next."""

from __future__ import annotations

import json
import re

from desktop_app.cli import main
from desktop_app.cli.finetune_cmds import _Bar, steady_line, training_figures
from desktop_app.core.training import TrainProgress


def test_a_measuring_part_is_named_and_its_inner_count_is_not_a_restart():
    p = TrainProgress("evaluating", step=3, total=8, training_follows=True, part=(2, 4),
                      message="measuring your current model: re-asking questions: 3 of 8 answers")
    assert steady_line(p) == "training paused: measuring 2 of 4 (your current model): re-asking questions: 3/8 answers"
    tokens = TrainProgress("evaluating", step=0, total=40,
                           message="measuring the new adapter: re-asking 13 questions at once: 0 of at most 40 "
                                   "tokens of each answer")
    assert steady_line(tokens).endswith("re-asking 13 questions at once: 0/40 tokens of each answer (at most)")


def test_training_lines_always_carry_the_same_columns(capsys):
    bar = _Bar(quiet=False)
    for step, kl, margin in ((1, 0.0, None), (2, None, 0.25), (3, 0.01, 0.3)):
        bar(TrainProgress("training", step=step, total=3, loss=0.5, kl=kl, reward_margin=margin))
    bar.bar.close()
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("training: step")]
    assert lines[0] == "training: step 1 of 3, loss 0.5000, kl 0.000, step margin -"
    assert lines[1] == "training: step 2 of 3, loss 0.5000, kl -, step margin 0.250"
    assert training_figures(TrainProgress("training", step=1, total=3)) == {"loss": "-", "kl": "-", "step margin": "-"}


def test_a_real_run_s_lines_are_steady(tiny_model_dir, capsys):
    """The tiny model fine-tuned from the CLI: every training line has loss, kl and margin; every measuring
    part says "measuring k of n" and no count inside it reads "0 of N"."""
    base = ["--model", str(tiny_model_dir), "--device", "cpu"]
    for question, thumb in (("Hi", "up"), ("What is 2+2?", "down"), ("Name a colour", "up"), ("Why?", "down")):
        assert main(["generate", *base, "--save", "--max-new-tokens", "4", "--seed", "1", "--json", question]) == 0
        message = json.loads(capsys.readouterr().out)["message_id"]
        assert main(["rate", *base, str(message), thumb]) == 0
        capsys.readouterr()
    assert main(["finetune", *base, "--max-steps", "4"]) == 0
    lines = capsys.readouterr().err.splitlines()
    training = [line for line in lines if line.startswith("training: step")]
    assert training and all(re.search(r", loss \S+, kl \S+, step margin \S+", line) for line in training)
    measuring = [line for line in lines if "(part" in line or re.search(r"measuring \d of \d", line)]
    assert measuring and all(re.search(r"measuring \d of \d \(", line) for line in measuring)
    assert not any(re.search(r"\b0 of \d", line) for line in lines)
