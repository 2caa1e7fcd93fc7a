"""Settings in a scrolling panel that the mouse wheel changes only once the person picked them.

A spin box, combo box or slider takes the wheel whenever the pointer is over it: scrolling the
Fine-tune panel past "Held out" turned 20 % into 16 % without a word, and the next run used it
(usertest 12, finding 5). ``wheel_after_click`` makes such a control take the wheel only while it
has the keyboard focus (a click or Tab gives it; the wheel itself no longer does), and otherwise
passes the wheel on to the scroll area around it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractSlider, QAbstractSpinBox, QComboBox, QScrollBar, QWidget


def is_setting(widget: QWidget) -> bool:
    """A control whose value a wheel turn changes (a scroll bar is what the wheel is for)."""
    return isinstance(widget, (QAbstractSpinBox, QComboBox, QAbstractSlider)) and not isinstance(widget, QScrollBar)


class _WheelOnlyWhenFocused(QObject):
    """The event filter: an unfocused control's wheel event goes, ignored, to its parent."""

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Wheel and isinstance(watched, QWidget) and not watched.hasFocus():
            event.ignore()  # Qt hands an ignored wheel event on to the parent: the scroll area scrolls
            return True
        return False


def wheel_after_click(root: QWidget) -> list[QWidget]:
    """Every spin box, combo box and slider in ``root`` (and ``root`` itself, if it is one) takes
    the wheel only while focused; returns them."""
    guard = root.findChild(_WheelOnlyWhenFocused, "wheel guard")
    if guard is None:
        guard = _WheelOnlyWhenFocused(root)
        guard.setObjectName("wheel guard")
    controls = [w for w in [root, *root.findChildren(QWidget)] if is_setting(w)]
    for control in controls:
        control.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # (their default, WheelFocus, lets the wheel focus them)
        control.removeEventFilter(guard)  # once each, however often the panel asks
        control.installEventFilter(guard)
        control.setProperty("wheelAfterClick", True)  # (what a check of the whole window looks for)
    return controls
