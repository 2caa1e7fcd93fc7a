"""The colour key painted under an exported heatmap, so the picture says on its own what its
colours mean: the measure's name and the same stops as the window's legend bar
(``token_view.legend_stops``), or, while an attribution is shown over the tokens, what its
pink and orange mean."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QLinearGradient, QPainter

from desktop_app.core.palette import MEASURES, attribution_palette, sequential_palette
from desktop_app.gui.theme import is_dark
from desktop_app.gui.token_view import PLAIN, legend_stops

GAP = 10  # between the heatmap and the key
BAR_W, BAR_H, SWATCH = 180, 12, 12
MIN_BAR_W = 60  # the gradient narrows to this to keep its end words on its row, then they go on the next
ROW_GAP = 4  # between the key's rows


@dataclass
class Key:
    """What the key says: a title line, then either a gradient (``gradient``: its colour stops,
    ``stops``: the end labels) or one swatch per stop (``discrete``)."""

    title: str
    stops: list  # (label, rgb)
    gradient: list | None = None
    discrete: bool = False


def key_for(measure: str, attribution: bool = False) -> Key | None:
    """The key of a heatmap coloured by ``measure`` (None: plain text, nothing to explain)."""
    if attribution:  # the palette the tokens were painted with: a dark window's, in a dark window's PNG
        palette = attribution_palette(is_dark())
        return Key("Colours: how much each earlier token pushed towards the explained token (orange) "
                   "or towards its alternative (pink)",
                   [("towards the alternative", palette[0]), ("towards this token", palette[-1])], gradient=palette)
    if measure == PLAIN:
        return None
    stops = legend_stops(measure)
    if measure == "rank":
        return Key(f"Colours: {MEASURES[measure]}", stops, discrete=True)
    return Key(f"Colours: {MEASURES[measure]}", [stops[0], stops[-1]], gradient=sequential_palette(is_dark()))


def key_from(title: str, legend_key: dict) -> Key:
    """The key of a heatmap coloured by a colourer of its own (the window's legend's ``key`` dict:
    its ``low`` and ``high`` words and its ``gradient``), titled ``title``."""
    palette = legend_key["gradient"]
    return Key(title, [(legend_key["low"], palette[0]), (legend_key["high"], palette[-1])], gradient=palette)


def key_height(key: Key | None, font, width: int) -> int:
    """Pixels the key needs below the heatmap at ``width`` (0 without a key)."""
    if key is None:
        return 0
    metrics = QFontMetrics(font)
    rows = 1 + max(row for _x, row, _w, _draw in _placed(key, metrics, width))
    return GAP + _title_rect(key, metrics, width).height() + 6 + rows * _row_height(metrics) + (rows - 1) * ROW_GAP


def paint_key(painter: QPainter, key: Key | None, x: int, y: int, width: int, text_colour: QColor) -> None:
    """Draw ``key`` with its top left at (x, y), at most ``width`` wide: its pieces (the end words and
    the gradient, or the swatches) go on as many rows as that width needs (a 452 px export of Fine-tune's
    change had cut its "2.7× more likely, or more" at the picture's edge)."""
    if key is None:
        return
    metrics = QFontMetrics(painter.font())
    y += GAP
    painter.setPen(text_colour)
    title = _title_rect(key, metrics, width)
    painter.drawText(title.translated(x, y), int(Qt.TextFlag.TextWordWrap), key.title)
    y += title.height() + 6
    row_h = _row_height(metrics)
    for at, row, w, draw in _placed(key, metrics, width):
        painter.setPen(text_colour)
        draw(painter, QRectF(x + at, y + row * (row_h + ROW_GAP), w, row_h))


def _title_rect(key: Key, metrics: QFontMetrics, width: int) -> QRect:
    return metrics.boundingRect(QRect(0, 0, width, 10_000), int(Qt.TextFlag.TextWordWrap), key.title)


def _row_height(metrics: QFontMetrics) -> int:
    return max(BAR_H, metrics.height())


def _placed(key: Key, metrics: QFontMetrics, width: int) -> list:
    """The key's pieces laid out from left to right, a piece that would pass ``width`` starting a row:
    (x, row, width, draw(painter, rect)) each."""
    pieces, spacing = (_swatches(key, metrics), 14) if key.discrete else (_gradient(key, metrics, width), 8)
    out, at, row = [], 0, 0
    for w, draw in pieces:
        if at and at + w > width:
            at, row = 0, row + 1
        out.append((at, row, w, draw))
        at += w + spacing
    return out


def _words(text: str):
    def draw(painter, rect) -> None:
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignVCenter), text)
    return draw


def _gradient(key: Key, metrics: QFontMetrics, width: int) -> list:
    """The low end's words, the gradient, the high end's: the gradient narrower (to MIN_BAR_W) where
    that keeps the three on one row."""
    (low, _), (high, _) = key.stops[0], key.stops[-1]
    low_w, high_w = metrics.horizontalAdvance(low) + 1, metrics.horizontalAdvance(high) + 1
    bar_w = max(MIN_BAR_W, min(BAR_W, width - low_w - high_w - 16))

    def bar(painter, rect) -> None:
        rect = QRectF(rect.x(), rect.y() + (rect.height() - BAR_H) / 2, rect.width(), BAR_H)
        # from the first pixel's centre to the last's: the ends show the end colours themselves, however narrow
        gradient = QLinearGradient(rect.left() + 0.5, 0, rect.right() - 0.5, 0)
        for i, rgb in enumerate(key.gradient):
            gradient.setColorAt(i / (len(key.gradient) - 1), QColor(*rgb))
        painter.fillRect(rect, gradient)
    return [(low_w, _words(low)), (bar_w, bar), (high_w, _words(high))]


def _swatches(key: Key, metrics: QFontMetrics) -> list:
    """A swatch and its words per stop."""
    def swatch(label: str, rgb):
        def draw(painter, rect) -> None:
            painter.fillRect(QRectF(rect.x(), rect.y() + (rect.height() - SWATCH) / 2, SWATCH, SWATCH), QColor(*rgb))
            _words(label)(painter, rect.adjusted(SWATCH + 4, 0, 0, 0))
        return draw
    return [(SWATCH + 4 + metrics.horizontalAdvance(label) + 1, swatch(label, rgb)) for label, rgb in key.stops]
