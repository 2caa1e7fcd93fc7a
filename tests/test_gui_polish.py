"""What a new user hit (issue 15): each defect and everyday feature, on real widgets
(pytest-qt, offscreen, the tiny random GPT-2)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.core.palette import color_for, rank_bucket  # noqa: E402
from desktop_app.core.records import Alternative, TokenRecord  # noqa: E402
from test_gui import WAIT_MS, answer_cards, ask, make_window, spans  # noqa: E402,F401


def record(rank: int, prob: float = 0.9, text: str = " cat") -> TokenRecord:
    import math

    return TokenRecord(5, text, math.log(prob), rank, 1.0, (Alternative(5, text, prob),))


# ---------------------------------------------------------------- 1. GLTR legend and inspector swatch

def test_rank_legend_puts_each_label_beside_its_colour(qapp):
    from desktop_app.gui.panels import LegendBar

    legend = LegendBar()
    legend.set_measure("rank")
    stops = legend.bar.stops
    # drawn left to right: the leftmost stop sits beside the low label, the rightmost beside the high one
    assert stops[0][1] == color_for(record(5000), "rank"), "beyond 1000 is drawn at the left"
    assert stops[-1][1] == color_for(record(1), "rank"), "top 10 is drawn at the right"
    assert legend.low.text() == stops[0][0] == "beyond 1000"
    assert legend.high.text() == stops[-1][0] == "top 10"
    for label, rgb in stops:  # every labelled bucket has the colour a token of that bucket gets
        rank = {"top 10": 5, "top 100": 50, "top 1000": 500, "beyond 1000": 5000}[label]
        assert rgb == color_for(record(rank), "rank"), label
    assert rank_bucket(25) == 1


def test_inspector_swatch_follows_the_colour_mode(qapp):
    from desktop_app.gui.inspector import InspectorPanel

    panel = InspectorPanel()
    r = record(25, prob=0.9)  # likely (bright by probability) but rank 25 (teal by rank)
    panel.set_measure("rank")
    panel.show_token(1, 0, r, can_branch=False)
    bg = "#%02x%02x%02x" % color_for(r, "rank")
    assert f"background:{bg}" in panel.token_label.styleSheet()
    panel.set_measure("probability")
    bg = "#%02x%02x%02x" % color_for(r, "probability")
    assert f"background:{bg}" in panel.token_label.styleSheet(), "the shown token is recoloured"
