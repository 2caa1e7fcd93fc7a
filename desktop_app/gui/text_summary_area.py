"""The Text tab's summary in its scroll area, under the text: how much of the tab's height it asks for
(its own where the tab has it, else its title row and bar with the figures scrolled to), and the room
it keeps while a continuation is written."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize
from PySide6.QtWidgets import QScrollArea, QSizePolicy

from desktop_app.gui.text_summary import TITLE, SummaryPanel

SUMMARY_MIN_HEIGHT = 48  # the summary's title row, the rest scrolled to (its bar too, once laid out: least_height)


class SummaryScroll(QScrollArea):
    """A frameless scroll area round the SummaryPanel that asks for the panel's height as that
    changes: QScrollArea's own hint is the widget's first one, kept (the summary's narrow form, 40 px
    taller than its wide one, took that much of the text's height at 1280x800). The summary shows at
    its own height where the tab has it, else scrolled: it had been cut off at its foot, and the text
    over it squeezed.

    Attributes:
        panel: the SummaryPanel.
        least: whether it asks for its least height only (set_least)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.panel = panel = SummaryPanel(self.viewport())  # made where setWidget puts it (gui/in_place.py)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setWidget(panel)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.setMinimumHeight(SUMMARY_MIN_HEIGHT)
        self.setAccessibleName(TITLE.capitalize())  # a Tab stop that scrolls the summary: its title's words
        self.least = False
        panel.installEventFilter(self)
        panel.histograms_button.toggled.connect(lambda _opened: self.fit_room())

    def set_least(self, least: bool) -> None:
        """Ask for the least height alone, the rest scrolled to (a short tab with Surprises open: text_surprises)."""
        if least != self.least:
            self.least = least
            self.updateGeometry()

    def fit_room(self) -> None:
        """Histograms the person opened show whole, from the text's room: scrolled, they showed a strip."""
        opened = self.panel.histograms_button.isChecked()
        self.setMinimumHeight(self.panel.minimumSizeHint().height() if opened else self.least_height())

    def least_height(self) -> int:
        """The summary's title row and its bar, whole, the figures scrolled to: at its title row's
        height the bar showed cut in half. It ends where the figures begin: with the grid's bottom margin,
        wider than the gap over them, their first line's top had shown, cut through (usertest 25)."""
        panel = self.panel
        margins, gap = panel.grid.contentsMargins(), panel.grid.verticalSpacing()
        bar = 0 if panel.bar_in_title else gap + panel.bar.sizeHint().height()  # a short tab's is in the title row
        return margins.top() + panel.title_row.sizeHint().height() + bar + gap

    def sizeHint(self) -> QSize:
        widget, frame = self.widget(), 2 * self.frameWidth()
        hint = widget.sizeHint()
        if widget.hasHeightForWidth():  # the figures wrap: their height at this width, not at a guessed one
            hint.setHeight(widget.heightForWidth(max(1, self.viewport().width())))
        if self.least:
            return QSize(hint.width() + frame, self.minimumHeight())
        return QSize(hint.width() + frame, hint.height() + frame)

    def minimumSizeHint(self) -> QSize:
        """(A widget's size hint is taken at least as tall as this: the least height alone asks for no more.)"""
        least = super().minimumSizeHint()
        return QSize(least.width(), self.minimumHeight()) if self.least else least

    def eventFilter(self, watched, event) -> bool:
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.panel.fit_width(self.viewport().width())
            self.updateGeometry()
        return super().eventFilter(watched, event)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.panel.fit_width(self.viewport().width())
            self.updateGeometry()
