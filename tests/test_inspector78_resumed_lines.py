"""inspector78, finding 3: a "Why this token?" taken up again (back on its token, or after an answer) showed
"after 17 passes they are still far off" above "the first rough result comes after two passes…": the line
beside the bar said what a fresh run says. Both now count the passes already made."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("PySide6")

from desktop_app.core import attribution  # noqa: E402
from desktop_app.core.attribution import ExplainProgress  # noqa: E402
from desktop_app.gui import explain_words as words  # noqa: E402
from desktop_app.gui.tasks import TurnAhead  # noqa: E402


def _far_off(steps: int):
    """Rough figures after ``steps + 1`` passes whose sum misses by 300%: too rough to list."""
    return attribution.Attribution(token_ids=[1, 2], token_texts=["a", "b"], scores=[3.0, 1.0], target_id=3,
                                   other_id=4, target_text="3", other_text="4", difference=1.0,
                                   baseline_difference=0.0, steps=steps)


def _passes_said(line: str) -> list[int]:
    return [int(n) for n in re.findall(r"(\d+) passes", line)]


def test_a_resumed_run_counts_the_passes_its_rough_figures_came_from(qtbot):
    from desktop_app.gui.explain_view import ExplainView

    view = ExplainView()
    qtbot.addWidget(view)
    view.ranking.working(in_text=False)
    view.ranking.show_estimate(_far_off(16))
    view.show_part(view.ticket, TurnAhead(before=()))  # the resumed run started on the model lane
    caption, beside_bar = view.ranking.caption.text(), view.progress_text.text()
    assert "far off" in caption and _passes_said(caption) == [17], caption
    assert "two passes" not in beside_bar, beside_bar
    assert _passes_said(beside_bar) == [17], beside_bar


def test_a_resumed_runs_first_report_goes_on_from_its_kept_passes_and_a_fresh_one_reads_as_before():
    resumed = ExplainProgress(17, 129, 0.0, kept=17)  # nothing measured since the resume: no pace yet
    assert resumed.seconds_left is None
    assert "two passes" not in words.progress_line(resumed)
    assert "going on from the 17 passes made before" in words.progress_line(resumed)
    assert words.progress_line(ExplainProgress(0, 129, 0.0)).endswith("the first rough result comes after two passes\u2026")
