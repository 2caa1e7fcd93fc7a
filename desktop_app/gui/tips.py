"""Tooltips that follow a control's state: a control turned off says why (gui/off_words), and a
tooltip already on screen changes with it."""

from __future__ import annotations

from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QToolTip, QWidget


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


def turn(widget: QWidget, on: bool, tip: str) -> None:
    """On or off, with the tooltip that says what it does, or why it is off."""
    widget.setEnabled(on)
    retip(widget, tip)
