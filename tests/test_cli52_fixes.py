"""cli52: the command line's leftovers a terminal-only user met (session 48): a cancelled fine-tune's last
progress line, one duration's words for both front ends, ..."""

from __future__ import annotations

from desktop_app.core.duration_words import duration_words


def test_a_cancelled_run_s_last_report_is_said_in_words(capsys):
    """Ctrl+C during `finetune`: its last progress line read "evaluating: Cancelled", a state's name (and no
    check ran); core's cancel report is said in words."""
    from desktop_app.cli.finetune_cmds import CANCELLED_LINE, _Bar
    from desktop_app.core.training import TrainProgress
    from desktop_app.core.train_verdict import CANCELLED_MESSAGE

    bar = _Bar(quiet=False)
    bar(TrainProgress("training", message="Training"))
    bar(TrainProgress("evaluating", message=CANCELLED_MESSAGE))  # core.training's report of a cancelled run
    said = capsys.readouterr().err.splitlines()
    assert said[-1] == CANCELLED_LINE and "cancelled" in said[-1]
    assert not any(line.endswith(f": {CANCELLED_MESSAGE}") for line in said)


def test_one_duration_function_keeps_each_front_end_s_words():
    """The CLI's time left had its own `_duration_words` ("4 min"), the window its `duration_words` ("4 min 05 s"):
    one core function, ``rough`` for an estimate."""
    assert duration_words(245) == "4 min 05 s" and duration_words(45.4) == "45 s"
    assert duration_words(245, rough=True) == "4 min" and duration_words(75, rough=True) == "75 s"
    assert duration_words(None) == duration_words(-1) == duration_words(float("nan")) == ""
    import desktop_app.cli.finetune_cmds as cli
    import desktop_app.gui.progress_words as gui

    assert not hasattr(cli, "_duration_words") and not hasattr(gui, "duration_words")


def test_the_cli_s_time_left_uses_the_rough_words(capsys, monkeypatch):
    """Into a log (stderr not a terminal) a tenth of the steps' line says the time left as the CLI did."""
    from desktop_app.cli.finetune_cmds import _Bar
    from desktop_app.core.training import TrainProgress

    bar = _Bar(quiet=False)
    bar(TrainProgress("training", step=1, total=10, loss=0.5, eta_s=245.0))
    bar.bar.close()
    assert "training: step 1 of 10, loss 0.5000, about 4 min left" in capsys.readouterr().err
