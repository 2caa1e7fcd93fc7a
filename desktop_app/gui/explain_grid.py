"""Why this token?'s layer grid: the logit lens as a small coloured grid (layers down, the chosen
token and its likeliest rivals across), with the words above it that say how to read it."""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QLinearGradient, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from desktop_app.core.lens_words import cell_figure, leader_words
from desktop_app.core.log_scale import log_position, log_scale
from desktop_app.core.palette import sequential_color, text_color_on
from desktop_app.core.percent_words import percent
from desktop_app.core.token_words import token_label
from desktop_app.gui.theme import colors, is_dark

LENS_NAME = "Layer by layer"  # the caption's first words and the grid's name for a screen reader


def lens_words(lens) -> str:
    """Above the grid: where the chosen token first leads, and how the colours read (a log scale
    from ``log_scale``'s lowest to the grid's highest)."""
    where = leader_words(lens)
    low, high = log_scale(lens.probs)
    low = low_words(low)
    # "emb" named: the grid's first row had no word for it but on a hover (usertest34)
    return (f"{LENS_NAME} (each layer read through the output layer; \u201cemb\u201d, the first row: the "
            f"words' embeddings, before any layer): the chosen token (bold) is {where}. "
            f"Brighter: likelier at that layer, on a log scale from {low} or less to {percent(high)}, "
            f"the grid's highest (the key below): ten times likelier is the same step brighter, however "
            f"unlikely the token; the chosen token's cells under 0.01% give its rank (#); hover a cell for its "
            f"rank and log-probability.")


def low_words(low: float) -> str:
    """The log scale's lowest as a percentage: its floor (1e-6) is said "0.0001%", not the
    "<0.0001%" its float rounding gets from ``percent``, which read "≤<0.0001%" in the key."""
    return percent(low).lstrip("<")


