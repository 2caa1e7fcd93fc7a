"""A list whose columns fit its width at any screen scale, in rows with room around their text.

The Token inspector's "5 least likely tokens" (text_surprises.SurprisePanel) is about 300 px wide: its
columns, each as wide as its header, ran past the list's right edge, the words around a token ("In the
text") reached only by scrolling sideways and a wider figure of "Model expected" cut at the edge; its rows,
one line of text and 2 px, read as cramped at 200 % (dark87). Widths and heights come from the font's
metrics and the style's own hints, so they hold at 100 % and 200 % alike."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QStyledItemDelegate, QTreeWidget

ROW_ROOM = 0.5  # a row's room above and below its text together, in lines of the font


class RoomyRows(QStyledItemDelegate):
    """Rows a half line taller than their text: a quarter line over it and under it."""

    def sizeHint(self, option, index):
        size = super().sizeHint(option, index)
        size.setHeight(size.height() + round(option.fontMetrics.height() * ROW_ROOM))
        return size


class FittedTable(QTreeWidget):
    """A QTreeWidget that lays its columns out in its width after each resize (``fit_columns``).

    Attributes:
        headers: (whole, short, tips): the header words, shorter ones where the whole do not fit (``set_headers``),
            and what each column means; None: the labels set as a QTreeWidget's."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setItemDelegate(RoomyRows(self))
        self.headers: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]] | None = None

    def set_headers(self, whole, short, tips) -> None:
        """The columns' header words, whole and short (shown where the whole do not fit: at 1024x600 the inspector's
        list read "Probab" and "In t", inspect69), and their tooltips (a short header's names it whole)."""
        self.headers = (tuple(whole), tuple(short), tuple(tips))
        self.setColumnCount(len(whole))
        self.setHeaderLabels(list(whole))
        for column, tip in enumerate(tips):
            self.headerItem().setToolTip(column, tip)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        fit_columns(self)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            fit_columns(self)  # another font, other widths: a larger font with the same width too


def fit_columns(table: QTreeWidget) -> None:
    """Every shown column but the last as wide as its cells, and as its header where the width allows;
    the last, stretched, takes the rest with its header whole. Headers give way first (their words are cut,
    their tooltips keep them), the cells never: no figure is cut, and no column is past the right edge
    while the cells fit."""
    header = table.header()
    shown = [column for column in range(table.columnCount()) if not table.isColumnHidden(column)]
    if len(shown) < 2:
        return
    *fixed, last = shown
    cells = {column: table.sizeHintForColumn(column) for column in fixed}
    over = _headers_over(table, fixed, last, cells, short=False)
    if over > 0 and getattr(table, "headers", None) is not None:
        over = _headers_over(table, fixed, last, cells, short=True)
    wanted = {column: max(cells[column], header.sectionSizeHint(column)) for column in fixed}
    slack = sum(wanted[column] - cells[column] for column in fixed)
    widths = {}
    for column in fixed:
        # each header gives up its share of the width it has over its cells
        give = round(over * (wanted[column] - cells[column]) / slack) if over > 0 and slack else 0
        widths[column] = wanted[column] - min(give, wanted[column] - cells[column])
        header.resizeSection(column, widths[column])
    # the last by hand too: a stretched last section does not shrink below the size it was given before
    header.resizeSection(last, max(header.minimumSectionSize(), table.viewport().width() - sum(widths.values())))


def _headers_over(table: QTreeWidget, fixed: list[int], last: int, cells: dict, short: bool) -> int:
    """How many pixels the columns want past the table's width with the whole (or the ``short``) header words
    shown (a FittedTable's ``headers``; other tables keep theirs)."""
    headers = getattr(table, "headers", None)
    if headers is not None:
        whole, brief, tips = headers
        for column, words in enumerate(brief if short else whole):
            table.headerItem().setText(column, words)
            said = f"{whole[column]}: {tips[column]}" if short and words != whole[column] else tips[column]
            table.headerItem().setToolTip(column, said)
    header = table.header()
    wanted = sum(max(cells[column], header.sectionSizeHint(column)) for column in fixed)
    return wanted + header.sectionSizeHint(last) - table.viewport().width()
