"""The Text tab's chart of how sure the model was of its first guesses against how often they were right
(a reliability diagram: core/calibration.py), beside GLTR's two histograms and drawn as they are."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from desktop_app.core.calibration import Calibration, calibration_rows, calibration_words
from desktop_app.core.count_words import counted
from desktop_app.core.palette import sequential_color
from desktop_app.gui.summary_charts import Histogram
from desktop_app.gui.theme import is_dark

TITLE = "first guess right"
TIP = ("How sure the model was of its first guess (its likeliest next token), in five bars from 0% sure (left) to "
       "100% (right), and how often that guess was the text's token: a bar's height is the share right, the "
       "dashed line where that share equals the sureness. Bars under the line: the model was surer than it was "
       "right there (over-confident); over it, under-confident. A faint bar holds fewer than 10 tokens: rough.")


class FirstGuessChart(Histogram):
    """Five bars of the share right per bin of sureness, over the line a model as right as it is sure would
    follow (``result``: the Calibration shown, or None)."""

    def __init__(self, parent=None):
        super().__init__(TITLE, "0% sure", "100%", "probability", parent)
        self.result: Calibration | None = None
        self.setToolTip(TIP)

    def set_calibration(self, result: Calibration | None) -> None:
        self.result = result
        self.set_counts(result.counts if result is not None and result.tokens else ())

    def tip_at(self, x: float) -> str:
        """What the chart shows, the whole text's verdict, then the bar under the pointer in words."""
        index = self.bar_at(x)
        if index is None or self.result is None:
            return TIP
        row = calibration_rows(self.result)[index]
        sure = f"{row['low'] * 100:.0f}\u2013{row['high'] * 100:.0f}% sure"
        if not row["tokens"]:
            return f"{TIP}\n\n{calibration_words(self.result)}\n\n{sure}: no token"
        said = (f"{sure}: {counted(row['tokens'], 'token')}, the first guess right at {row['right']:,} "
                f"({row['share_right'] * 100:.0f}%; {row['mean_sureness'] * 100:.0f}% sure on average)")
        return f"{TIP}\n\n{calibration_words(self.result)}\n\n{said}" + (" \u2013 few: rough" if row["few"] else "")

    def draw_bars(self, painter: QPainter, chart: QRectF, text: QColor) -> None:
        if self.result is not None:
            self._bars(painter, chart)
        self._diagonal(painter, chart, text)

    def _bars(self, painter: QPainter, chart: QRectF) -> None:
        """Each bin's share right as a bar's height on a 0-1 scale (not scaled to the tallest, as the
        histograms are: the line it is read against is fixed); a bin of few tokens faint."""
        rows = calibration_rows(self.result)
        width = chart.width() / len(rows)
        for index, row in enumerate(rows):
            if not row["tokens"]:
                continue
            height = chart.height() * row["share_right"]
            colour = QColor(*sequential_color(index / max(1, len(rows) - 1), is_dark()))
            colour.setAlphaF(0.4 if row["few"] else 1.0)
            painter.fillRect(QRectF(chart.x() + index * width + 1, chart.bottom() - height, width - 2, height), colour)

    @staticmethod
    def _diagonal(painter: QPainter, chart: QRectF, colour: QColor) -> None:
        pen = QPen(colour)
        pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.drawLine(QPointF(chart.left(), chart.bottom()), QPointF(chart.right(), chart.top()))
