"""What a window shows cut: a check, not an eye, under a large desktop font (bigfont68). A helper walked the
app at 14 pt and saw nothing clipped while the Settings popover cut its spin boxes; ``cut_widgets`` lists
every visible widget whose edge runs past what its parent shows, or whose one-line words or button text
have less width than they ask for. Qt only; no test of its own (the tests that use it are its test)."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QAbstractButton, QAbstractScrollArea, QLabel, QWidget

from desktop_app.gui.elided_labels import ElidedLabel
from desktop_app.gui.text_bar import StatusWords

SLACK = 1  # px: a laid-out edge that rounds one past its parent is not a cut a person sees


def cut_widgets(top: QWidget) -> list[str]:
    """Every visible widget in ``top`` that is cut, as "Type 'objectName' 'text': why"."""
    found = []
    for widget in top.findChildren(QWidget):
        if not shown(widget, top):
            continue
        why = past_parent(widget) or narrower_than_asked(widget)
        if why:
            found.append(f"{type(widget).__name__} {widget.objectName()!r} {words(widget)!r}: {why}")
    return found


def shown(widget: QWidget, top: QWidget) -> bool:
    """Visible in ``top``, drawn with some size, and no window of its own (a popup is checked by itself)."""
    return (widget.isVisible() and widget.isVisibleTo(top) and not widget.isWindow()
            and widget.width() > 0 and widget.height() > 0)


def words(widget: QWidget) -> str:
    text = widget.text() if isinstance(widget, (QLabel, QAbstractButton)) else ""
    return (text or widget.accessibleName() or "")[:60]


def past_parent(widget: QWidget) -> str:
    """Its right or bottom edge past its parent's, except the way a scroll area scrolls its contents."""
    parent = widget.parentWidget()
    if parent is None:
        return ""
    corner = widget.mapTo(parent, QPoint(widget.width(), widget.height()))
    scrolls_across, scrolls_down = scroll_ways(parent)
    cut = []
    if not scrolls_across and corner.x() > parent.width() + SLACK:
        cut.append(f"right {corner.x()} past {type(parent).__name__}'s {parent.width()}")
    if not scrolls_down and corner.y() > parent.height() + SLACK:
        cut.append(f"bottom {corner.y()} past {type(parent).__name__}'s {parent.height()}")
    return ", ".join(cut)


def scroll_ways(parent: QWidget) -> tuple[bool, bool]:
    """Whether ``parent`` is a scroll area's viewport that scrolls across, and down: what lies past it is
    scrolled to, not cut. A scroll area whose bar is off cuts that way as any widget does."""
    from PySide6.QtCore import Qt

    area = parent.parentWidget()
    if not isinstance(area, QAbstractScrollArea) or area.viewport() is not parent:
        return False, False
    off = Qt.ScrollBarPolicy.ScrollBarAlwaysOff
    return area.horizontalScrollBarPolicy() != off, area.verticalScrollBarPolicy() != off


def narrower_than_asked(widget: QWidget) -> str:
    """A one-line label or a button given less width than its words need; labels that elide on purpose
    (elided_labels, the Text tab's cuttable status) and wrapped labels are left out."""
    if isinstance(widget, QLabel):
        if widget.wordWrap() or isinstance(widget, ElidedLabel) or widget.pixmap() and not widget.text():
            return ""
        if isinstance(widget, StatusWords) and widget.cuttable:
            return ""
    elif not isinstance(widget, QAbstractButton):
        return ""
    wanted = widget.sizeHint().width()
    if widget.width() + SLACK < wanted:
        return f"{widget.width()} px of the {wanted} its words ask"
    return ""
