""""Why this token?"'s time left says what it is, a span: from the end of the first even sweep (after which
the figures are checked and the run may stop) to its last step (user test: a long answer's "step 16 of at
most 129 · at most about 18 min left (it often ends sooner: once the figures add up)" read as 18 minutes,
in dense words). The span comes from the real attribution's reports on the tiny model."""

from __future__ import annotations

import pytest

from desktop_app.core import attribution
from desktop_app.core.attribution import ExplainProgress
from desktop_app.gui.explain_words import HINT, progress_line


def test_before_the_first_check_the_time_to_it_leads_and_after_it_a_most():
    """Since text98 the time to the first check leads, "about 8 min", the most only as its bound (the span
    "8–64 min" read as no estimate at all)."""
    early = ExplainProgress(2, 129, 60.0, sweep=17)  # 30 s a step: 7.5 min to step 17, 63.5 min to 129
    assert early.seconds_to_sweep == pytest.approx(450.0) and early.seconds_left == pytest.approx(3810.0)
    assert progress_line(early) == ("Working out which earlier words mattered: 2 of 17 passes \u00b7 about 8 min to "
                                    "the first check, where it ends if the result holds steady (if not, at most "
                                    "64 min in all)")
    quick = ExplainProgress(2, 129, 2.0, sweep=17)
    assert progress_line(quick).endswith("passes \u00b7 about 15 s to the first check, where it ends if the result "
                                         "holds steady (if not, at most 3 min in all)")
    late = ExplainProgress(40, 129, 400.0, sweep=17)
    assert progress_line(late) == ("Working out which earlier words mattered: 40 of at most 129 passes \u00b7 "
                                   "at most about 15 min left (it ends sooner once the result holds steady)")
    assert progress_line(ExplainProgress(0, 129, 0.0)) == ("Working out which earlier words mattered: the first rough "
                                                         "result comes after two passes\u2026")
    assert "many minutes for a long conversation" in HINT


def test_the_attributions_reports_carry_its_first_sweep(tiny_model):
    reports = []
    ids = tiny_model.tokenizer("The lighthouse keeper counted the waves")["input_ids"]
    attribution.integrated_gradients(tiny_model, ids, ids[-1], ids[0], steps=8, max_steps=32,
                                     progress=reports.append)
    assert reports and all(r.sweep == 9 and r.total == 33 for r in reports)
    first = next(r for r in reports if r.seconds_left is not None)
    assert 0 <= first.seconds_to_sweep <= first.seconds_left
