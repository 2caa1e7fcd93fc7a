"""leftovers56: what new users found in the command line and was left (session 50)."""

from __future__ import annotations

from desktop_app.core import training
from desktop_app.core.train_settings import FineTuneSettings
from desktop_app.core.training import run_finetune
from test_training import FAST, env  # noqa: F401  (a fixture)


def test_the_measuring_before_training_says_each_part_from_the_first(env, tiny_model, monkeypatch, capsys):  # noqa: F811
    """A first run's "training paused" lines began at "part 2 of 3": its first part, the margins, came from
    the reference pass's sums with no count, so nothing said part 1. Every part is said, from 1 to the last."""
    monkeypatch.setattr(training._Pace, "EVERY_S", 0.0)
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
    paused = [line for line in capsys.readouterr().err.splitlines() if line.startswith("training paused") and "(part" in line]
    assert paused and f"(part 1 of {last}): " in paused[0], paused[:3]
    assert "known already" in paused[0] and " 1 of 1" not in paused[0], paused[0]
