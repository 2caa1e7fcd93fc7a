"""What the marks cost a TokenView's paint: an answer of 400 tokens with 0 and with 200 rated
tokens (a box and a bar each) and one selected token, painted by the view as it is (the marks'
rectangles kept per layout) and the old way (``cursorRect`` for every character of every marked
token, at every paint: ``OldTokenView`` below), side by side in one process, offscreen.

Prints ratios of CPU seconds, not times:
  old_200_over_0:   the old paint with 200 marks / with none
  new_200_over_0:   the new paint with 200 marks / with none (the goal: near 1)
  old_over_new_200: the old paint / the new one, 200 marks
  first_paint_over_old: the new view's first paint after its layout changed (the rectangles
                        and the layer worked out again) / an old paint, 200 marks

    taskset -c 0 env OMP_NUM_THREADS=1 python -u bench/token_view_paint.py [--tokens 400] [--marked 200]
        [--paints 40] [--rounds 5]
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common  # noqa: E402  (the repository on the path)

WORDS = ("the lighthouse keeper counted waves every night and wrote their number in a book that "
         "nobody read until the storm came one winter and the ships").split()


def records(n: int):
    from desktop_app.core.records import Alternative, TokenRecord

    out = []
    for i in range(n):
        word = (" " if i else "") + WORDS[i % len(WORDS)]
        p = 0.05 + 0.9 * ((i * 37) % 100) / 100
        top = (Alternative(i % 500, word, math.log(p)),)
        out.append(TokenRecord(i % 500, word, math.log(p), 1 + i % 7, 1.0 + (i % 5) / 2, top))
    return out


def old_view_class():
    """TokenView with main's paint before the cache (commit eed6d8b), kept here to measure against:
    every mark's rectangles from ``cursorRect`` per character, and every mark drawn, at every paint."""
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QColor, QPainter, QPen

    from desktop_app.gui.theme import colors, is_dark
    from desktop_app.gui.token_marks import RATING_BAR, RATING_BOX, SELECTION_RING, caret_rects
    from desktop_app.gui.token_view import TokenView, paint_model_starts

    class OldTokenView(TokenView):
        def paintEvent(self, event) -> None:
            super(TokenView, self).paintEvent(event)  # QTextEdit's: the text
            if self.model_written:
                painter = QPainter(self.viewport())
                offset = QPointF(-self.horizontalScrollBar().value(), -self.verticalScrollBar().value())
                paint_model_starts(painter, self.document(), self.model_starts(), offset)
                painter.end()
            selected = 0 <= self.selected < len(self.starts)
            if not self.marks and not selected:
                return
            theme = colors(is_dark())
            painter = QPainter(self.viewport())
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            if selected:
                self._paint_outline(painter, self.selected, QColor(theme["accent"]), QColor(theme["card"]),
                                    SELECTION_RING)
            for index, (colour, dashed) in self.marks.items():
                if 0 <= index < len(self.starts):
                    self._paint_rating_mark(painter, index, QColor(colour), dashed, QColor(theme["card"]))
            painter.end()

        def _paint_rating_mark(self, painter, index, colour, dashed, halo) -> None:
            self._paint_outline(painter, index, colour, halo, RATING_BOX, dashed)
            bar, edge = QPen(colour, RATING_BAR), QPen(halo, RATING_BAR + 3)
            for pen in (edge, bar):
                pen.setCapStyle(Qt.PenCapStyle.FlatCap)
            if dashed:
                bar.setDashPattern([2, 1.3])
            for rect in self.token_rects(index):
                y = rect.bottom() + RATING_BOX[0] + RATING_BAR / 2
                for pen in (edge, bar):
                    painter.setPen(pen)
                    painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))

        def _paint_outline(self, painter, index, colour, halo, shape, dashed=False) -> None:
            outside, width = shape
            line, edge = QPen(colour, width), QPen(halo, width + 3)
            if dashed:
                line.setDashPattern([3, 2])
            painter.setBrush(Qt.BrushStyle.NoBrush)
            for rect in self.token_rects(index):
                box = rect.adjusted(-outside, -outside, outside, outside)
                for pen in (edge, line):
                    painter.setPen(pen)
                    painter.drawRoundedRect(box, 3, 3)

        def token_rects(self, index: int) -> list[QRectF]:
            return caret_rects(self, index)  # on every paint: what main did before the cache

    return OldTokenView


def marks(n: int, marked: int) -> dict:
    from desktop_app.gui.ratings import BAD_UNDERLINE, GOOD_UNDERLINE

    step = max(1, n // max(1, marked))
    chosen = list(range(0, n, step))[:marked]
    return {i: (GOOD_UNDERLINE if k % 3 else BAD_UNDERLINE, not k % 3) for k, i in enumerate(chosen)}


def paint_cpu(view, image, paints: int) -> float:
    """CPU seconds for ``paints`` paints of ``view``'s viewport into ``image``."""
    with _common.Clock() as clock:
        for _ in range(paints):
            view.viewport().render(image)
    return clock.cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tokens", type=int, default=400)
    parser.add_argument("--marked", type=int, default=200)
    parser.add_argument("--paints", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QApplication

    from desktop_app.gui.theme import apply_theme
    from desktop_app.gui.token_view import TokenView

    app = QApplication.instance() or QApplication([])
    apply_theme(app, dark=False)
    shown = records(args.tokens)
    views = {"old": old_view_class()(), "new": TokenView()}
    for view in views.values():
        view.resize(640, 100)
        view.set_records(shown)
        view.show()
        view.select_token(args.tokens // 2)
    app.processEvents()
    image = QImage(views["new"].viewport().size(), QImage.Format.Format_ARGB32_Premultiplied)
    cpu: dict[tuple[str, int], list[float]] = {}
    first: list[float] = []
    for _round in range(args.rounds):
        for count in (0, args.marked):
            for name, view in views.items():
                view.set_marks(marks(args.tokens, count))
                if name == "new":
                    view.mark_painter.forget()  # as a new layout (text, width, font) does
                once = paint_cpu(view, image, 1)  # the new view works its rectangles and layer out here
                if name == "new" and count:
                    first.append(once)
                cpu.setdefault((name, count), []).append(paint_cpu(view, image, args.paints) / args.paints)
    per = {key: _common.median(values) for key, values in cpu.items()}
    print(f"tokens {args.tokens}, marked {args.marked}, {args.paints} paints x {args.rounds} rounds; "
          f"{_common.load_average()}")
    _common.figure("old_200_over_0", per[("old", args.marked)] / per[("old", 0)])
    _common.figure("new_200_over_0", per[("new", args.marked)] / per[("new", 0)])
    _common.figure("old_over_new_200", per[("old", args.marked)] / per[("new", args.marked)])
    _common.figure("first_paint_over_old", _common.median(first) / per[("old", args.marked)])


if __name__ == "__main__":
    main()
