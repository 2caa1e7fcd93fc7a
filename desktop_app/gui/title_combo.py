"""A combo box that shows its current text cut after a whole word, with "…", where the box is
too narrow for it: QComboBox clips it at the edge, mid-word ("The old lighthouse keepe" in the
Text tab's picker of texts at 800 px)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QComboBox, QStyle, QStyleOptionComboBox, QStylePainter

ELLIPSIS = "\u2026"


def cut_after_word(metrics: QFontMetrics, text: str, width: int) -> str:
    """``text`` if it fits ``width``, else its longest run of whole words with "…" that does (a
    first word too long for it is cut where it must be)."""
    if metrics.horizontalAdvance(text) <= width:
        return text
    words = text.split(" ")
    for count in range(len(words) - 1, 0, -1):
        candidate = " ".join(words[:count]).rstrip(",;:.\u2014- ") + ELLIPSIS
        if metrics.horizontalAdvance(candidate) <= width:
            return candidate
    return metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)


POPUP_ROOM = 48  # px beside the longest title in the open list: the item's padding, a scroll bar
SCREEN_EDGE = 16  # px the open list leaves free at the screen's edges


class TitleCombo(QComboBox):
    """A QComboBox whose shown text is cut after a word to fit (``shown_text``); the list keeps
    the whole titles (``showPopup``)."""

    def showPopup(self) -> None:  # noqa: N802 (Qt's name)
        """The list as wide as its longest title, within the screen, cut at the right where it must: as wide
        as the box, Qt cut its titles in the middle ("The old lighthou…mbed the stairs…": usertest34)."""
        view = self.view()
        view.setTextElideMode(Qt.TextElideMode.ElideRight)
        longest = max((self.fontMetrics().horizontalAdvance(self.itemText(i)) for i in range(self.count())),
                      default=0)
        screen = self.screen()
        room = screen.availableGeometry().width() - 2 * SCREEN_EDGE if screen is not None else longest + POPUP_ROOM
        view.setMinimumWidth(min(room, max(self.width(), longest + POPUP_ROOM)))
        super().showPopup()

    def set_least_chars(self, chars: int) -> None:
        """The box's least width: room for ``chars`` characters (its minimum contents length)."""
        if chars != self.minimumContentsLength():
            self.setMinimumContentsLength(chars)
            self.updateGeometry()

    def minimumSizeHint(self):
        """As wide as its size hint, which follows the minimum contents length: QComboBox keeps its
        least size from the first length, so a shorter one (set_least_chars) had not let the bar narrow;
        with ``floor_chars`` set, as wide as that many characters whatever the length."""
        if self.sizeAdjustPolicy() != QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon:
            return super().minimumSizeHint()
        hint = self.sizeHint()
        floor = getattr(self, "floor_chars", None)
        if floor is not None:  # (QComboBox's hint counts an "x" a character)
            hint.setWidth(hint.width() - (self.minimumContentsLength() - floor) * self.fontMetrics().horizontalAdvance("x"))
        return hint

    def set_floor_chars(self, chars: int) -> None:
        """The box's least width, room for ``chars`` characters, which the layout keeps whatever its minimum
        contents length (the size its bar asks for): a least width that followed the length changed the bar's
        least width as the bar's ladder tried its steps."""
        self.floor_chars = chars
        self.updateGeometry()

    def shown_text(self) -> str:
        option = self._option()
        return cut_after_word(self.fontMetrics(), self.currentText(), self._text_width(option))

    def _option(self) -> QStyleOptionComboBox:
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        return option

    def _text_width(self, option: QStyleOptionComboBox) -> int:
        field = self.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                            QStyle.SubControl.SC_ComboBoxEditField, self)
        icon = option.iconSize.width() + 4 if not option.currentIcon.isNull() else 0
        return max(0, field.width() - icon)

    def tip_whole_text(self, tip: str = "") -> None:
        """Where the shown text is cut, the tooltip starts with the whole of it, then ``tip`` (the box's own)."""
        self.own_tip = tip
        self.setToolTip(tip)

    def paintEvent(self, _event) -> None:
        painter = QStylePainter(self)
        option = self._option()
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, option)
        whole = option.currentText
        option.currentText = cut_after_word(self.fontMetrics(), whole, self._text_width(option))
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, option)
        own = getattr(self, "own_tip", None)
        if own is not None:  # (tip_whole_text asked for it)
            tip = "\n\n".join(x for x in (whole if option.currentText != whole else "", own) if x)
            if tip != self.toolTip():
                self.setToolTip(tip)
