"""leftovers60 (usertest32): while a fine-tune measured the model in use, the CLI's `finetune` lines showed
"measuring 1 of 4" over two scoring counts nobody named (the ratings it trains on, then the held-out ones), and
the window's panel said "(part 1 of 4)" with no name for the part. Each count now says what it measures, in the
same words in both front ends (core.progress_words.part_label / measured_part)."""

from __future__ import annotations

from types import SimpleNamespace

from desktop_app.core import train_run_progress
from desktop_app.core.progress_words import MEASURED_PARTS, part_label, progress_line, terminal_line
from desktop_app.core.train_settings import FineTuneSettings
from desktop_app.core.training import run_finetune
from test_training import FAST, env  # noqa: F401  (a fixture)
from test_training_data import add_answer


def second_run_reports(store, paths, tiny_model) -> list:
    """The reports of a run from an adapter in use, with ratings held out: its measuring before training
    scores the ratings it trains on and the held-out ones with the model in use, each a count of its own."""
    first = run_finetune(store, tiny_model, paths, FineTuneSettings(**FAST))
    assert first.kept, first.reason
    for seed in (40, 41):
        _c, _u, mid, _ids = add_answer(store, tiny_model, f"One more question {seed}?", seed=seed)
        store.rate_message(mid, -1)
    seen: list = []
    result = run_finetune(store, tiny_model, paths, FineTuneSettings(**{**FAST, "heldout_fraction": 0.4}),
                          progress=seen.append)
    assert result.status in ("kept", "discarded"), result.reason
    return seen


def test_each_count_of_the_measuring_is_named_in_the_panel_and_the_cli(env, tiny_model, monkeypatch,  # noqa: F811
                                                                       capsys):
    monkeypatch.setattr(train_run_progress.Pace, "EVERY_S", 0.0)
    store, paths = env
    seen = second_run_reports(store, paths, tiny_model)
    before = [p for p in seen if p.training_follows and p.total]
    assert {p.measures for p in before if p.part[0] == 1} >= {"trained", "held_out"}, [p.message for p in before]
    assert all(p.measures in MEASURED_PARTS for p in seen if p.phase == "evaluating" and p.total)
    held = next(p for p in before if p.measures == "held_out")
    assert part_label(held) == f"part 1 of {held.part[1]}, scoring held-out ratings"
    assert progress_line(held).startswith(
        f"Training paused: measuring your current model (part 1 of {held.part[1]}, scoring held-out ratings): ")
    reask = next(p for p in before if p.measures == "reask")
    assert "re-asking your questions and a few fixed ones" in terminal_line(reask)
    after = [p for p in seen if p.phase == "evaluating" and p.total and not p.training_follows and not p.part]
    assert any("(scoring held-out ratings)" in progress_line(p) for p in after), [progress_line(p) for p in after]
    from desktop_app.cli.finetune_cmds import _Bar

    bar = _Bar(quiet=False)
    for p in seen:
        bar(p)
    lines = capsys.readouterr().err.splitlines()
    part_one = [line for line in lines if line.startswith("training paused: measuring 1 of ")]
    assert any("(your current model), scoring the ratings it trains on: " in line for line in part_one), part_one
    assert any("(your current model), scoring held-out ratings: " in line for line in part_one), part_one


def test_a_count_with_no_part_or_name_keeps_its_line():
    report = SimpleNamespace(phase="evaluating", message="measuring the new adapter: scoring 1 of 3", step=1,
                             total=3, part=None, measures="", training_follows=False, stepping_back=None,
                             checking_earlier=False)
    assert part_label(report) == ""
    assert progress_line(report) == "Checking whether it helps: measuring the new adapter: scoring 1 of 3"


def test_a_part_whose_count_says_what_it_measures_is_not_named_twice():
    report = SimpleNamespace(phase="evaluating", message="measuring your current model: reading general text: 2 of 8",
                             step=2, total=8, part=(2, 4), measures="probe", training_follows=True,
                             stepping_back=None, checking_earlier=False)
    assert part_label(report) == "part 2 of 4"
    assert progress_line(report).count("reading general text") == 1

