"""Usertest 11, #5: "Why this token?" on the real window with the tiny model. Its button shows
without scrolling once a token is picked; the attribution's first figures, far from the
finished ones, are not shown until they add up, then greyed and only where the ranking held;
the finished figures say what they mean in plain words, the technical name in a tooltip."""

from __future__ import annotations

from dataclasses import replace

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication, QScrollArea  # noqa: E402

from desktop_app.core.attribution import ExplainProgress  # noqa: E402
from desktop_app.gui.explain_words import FIND_WORD_TIP  # noqa: E402
from test_gui_explain import _answer, window  # noqa: E402,F401  (the window with one answer)

WAIT_MS = 60_000


def _pick(win, index: int):
    card = _answer(win)
    card.view.select_token(index)
    win.show_token(card, index)
    QApplication.processEvents()
    return card


def _fully_in_view(widget) -> bool:
    """The widget lies inside its scroll area's viewport, as the inspector scrolls now."""
    area = widget.parentWidget()
    while not isinstance(area, QScrollArea):
        area = area.parentWidget()
    top_left = widget.mapTo(area.viewport(), QPoint(0, 0))
    return (widget.isVisible() and top_left.y() >= 0
            and top_left.y() + widget.height() <= area.viewport().height())


@pytest.mark.parametrize("size", [(1280, 800), (800, 600)])
def test_the_explain_button_shows_without_scrolling_once_a_token_is_picked(window, qtbot, size):
    window.resize(*size)
    qtbot.waitUntil(lambda: window.width() <= size[0] + 30 and window.height() <= size[1] + 30, timeout=WAIT_MS)
    _pick(window, 3)
    inspector = window.inspector
    button = inspector.explain.button
    assert inspector.chart.isVisible() and inspector.record.top  # the alternatives are there, under it
    assert _fully_in_view(button), f"the button is under the fold at {size}"
    below_figures = inspector.stats_box.mapTo(inspector, QPoint(0, 0)).y() < button.mapTo(inspector, QPoint(0, 0)).y()
    above_alternatives = button.mapTo(inspector, QPoint(0, 0)).y() < inspector.chart.mapTo(inspector, QPoint(0, 0)).y()
    assert below_figures and above_alternatives
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # it still asks, and the section comes into view
    qtbot.waitUntil(lambda: inspector.explain.result is not None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: _fully_in_view(inspector.explain.contrib_caption), timeout=WAIT_MS)


def _explained(window, qtbot):
    _pick(window, 3)
    view = window.inspector.explain
    qtbot.mouseClick(view.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.result is not None, timeout=WAIT_MS)
    return view


def _scaled(a, factor: float, *, flip: int | None = None):
    """The finished attribution as a rough estimate could have it: every figure times ``factor``
    (a sum that many times the difference), the token ``flip`` with its sign turned."""
    scores = [s * factor for s in a.scores]
    if flip is not None:
        scores[flip] = -scores[flip]
    return replace(a, scores=scores)


def _figures(a, top) -> list[str]:
    return [f"{a.scores[i]:+.2f}" for i in top]


def test_rough_figures_show_only_once_they_add_up_greyed_and_where_the_ranking_held(window, qtbot):
    view = _explained(window, qtbot)
    result = view.result
    finished = result.attribution
    assert finished.complete
    view.show_part(view.ticket, replace(result, attribution=None))  # the run as it was before its figures came
    view.show_part(view.ticket, ExplainProgress(2, 129, 1.0, None))
    far = _scaled(finished, 5.0, flip=finished.top(1)[0])  # 400% off, the first word's sign wrong
    view.show_part(view.ticket, ExplainProgress(17, 129, 9.0, far))
    assert not far.complete and far.gap > 0.3
    assert view.contributors.isHidden(), "figures this far off are another story, not a rough one"
    assert "too rough to show" in view.contrib_caption.text()
    assert not any(f in view.contributors.text() for f in _figures(far, far.top(5)))

    near = _scaled(finished, 1.2)  # 20% off: shown, greyed and rounded, as rough
    view.show_part(view.ticket, ExplainProgress(25, 129, 12.0, near))
    moved = near.top(5)[0]  # its sign differs from the estimate before: not settled
    assert far.scores[moved] * near.scores[moved] < 0
    assert "still refining" in view.contrib_caption.text()
    nearer = _scaled(finished, 1.1)
    view.show_part(view.ticket, ExplainProgress(33, 129, 15.0, nearer))
    shown = view.contributors.text()
    assert not view.contributors.isHidden() and "\u2248" in shown and "background" not in shown  # grey, no chips
    assert f"\u2248{nearer.scores[moved]:+.1f}" in shown  # held its sign between the last two: listed
    assert "still refining" in view.contrib_caption.text()

    view.show_part(view.ticket, ExplainProgress(41, 129, 18.0, near))
    flipped = _scaled(finished, 1.05, flip=finished.top(2)[1])  # the second word changes sign
    view.show_part(view.ticket, ExplainProgress(49, 129, 21.0, flipped))
    top = flipped.top(5)
    assert view.contributors.text().count("<br>") == len(top) - 2  # one row fewer: the word that flipped
    assert f"the {len(top) - 1} of the top {len(top)} words whose place has settled" in view.contrib_caption.text()

    view.show_result(view.ticket, result)  # the finished figures: coloured chips with two decimals
    assert all(f in view.contributors.text() for f in _figures(finished, finished.top(5)))
    assert "background" in view.contributors.text() and "\u2248" not in view.contributors.text()


def test_the_finished_figures_say_what_they_mean_and_keep_the_jargon_in_a_tooltip(window, qtbot):
    view = _explained(window, qtbot)
    caption = view.contrib_caption.text()
    assert "in log-probability" in caption and "doubles the odds" in caption and "pushed the model toward" in caption
    assert "log-prob difference" not in caption and "nats" not in caption and "passes" not in caption
    tip = view.contrib_caption.toolTip()
    assert "Integrated gradients" in tip and f"{view.result.attribution.difference:+.2f} nats" in tip
    assert "within" in tip  # the check that the figures add up, for those who want it
    assert view.contributors.toolTip() == f"{tip} {FIND_WORD_TIP}"  # the ranked words are links


def test_the_sampler_lines_keep_the_rounding_story_in_their_tooltip(window, qtbot):
    view = _explained(window, qtbot)
    result = view.result
    recorded = result.sampler.raw_prob + 0.05  # the answer's stored figure, 5 points off the one worked out now
    # another adapter wrote it (a figure only rounded apart stands by the model's: test_explainwords49)
    moved = replace(result, context=replace(result.context, recorded_prob=recorded, written_with_adapter=1))
    assert moved.recorded_note and not moved.rounded_apart  # there is a story to tell
    view._show_sampler(moved)
    shown = view.sampler.text()
    assert f"When written: {recorded * 100:.2f}%" in shown and "point here for why" in shown
    assert moved.recorded_note not in shown and "Explained with" not in shown
    assert moved.recorded_note in view.sampler.toolTip() and "Explained with" in view.sampler.toolTip()
    assert "temperature" in shown  # what the sampler did stays in sight
