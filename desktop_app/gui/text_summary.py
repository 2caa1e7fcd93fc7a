"""The GLTR summary of a scored text: the rank-bucket bar, the figures, two histograms."""

from __future__ import annotations

import math

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QWidget

from desktop_app.core.documents import TextSummary
from desktop_app.core.palette import MAX_ENTROPY_NATS, RANK_BUCKETS, sequential_color, text_color_on
from desktop_app.gui.theme import styled_label


def bucket_color(index: int) -> QColor:
    """The same colour the "rank" measure gives a token of this bucket."""
    return QColor(*sequential_color(1.0 - index / (len(RANK_BUCKETS) - 1)))


class BucketBar(QWidget):
    """One horizontal bar split by the share of tokens in each rank bucket (GLTR's colours)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.shares: tuple[float, ...] = ()
        self.setMinimumHeight(22)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_shares(self, shares) -> None:
        self.shares = tuple(shares)
        self.setToolTip("  ".join(f"{label}: {share * 100:.1f}%"
                                  for (_l, label), share in zip(RANK_BUCKETS, self.shares)))
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(240, 22)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        x, width, height = 0.0, float(self.width()), float(self.height())
        painter.fillRect(self.rect(), QColor(128, 128, 128, 40))
        for index, share in enumerate(self.shares):
            w = share * width
            rect = QRectF(x, 0, w, height)
            colour = bucket_color(index)
            painter.fillRect(rect, colour)
            if w > 34:
                painter.setPen(QColor(*text_color_on(colour.getRgb()[:3])))
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, f"{share * 100:.0f}%")
            x += w
        painter.end()


class Histogram(QWidget):
    """Bars of counts over equal bins, with the range written under them."""

    def __init__(self, title: str, low: str, high: str, parent=None):
        super().__init__(parent)
        self.title, self.low, self.high = title, low, high
        self.counts: tuple[int, ...] = ()
        self.setMinimumHeight(64)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_counts(self, counts) -> None:
        self.counts = tuple(counts)
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(160, 64)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        text = self.palette().color(self.foregroundRole())
        painter.setPen(text)
        line = self.fontMetrics().height()
        painter.drawText(QRectF(0, 0, self.width(), line), Qt.AlignmentFlag.AlignLeft, self.title)
        chart = QRectF(0, line + 2, self.width(), self.height() - 2 * line - 4)
        painter.fillRect(chart, QColor(128, 128, 128, 30))
        top = max(self.counts, default=0)
        n = len(self.counts)
        for index, count in enumerate(self.counts):
            if not top or not count:
                continue
            w = chart.width() / n
            h = chart.height() * count / top
            colour = QColor(*sequential_color(index / max(1, n - 1)))
            painter.fillRect(QRectF(chart.x() + index * w + 1, chart.bottom() - h, w - 2, h), colour)
        painter.setPen(text)
        below = QRectF(0, chart.bottom() + 2, self.width(), line)
        painter.drawText(below, Qt.AlignmentFlag.AlignLeft, self.low)
        painter.drawText(below, Qt.AlignmentFlag.AlignRight, self.high)
        painter.end()


class SummaryPanel(QWidget):
    """GLTR's summary of the analysed text.

    Attributes:
        summary: the TextSummary shown, or None.
        figures: the line with token count, mean surprisal and perplexity."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("TextSummary")
        self.summary: TextSummary | None = None
        grid = QGridLayout(self)
        grid.setContentsMargins(16, 8, 16, 8)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(4)
        title = styled_label("TOKEN RANKS", "PanelTitle")
        title.setToolTip("The share of tokens the model ranked in its top 10, top 100, top 1000, or beyond (GLTR)")
        grid.addWidget(title, 0, 0)
        self.bar = BucketBar()
        grid.addWidget(self.bar, 1, 0)
        self.figures = QLabel("Not analysed yet.")
        self.figures.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.figures.setWordWrap(True)
        grid.addWidget(self.figures, 2, 0)
        self.probabilities = Histogram("probability", "0", "1")
        self.entropies = Histogram("entropy (nats)", "0", f"{MAX_ENTROPY_NATS:g}+")
        grid.addWidget(self.probabilities, 0, 1, 3, 1)
        grid.addWidget(self.entropies, 0, 2, 3, 1)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)

    def set_summary(self, summary: TextSummary | None) -> None:
        self.summary = summary
        if summary is None or not summary.tokens:
            self.bar.set_shares(())
            self.probabilities.set_counts(())
            self.entropies.set_counts(())
            self.figures.setText("Not analysed yet." if summary is None else "Too short to analyse: write more.")
            return
        self.bar.set_shares(summary.bucket_shares)
        self.probabilities.set_counts(summary.probability_histogram)
        self.entropies.set_counts(summary.entropy_histogram)
        self.figures.setText(figures_text(summary))


def figures_text(summary: TextSummary) -> str:
    shares = " · ".join(f"{label} {share * 100:.1f}%" for label, share in zip(summary.bucket_labels,
                                                                           summary.bucket_shares))
    perplexity = f"{summary.perplexity:,.1f}" if math.isfinite(summary.perplexity) else "\u221e"
    return (f"{summary.tokens:,} tokens scored · mean surprisal {summary.mean_surprisal_bits:.2f} bits · "
            f"perplexity {perplexity}\n{shares}")