class LensGrid(QWidget):
    """Layers down, tokens across; each cell coloured by the token's probability at that layer
    (the heatmap's palette); the first layer where the chosen token is the top-1 is outlined.

    The colours run on a log scale up to the grid's highest probability, not straight from 0
    to 100%: a 0-100% scale painted every cell of a small model the same dark purple (usertest 9),
    and a straight one to the highest still left every layer where the token was unlikely dark,
    whether it was rank 30 or rank 30,000 (usertest 54). A key under the grid says the scale."""

    LABEL_W = 34
    HEADER_H = 18
    KEY_H = 20
    KEY_BAR_W = 90
    KEY_BAR_MIN_W = 30  # the narrowest bar still shows its gradient's two ends
    FEW_ROWS = 16  # a model of up to so many layers gets FEW_ROW_H rows
    FEW_ROW_H = 15
    MANY_ROW_H = 11  # a deep model's rows where its cells are too narrow for their figures
    WRITTEN_CELL_W = 30  # px a cell needs for its "37%"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.lens = None
        self.scale = (0.0, 1.0)
        self.setMouseTracking(True)
        self.setAccessibleName(LENS_NAME)  # painted cells: the caption above says them in words
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_lens(self, lens) -> None:
        self.lens = lens
        self.scale = log_scale(lens.probs) if lens else (0.0, 1.0)  # (lowest, highest) of the colours
        self._fit_height()
        self.update()

    def _fit_height(self) -> None:
        """The grid's height for its rows, which depends on its width (``row_h``)."""
        lens = self.lens
        height = self.HEADER_H + self.row_h() * len(lens.layer_names) + 2 + self.KEY_H if lens else 0
        if height != self.height() or self.minimumHeight() != height:
            self.setFixedHeight(height)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_height()  # a deep model's rows grow to hold their figures once the cells are wide enough

    def cell_rgb(self, prob: float) -> tuple[int, int, int]:
        return sequential_color(log_position(prob, *self.scale), is_dark())

    def key_text(self, short: bool = False) -> str:
        """The key's figures; ``short``: without "log scale: ", which the caption says too."""
        low, high = self.scale
        # the caption says the right end is the grid's highest: a longer key was cut short at 1280 px
        figures = f"\u2264{low_words(low)} \u2192 {percent(high)}"
        return figures if short else f"log scale: {figures}"

    def key_layout(self, metrics) -> tuple[int, str]:
        """The key's bar width and words that fit the grid's width: the whole key; else its figures alone beside a
        bar as narrow as they need (KEY_BAR_MIN_W at least); else those figures elided. At 1024 px the key read
        "log scale: \u22640\u2026" (usertest69): neither end of the scale was left for a report."""
        room = self.width() - self.LABEL_W - 7
        if metrics.horizontalAdvance(self.key_text()) + self.KEY_BAR_W <= room:
            return self.KEY_BAR_W, self.key_text()
        short = self.key_text(short=True)
        bar = max(self.KEY_BAR_MIN_W, min(self.KEY_BAR_W, room - metrics.horizontalAdvance(short)))
        return bar, metrics.elidedText(short, Qt.TextElideMode.ElideRight, room - bar)

    def row_h(self) -> int:
        """A row's height: a deep model's (SmolLM2's 30 layers) rows are tall enough for their figures where the
        cells are wide enough to hold them (``cells_written``), else 11 px: its numbers had shown on hover only
        (session 62)."""
        if self.lens is None or len(self.lens.layer_names) <= self.FEW_ROWS:
            return self.FEW_ROW_H
        return max(self.MANY_ROW_H, QFontMetrics(self.small_font()).height() + 1) if self.cells_written() \
            else self.MANY_ROW_H

    def small_font(self) -> QFont:
        """The grid's words and figures: a little smaller than the window's, never under 6.5 pt."""
        small = QFont(self.font())
        small.setPointSizeF(max(6.5, self.font().pointSizeF() * 0.8))
        return small

    def cells_written(self) -> bool:
        """Whether the cells are wide enough to carry their probability as text."""
        return self.lens is not None and self._cell_w() >= self.WRITTEN_CELL_W

    def cell_words(self, row: int, column: int) -> str:
        """What a cell says: its token's probability at that layer ("37%"); under 1% the chosen token's alone
        ("0.4%", "0.03%", under 0.01% its rank "#850": core.lens_words.cell_figure; the row says where the token
        stands at every layer), the others' colours and tooltips say theirs; nothing where the cells are too
        narrow or the rows too short to hold it."""
        prob = self.lens.probs[row][column]
        short = self.row_h() < min(13, QFontMetrics(self.small_font()).height())
        if not self.cells_written() or short or (prob < 0.01 and column > 0):
            return ""
        words = cell_figure(prob, self.lens.ranks[row][column])
        fits = QFontMetrics(self.small_font()).horizontalAdvance(words) <= self._cell_w() - 4
        return words if fits else ""

    def sizeHint(self) -> QSize:
        return QSize(240, self.height())

    def cell_at(self, x: float, y: float) -> tuple[int, int]:
        if self.lens is None or x < self.LABEL_W or y < self.HEADER_H:
            return -1, -1
        column = int((x - self.LABEL_W) // self._cell_w())
        row = int((y - self.HEADER_H) // self.row_h())
        ok = 0 <= row < len(self.lens.layer_names) and 0 <= column < len(self.lens.token_ids)
        return (row, column) if ok else (-1, -1)

    def header_column_at(self, x: float, y: float) -> int:
        """The column whose header (its token, cut to the column's width) is at (x, y), else -1."""
        if self.lens is None or x < self.LABEL_W or not 0 <= y < self.HEADER_H:
            return -1
        column = int((x - self.LABEL_W) // self._cell_w())
        return column if column < len(self.lens.token_ids) else -1

    def column_tip(self, column: int) -> str:
        """A column's token whole, with its figures at the last layer: at 1024x600 the headers read "␣welco…"
        with nothing to say the rest (inspector78)."""
        lens, last = self.lens, len(self.lens.layer_names) - 1
        chosen = " (the chosen token)" if column == 0 else ""
        return (f"\u201c{token_label(lens.token_texts[column])}\u201d{chosen}: {percent(lens.probs[last][column])} "
                f"at the last layer, rank {lens.ranks[last][column]:,}")

    def cells_rect(self) -> QRectF:
        """The block of cells, grid lines included."""
        rows, columns = len(self.lens.layer_names), len(self.lens.token_ids)
        return QRectF(self.LABEL_W, self.HEADER_H, columns * self._cell_w(), rows * self.row_h())

    def _cell_w(self) -> float:
        return max(12.0, (self.width() - self.LABEL_W) / max(1, len(self.lens.token_ids)))

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.ToolTip and self.lens is not None:
            row, column = self.cell_at(event.pos().x(), event.pos().y())
            header = self.header_column_at(event.pos().x(), event.pos().y())
            if header >= 0:
                QToolTip.showText(event.globalPos(), self.column_tip(header), self)
            elif row >= 0:
                lens = self.lens
                QToolTip.showText(event.globalPos(), f"{lens.layer_names[row]}: \u201c"
                                  f"{token_label(lens.token_texts[column])}\u201d {percent(lens.probs[row][column])} "
                                  f"(log-prob {math.log(max(lens.probs[row][column], 1e-45)):.2f}), "
                                  f"rank {lens.ranks[row][column]:,}", self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

    def paintEvent(self, _event) -> None:
        if self.lens is None:
            return
        c = colors(is_dark())
        painter = QPainter(self)
        small = self.small_font()
        painter.setFont(small)
        metrics = QFontMetrics(small)
        self._paint_header(painter, metrics, c)
        painter.fillRect(self.cells_rect(), QColor(c["grid_line"]))  # shows in the gaps between the cells
        for row in range(len(self.lens.layer_names)):
            self._paint_row(painter, metrics, row, c)
        self._paint_key(painter, metrics, c)
        painter.end()

    def _paint_key(self, painter, metrics, c) -> None:
        """Under the grid: the palette from its log scale's lowest to the grid's highest, and its figures."""
        y = self.height() - self.KEY_H + 6
        bar_w, words = self.key_layout(metrics)
        bar = QRectF(self.LABEL_W + 1, y, bar_w, self.KEY_H - 10)
        gradient = QLinearGradient(bar.left(), 0, bar.right(), 0)
        for i in range(9):
            gradient.setColorAt(i / 8, QColor(*sequential_color(i / 8, is_dark())))
        painter.fillRect(bar, gradient)
        painter.setPen(QColor(c["muted"]))
        painter.drawText(QRectF(bar.right() + 6, y - 3, self.width() - bar.right() - 6, self.KEY_H - 4),
                         Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                         words)

    def _paint_header(self, painter, metrics, c) -> None:
        w = self._cell_w()
        for column, text in enumerate(self.lens.token_texts):
            font = QFont(painter.font())
            font.setBold(column == 0)  # the chosen token
            painter.setFont(font)
            label = QFontMetrics(font).elidedText(token_label(text), Qt.TextElideMode.ElideRight, int(w) - 2)
            painter.setPen(QColor(c["text"] if column == 0 else c["muted"]))
            painter.drawText(QRectF(self.LABEL_W + column * w, 0, w, self.HEADER_H),
                             Qt.AlignmentFlag.AlignCenter, label)
        painter.setFont(QFont(painter.font()))

    def _paint_row(self, painter, metrics, row: int, c) -> None:
        lens, w, h = self.lens, self._cell_w(), self.row_h()
        y = self.HEADER_H + row * h
        first = row == lens.first_top1
        name = "emb" if row == 0 else lens.layer_names[row].replace("layer ", "")
        painter.setPen(QColor(c["accent"] if first else c["muted"]))
        painter.drawText(QRectF(0, y, self.LABEL_W - 4, h), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                         ("\u25b6 " if first else "") + name)
        for column, prob in enumerate(lens.probs[row]):
            rect = QRectF(self.LABEL_W + column * w + 1, y + 0.5, w - 2, h - 1)
            rgb = self.cell_rgb(prob)
            painter.fillRect(rect, QColor(*rgb))
            words = self.cell_words(row, column)
            if words:
                painter.setPen(QColor(*text_color_on(rgb)))
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, words)
        if first:
            pen = QPen(QColor(c["accent"]), 2)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(self.LABEL_W + 1, y + 0.5, w - 2, h - 1))
