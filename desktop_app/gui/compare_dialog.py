"""The compare view's window: CompareDialog (Close, a scroll area on a small screen) and where it
opens: beside the main window where the screen has room (``beside_rect``), else over the chat
(``fitted_rect``), within the screen's free area either way."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QDialog, QFrame, QHBoxLayout, QPushButton, QScrollArea, QVBoxLayout, QWidget

from desktop_app.gui.compare_view import CompareView
from desktop_app.gui.compare_words import HEADING


class CompareDialog(QDialog):
    """The compare view in its own window (usertest 10 B5: it is a window, with its title bar,
    so its button says Close, not "Back to chat"); closing it drops a scoring still waiting.
    It is never larger than the screen's free area: what does not fit scrolls inside."""

    TITLE_BAR = 32  # room left above the window for its frame before it is shown (then measured)

    def __init__(self, store, chat, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Compare: before and after the fine-tune")
        self.setObjectName("CompareDialog")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(self._build_close_row())
        self.view = CompareView(store, chat, self)
        self.view.title_changed.connect(self.setWindowTitle)  # "Compare: adapter 3 against adapter 2"
        self.scroll = QScrollArea()  # a small screen: the view scrolls, the window stays on the screen
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(self.view)
        # no Tab stop of its own (it scrolls to the field that has the focus): the Tab after Close stopped on it with no
        # ring anywhere, as the settings' scroll area had (usertest26); a screen reader's name for it all the same
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scroll.setAccessibleName(HEADING.capitalize())
        layout.addWidget(self.scroll)
        self.resize(820, 560)

    def _build_close_row(self) -> QHBoxLayout:
        """A visible Close: without it only Esc (unseen) or the title bar's cross got out."""
        row = QHBoxLayout()
        row.setContentsMargins(12, 8, 12, 0)
        row.addStretch(1)
        self.close_button = QPushButton("Close")
        self.close_button.setObjectName("CloseCompare")
        self.close_button.setToolTip("Close the compare window and return to the chat (Esc)")
        self.close_button.clicked.connect(self.reject)
        row.addWidget(self.close_button)
        return row

    def fit_over(self, area: QWidget) -> None:
        """Beside the main window where the screen has room for it (``beside_rect``), else cover the chat
        area (``area``) and nothing beside it, the side panels in sight; within the screen's free area
        either way, its title bar included (usertest 10: at 800x600 its bottom was cut)."""
        screen = area.screen() or self.screen()
        title = max(self.frameGeometry().height() - self.geometry().height() if self.isVisible() else 0,
                    self.TITLE_BAR)
        least, free = self.least_width(), screen.availableGeometry()
        over = fitted_rect(QRect(area.mapToGlobal(QPoint(0, 0)), area.size()), least, free, title)
        # beside the main window where the screen has room: it covered the window it compares (a new user)
        self.setGeometry(beside_rect(area.window().frameGeometry(), over.size(), least, free, title) or over)

    def least_width(self) -> int:
        """The view's least width and the scroll bars beside it, the window's and the answer's (in a short window
        the header scrolls with the answer, beside its bar): a window only as wide as the view cut its right
        edge by a bar's width (at 14 pt the answer's picker and the words by 14 px, then the answer's card)."""
        bars = self.scroll.verticalScrollBar().sizeHint().width() + 2 * self.scroll.frameWidth()
        answer = self.view.answer_scroll
        bars += answer.verticalScrollBar().sizeHint().width() + 2 * answer.frameWidth()
        return self.view.minimumSizeHint().width() + bars

    def done(self, result: int) -> None:
        self.view.cancel()
        super().done(result)

    def closeEvent(self, event) -> None:
        self.view.cancel()
        super().closeEvent(event)


def fitted_rect(area: QRect, least_width: int, free: QRect, title: int) -> QRect:
    """The compare window's geometry: over ``area`` (the chat, in screen coordinates), at least
    ``least_width`` wide and 360 high, but never past ``free`` (the screen's free area) with
    ``title`` pixels of title bar above it; moved back onto the screen where it would leave it."""
    free = free.adjusted(0, title, 0, 0)
    size = QSize(min(max(area.width(), least_width), free.width()), min(max(area.height(), 360), free.height()))
    rect = QRect(area.topLeft(), size)
    rect.moveLeft(max(free.left(), min(rect.left(), free.right() - size.width() + 1)))
    rect.moveTop(max(free.top(), min(rect.top(), free.bottom() - size.height() + 1)))
    return rect


BESIDE_GAP = 8  # between the two windows, room for the frames' borders


def beside_rect(window: QRect, size: QSize, least_width: int, free: QRect, title: int) -> QRect | None:
    """The compare window's geometry beside the main window (its frame, ``window``): right of it, else
    left, its title bar level with the window's, ``size`` (narrowed to the room, down to ``least_width``)
    within ``free`` with ``title`` pixels above it; None where the screen has no such room."""
    free = free.adjusted(0, title, 0, 0)
    right = free.right() - window.right() - BESIDE_GAP
    left = window.left() - free.left() - BESIDE_GAP
    room = max(right, left)
    if room < least_width or size.height() > free.height():
        return None
    width = min(size.width(), room)
    top = max(free.top(), min(window.top() + title, free.bottom() - size.height() + 1))
    x = window.right() + 1 + BESIDE_GAP if right >= left else window.left() - BESIDE_GAP - width
    return QRect(x, top, width, size.height())
