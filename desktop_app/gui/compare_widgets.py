"""The compare view's small widgets: the diverging colour bar of its legend and the words at its
ends, and the row that shows the chat model scoring a text for the view."""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QSize, QTimer
from PySide6.QtGui import QColor, QLinearGradient, QPainter
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from desktop_app.core.palette import change_palette
from desktop_app.gui.theme import is_dark, styled_label


class DivergingBar(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFixedHeight(12)
        self.setMinimumWidth(60)
        self.setMaximumWidth(180)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = self.rect().adjusted(0, 1, 0, -1)
        gradient = QLinearGradient(rect.left(), 0, rect.right(), 0)
        stops = change_palette(is_dark())  # the tokens' own colours: a dark neutral mid in a dark window
        for i, rgb in enumerate(stops):
            gradient.setColorAt(i / (len(stops) - 1), QColor(*rgb))
        painter.setBrush(gradient)
        painter.setPen(QColor(0, 0, 0, 40))
        painter.drawRoundedRect(rect, 3, 3)
        painter.end()


class LegendWords(QLabel):
    """Words of the legend's row: on one line where the row has room, wrapped where it has not. In one
    line only ("about 3,000x less likely, or more"), the row made the view wider than the window the
    compare opens in beside a 1280 px main window, and the view was cut on the right (usertest22);
    QLabel's own wrapping asks for two lines of a text that would fit on one."""

    def __init__(self, text: str = "", parent=None):
        super().__init__(text, parent)
        self.setObjectName("Muted")
        self.setWordWrap(True)

    def sizeHint(self) -> QSize:
        margins = self.contentsMargins()
        width = self.fontMetrics().horizontalAdvance(self.text()) + margins.left() + margins.right() + 1
        return QSize(width, self.heightForWidth(width))


class ScoringProgress(QWidget):
    """While the chat model scores an answer for the view: which pass runs (or that it waits
    for the model's other work), the seconds so far, a bar and Cancel."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.what = "answer"
        self.words = ""
        self.clock = QElapsedTimer()
        self.ticker = QTimer(self)
        self.ticker.setInterval(1000)
        self.ticker.timeout.connect(self._tick)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setFixedWidth(120)
        self.bar.setMaximumHeight(8)
        self.label = styled_label("", "Muted", wrap=True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop scoring this answer (it stops after the pass under way)")
        for w in (self.bar, self.label):
            row.addWidget(w)
        row.addWidget(self.cancel_button)
        row.setStretch(1, 1)
        self.hide()

    def start(self, what: str, waiting: bool) -> None:
        self.what = what
        self.bar.setRange(0, 0)  # busy until the first pass begins
        self.words = ("Waiting for the model to finish its current work" if waiting
                      else f"Scoring this {what} under both models")
        self.clock.start()
        self.ticker.start()
        self._tick()
        self.show()

    def show_pass(self, item) -> None:
        """A core.session.ComparePass: pass ``done + 1`` of ``total`` begins."""
        self.bar.setRange(0, item.total)
        self.bar.setValue(item.done)
        self.words = f"Scoring under {item.under}: pass {min(item.done + 1, item.total)} of {item.total}"
        self._tick()

    def _tick(self) -> None:
        self.label.setText(f"{self.words}\u2026 {self.clock.elapsed() // 1000} s")

    def finish(self) -> None:
        self.ticker.stop()
        self.hide()
