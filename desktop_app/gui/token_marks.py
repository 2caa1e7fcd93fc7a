"""The marks a TokenView paints over its text: a box and a bar for each rated token (dashed: bad)
and a ring around the selected one.

A mark's rectangles come from the text's layout, a ``cursorRect`` per character of its token; worked
out at every paint, an answer with 200 rated tokens painted 8.6 times as slowly as one with none
(bench/token_view_paint.py). They are worked out once per layout here, and many rated tokens' marks
are drawn once into a layer that each paint copies, until the view calls ``forget`` (its text, width,
font or style changed) or ``marks_changed``.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen, QPixmap, QTextCursor

SELECTION_RING = (3.0, 2.0)  # (px above and below the token, line width) of the selected token's ring
RATING_BOX = (1.0, 2.0)  # the same for a rated token's box, inside the ring
# the selected token's ring when it is rated too: its line clear of the box's halo (1 px + 2.5 px above)
RATED_RING = (5.0, 2.0)
FLASH_RING = (4.0, 3.0)  # the same for a word the ranking points at, for a moment (TokenView.flash)
RATING_BAR = 4.0  # px: the bar under a rated token
LAYER_FROM = 16  # marks: fewer are drawn at each paint (a layer per lightly rated answer costs memory for little)
LAYER_MAX_PIXELS = 4_000_000  # a bigger view (a long text's heatmap) draws its marks where a paint needs them


class MarkPainter:
    """The marks of one TokenView (``view``: its document, ``starts``/``ends``, ``marks``, ``selected``).

    Attributes:
        rects: token index -> its rectangles in document coordinates, one per visual line it covers,
            for the layout in place.
        layer: the rated tokens' marks drawn over a transparent pixmap the viewport's size, or None;
        layer_key: what the layer was drawn for (size, pixel ratio, scroll offset, the card's colour)."""

    def __init__(self, view):
        self.view = view
        self.rects: dict[int, list[QRectF]] = {}
        self.layer: QPixmap | None = None
        self.layer_key: tuple | None = None

    def forget(self, *_args) -> None:
        """The layout changed (text, width, font): rectangles and layer are worked out again."""
        self.rects.clear()
        self.layer = None

    def marks_changed(self) -> None:
        self.layer = None  # the rectangles hold: same layout

    def token_rects(self, index: int) -> list[QRectF]:
        """Token ``index``'s rectangles in document coordinates (copies: a caller may move them)."""
        cached = self.rects.get(index)
        if cached is None:
            cached = self.rects[index] = self._measure(index)
        return [QRectF(r) for r in cached]

    def _measure(self, index: int) -> list[QRectF]:
        scrolled = _scroll(self.view)
        return [r.translated(scrolled) for r in caret_rects(self.view, index)]  # viewport -> document

    # ------------------------------------------------------------ painting
    def paint(self, painter: QPainter, exposed: QRect, accent: QColor, card: QColor) -> None:
        """The selected token's ring, then the rated tokens' marks over it (a bar stays whole over
        the ring), within ``exposed`` (viewport coordinates). A rated token's box covers the ring's
        sides (both stand on the token's edges), so a selected rated token's ring stands further
        above and below, clear of the box's halo (``RATED_RING``)."""
        view = self.view
        offset = -_scroll(view)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if 0 <= view.selected < len(view.starts):
            shape = RATED_RING if view.selected in view.marks else SELECTION_RING
            self._outline(painter, self._placed(view.selected, offset), accent, card, shape)
        marked = [(i, m) for i, m in view.marks.items() if 0 <= i < len(view.starts)]
        if not marked:
            return
        if self._layer_fits(len(marked)):
            painter.save()
            painter.setClipRect(exposed)
            painter.drawPixmap(QPointF(0, 0), self._layer_for(marked, offset, card))
            painter.restore()
            return
        self._paint_marks(painter, marked, offset, card, QRectF(exposed))

    def _layer_fits(self, count: int) -> bool:
        size = self.view.viewport().size()
        ratio = self.view.viewport().devicePixelRatioF()
        return count >= LAYER_FROM and 0 < size.width() * size.height() * ratio * ratio <= LAYER_MAX_PIXELS

    def _layer_for(self, marked, offset: QPointF, card: QColor) -> QPixmap:
        viewport = self.view.viewport()
        ratio = viewport.devicePixelRatioF()
        key = (viewport.size(), ratio, (offset.x(), offset.y()), card.rgba())
        if self.layer is None or self.layer_key != key:
            layer = QPixmap(viewport.size() * ratio)
            layer.setDevicePixelRatio(ratio)
            layer.fill(Qt.GlobalColor.transparent)
            painter = QPainter(layer)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            self._paint_marks(painter, marked, offset, card, None)
            painter.end()
            self.layer, self.layer_key = layer, key
        return self.layer

    def _paint_marks(self, painter: QPainter, marked, offset: QPointF, card: QColor, within: QRectF | None) -> None:
        reach = SELECTION_RING[0] + RATING_BAR + 4  # how far a mark's strokes reach outside its token
        for index, (colour, dashed) in marked:
            rects = self._placed(index, offset)
            if within is not None:
                rects = [r for r in rects if r.adjusted(-reach, -reach, reach, reach).intersects(within)]
            if rects:
                self._rating_mark(painter, rects, QColor(colour), dashed, card)

    def _placed(self, index: int, offset: QPointF) -> list[QRectF]:
        return [r.translated(offset) for r in self.token_rects(index)]

    def _rating_mark(self, painter: QPainter, rects, colour: QColor, dashed: bool, halo: QColor) -> None:
        self._outline(painter, rects, colour, halo, RATING_BOX, dashed)
        bar, edge = QPen(colour, RATING_BAR), QPen(halo, RATING_BAR + 3)
        for pen in (edge, bar):
            pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        if dashed:
            bar.setDashPattern([2, 1.3])
        for rect in rects:
            y = rect.bottom() + RATING_BOX[0] + RATING_BAR / 2
            for pen in (edge, bar):
                painter.setPen(pen)
                painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))

    def paint_flash(self, painter: QPainter, rects, colour: QColor, card: QColor) -> None:
        """The brief ring around a word the attribution's ranking pointed at (TokenView.flash)."""
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._outline(painter, rects, colour, card, FLASH_RING)

    @staticmethod
    def _outline(painter: QPainter, rects, colour: QColor, halo: QColor, shape, dashed=False) -> None:
        """A rounded box ``shape`` = (px above and below the token, line width) around each line's
        piece of a token, on a halo of the card's colour that parts it from the lines' colours.

        Its sides stand on the token's own edges and its halo stays off the token's row: tokens
        touch, so a box 3 px wider than the token with a 5 px halo painted over the neighbours'
        last and first letters ("William" read "Willian", the "." after the token went;
        usertest 20)."""
        outside, width = shape
        line, edge = QPen(colour, width), QPen(halo, width + 3)
        if dashed:
            line.setDashPattern([3, 2])
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for rect in rects:
            box = rect.adjusted(0, -outside, 0, outside)
            painter.save()
            painter.setClipPath(_off_the_row(rect, outside + width + 3), _clip_operation(painter))
            painter.setPen(edge)
            painter.drawRoundedRect(box, 3, 3)
            painter.restore()
            painter.setPen(line)
            painter.drawRoundedRect(box, 3, 3)


