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


class TitleCombo(QComboBox):
    """A QComboBox whose shown text is cut after a word to fit (``shown_text``); the list keeps
    the whole titles."""

    def set_least_chars(self, chars: int) -> None:
        """The box's least width: room for ``chars`` characters (its minimum contents length)."""
        if chars != self.minimumContentsLength():
            self.setMinimumContentsLength(chars)
            self.updateGeometry()

    def minimumSizeHint(self):
        """As wide as its size hint, which follows the minimum contents length: QComboBox keeps its
        least size from the first length, so a shorter one (set_least_chars) had not let the bar narrow."""
        if self.sizeAdjustPolicy() == QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon:
            return self.sizeHint()
        return super().minimumSizeHint()

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

    def paintEvent(self, _event) -> None:
        painter = QStylePainter(self)
        option = self._option()
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, option)
        option.currentText = cut_after_word(self.fontMetrics(), option.currentText, self._text_width(option))
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, option)
