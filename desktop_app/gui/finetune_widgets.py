"""The fine-tune panel's two small widgets: a count tile and the live loss curve."""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QScrollArea, QVBoxLayout, QWidget

from desktop_app.core.loss_trend import LOSS_CAPTION, LOSS_NAME, loss_caption
from desktop_app.gui.theme import colors, icon_label, is_dark, styled_label


class CountTile(QFrame):
    def __init__(self, caption: str, icon_name: str | None = None, parent=None):
        super().__init__(parent)
        self.setObjectName("CountTile")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(0)
        top = QHBoxLayout()
        top.setSpacing(4)
        self.number = styled_label("0", "CountNumber")
        top.addWidget(self.number)
        top.addStretch(1)
        if icon_name:
            top.addWidget(icon_label(icon_name, "muted"))
        layout.addLayout(top)
        self.caption = styled_label(caption, "Muted")
        layout.addWidget(self.caption)
        self.note = styled_label("", "Muted", wrap=True)  # how the number is counted, when that needs saying
        self.note.hide()
        self.whole_note, self.short_note = "", ""
        layout.addWidget(self.note)
        layout.addStretch(1)  # a neighbour's note makes the row taller: the caption stays under its number

    def set_value(self, n: int, note: str = "", tip: str = "", caption: str = "", short_note: str = "") -> None:
        """``caption``: the words under the number, when they change (what the ratings are of). ``short_note``:
        ``note`` in fewer words, for a tile too narrow for its clauses."""
        self.number.setText(str(n))
        if caption:
            self.caption.setText(caption)
        self.whole_note, self.short_note = note, short_note
        self._fit_note()
        self.note.setVisible(bool(note))
        self.setToolTip(tip)

    def _fit_note(self) -> None:
        """The note on one line where it fits, else a clause a line, else its short form with the whole words in
        its tooltip: wrapped as words came, "1 for a disliked answer; 1 mixed, for a liked answer" split its
        clauses mid-way in the narrow dock ("…; 1" / "mixed, …")."""
        whole = self.whole_note
        margins = self.layout().contentsMargins()
        room = self.contentsRect().width() - margins.left() - margins.right()
        width = self.note.fontMetrics().horizontalAdvance
        clauses = whole.split("; ")
        if width(whole) <= room or not self.short_note:
            text = whole
        elif all(width(clause) <= room for clause in clauses):
            text = ";\n".join(clauses)
        else:
            text = self.short_note
        self.note.setText(text)
        self.note.setToolTip(whole if text != whole else "")

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_note()




