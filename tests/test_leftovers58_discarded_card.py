"""leftovers58: a discarded run's card in a narrow side panel (800x600) was one block of lines: the verdict's
reason, the way on and the figures ran together. It reads verdict, why, what to do (or its question), then
the figures, a paragraph apart. pytest-qt, a real window, store and runs on the tiny model."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint  # noqa: E402

from desktop_app.core.paths import AppPaths  # noqa: E402
from desktop_app.gui.finetune_words import next_step_words  # noqa: E402
from test_gui import WAIT_MS, make_window  # noqa: E402,F401
from test_gui_finetune import rate_some_answers, settle  # noqa: E402,F401
from test_keep36_gui_use_anyway import run_from_the_button  # noqa: E402
from test_keep36_use_anyway import answers_were_clean  # noqa: E402


def _top(panel, widget) -> int:
    return widget.mapTo(panel.widget(), QPoint(0, 0)).y()


def _in_order(panel, *widgets) -> bool:
    tops = [_top(panel, w) for w in widgets]
    return all(w.isVisible() for w in widgets) and tops == sorted(tops) and len(set(tops)) == len(tops)


def test_a_discarded_runs_card_reads_verdict_why_what_to_do_then_figures(make_window, qtbot):
    window = make_window(max_new_tokens=16)
    rate_some_answers(qtbot, window)
    window.show_finetune()
    window.resize(800, 600)
    panel = window.finetune_panel

    harm = run_from_the_button(qtbot, window, max_ppl_rise=-0.99)  # refused for general text: nothing offered
    assert harm.status == "discarded"
    settle(window)
    body, details = panel.result_body.text(), panel.result_details.text()
    assert "Why:" in body and "perplexity rose" in body
    assert "What you can do:" in body and "lower the learning rate" in body, "the way on, under the why"
    assert "Asked again after training" not in body and "Asked again after training" in details
    assert body.index("Why:") < body.index("What you can do:")
    assert _in_order(panel, panel.result_title, panel.result_body, panel.result_details)
    assert body.count("<p ") >= 2, "a paragraph each, not one block"

    answers_were_clean(AppPaths.resolve())
    offered = run_from_the_button(qtbot, window)  # re-asks alone failed: Use it anyway / Leave it
    assert offered.usable_anyway, offered.reason
    settle(window)
    assert "Why:" in panel.result_body.text() and "What you can do" not in panel.result_body.text()
    # its question is what to do: under the why, above the figures
    assert _in_order(panel, panel.result_title, panel.result_body, panel.consent_text, panel.consent_box,
                     panel.result_details)


@pytest.mark.parametrize("reason, says", [
    ("the held-out margin did not move the right way (0.1 -> 0.05)", ["rate a few more answers"]),
    ("general-text perplexity rose 9.0% (30 -> 32.7), more than the 5% allowed",
     ["lower the learning rate or the epochs"]),
    ("the margin over all ratings did not move the right way (0.1 -> 0.05); 3 of 12 re-asked answers "
     "degenerated (loop); before training 0 did", ["rate a few more answers", "; or lower the learning rate under"]),
    (None, []),
])
def test_what_to_do_follows_the_check_that_refused_the_run(reason, says):
    words = next_step_words(reason)
    assert all(s in words for s in says)
    assert words.startswith("<b>What you can do:</b>") == bool(says)
