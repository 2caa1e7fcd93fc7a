"""The one-line question that renames a conversation or a Text branch, wide enough to read.

Qt's ``QInputDialog.getText`` sizes itself to its label: "Title:" gave a dialog about 200 px wide, whose
title bar read "Renam… Desk" and whose field showed "at is the capital of France?" of the name being
renamed (usertest38). Here the dialog is as wide as its window title and the whole name need, within
the window that asks.
"""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QApplication, QDialog, QInputDialog, QLineEdit, QWidget

LEAST_WIDTH = 360
TITLE_BAR_EXTRA = 140  # a window manager's icon and its three buttons beside the title
FIELD_PADDING = 16  # the field's frame and its cursor around the name
DIALOG_MARGINS = 24  # the dialog's margins beside the field


def ask_text(parent: QWidget, title: str, label: str, text: str) -> tuple[str, bool]:
    """(the text typed, whether OK was pressed), as ``QInputDialog.getText`` returns them."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)
    dialog.setTextValue(text)
    # the dialog's layout sets its own least size from its children's (a least width set on the dialog is
    # overridden when it shows): the field's least width widens it
    field = dialog.findChild(QLineEdit)
    if field is not None:
        field.setMinimumWidth(readable_width(dialog, text) - DIALOG_MARGINS)
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    return dialog.textValue(), accepted


def readable_width(dialog: QInputDialog, text: str) -> int:
    """Room for the window title (as the window manager shows it, with the app's name) and for ``text`` in the
    field, at least ``LEAST_WIDTH``, at most the asking window's width (or the screen's)."""
    bold = QFont(dialog.font())
    bold.setBold(True)  # title bars draw their text bold
    shown_title = f"{dialog.windowTitle()} \u2014 {QApplication.applicationDisplayName()}"
    title_room = QFontMetrics(bold).horizontalAdvance(shown_title) + TITLE_BAR_EXTRA
    text_room = dialog.fontMetrics().horizontalAdvance(text) + FIELD_PADDING + DIALOG_MARGINS
    return min(max(LEAST_WIDTH, title_room, text_room), _room_around(dialog))


def _room_around(dialog: QInputDialog) -> int:
    asking = dialog.parentWidget().window() if dialog.parentWidget() is not None else None
    if asking is not None and asking.isVisible():
        return max(LEAST_WIDTH, asking.width())
    screen = dialog.screen() or QApplication.primaryScreen()
    return screen.availableGeometry().width() if screen is not None else LEAST_WIDTH
