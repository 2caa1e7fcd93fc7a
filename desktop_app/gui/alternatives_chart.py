"""The inspector's bar chart of a token's alternatives: one row per alternative, the written token marked,
a row picked by a click or by the keys."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from desktop_app.core.palette import color_for
from desktop_app.core.records import Alternative, TokenRecord
from desktop_app.core.sampler_cut import MAY
from desktop_app.core.token_words import TIE, alternative_tip, likely_said, percent_texts, token_label
from desktop_app.gui.inspector_words import alternative_label, safe_log
from desktop_app.gui.theme import colors, is_dark

CHART_KEYS_TIP = "Click an alternative, or use \u2191 \u2193 and Enter, to continue the answer from it"


def _row_for_key(key, current: int, count: int) -> int | None:
    """The row ↑ ↓ Home End move the pick to (the first ↓ picks the top row), None for other keys."""
    if not count:
        return None
    moves = {Qt.Key.Key_Down: min(count - 1, current + 1), Qt.Key.Key_Up: max(0, current - 1),
             Qt.Key.Key_Home: 0, Qt.Key.Key_End: count - 1}
    return moves.get(key)


class AlternativesChart(QWidget):
    """Horizontal bars: one row per alternative, the chosen token marked; click picks a row.
    It is a Tab stop: ↑ ↓ Home End pick a row and Enter asks to continue from it (usertest26: the
    keyboard reached "good" and "bad" and then skipped the chart, so "Continue with this
    alternative" stayed off and no branch could start without the mouse).

    Attributes:
        alternatives: the rows; chosen_id: the token that was written.
        chosen_outside: the written token when it is not among the rows, else None.
        current: the picked row (-1: none)."""

    picked = Signal(int)  # row index
    entered = Signal()  # Enter on a picked row

    ROW = 24

    def __init__(self, parent=None):
        super().__init__(parent)
        self.alternatives: list[Alternative] = []
        self.chosen_id: int | None = None
        self.chosen_outside: TokenRecord | None = None
        self.record: TokenRecord | None = None  # the written token's record: each row's full figures (row_tip)
        self.current = -1
        self.piece_hex = lambda _alt: ""  # an alternative's bytes when it holds part of a character (the panel's)
        self.cut: dict = {}  # alternative id -> why the answer's sampler could not have picked it (dimmed)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setToolTip(CHART_KEYS_TIP)

    def set_data(self, alternatives, chosen_id, chosen_record=None) -> None:
        self.alternatives = list(alternatives)
        self.chosen_id = chosen_id
        ids = {a.id for a in self.alternatives}
        self.chosen_outside = chosen_record if chosen_record is not None and chosen_id not in ids else None
        self.record = chosen_record
        self.current = -1
        self.setAccessibleDescription("")  # no row picked: its tooltip (the keys) describes it
        self.setFixedHeight(max(1, self._rows()) * self.ROW + 4)
        self.update()

    def _rows(self) -> int:
        return len(self.alternatives) + (1 if self.chosen_outside else 0)

    def sizeHint(self) -> QSize:
        return QSize(260, self._rows() * self.ROW + 4)

    def row_at(self, y: float) -> int:
        row = int(y // self.ROW)
        return row if 0 <= row < len(self.alternatives) else -1

    def row_tip(self, row: int) -> str:
        """Row ``row``'s probability, log-probability and rank, over the keys' hint; off the rows: the hint."""
        if self.record is None or not 0 <= row < self._rows():
            return CHART_KEYS_TIP
        return f"{alternative_tip(self.record, row, self.percents()[row].removeprefix(TIE + ' '))}\n{CHART_KEYS_TIP}"

    def event(self, event) -> bool:
        """A hovered row's tooltip says its figures in full (the row itself shows its probability only)."""
        if event.type() == QEvent.Type.ToolTip:
            row = int(event.pos().y() // self.ROW)
            QToolTip.showText(event.globalPos(), self.row_tip(row), self)
            return True
        return super().event(event)

    def mousePressEvent(self, event) -> None:
        row = self.row_at(event.position().y())
        if row >= 0:
            self._pick(row)

    def keyPressEvent(self, event) -> None:
        row = _row_for_key(event.key(), self.current, len(self.alternatives))
        if row is not None:
            self._pick(row)
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.current >= 0:
            self.entered.emit()
        else:
            super().keyPressEvent(event)

    def _pick(self, row: int) -> None:
        """Row ``row`` picked: ringed, said to a screen reader ("moon, 42.0% likely": the bars are only painted),
        and the inspector told."""
        self.current = row
        self.update()
        self.setAccessibleDescription(likely_said(self.rows()[row][0], self.percents()[row]))
        self.picked.emit(row)

    def focusInEvent(self, event) -> None:
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        self.update()

    def dimmed(self) -> list[bool]:
        """Per row: an alternative the sampler surely could not have picked (core.sampler_cut)."""
        return [not self.cut.get(a.id, MAY).startswith(MAY) for a in self.alternatives] + \
            [False] * (1 if self.chosen_outside else 0)

    def rows(self) -> list[tuple[str, float, bool]]:
        """(label, probability, chosen) per row as painted: whitespace and invisible tokens shown
        by a mark (token_label), the chosen token last when it is not among the alternatives."""
        rows = [(alternative_label(a, self.piece_hex(a)), a.prob, a.id == self.chosen_id) for a in self.alternatives]
        outside = self.chosen_outside
        if outside is not None:
            # a piece of a character by its bytes, as the pieces' rows above it and the note under the token say
            # it ("(part of a cha…" was cut in the inspector's width, inspect69)
            piece = self.piece_hex(Alternative(outside.id, "\ufffd", outside.prob)) if outside.text == "" else ""
            rows.append((f"bytes {piece}" if piece else token_label(outside.text), outside.prob, True))
        return rows

    def percents(self) -> list[str]:
        """Each row's percentage as painted: as many decimals as tell two different ones apart, and
        "tie" beside equal ones (core/token_words.percent_texts)."""
        texts, tied = percent_texts([prob for _label, prob, _chosen in self.rows()])
        return [f"{TIE} {text}" if tie else text for text, tie in zip(texts, tied)]

    def paintEvent(self, _event) -> None:
        c = colors(is_dark())
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = QFontMetrics(self.font())
        label_w = min(130, max(70, self.width() * 2 // 5))
        rows, percents, dimmed = self.rows(), self.percents(), self.dimmed()
        pct_w = max(metrics.horizontalAdvance(t) for t in ["100.0%", *percents]) + 6
        bar_w = max(20, self.width() - label_w - pct_w - 8)
        top = max((p for _t, p, _c in rows), default=1.0) or 1.0
        for i, ((text, prob, chosen), percent) in enumerate(zip(rows, percents)):
            y = i * self.ROW + 2
            if i == self.current:
                painter.fillRect(QRectF(0, y, self.width(), self.ROW - 2), QColor(c["selection"]))
            font = QFont(self.font())
            font.setBold(chosen)
            label = QFontMetrics(font).elidedText(text, Qt.TextElideMode.ElideRight, label_w - 12)
            painter.setFont(font)
            painter.setPen(QColor(c["muted" if dimmed[i] else "text"]))
            painter.drawText(QRectF(4, y, label_w - 4, self.ROW - 2), Qt.AlignmentFlag.AlignVCenter, label)
            rgb = color_for(TokenRecord(0, "", safe_log(prob), 1, 0.0), "probability", is_dark())
            width = max(2.0, bar_w * prob / top)
            rect = QRectF(label_w, y + 4, width, self.ROW - 10)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(c["muted"]) if dimmed[i] else QColor(*rgb))
            painter.drawRoundedRect(rect, 3, 3)
            if chosen:
                pen = QPen(QColor(c["accent"]))
                pen.setWidth(2)
                painter.setPen(pen)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRoundedRect(rect.adjusted(-1, -1, 1, 1), 3, 3)
            painter.setPen(QColor(c["muted"]))
            painter.setFont(self.font())
            painter.drawText(QRectF(label_w + bar_w + 4, y, pct_w, self.ROW - 2),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, percent)
        if self.hasFocus():
            self._paint_focus(painter, c["accent"])
        painter.end()

    def _paint_focus(self, painter: QPainter, accent: str) -> None:
        """The 2 px ring every stop shows (docs/features.md), around the picked row or the whole chart."""
        pen = QPen(QColor(accent))
        pen.setWidth(2)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        whole = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        row = QRectF(1, self.current * self.ROW + 2, self.width() - 2, self.ROW - 2)
        painter.drawRoundedRect(row if self.current >= 0 else whole, 3, 3)
