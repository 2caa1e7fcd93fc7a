"""The heatmap's formats and colours, which need none of a view's state: a measure's colour function, a
token's char format over a colour, an overlay's colours and tips, the bar where a model's continuation
starts, and a measure's legend stops. ``token_view`` re-exports the names its callers import from it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QPainter, QTextCharFormat, QTextFormat

from desktop_app.core.palette import MEASURES, RANK_BUCKETS, color_for, text_color_on
from desktop_app.core.records import TokenRecord

TOKEN_INDEX = QTextFormat.Property.UserProperty + 1
PLAIN = "plain"
Colorizer = Callable[[int, TokenRecord], "tuple[int, int, int] | None"]
FormatHook = Callable[[int, TokenRecord, QTextCharFormat], None]


def dark_now() -> bool:
    from desktop_app.gui.theme import is_dark

    return is_dark()


class MeasureColors:
    """A measure's colours in a light or dark window's scale. ``dark`` is set by the view at each rebuild:
    asking the theme for every token cost 11 µs each, a fifth of a second on a 20,000-token heatmap."""

    def __init__(self, measure: str):
        self.measure = measure
        self.dark = False

    def __call__(self, _index: int, record: TokenRecord) -> tuple[int, int, int]:
        return color_for(record, self.measure, self.dark)


def measure_colorizer(measure: str) -> Colorizer | None:
    if measure == PLAIN:
        return None
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}")
    return MeasureColors(measure)


@dataclass
class Overlay:
    """Per token index: a colour (none: plain) and a tooltip; ``prefix_pieces`` colour the plain
    prefix of a view without records (a prompt shown as text) as (text, colour, tooltip)."""

    colours: dict = field(default_factory=dict)
    tips: dict = field(default_factory=dict)
    prefix_pieces: list = field(default_factory=list)


def coloured_format(rgb) -> QTextCharFormat:
    """A format with ``rgb`` behind the text and a text colour that reads on it (None: plain)."""
    fmt = QTextCharFormat()
    if rgb is not None:
        fmt.setBackground(QColor(*rgb))
        fmt.setForeground(QColor(*text_color_on(rgb)))
    return fmt


def overlay_format(rgb, tip) -> QTextCharFormat:
    fmt = coloured_format(rgb)
    if tip:
        fmt.setToolTip(tip)
    return fmt


MODEL_START_COLOUR = "#f76707"  # an orange apart from the measures' colours, on light and dark heat alike
MODEL_WORDS = "In italics, after an orange bar: the model's continuation (the rest you wrote)."


def model_start_rects(document, positions) -> list:
    """A thin upright bar (QRectF, document coordinates) at each of ``positions``: where the
    person's text ends and a model's continuation begins."""
    from PySide6.QtCore import QRectF

    rects = []
    for pos in positions:
        block = document.findBlock(pos)
        layout = block.layout()
        if layout is None or layout.lineCount() == 0:
            continue
        line = layout.lineForTextPosition(pos - block.position())
        if not line.isValid():
            continue
        x = line.cursorToX(pos - block.position())
        x = x[0] if isinstance(x, tuple) else x
        origin = layout.position()
        rects.append(QRectF(origin.x() + x - 1.5, origin.y() + line.y() - 1, 3, line.height() + 2))
    return rects


def paint_model_starts(painter: QPainter, document, positions, offset=QPointF(0, 0)) -> None:
    for rect in model_start_rects(document, positions):
        painter.fillRect(rect.translated(offset), QColor(MODEL_START_COLOUR))


def legend_stops(measure: str) -> list[tuple[str, tuple[int, int, int]]]:
    """Labelled colour stops for the legend of a measure."""
    from desktop_app.core.palette import KEY_LABELS, sequential_color
    from desktop_app.gui.theme import is_dark

    dark = is_dark()
    if measure == "rank":  # low (beyond 1000) first, like the other measures: the legend reads left to right
        n = len(RANK_BUCKETS) - 1
        return [(label, sequential_color(1.0 - i / n, dark)) for i, (_limit, label) in reversed(list(enumerate(RANK_BUCKETS)))]
    labels = KEY_LABELS[measure]
    return [(labels[0], sequential_color(0.0, dark)), (labels[1], sequential_color(0.5, dark)),
            (labels[2], sequential_color(1.0, dark))]
