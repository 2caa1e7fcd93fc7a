"""loose69: the Text tab's histograms were a fixed 64 px whatever the font, so their bars had what the title's and
the range's lines left: 26 px at 9 pt (39 device px at QT_SCALE_FACTOR=1.5, too flat to read) and 8 px at 14 pt.
Their bars now keep a least height in device-independent pixels, the text lines added to it. pytest-qt, the real
summary panel, offscreen."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from test_scale108_large_font import large_font  # noqa: E402,F401


def _bars_heights(qtbot) -> list[int]:
    """The height each histogram of a shown summary panel leaves its bars (between its two text lines)."""
    from desktop_app.gui.text_summary import SummaryPanel

    panel = SummaryPanel()
    qtbot.addWidget(panel)
    panel.resize(1000, panel.sizeHint().height())
    panel.show()
    qtbot.waitExposed(panel)
    heights = []
    for histogram in panel.charts:  # the first guesses' chart too (calib69)
        line = histogram.fontMetrics().height()
        heights.append(histogram.height() - 2 * line - 4)  # as paintEvent lays the chart out
    return heights


def test_the_bars_are_readable_at_the_usual_font(qtbot):
    from desktop_app.gui.summary_charts import CHART_LEAST_PX

    assert CHART_LEAST_PX >= 32, "a chart under ~32 px reads as a flat strip"
    assert min(_bars_heights(qtbot)) >= CHART_LEAST_PX, _bars_heights(qtbot)


def test_a_large_font_does_not_flatten_the_bars(large_font, qtbot):
    from desktop_app.gui.summary_charts import CHART_LEAST_PX

    assert min(_bars_heights(qtbot)) >= CHART_LEAST_PX, _bars_heights(qtbot)
