"""usertest 11, B3: while a fine-tune checks whether it helps, the status bar's short forms said
"fine-tune 7/12 · 2 min left": neither that it was checking (not training) nor what 7/12 counted.
Every form now says what the run does and what it counts, the narrowest too ("checking 7/12
answers", "re-asking questions, token 7/12", "training step 3/12"). The reports are a real run's
on the tiny model; the label is the real window's status bar at 800, 1000 and 1280 px."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.core import train_run_progress, training  # noqa: E402
from desktop_app.core.paths import AppPaths  # noqa: E402
from desktop_app.core.store import Store  # noqa: E402
from desktop_app.core.train_settings import FineTuneSettings  # noqa: E402
from desktop_app.core.progress_words import status_forms  # noqa: E402
from test_gui import make_window  # noqa: E402,F401
from test_training import FAST  # noqa: E402
from test_training_data import rate_three_answers  # noqa: E402

# "measuring": the model in use, measured between two steps (training paused: usertest 14)
SAYS_WHAT = re.compile(r"^(checking|measuring|reading|re-scoring|re-asking questions|training step)\b")
UNITS = ("answers", "answer pairs", "general text", "token", "step")


@pytest.fixture(scope="module")
def reports(tmp_path_factory, tiny_model):
    mp = pytest.MonkeyPatch()
    mp.setattr(train_run_progress.Pace, "EVERY_S", 0.0)  # every count, however fast the tiny model is
    paths = AppPaths.resolve(tmp_path_factory.mktemp("b3") / "data").ensure()
    store = Store.open(paths.db_path)
    try:
        rate_three_answers(store, tiny_model, first_seed=10)
        seen = []
        result = training.run_finetune(store, tiny_model, paths, FineTuneSettings(**FAST), progress=seen.append)
    finally:
        store.close()
        mp.undo()
    assert result.status in ("kept", "discarded"), result.reason
    return seen


def _counted(reports):
    return [p for p in reports if p.total and (p.step if p.phase == "training" else True)]


def _checking(reports, what: str):
    """A count of the check after the steps (the new adapter measured)."""
    return next(p for p in reports if p.phase == "evaluating" and p.total and what in p.message and p.step
                and not p.training_follows)


def test_every_form_of_a_counted_report_says_what_it_does_and_what_it_counts(reports):
    counted = _counted(reports)
    assert {p.phase for p in counted} >= {"preparing", "training", "evaluating", "rescoring"}
    for p in counted:
        forms = status_forms(p)
        count = f"{p.step}/{p.total}"
        assert len(forms) >= 2 and forms[0].startswith("fine-tuning \u00b7 "), forms
        for line in forms:
            assert count in line and any(unit in line for unit in UNITS), (line, p)
            assert not re.search(r"fine-tun\w* \d", line), f"a bare count: {line!r}"
        narrowest = forms[-1]  # named as the fine-tune's (counts59), then what it does
        assert narrowest.startswith(("fine-tune: ", "training")), narrowest
        narrowest = narrowest.removeprefix("fine-tune: ")
        assert SAYS_WHAT.match(narrowest) and len(narrowest) <= 34, narrowest
        if p.phase == "evaluating":  # the check after the steps; the one between two steps checks nothing yet
            assert ("measuring your current model" if p.training_follows else "checking whether it helps") in forms[0]
            assert narrowest.startswith(("measuring " if p.training_follows else "checking ", "re-asking questions")), \
                narrowest
        if p.phase == "training":
            assert narrowest == f"training step {count}"


def test_the_check_between_two_steps_says_that_training_goes_on(reports):
    # a count whose time left covers the parts to come (the first part's does not on a first run: waiting83)
    before = next(p for p in reports if p.training_follows and p.total and p.eta_s is not None and p.eta_whole)
    forms = status_forms(replace(before, eta_s=40.0))
    assert forms[0].endswith("40 s left for this, then training goes on"), forms
    assert any(line.endswith(" \u00b7 40 s, then training") for line in forms), forms


def test_the_kinds_of_count_read_in_words(reports):
    answers = status_forms(replace(_checking(reports, "answers your examples compare"), step=2, total=3, eta_s=95.0))
    assert answers == ["fine-tuning \u00b7 checking whether it helps 2/3 answers \u00b7 2 min left",
                       "fine-tune: checking 2/3 answers \u00b7 2 min left",
                       "fine-tune: checking 2/3 answers"]
    probe = status_forms(replace(_checking(reports, "general text"), step=7, total=10, eta_s=80.0))
    assert probe[0] == "fine-tuning \u00b7 checking whether it helps 7/10 parts of general text \u00b7 1 min left"
    assert probe[-1] == "fine-tune: checking general text 7/10"
    reask = status_forms(replace(_checking(reports, "re-asking"), step=7, total=12, eta_s=45.0))
    assert reask[0] == "fine-tuning \u00b7 checking whether it helps 7/12 tokens of re-asked answers \u00b7 40 s left"
    assert reask[-1] == "fine-tune: re-asking questions, token 7/12"
    step = next(p for p in reports if p.phase == "training" and p.step == 7)
    assert status_forms(replace(step, eta_s=150.0, check_s=100.0)) == [
        "fine-tuning \u00b7 step 7/12 \u00b7 4 min left", "training step 7/12 \u00b7 4 min left", "training step 7/12"]
    rescoring = next(p for p in reports if p.phase == "rescoring" and p.total)
    count = f"{rescoring.step}/{rescoring.total}"
    assert status_forms(rescoring)[0] == f"fine-tuning \u00b7 re-scoring rated answers {count}"
    assert status_forms(rescoring)[-1] == f"fine-tune: re-scoring {count} answers"


def _painted(window) -> str:
    label = window.finetune_side.label
    return label.fitted(label.text(), label.fontMetrics(), label.contentsRect().width())


@pytest.mark.parametrize("width,height", [(800, 600), (1000, 700), (1280, 800)])
def test_the_window_paints_a_whole_form_that_says_it_is_checking(make_window, reports, width, height):
    window = make_window(max_new_tokens=4)
    window.resize(width, height)
    window.speed_label.setText("0.7 tokens/s")  # as after an answer
    side = window.finetune_side
    side._running(True)
    shown = {}
    for name, p in (("answers", replace(_checking(reports, "answers your examples compare"), eta_s=95.0)),
                    ("reask", replace(_checking(reports, "re-asking"), eta_s=45.0)),
                    ("step", replace(next(p for p in reports if p.phase == "training" and p.step), eta_s=150.0))):
        side._progress(p)
        for _ in range(6):
            QApplication.processEvents()
        painted = _painted(window)
        assert painted in status_forms(p), f"at {width} px the label was cut: {painted!r}"
        assert side.label.toolTip().split("\n")[0] == status_forms(p)[0]  # then, on a CPU, SLOW_WINDOW
        shown[name] = painted
    assert shown["answers"].startswith("fine-tune: checking") or "checking whether it helps" in shown["answers"], shown
    assert "re-ask" in shown["reask"] and "step" in shown["step"], shown
    if width == 1280:
        assert "checking whether it helps" in shown["answers"] and shown["answers"].endswith("2 min left"), shown
