"""usertest 9, B9: the time left at the last training step was "about 50 s left", then a check of
10 minutes followed that no estimate had mentioned, measuring the model in use and then the new
adapter with the same work. Now the model in use is measured between two early steps (it does
not change during the run), the steps' time left includes the check after them and says so,
and that check tells its time left from its first report. The tiny model, a real store."""

from __future__ import annotations

import pytest

from desktop_app.core import train_run_progress, train_step_loop
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from desktop_app.core.train_settings import FineTuneSettings
from desktop_app.core.training import run_finetune
from desktop_app.core.progress_words import count_eta_words, status_words, step_eta_words
from test_training import FAST
from test_training_data import rate_three_answers

BEFORE = "measuring your current model"
AFTER = "measuring the new adapter"


def _run(tmp_path, tiny_model):
    paths = AppPaths.resolve(tmp_path / "data").ensure()
    store = Store.open(paths.db_path)
    try:
        rate_three_answers(store, tiny_model, first_seed=10)
        seen = []
        result = run_finetune(store, tiny_model, paths, FineTuneSettings(**FAST), progress=seen.append)
    finally:
        store.close()
    assert result.status in ("kept", "discarded"), result.reason
    return result, seen


@pytest.fixture(scope="module")
def run(tmp_path_factory, tiny_model):
    mp = pytest.MonkeyPatch()
    mp.setattr(train_run_progress.Pace, "EVERY_S", 0.0)  # every count, however fast the tiny model is
    try:
        yield _run(tmp_path_factory.mktemp("eta"), tiny_model)
    finally:
        mp.undo()


def _steps(seen):
    return [(i, p) for i, p in enumerate(seen) if p.phase == "training" and p.step]


def test_the_first_time_left_of_the_steps_includes_the_check_after_them(run):
    _result, seen = run
    timed = [p for _i, p in _steps(seen) if p.eta_s is not None]
    first = timed[0]
    assert first.step == train_step_loop.ETA_AFTER_STEPS
    assert first.check_s is not None and first.check_s > 0, first
    line = step_eta_words(first.eta_s, first.check_s)
    assert "(training, then ~" in line and line.endswith("checking whether it helps)"), line
    assert all(p.check_s is not None for p in timed)
    # the status bar's time left is the run's too: steps and check together
    assert status_words(first).endswith(step_eta_words(first.eta_s + first.check_s).removeprefix("about "))


def test_a_timed_steps_report_carries_its_pace_and_the_time_left_follows_it(run):
    """The window re-tells a step's time left from its pace between two reports (core.step_pace, usertest40)."""
    _result, seen = run
    steps = [p for _i, p in _steps(seen)]
    assert all(p.step_s is None for p in steps if p.eta_s is None)
    timed = [p for p in steps if p.eta_s is not None]
    assert timed and all(p.step_s is not None and p.step_s > 0 for p in timed), timed
    assert all(p.eta_s == pytest.approx(p.step_s * (p.total - p.step)) for p in timed)


def test_the_check_after_the_steps_tells_its_time_left_from_its_first_report(run):
    _result, seen = run
    last_step = _steps(seen)[-1][0]
    after = [p for p in seen[last_step + 1:] if p.phase == "evaluating"]
    first = next(p for p in after if p.message == "Measuring the new adapter")
    assert first.eta_s is not None and first.eta_s > 0, first
    counts = [p for p in after if p.message.startswith(AFTER) and p.total]
    assert counts and counts[0].step == 0
    assert all(p.eta_s is not None for p in counts), [(p.message, p.eta_s) for p in counts if p.eta_s is None]
    words = count_eta_words(counts[0])  # under a second on the tiny model where the machine is quiet
    assert words.endswith(" left") or words == "almost done", words


def test_the_model_in_use_is_measured_between_two_steps_and_not_again_after_them(run):
    result, seen = run
    steps = _steps(seen)
    before = [i for i, p in enumerate(seen) if p.message.startswith(BEFORE) or p.message.startswith("Measuring your")]
    assert before, "the model in use was never measured"
    due = train_step_loop.BEFORE_AT_STEP
    at = next(i for i, p in steps if p.step == due)
    after_it = next(i for i, p in steps if p.step == due + 1)
    assert all(at < i < after_it for i in before), (at, after_it, before)
    assert all(getattr(seen[i], "training_follows", False) for i in before)
    assert "then training goes on" in count_eta_words(next(seen[i] for i in before if seen[i].total))
    assert result.metrics["margin_all_before"] is not None and result.metrics["reask_answers_before"]


def test_measured_during_the_steps_the_figures_and_verdict_are_those_measured_after_them(run, tmp_path,
                                                                                      tiny_model, monkeypatch):
    """The gate compares the same items under the same settings: the model in use measured after
    the last step (as before this change) gives the same figures and the same verdict."""
    result, _seen = run
    monkeypatch.setattr(train_step_loop, "BEFORE_AT_STEP", 10 ** 6)  # due only at the last step
    late, seen = _run(tmp_path, tiny_model)
    last_step = _steps(seen)[-1][0]
    assert any(p.message.startswith(BEFORE) for p in seen[last_step:])
    m, n = result.metrics, late.metrics
    for key in ("margin_all_before", "probe_ppl_before", "margin_all_after", "probe_ppl_after"):
        assert n[key] == pytest.approx(m[key], rel=1e-5), key
    assert n["reask_answers_before"] == m["reask_answers_before"]
    assert (late.status, late.reason) == (result.status, result.reason)
