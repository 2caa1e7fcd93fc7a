"""Lead, session 48: CLI words a terminal user met (usertest27). The offline model's note, said before
every command, buried each command's own output: said whole once per data folder, then as its first
sentence (`gpt2-desk models` keeps it whole). A --temperature with --greedy is refused, not dropped."""

from __future__ import annotations

from desktop_app.cli.common import notice_once
from desktop_app.core.paths import AppPaths

NOTE = ("Using the bundled model Tiny, which works offline. GPT-2 (gpt2) is not on this computer yet. "
        "To use GPT-2, choose it once you are online.")


def test_a_notice_is_said_whole_once_then_in_its_first_sentence(tmp_path, capsys):
    paths = AppPaths.resolve(tmp_path / "data")
    notice_once(paths)(NOTE)
    assert capsys.readouterr().err.strip() == f"note: {NOTE}"
    notice_once(paths)(NOTE)
    again = capsys.readouterr().err.strip()
    assert again == "note: Using the bundled model Tiny, which works offline. (The whole note: gpt2-desk models.)"
    notice_once(AppPaths.resolve(tmp_path / "other"))(NOTE)  # another data folder has not seen it
    assert capsys.readouterr().err.strip() == f"note: {NOTE}"


def test_a_different_notice_is_said_whole(tmp_path, capsys):
    paths = AppPaths.resolve(tmp_path / "data")
    notice_once(paths)(NOTE)
    capsys.readouterr()
    notice_once(paths)("Fast precision was not available. Exact is used.")
    assert capsys.readouterr().err.strip() == "note: Fast precision was not available. Exact is used."
    notice_once(paths)(None)
    assert capsys.readouterr().err == ""


def test_greedy_with_a_temperature_is_refused_not_dropped(tiny_model_dir, capsys):
    """`--greedy --temperature 0.7` ran greedy in silence: the temperature asked for did nothing."""
    from desktop_app.cli import main

    common = ["--model", str(tiny_model_dir), "--device", "cpu", "--max-new-tokens", "2"]
    assert main(["generate", "--greedy", "--temperature", "0.7", "Hi", *common]) == 2
    assert "--greedy always takes the likeliest token, so --temperature 0.7 would do nothing" in capsys.readouterr().err
    assert main(["generate", "--greedy", "--temperature", "0", "Hi", *common]) == 0


def test_a_moving_count_is_said_at_its_tenths_not_at_every_token(capsys):
    """Measuring wrote one line a token ("re-asking 13 questions at once: 2 of at most 40 tokens", 4,
    6, ...): 40 lines a measurement. Its first, each tenth and its last are said; other lines whole."""
    from desktop_app.cli.finetune_cmds import _Bar
    from desktop_app.core.training import TrainProgress

    bar = _Bar(quiet=False)
    bar(TrainProgress("preparing", message="Reading ratings"))
    for done in range(0, 41):  # a count's reports, as core.training's say them: step of total
        bar(TrainProgress("evaluating", step=done, total=40,
                          message=f"re-asking 13 questions at once: {done} of at most 40 tokens"))
    for done in range(1, 9):
        bar(TrainProgress("rescoring", step=done, total=8,
                          message=f"Re-scoring for the compare view: {done} of 8 rated answers"))
    lines = capsys.readouterr().err.splitlines()
    reasks = [line for line in lines if "re-asking" in line]
    assert lines[0] == "getting ready: reading your ratings"  # the window's words (words53)
    # a count inside a measuring as "0/40", not a restart of "measuring 2 of 4" (cli59)
    assert reasks[0].endswith(": 0/40 tokens (at most)") and reasks[-1].endswith(": 40/40 tokens (at most)")
    assert len(reasks) == 11, reasks  # 0, then a line at each tenth: 4, 8, ... 40
    assert len([line for line in lines if line.startswith("re-scoring")]) == 8, "a count under ten says every piece"
