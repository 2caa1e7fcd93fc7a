"""Tooltips that follow a control's state: a control turned off says why (gui/off_words), and a
tooltip already on screen changes with it."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QRect, Qt
from PySide6.QtGui import QCursor, QTextDocumentFragment
from PySide6.QtGui import Qt as QtGui
from PySide6.QtWidgets import QApplication, QListWidget, QToolTip, QWidget

TIP_GAP_PX = 4  # between a row's top and the tooltip shown above it


def retip(widget: QWidget, tip: str) -> None:
    """A new tooltip, also on screen if the old one shows: an answer that ended under the mouse
    left "An answer is being written" over a Send that was on again."""
    old = widget.toolTip()
    if old == tip:
        return
    widget.setToolTip(tip)
    follow(old, tip, widget)


def follow(old: str, tip: str, widget: QWidget) -> None:
    """The tooltip on screen, if it is ``old``, becomes ``tip`` (an item's, which ``retip`` cannot set)."""
    if old != tip and QToolTip.isVisible() and QToolTip.text() == old:
        QToolTip.showText(QCursor.pos(), tip, widget)


def rich_tip(widget: QWidget, tip: str) -> None:
    """``tip`` as ``widget``'s tooltip, and in plain words as its accessible description: with none set, Qt gives a
    screen reader the tooltip itself, and an HTML one was read out with its tags ("<b>", "<br>"). A plain tooltip
    leaves the description empty, so the tooltip is read as before; a new tooltip replaces the old words."""
    widget.setToolTip(tip)
    widget.setAccessibleDescription(plain_words(tip) if QtGui.mightBeRichText(tip) else "")


def plain_words(html_text: str) -> str:
    """What an HTML tooltip says, without its tags and entities, a line break as a new line."""
    return QTextDocumentFragment.fromHtml(html_text).toPlainText().strip()


def turn(widget: QWidget, on: bool, tip: str) -> None:
    """On or off, with the tooltip that says what it does, or why it is off."""
    widget.setEnabled(on)
    retip(widget, tip)


class ListWithTipsAbove(QListWidget):
    """A list whose row tooltips open above the row under the pointer, not under the pointer: Qt opens one below
    it, and on the adapter history's last rows the tooltip (several lines of figures) hid "Use selected" and "Use
    base model" while the pointer rested there (leftovers77). The rows keep their tooltips (``item.toolTip()``)."""

    def viewportEvent(self, event) -> bool:
        if event.type() != QEvent.Type.ToolTip:
            return super().viewportEvent(event)
        index = self.indexAt(event.pos())
        text = index.data(Qt.ItemDataRole.ToolTipRole) if index.isValid() else None
        if text:
            show_above(self.viewport(), self.visualRect(index), event.globalPos().x(), text)
        else:
            QToolTip.hideText()
        return True


def show_above(widget: QWidget, row: QRect, x: int, text: str) -> None:
    """``text`` as ``widget``'s tooltip for ``row`` (its coordinates), its bottom just above the row's top; at
    the screen's top where there is no room above. Qt places a tooltip itself, under the point it is given: it
    is given the screen's top, then moved. Given the row's top, it opened under the pointer for a moment, and
    the pointer's leaving the row for it hid it again. No rect, as Qt's own row tooltips: with the row's, a move
    to the next row hid the tooltip and none came for that row."""
    top = widget.mapToGlobal(row.topLeft()).y()
    screen = widget.screen().availableGeometry()
    QToolTip.showText(QPoint(x, screen.top()), text, widget)
    label = shown_tip()
    if label is not None:
        label.move(label.x(), max(screen.top(), top - TIP_GAP_PX - label.height()))


def shown_tip() -> QWidget | None:
    """The tooltip on screen (Qt's own label: it has no public handle), or None."""
    return next((w for w in QApplication.topLevelWidgets()
                 if w.objectName() == "qtooltip_label" and w.isVisible()), None)
