"""The colour key painted under an exported heatmap, so the picture says on its own what its
colours mean: the measure's name and the same stops as the window's legend bar
(``token_view.legend_stops``), or, while an attribution is shown over the tokens, what its
pink and orange mean."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QLinearGradient, QPainter

from desktop_app.core.palette import ATTRIBUTION_PALETTE, MEASURES, VIRIDIS
from desktop_app.gui.token_view import PLAIN, legend_stops

GAP = 10  # between the heatmap and the key
BAR_W, BAR_H, SWATCH = 180, 12, 12


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
    if attribution:
        return Key("Colours: how much each earlier token pushed towards the explained token (orange) "
                   "or towards its alternative (pink)",
                   [("towards the alternative", ATTRIBUTION_PALETTE[0]), ("towards this token", ATTRIBUTION_PALETTE[-1])],
                   gradient=ATTRIBUTION_PALETTE)
    if measure == PLAIN:
        return None
    stops = legend_stops(measure)
    if measure == "rank":
        return Key(f"Colours: {MEASURES[measure]}", stops, discrete=True)
    return Key(f"Colours: {MEASURES[measure]}", [stops[0], stops[-1]], gradient=VIRIDIS)


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
    return GAP + _title_rect(key, metrics, width).height() + 6 + max(BAR_H, metrics.height())


def paint_key(painter: QPainter, key: Key | None, x: int, y: int, width: int, text_colour: QColor) -> None:
    """Draw ``key`` with its top left at (x, y), at most ``width`` wide."""
    if key is None:
        return
    metrics = QFontMetrics(painter.font())
    y += GAP
    painter.setPen(text_colour)
    title = _title_rect(key, metrics, width)
    painter.drawText(title.translated(x, y), int(Qt.TextFlag.TextWordWrap), key.title)
    y += title.height() + 6
    row_h = max(BAR_H, metrics.height())
    if key.discrete:
        _paint_swatches(painter, key.stops, x, y, row_h, metrics, text_colour)
    else:
        _paint_gradient(painter, key, x, y, row_h, metrics, text_colour)


def _title_rect(key: Key, metrics: QFontMetrics, width: int) -> QRect:
    return metrics.boundingRect(QRect(0, 0, width, 10_000), int(Qt.TextFlag.TextWordWrap), key.title)


def _paint_gradient(painter, key: Key, x, y, row_h, metrics, text_colour) -> None:
    (low, _), (high, _) = key.stops[0], key.stops[-1]
    at = x
    painter.setPen(text_colour)
    painter.drawText(QRectF(at, y, metrics.horizontalAdvance(low) + 1, row_h), Qt.AlignmentFlag.AlignVCenter, low)
    at += metrics.horizontalAdvance(low) + 8
    bar = QRectF(at, y + (row_h - BAR_H) / 2, BAR_W, BAR_H)
    gradient = QLinearGradient(bar.left(), 0, bar.right(), 0)
    for i, rgb in enumerate(key.gradient):
        gradient.setColorAt(i / (len(key.gradient) - 1), QColor(*rgb))
    painter.fillRect(bar, gradient)
    painter.setPen(text_colour)
    painter.drawText(QRectF(bar.right() + 8, y, metrics.horizontalAdvance(high) + 1, row_h),
                     Qt.AlignmentFlag.AlignVCenter, high)


def _paint_swatches(painter, stops, x, y, row_h, metrics, text_colour) -> None:
    at = x
    for label, rgb in stops:
        painter.fillRect(QRectF(at, y + (row_h - SWATCH) / 2, SWATCH, SWATCH), QColor(*rgb))
        at += SWATCH + 4
        painter.setPen(text_colour)
        painter.drawText(QRectF(at, y, metrics.horizontalAdvance(label) + 1, row_h), Qt.AlignmentFlag.AlignVCenter,
                         label)
        at += metrics.horizontalAdvance(label) + 14
