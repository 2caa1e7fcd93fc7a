"""A thin edge around the heatmap colours that barely stand out from what is behind them.

In the light theme the scale's top (the likeliest tokens, a light yellow-green) stands only 1.34:1
from the person's own blue bubble, so a scored prompt's likeliest words read as uncoloured. No
bubble colour fixes it: a bubble light enough for the yellow would be white, one dark enough
would take the text's contrast. So such chips get an edge in a darker shade of their own colour,
which keeps their hue and says "coloured" (session 66; rows92 left it at 1.34:1).
"""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QPainter, QPen

from desktop_app.core.palette import contrast_ratio

# a filled chip among its neighbours is seen at 1.5:1 (dark87's LEAST_CONTRAST); below it, an edge
LEAST_CONTRAST = 1.5
EDGE_DARKER = 150  # QColor.darker's factor: the chip's own hue, dark enough to stand 2:1 or more


@lru_cache(maxsize=512)
def needs_edge(chip: tuple[int, int, int], backdrop: tuple[int, int, int]) -> bool:
    return contrast_ratio(chip, backdrop) < LEAST_CONTRAST


def edge_colour(chip: tuple[int, int, int]) -> QColor:
    return QColor(*chip).darker(EDGE_DARKER)


def faint_chips(colours: dict[int, tuple[int, int, int]], backdrop: tuple[int, int, int]) -> list[int]:
    """The token indices whose colour would not be seen on ``backdrop`` without an edge."""
    return [index for index, rgb in colours.items() if needs_edge(tuple(rgb), backdrop)]


def paint_chip_edges(view, painter: QPainter, exposed: QRectF, backdrop: tuple[int, int, int]) -> None:
    """An edge around each faint chip of ``view`` (a TokenView) that lies in ``exposed``."""
    for index in faint_chips(view.chip_colours, backdrop):
        rgb = tuple(view.chip_colours[index])
        pen = QPen(edge_colour(rgb))
        pen.setWidthF(1.0)
        painter.setPen(pen)
        for rect in view.token_rects(index):
            if rect.intersects(exposed):
                painter.drawRect(rect.adjusted(0.5, 0.5, -0.5, -0.5))
