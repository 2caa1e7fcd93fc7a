"""usertest37: a written token outside the stored top gets a row of its own in the chart, and the title
said "TOP 10 ALTERNATIVES" over 11 rows; it names the extra row now."""

import pytest

from desktop_app.core.records import Alternative, TokenRecord

pytest.importorskip("PySide6")

TOP = (Alternative(1, "Paris", 0.7), Alternative(2, "Lyon", 0.2), Alternative(3, "Nice", 0.02))


@pytest.mark.parametrize("written, title, rows", [
    (TokenRecord(1, "Paris", -0.36, 1, 0.9, TOP, "float32"), "TOP 3 ALTERNATIVES", 3),
    (TokenRecord(9, "Lille", -6.9, 69, 0.9, TOP, "float32"), "TOP 3 ALTERNATIVES + THE WRITTEN TOKEN", 4),
])
def test_the_title_counts_the_rows_the_chart_shows(qtbot, written, title, rows):
    from desktop_app.gui.inspector import InspectorPanel

    inspector = InspectorPanel()
    qtbot.addWidget(inspector)
    inspector.show_token(4, 0, written, can_branch=False)
    assert inspector.alt_title.text() == title
    assert inspector.chart._rows() == rows
