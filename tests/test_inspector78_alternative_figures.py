"""inspector78, finding 1: the alternatives list showed each row's probability only; a researcher expects its
log-probability and rank too. A row's tooltip now says them (no column more in a 260 px panel), and the
written token's row says the figures its record has; the position's entropy stands with the token's figures."""

from __future__ import annotations

import math

import pytest

pytest.importorskip("PySide6")

from desktop_app.core.records import Alternative, TokenRecord  # noqa: E402
from desktop_app.core.token_words import alternative_tip, listed_figures  # noqa: E402


def _record(written_outside: bool = False) -> TokenRecord:
    top = (Alternative(7, " two", 0.5), Alternative(8, " three", 0.25), Alternative(9, "\n", 0.125))
    if written_outside:
        return TokenRecord(4, " four", math.log(0.01), 37, 1.7, top)
    return TokenRecord(8, " three", math.log(0.25), 2, 1.7, top)


def test_each_listed_row_has_its_log_probability_and_its_rank():
    assert listed_figures(_record()) == [(pytest.approx(math.log(0.5)), 1), (pytest.approx(math.log(0.25)), 2),
                                         (pytest.approx(math.log(0.125)), 3)]
    outside = listed_figures(_record(written_outside=True))
    assert outside[-1] == (pytest.approx(math.log(0.01)), 37)  # the written token's own rank, not its row
    tip = alternative_tip(_record(), 2, "12.5%")
    assert tip == ("\u201c\u21b5\u201d: probability 12.5%, log-probability -2.079, rank 3 of the whole vocabulary")
    assert "(the written token)" in alternative_tip(_record(), 1, "25.0%")


def test_a_hovered_row_of_the_inspectors_chart_shows_them(qtbot):
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QApplication, QToolTip

    from desktop_app.gui.inspector import InspectorPanel

    panel = InspectorPanel()
    qtbot.addWidget(panel)
    panel.resize(320, 700)
    panel.show()
    panel.show_token(1, 3, _record(written_outside=True), can_branch=True)
    chart = panel.chart
    assert "log-probability -0.693, rank 1 of" in chart.row_tip(0)
    last = chart.row_tip(3)  # the written token's row under the top three
    assert last.startswith("\u201c\u2423four\u201d (the written token): probability 1.0%, log-probability -4.605, "
                           "rank 37 of"), last
    where = QPoint(40, int(chart.ROW * 1.5))  # the second row
    QApplication.sendEvent(chart, QHelpEvent(QHelpEvent.Type.ToolTip, where, chart.mapToGlobal(where)))
    assert "\u2423three" in QToolTip.text() and "rank 2 of" in QToolTip.text(), QToolTip.text()
    QToolTip.hideText()
    assert panel.stat_values["entropy"].text() == f"{1.7 / math.log(2):.2f} bits"  # the position's, said in bits
