"""A click on a tooltip that covers an item view's rows goes to the row under it.

Qt shows a row's tooltip a little under the pointer, over the rows below; a press on it only hid it, so a writer who
clicked the next branch in the Text tab's outline while a tooltip was up saw no branch chosen, and the 👎 they pressed
next rated the branch shown before (walk70). The tooltip's window is Qt's own (``qtooltip_label``), made anew at times:
it is watched each time the view shows a tooltip."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QToolTip

TIP_NAME = "qtooltip_label"  # the object name Qt gives its tooltip's window


def shown_tip():
    """Qt's tooltip window while it shows, else None."""
    return next((w for w in QApplication.topLevelWidgets() if w.objectName() == TIP_NAME and w.isVisible()), None)


class TipClickThrough(QObject):
    """Watches ``view``'s tooltips; a left press on one, over one of the view's rows, calls ``clicked(item, column)``
    with the row under it (the view's own click did not come: the tooltip had it)."""

    def __init__(self, view, clicked):
        super().__init__(view)
        self.view, self.clicked = view, clicked
        view.viewport().installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        # the event's type read first: the view is not touched on its other events (its teardown's among them)
        kind = event.type()
        if kind == QEvent.Type.ToolTip:  # the view shows its tooltip as it handles this, after the filter
            QTimer.singleShot(0, self, self._watch_tip)
        elif (kind == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton
              and watched.objectName() == TIP_NAME):
            return self._press_through(event.globalPosition().toPoint())
        return False

    def _watch_tip(self) -> None:
        tip = shown_tip()
        if tip is not None:
            tip.installEventFilter(self)  # once: a filter installed again only moves to the front

    def _press_through(self, point) -> bool:
        viewport = self.view.viewport()
        local = viewport.mapFromGlobal(point)
        item = self.view.itemAt(local) if viewport.isVisible() and viewport.rect().contains(local) else None
        if item is None:
            return False
        QToolTip.hideText()
        self.view.setCurrentItem(item)
        self.clicked(item, self.view.columnAt(local.x()))
        return True