def _off_the_row(rect: QRectF, reach: float) -> QPainterPath:
    """Everything within ``reach`` of ``rect`` except the row it stands on (its top to its bottom,
    across the whole line): where a mark's halo may paint without covering any token's letters."""
    around = rect.adjusted(-reach, -reach, reach, reach)
    path = QPainterPath()
    path.setFillRule(Qt.FillRule.OddEvenFill)
    path.addRect(around)
    path.addRect(QRectF(around.left(), rect.top(), around.width(), rect.height()))
    return path


def _clip_operation(painter: QPainter) -> Qt.ClipOperation:
    """Within a clip already set (a paint's exposed part), else in place of none."""
    return Qt.ClipOperation.IntersectClip if painter.hasClipping() else Qt.ClipOperation.ReplaceClip


def _scroll(view) -> QPointF:
    return QPointF(view.horizontalScrollBar().value(), view.verticalScrollBar().value())


def caret_rects(view, index: int) -> list[QRectF]:
    """Token ``index``'s rectangles in ``view``'s viewport, one per line it spans, worked out
    from the layout in place: a caret per character (what the cache saves doing on every paint)."""
    return span_rects(view, view.starts[index], view.ends[index])


def span_rects(view, start: int, end: int) -> list[QRectF]:
    """The rectangles of document positions ``start`` to ``end`` in ``view``'s viewport, one per line."""
    rects: list[QRectF] = []
    cursor = QTextCursor(view.document())
    for pos in range(start, end + 1):
        cursor.setPosition(pos)
        caret = view.cursorRect(cursor)
        if rects and abs(rects[-1].top() - caret.top()) < 1:
            rects[-1].setRight(caret.x())
        else:
            rects.append(QRectF(caret.x(), caret.top(), 0, caret.height()))
    return [r for r in rects if r.width() > 0]
