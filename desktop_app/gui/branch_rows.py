"""The Text tab's outline rows in two lines where their words need them (text98: beside the thumbs a branch's
words were cut at about 15 characters at 1024x600, "…in a small no…"). A row whose words are wider than its
column wraps onto a second line, the rest elided at that line's end; its tooltip has the words whole. Under the
text (a narrow tab) the rows keep one line: two rows are all the room they have there."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QTreeWidget

MAX_LINES = 2
ROW_PADDING = 4  # px above and below the lines together, as a one-line row has


class TwoLineRows(QStyledItemDelegate):
    """A delegate for the outline's first column: rows of one or two lines by their words' width."""

    def __init__(self, outline: QTreeWidget):
        super().__init__(outline)
        self.outline = outline
        self.wrapping = True

    def lines_for(self, option, index) -> int:
        """1, or 2 where the row's words are wider than the room its column leaves them."""
        if not self.wrapping or index.column() != 0:
            return 1
        text = index.data(Qt.ItemDataRole.DisplayRole) or ""
        return MAX_LINES if option.fontMetrics.horizontalAdvance(text) > self._room(option, index) else 1

    def _room(self, option, index) -> int:
        """The column's width less the row's indentation, its icon and the style's margins round the text."""
        depth, parent = 0, index.parent()
        while parent.isValid():
            depth, parent = depth + 1, parent.parent()
        icon = option.decorationSize.width() + 4 if index.data(Qt.ItemDataRole.DecorationRole) else 0
        margin = 2 * (self.outline.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 1)
        return self.outline.columnWidth(0) - depth * self.outline.indentation() - icon - margin

    def sizeHint(self, option, index) -> QSize:
        hint = super().sizeHint(option, index)
        lines = self.lines_for(option, index)
        if lines > 1:
            hint.setHeight(max(hint.height(), lines * option.fontMetrics.lineSpacing() + ROW_PADDING))
        return hint

    def initStyleOption(self, option, index) -> None:
        super().initStyleOption(option, index)
        if self.lines_for(option, index) > 1:
            option.features |= option.ViewItemFeature.WrapText  # the style elides the last line that fits


def install(outline: QTreeWidget) -> TwoLineRows:
    """Two-line rows on ``outline``, laid out again as its first column's width changes."""
    rows = TwoLineRows(outline)
    outline.setItemDelegateForColumn(0, rows)
    outline.setTextElideMode(Qt.TextElideMode.ElideRight)
    # laid out once the resizing settles (a layout at once could change the scroll bar, and so the width, again)
    outline.header().sectionResized.connect(
        lambda column, _old, _new: column == 0 and outline.scheduleDelayedItemsLayout())
    return rows
