"""While a step back measures an earlier point of a run again, the Fine-tune tab's line said why, but
the status bar's short label still read "checking whether it helps 7/12": it starts over at 0 and
looked like the same check run twice. The status bar says it checks an earlier point of the run."""

from __future__ import annotations

from desktop_app.core.training import TrainProgress
from desktop_app.core.progress_words import EARLIER_POINT, status_forms
from test_feel45_step_back_words import run


def _again(step: int = 0, total: int = 0) -> TrainProgress:
    return TrainProgress("evaluating", step=step, total=total, eta_s=70.0, checking_earlier=True,
                         message="checking an earlier point of the run (step 8 of 12), since the last one made "
                                 "general text read less fluently: measuring 3/4 answers")


def test_every_form_of_the_label_says_it_checks_an_earlier_point():
    forms = status_forms(_again(3, 4))
    assert forms[0] == f"fine-tuning \u00b7 {EARLIER_POINT}: 3/4 answers \u00b7 1 min left", forms
    assert all("earlier point" in form for form in forms), forms
    assert not any("whether it helps" in form for form in forms)
    assert status_forms(_again()) == [f"fine-tuning \u00b7 {EARLIER_POINT}"]


def test_a_real_step_back_reports_its_measuring_again_as_an_earlier_point(tmp_path, tiny_model):
    loose = run(tmp_path, tiny_model, "loose", [], max_ppl_rise=10.0)
    rise = loose.metrics["probe_ppl_after"] / loose.metrics["probe_ppl_before"] - 1
    reports: list = []
    run(tmp_path, tiny_model, "tight", reports, max_ppl_rise=rise / 3)  # refused for the probe: steps back
    again = [p for p in reports if "checking an earlier point" in p.message.lower()]
    assert again and all(p.checking_earlier for p in again), [p.message for p in reports][-8:]
    counted = [p for p in again if p.total]
    assert counted and status_forms(counted[0])[0].startswith(f"fine-tuning \u00b7 {EARLIER_POINT}: ")
    assert not any(p.checking_earlier for p in reports if p not in again)