class LossCurve(QWidget):
    """The live loss curve (pyqtgraph), one point per optimizer step.

    Attributes:
        steps, losses: the points drawn so far.
        plot, curve: the pyqtgraph plot and its line."""

    def __init__(self, parent=None):
        super().__init__(parent)
        import pyqtgraph as pg

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        # what "loss" is, where the chart and the "loss 0.221" beside the time left show it: usertest 20
        # watched a run's curve fall and had no word for what fell
        self.caption = styled_label(LOSS_CAPTION, "Muted", wrap=True)
        layout.addWidget(self.caption)
        # no right-click menu: pyqtgraph's plot options and export do nothing for a person watching a run. Its view's
        # menu is never made; the plot's own is made always, without a parent, and sat in a garbage cycle after the
        # window closed (leftovers63): this widget owns it, and deletes it with itself
        self.plot = pg.PlotWidget(axisItems={"bottom": _step_axis(), "left": _loss_axis()}, enableMenu=False)
        self.plot.setFixedHeight(125)
        self.plot.setAccessibleName(LOSS_NAME)
        self.plot.setAccessibleDescription(LOSS_CAPTION)
        self.plot.setMenuEnabled(False)
        unused_menu = self.plot.getPlotItem().ctrlMenu
        unused_menu.setParent(self, unused_menu.windowFlags())
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        # a picture: no Tab stop (Qt makes a graphics view one, with no ring and no keys: usertest 14)
        self.plot.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        item = self.plot.getPlotItem()
        item.showGrid(x=True, y=True, alpha=0.15)
        for name in ("left", "bottom"):
            item.getAxis(name).enableAutoSIPrefix(False)
        self.curve = self.plot.plot([], [], symbol="o", symbolSize=5, symbolPen=None, fillLevel=None)
        self.plot.viewport().installEventFilter(self)  # the wheel scrolls the panel, not the fixed chart
        self.restyle()
        layout.addWidget(self.plot)
        self.steps: list[int] = []
        self.losses: list[float] = []
        self.total: int | None = None  # the run's planned steps, once a report said them
        self.plot.setXRange(1, 10, padding=0.06)  # before the first step: whole steps, not 0.2 / 0.4 / ...

    def restyle(self) -> None:
        """Colours from the current light or dark palette (again when the system switches)."""
        import pyqtgraph as pg

        c = colors(is_dark())
        self.plot.setBackground(c["card"])
        item = self.plot.getPlotItem()
        for name in ("left", "bottom"):
            axis = item.getAxis(name)
            axis.setPen(pg.mkPen(c["border"]))
            axis.setTextPen(pg.mkPen(c["muted"]))
        item.setLabel("bottom", "step", color=c["muted"])
        item.setLabel("left", "loss", color=c["muted"])
        accent = QColor(c["accent"])
        self.curve.setPen(pg.mkPen(accent, width=2))
        self.curve.setSymbolBrush(accent)

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self.restyle()
        super().changeEvent(event)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Wheel:
            area = self.parentWidget()
            while area is not None and not isinstance(area, QScrollArea):
                area = area.parentWidget()
            if area is not None:
                QApplication.sendEvent(area.verticalScrollBar(), event)
            return True
        return super().eventFilter(watched, event)

    def _caption(self, words: str) -> None:
        """The words over the curve, and the painted curve's description for a screen reader (they say what it shows)."""
        self.caption.setText(words)
        self.plot.setAccessibleDescription(words)

    def clear(self) -> None:
        self.steps, self.losses = [], []
        self._caption(LOSS_CAPTION)
        self.total = None
        self.plot.getAxis("bottom").count_steps(None, counting=False)
        self.plot.getAxis("left").show_values(False)
        self.curve.setData([], [])
        self.plot.setXRange(1, 10, padding=0.06)

    def plan(self, total: int) -> None:
        """The run's planned steps, known before its first step: the axis shows 1 to ``total`` (it showed 1-10
        before a run of 8 steps, usertest40)."""
        if total and total != self.total:
            self.total = total
            self.plot.getAxis("bottom").count_steps(total)
            self.plot.setXRange(1, max(total, 2), padding=0.06)

    def add(self, step: int, loss: float, total: int | None = None) -> None:
        if not math.isfinite(loss):
            return
        self.steps.append(step)
        self.losses.append(loss)
        self.curve.setData(self.steps, self.losses)
        self._caption(loss_caption(self.losses))  # what the curve shows: it falls, stays flat or rises
        self.plot.getAxis("left").show_values(True)
        if total:
            self.plan(total)
        else:
            axis = self.plot.getAxis("bottom")
            axis.count_steps(axis.last)


def _loss_axis():
    """A left axis with no values until the first loss: an empty chart's 0.6 / 0.8 read as a run's losses
    (usertest41)."""
    import pyqtgraph as pg

    class LossAxis(pg.AxisItem):
        shown = False  # a loss is drawn

        def show_values(self, shown: bool) -> None:
            if shown != self.shown:
                self.shown = shown
                self.picture = None  # the ticks drawn again
                self.update()

        def tickValues(self, minVal, maxVal, size):
            return super().tickValues(minVal, maxVal, size) if self.shown else []

    return LossAxis("left")


def _step_axis():
    """A bottom axis that labels whole steps only (a run has no step 2.5), and ends on the run's last
    step: "step 1 of 26" beside an axis whose last label was 25 read as another count (usertest 12)."""
    import pyqtgraph as pg

    class StepAxis(pg.AxisItem):
        last = None  # the run's planned steps
        counting = False  # a run's steps are known (planned or drawn)

        def count_steps(self, last: int | None, counting: bool = True) -> None:
            if (last, counting) != (self.last, self.counting):
                self.last, self.counting = last, counting
                self.picture = None  # the ticks drawn again
                self.update()

        def tickValues(self, minVal, maxVal, size):
            if not self.counting:  # no run's steps yet: "1 ... 10" read as the run's (usertest40)
                return []
            levels = [(max(spacing, 1.0), [v for v in values if float(v).is_integer()])
                      for spacing, values in super().tickValues(minVal, maxVal, size)]
            if not self.last or not levels or not minVal <= self.last <= maxVal:
                return levels
            # its label at the end, in place of a round one too close to it at any level ("25 27" touched); no step 0
            major = levels[0][0]
            kept = [(spacing, [v for v in values if 1 <= v <= self.last - major / 2]) for spacing, values in levels]
            return [(major, kept[0][1] + [float(self.last)])] + kept[1:]

    return StepAxis("bottom")
