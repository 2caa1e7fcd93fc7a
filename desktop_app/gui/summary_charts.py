"""The charts of the Text tab's GLTR summary: the rank-bucket bar and the histograms, drawn by hand (a few
bars each: a chart library's start-up would cost more than they do)."""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from desktop_app.core.palette import RANK_BUCKETS, sequential_color, text_color_on
from desktop_app.core.plain_figures import top_guess_words
from desktop_app.gui.figure_words import HISTOGRAM_TIPS, bin_words
from desktop_app.gui.theme import is_dark
from desktop_app.gui.tips import rich_tip


def bucket_color(index: int) -> QColor:
    """The same colour the "rank" measure gives a token of this bucket."""
    return QColor(*sequential_color(1.0 - index / (len(RANK_BUCKETS) - 1), is_dark()))


BAR_LABEL_PADDING = 8  # px a share's words leave free in its part of the bar (4 each side)
DIMMED_OPACITY = 0.35  # a chart of figures that are no longer the text's (set_before): drawn faint


class BucketBar(QWidget):
    """One horizontal bar split by the share of tokens in each rank bucket (GLTR's colours).

    Attributes:
        dimmed: drawn faint: its figures are of the text before a continuation (SummaryPanel.set_before)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.shares: tuple[float, ...] = ()
        self.dimmed = False
        self.setMinimumHeight(22)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_shares(self, shares) -> None:
        self.shares = tuple(shares)
        figures = "  ".join(f"{label}: {share * 100:.1f}%" for (_l, label), share in zip(RANK_BUCKETS, self.shares))
        # the plain words here, not on the figures' line under the bar: there they wrapped the summary a line
        # taller and took a line of the text's room at 1280x780 (usertest70, test_left50_short_text_room)
        guessed = top_guess_words(self.shares[0]) if self.shares else ""
        self.setToolTip(f"{guessed[:1].upper()}{guessed[1:]}.\n{figures}" if guessed else figures)
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(240, 22)

    def segments(self) -> list[tuple[QRectF, str]]:
        """Each bucket's rectangle and the share written in it: one decimal, as the figures' line under the bar
        and its tooltip say it (inspect69: the bar read "8%" over a line's "7.5%"); "" where that does not fit."""
        out, x, width, height = [], 0.0, float(self.width()), float(self.height())
        metrics = self.fontMetrics()
        for share in self.shares:
            rect = QRectF(x, 0, share * width, height)
            words = f"{share * 100:.1f}%"
            out.append((rect, words if metrics.horizontalAdvance(words) + BAR_LABEL_PADDING <= rect.width() else ""))
            x += rect.width()
        return out

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setOpacity(DIMMED_OPACITY if self.dimmed else 1.0)
        painter.fillRect(self.rect(), QColor(128, 128, 128, 40))
        for index, (rect, words) in enumerate(self.segments()):
            colour = bucket_color(index)
            painter.fillRect(rect, colour)
            if words:
                painter.setPen(QColor(*text_color_on(colour.getRgb()[:3])))
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, words)
        painter.end()


def rich(text: str) -> str:
    """Plain words as a tooltip Qt wraps: its plain-text tooltips stay on one line, wider than the screen."""
    return "".join(f"<p>{html.escape(part)}</p>" for part in text.split("\n\n"))


CHART_LEAST_PX = 36  # a histogram's bars' least height, device-independent px: the text lines take the rest


class Histogram(QWidget):
    """Bars of counts over equal bins, with the range written under them (``dimmed``: drawn faint, as the
    BucketBar's). ``kind`` ("probability" or "entropy") names what it counts: its tooltip says so, and over a
    bar, that bar's range and count (figure_words; usertest34: nothing said what a bar counted)."""

    def __init__(self, title: str, low: str, high: str, kind: str, parent=None):
        super().__init__(parent)
        self.title, self.low, self.high, self.kind = title, low, high, kind
        self.counts: tuple[int, ...] = ()
        self.dimmed = False
        self.setMinimumHeight(self.least_height())
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        rich_tip(self, rich(HISTOGRAM_TIPS[kind]))
        self.setAccessibleName(title)  # painted bars: the title drawn over them

    def set_counts(self, counts) -> None:
        self.counts = tuple(counts)
        self.update()

    def bar_at(self, x: float) -> int | None:
        """The bar under ``x`` (the widget's coordinates), or None with no counts."""
        if not self.counts or self.width() <= 0:
            return None
        return min(len(self.counts) - 1, max(0, int(x * len(self.counts) / self.width())))

    def tip_at(self, x: float) -> str:
        """The tooltip at ``x``: what the chart counts, then the bar under the pointer."""
        index = self.bar_at(x)
        if index is None:
            return HISTOGRAM_TIPS[self.kind]
        bar = bin_words(self.kind, index, len(self.counts), self.counts[index])
        return f"{HISTOGRAM_TIPS[self.kind]}\n\n{bar}"

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            QToolTip.showText(event.globalPos(), rich(self.tip_at(event.pos().x())), self)
            return True
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):  # its text lines' height changed
            self.setMinimumHeight(self.least_height())
            self.updateGeometry()
        return super().event(event)

    def least_height(self) -> int:
        """The title's line and the range's line over and under a chart ``CHART_LEAST_PX`` tall: a fixed 64 px
        left the chart 26 px at 9 pt (39 device px at a 1.5 scale, too flat to read) and 8 px at 14 pt."""
        return 2 * self.fontMetrics().height() + 4 + CHART_LEAST_PX

    def chart_rect(self) -> QRectF:
        """Where the bars are drawn: between the title's line and the range's."""
        line = self.fontMetrics().height()
        return QRectF(0, line + 2, self.width(), self.height() - 2 * line - 4)

    def title_width(self) -> int:
        return self.fontMetrics().horizontalAdvance(self.title) + 8

    def sizeHint(self) -> QSize:
        return QSize(160, self.least_height())

    def paintEvent(self, _event) -> None:
        """The title, the chart's ground, its bars (``draw_bars``), the range under it."""
        painter = QPainter(self)
        painter.setOpacity(DIMMED_OPACITY if self.dimmed else 1.0)
        text = self.palette().color(self.foregroundRole())
        painter.setPen(text)
        line = self.fontMetrics().height()
        painter.drawText(QRectF(0, 0, self.width(), line), Qt.AlignmentFlag.AlignLeft, self.title)
        chart = self.chart_rect()
        painter.fillRect(chart, QColor(128, 128, 128, 30))
        self.draw_bars(painter, chart, text)
        painter.setPen(text)
        below = QRectF(0, chart.bottom() + 2, self.width(), line)
        painter.drawText(below, Qt.AlignmentFlag.AlignLeft, self.low)
        painter.drawText(below, Qt.AlignmentFlag.AlignRight, self.high)
        painter.end()

    def draw_bars(self, painter: QPainter, chart: QRectF, _text: QColor) -> None:
        """The counts as bars, each as tall as its count over the tallest's (``_text``: the words' colour)."""
        top = max(self.counts, default=0)
        n = len(self.counts)
        for index, count in enumerate(self.counts):
            if not top or not count:
                continue
            w = chart.width() / n
            h = chart.height() * count / top
            colour = QColor(*sequential_color(index / max(1, n - 1), is_dark()))
            painter.fillRect(QRectF(chart.x() + index * w + 1, chart.bottom() - h, w - 2, h), colour)
