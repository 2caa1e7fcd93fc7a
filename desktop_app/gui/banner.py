"""The window's banners: a notice or an error over the chat, kept short in a short window (the
chat keeps its room) yet whole where the person has something to decide and the window has the
height: the first start's notice, which says which model is in use and offers "Choose a
model\u2026" (under 600 px high, one line beside its link, the whole a hover or a click away)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRect, Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QPushButton, QToolButton

TALL_WINDOW_PX, TALL_WINDOW_LINES = 680, 4  # from this window height a notice may take 4 lines
# A notice with a button asks the person to choose: it shows whole (up to this many lines) at any
# window height; at 800x600 the first start's was cut to two lines, mid-sentence, its offer unread.
ACTION_NOTICE_LINES = 8
# ...except in a window shorter than this, where the whole notice (six lines beside the inspector
# at 800x560) left the Text tab's text two lines high: it keeps to one line there, its button (a
# link, no taller than the line) beside it, the whole notice in its tooltip and a click on it away.
# Two lines and a framed button (44 px, 52 with the gap over it) had kept a 480 px window 509 px
# high in Text mode.
COMPACT_WINDOW_PX, COMPACT_LINES = 600, 1
# ...or where the whole notice leaves the chat's transcript less than this: at 1024x640 beside both
# side panels (a 462 px wide chat, the notice six lines) it left 201 px, less than the one line leaves
# at 1024x600 (258 px); at 800x600 beside the inspector, about 170 px.
CHAT_KEEPS_PX = 260
COMPACT_MARGINS, WHOLE_MARGINS = (12, 1, 4, 1), (12, 6, 6, 6)  # the grid's, as (left, top, right, bottom)
# Narrower than this beside its button, the notice's text wraps every few words: the button goes
# under the text (at 800x600 the text had 230 px beside "Choose a model\u2026").
LABEL_ROOM_PX = 320


# A cut notice's text may narrow to this many average characters and its "…": its least width had been its
# longest word's (97 px: "(openai-community/gpt2)" wrapped), and beside "Choose a model…" in the chat's 243 px
# on a 480 px screen that cut the link by 23 px. The text is cut anyway, whole in its tooltip and a click away.
LABEL_LEAST_CHARS = 5

WRAPPED = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap)


def text_lines_height(metrics, lines: int) -> int:
    """The height Qt lays ``lines`` lines of text in: at some sizes (10, 14 and 16 pt) a line is a pixel over
    ``lineSpacing``, and a one-line notice measured by it found no word fitting and was cut to its first word."""
    return metrics.boundingRect(QRect(0, 0, 10_000, 10_000), WRAPPED, "\n".join("X" * max(1, lines))).height()


class ShortLabel(QLabel):
    """A wrapped plain-text label that shows at most ``max_lines`` lines, the rest elided
    (the whole text in its tooltip; a click shows it all): a long notice must not take the
    chat's room in a short window. ``text()`` stays the whole text.

    Whether the text is cut, and its cut form, are worked out when the text, the width or the
    line count change, never while painting: QLabel's size-for-width re-lays selectable text and
    asks for a paint, so measuring in ``paintEvent`` repainted an idle window ~140 times a second."""

    def __init__(self, max_lines: int = 2, parent=None):
        super().__init__(parent)
        self.max_lines, self.expanded = max_lines, False
        # the lines it may be cut to in a short window: what the window's least height counts of it
        self.least_lines = max_lines
        self.cut_text = None  # the elided form painted instead of the text; None: the text fits
        self.setWordWrap(True)

    def setText(self, text: str) -> None:
        self.expanded = False
        super().setText(text)
        self._changed()

    def set_max_lines(self, lines: int) -> None:
        if lines != self.max_lines:
            self.max_lines = lines
            self._changed()

    def _changed(self) -> None:
        self._measure()
        self.updateGeometry()
        self.update()

    def _capped(self) -> bool:
        return not self.expanded and super().heightForWidth(max(1, self.width())) > self._cap_height()

    def _measure(self) -> None:
        self.cut_text = self._elided() if self._capped() else None
        self.setToolTip(self.text() if self.cut_text is not None else "")
        # a cut notice opens on a click: the pointer says the "…" is more than a full stop
        clickable = self.cut_text is not None or self.expanded
        self.setCursor(Qt.CursorShape.PointingHandCursor if clickable else Qt.CursorShape.IBeamCursor)

    def _cap_height(self) -> int:
        return self.lines_height(self.max_lines)

    def lines_height(self, lines: int) -> int:
        margins = self.contentsMargins()
        return text_lines_height(self.fontMetrics(), lines) + margins.top() + margins.bottom()

    def whole_height(self, lines: int, width: int | None = None) -> int:
        """Its height at its width (or at ``width``) shown up to ``lines`` lines."""
        width = self.width() if width is None else width
        return min(super().heightForWidth(max(1, width)), self.lines_height(lines))

    def heightForWidth(self, width: int) -> int:
        full = super().heightForWidth(width)
        return full if self.expanded else min(full, self._cap_height())

    def minimumSizeHint(self):
        """Shown, the height of its lines at its width, up to ``least_lines`` (all of them once opened):
        QLabel's own is one line, so the window's least height left out the rest of a notice (or of an
        error) and an opened one squeezed the Text tab below its least height in a 480 px window. Its least
        width is a few characters' (LABEL_LEAST_CHARS) while it is cut: the button beside it keeps its words."""
        hint = super().minimumSizeHint()
        if not self.expanded:  # an opened one wraps its words whole
            hint.setWidth(min(hint.width(), self.fontMetrics().averageCharWidth() * LABEL_LEAST_CHARS
                              + self.fontMetrics().horizontalAdvance("\u2026")))
        if self.isVisible() and self.width() > 1:
            hint.setHeight(super().heightForWidth(self.width()) if self.expanded else
                           self.whole_height(min(self.max_lines, self.least_lines)))
        elif not self.expanded:
            hint.setHeight(min(hint.height(), self._cap_height()))
        return hint

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._measure()
            self.updateGeometry()  # its least height follows its width

    def mousePressEvent(self, event) -> None:
        if self.cut_text is not None or self.expanded:
            self.expanded = not self.expanded
            self._changed()
        super().mousePressEvent(event)

    def paintEvent(self, event) -> None:
        if self.cut_text is None:
            super().paintEvent(event)
            return
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(self.contentsRect(), WRAPPED, self.cut_text)

    def _elided(self) -> str:
        """The longest form of the text cut after a whole word, with "…", that wraps into
        ``max_lines`` lines (a cut inside a word, "which wor…", read as a typo); a first word too
        long for them is cut where it must be."""
        words = " ".join(self.text().split()).split(" ")
        low, high, best = 1, len(words), None
        while low <= high:  # more words never take fewer lines: the most that fit is searched
            count = (low + high) // 2
            candidate = " ".join(words[:count]).rstrip(",;:") + "\u2026"
            if self._fits(candidate):
                best, low = candidate, count + 1
            else:
                high = count - 1
        return best if best is not None else self._elided_inside_word(words[0])

    def _fits(self, text: str) -> bool:
        metrics, width = self.fontMetrics(), self.contentsRect().width()
        cap = text_lines_height(metrics, self.max_lines)
        return metrics.boundingRect(QRect(0, 0, width, 10 * cap), WRAPPED, text).height() <= cap

    def _elided_inside_word(self, word: str) -> str:
        metrics, width = self.fontMetrics(), self.contentsRect().width()
        return metrics.elidedText(word, Qt.TextElideMode.ElideRight, width)  # one word: one line


class Banner(QFrame):
    """A dismissible notice (kind "info") or error (kind "error"), with a button when the notice
    offers something to do (``show_message``'s ``action``).

    Attributes:
        kind: the kind shown; label: its text.
        remembered: (settings, key, text) of a notice that stays dismissed once closed.
        action_under: the button sits under the text (a narrow banner), not beside it."""

    dismissed = Signal(str)  # the text the person closed with ✕

    def __init__(self, parent=None, max_lines: int = 2):
        super().__init__(parent)
        self.setObjectName("Banner")
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(*WHOLE_MARGINS)
        self.grid.setColumnStretch(0, 1)
        self.label = ShortLabel(max_lines)  # hover or click for a longer one
        # a window with height to spare shows the whole notice (the bundled model's was cut at
        # 1024x700 and at 1280x770); a short one keeps it to max_lines, for the chat's sake
        self.short_lines, self.tall_lines = max_lines, max(max_lines, TALL_WINDOW_LINES)
        self.watching = None
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.grid.addWidget(self.label, 0, 0)
        self._build_action()
        self.close_button = self._build_close()
        self.grid.addWidget(self.close_button, 0, 2, Qt.AlignmentFlag.AlignTop)
        self.remembered = None  # (settings, key, text) of a notice from show_unless_dismissed
        # (text, action) of that notice while it applies: a later message in its place (an answer's notice, the
        # editing notice) hid it for good, its "Choose a model…" with it (robust104); it comes back when that goes
        self.standing = None
        # the chat's height beside the notice shown whole, or None where it is not known (set by
        # the window: gui/window_notices.py); the notice shows whole only where it is CHAT_KEEPS_PX
        self.chat_beside_whole = None
        self.hide()

    def _build_action(self) -> None:
        """What the notice offers to do (set_action), hidden without one; beside the text."""
        self.action_button = QPushButton()
        # a link: a framed button was the tallest part of a short window's one-line notice
        self.action_button.setObjectName("LinkButton")
        self.action_button.hide()
        self.action_button.clicked.connect(lambda: self.action is not None and self.action())
        self.action = None
        self.action_under = False
        self.grid.addWidget(self.action_button, 0, 1, Qt.AlignmentFlag.AlignVCenter)

    def _build_close(self) -> QToolButton:
        close = QToolButton()
        close.setObjectName("FlatTool")
        close.setText("\u2715")
        close.setToolTip("Dismiss")
        close.setAccessibleName("Dismiss this notice")  # its text is only "✕": a screen reader's name for it
        close.clicked.connect(self._dismiss)
        return close

    def show_message(self, text: str, kind: str = "info", action=None) -> None:
        """``action``: (button words, what a click does) for a notice the person can act on, or None."""
        self.set_action(action)
        self.setProperty("kind", kind)
        self.style().unpolish(self)
        self.style().polish(self)
        self.label.setText(text)
        self.show()
        self._fit()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.watching is not self.window():
            self.watching = self.window()
            self.watching.installEventFilter(self)
        self._fit()

    def eventFilter(self, watched, event) -> bool:
        # a resize, or the window's parts asking for other room (Chat and Text need different heights)
        if (watched is self.watching and event.type() in (QEvent.Type.Resize, QEvent.Type.LayoutRequest)
                and self.isVisible()):  # (showEvent fits a banner that shows again)
            self._fit()
        return False

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._place_action()

    def _fit(self) -> None:
        self._place_action()
        self._fit_lines()

    def _fit_lines(self) -> None:
        compact = self.one_line
        self.label.least_lines = COMPACT_LINES if self.offers_action or compact else self.short_lines
        if compact:
            lines = COMPACT_LINES
        elif self.offers_action:
            lines = ACTION_NOTICE_LINES
        else:
            lines = self.tall_lines if self.window().height() >= TALL_WINDOW_PX else self.short_lines
        self.grid.setContentsMargins(*(COMPACT_MARGINS if compact else WHOLE_MARGINS))
        # one line beside the link and the close: in their middle, not over them
        self.grid.setAlignment(self.label, Qt.AlignmentFlag.AlignVCenter if compact else Qt.AlignmentFlag(0))
        self.label.set_max_lines(lines)

    def minimumSizeHint(self):
        """A notice with a button counts as its short form (one line beside the button) whichever
        form shows: the whole one's least height (two lines over its button) had kept a window
        dragged from 700 to 480 px at 529, since the notice shortens only once the window is under
        600 px, and Qt refused the first resize."""
        hint = super().minimumSizeHint()
        if self.offers_action and not self.label.expanded:
            hint.setHeight(self.compact_height())
        return hint

    def compact_height(self) -> int:
        """Its height in its short form: one line, the button and the close beside it."""
        top, bottom = COMPACT_MARGINS[1], COMPACT_MARGINS[3]
        row = max(self.label.lines_height(COMPACT_LINES), self.action_button.sizeHint().height(),
                  self.close_button.sizeHint().height())
        return row + top + bottom + self._frame_height()

    def whole_height(self) -> int:
        """Its height showing the whole notice (the button under it where it goes there)."""
        margins = WHOLE_MARGINS[1] + WHOLE_MARGINS[3]
        under = self._button_goes_under()
        label = self.label.whole_height(ACTION_NOTICE_LINES, self._whole_label_width(under))
        button, gap = self.action_button.sizeHint().height(), max(0, self.grid.verticalSpacing())
        row = label + gap + button if under else max(label, button)
        return max(row, self.close_button.sizeHint().height()) + margins + self._frame_height()

    def _frame_height(self) -> int:
        """The frame's border and padding (the style sheet's), over and under the grid."""
        margins = self.contentsMargins()  # (a QFrame's frame width is among them)
        return margins.top() + margins.bottom()

    def _place_action(self) -> None:
        """The button beside the text, or under it (right-aligned) where the text would be squeezed."""
        under = self.offers_action and not self.compact and self._button_goes_under()
        if under == self.action_under:
            return
        self.action_under = under
        self.grid.removeWidget(self.action_button)
        if under:
            self.grid.addWidget(self.action_button, 1, 0, 1, 2, Qt.AlignmentFlag.AlignRight)
        else:
            self.grid.addWidget(self.action_button, 0, 1, Qt.AlignmentFlag.AlignVCenter)

    def _button_goes_under(self) -> bool:
        """Shown whole, the button would squeeze the text beside it: it goes under."""
        return self._label_room_beside() < LABEL_ROOM_PX

    def _label_room_beside(self) -> int:
        """The text's width with the button beside it, shown whole."""
        return self._whole_label_width(under=False)

    def _whole_label_width(self, under: bool) -> int:
        """The text's width shown whole, its button under it or beside it: from the whole form's
        margins, not the grid's, so that the one-line form works out the whole one's height right
        (at its own width, the text beside the link, it was 152 px for 124 at 1024x640)."""
        left, _top, right, _bottom = WHOLE_MARGINS
        gap = max(0, self.grid.horizontalSpacing())
        beside = 0 if under else self.action_button.sizeHint().width()  # (its column's gaps stay under it)
        return (self.width() - self._frame_width() - left - right - beside
                - self.close_button.sizeHint().width() - 2 * gap)

    def _frame_width(self) -> int:
        margins = self.contentsMargins()
        return margins.left() + margins.right()

    @property
    def one_line(self) -> bool:
        """The notice keeps to one line, its whole a hover or a click away: one with a button where ``compact``,
        any other notice in a window under COMPACT_WINDOW_PX (at 640x480 its two lines and roomier margins took
        a line of the answer from the chat). An error keeps its lines: it says what to do."""
        if self.offers_action:
            return self.compact
        return self.kind == "info" and self.window().height() < COMPACT_WINDOW_PX

    @property
    def compact(self) -> bool:
        """A short window, or one without room for the whole notice beside the least height of the
        rest (the Text tab's needs more than the chat's): a notice with a button keeps to one line
        (its link beside it). The window's least height counts that form whichever shows, so a
        window with the whole notice can always be made short again, in one resize."""
        window = self.window()
        return (window.height() < COMPACT_WINDOW_PX or not self._room_for_whole(window)
                or not self._chat_keeps_room())

    def _chat_keeps_room(self) -> bool:
        """The whole notice leaves the chat a readable height (CHAT_KEEPS_PX), where the window says."""
        chat = self.chat_beside_whole() if self.chat_beside_whole is not None else None
        return chat is None or chat >= CHAT_KEEPS_PX

    def _room_for_whole(self, window) -> bool:
        counted = self.minimumSizeHint().height()  # the short form, whichever shows
        return window.minimumSizeHint().height() - counted + self.whole_height() <= window.height()

    @property
    def offers_action(self) -> bool:
        return self.action is not None

    def show_unless_dismissed(self, text: str, settings, key: str, action=None) -> None:
        """Show ``text`` unless the person closed this very text before (kept in the
        QSettings ``settings`` under ``key``): a notice that would repeat at every start. It stands: a
        message shown in its place later brings it back when it goes (``setVisible``)."""
        self.remembered = (settings, key, text)
        if settings.value(key) != text:
            self.standing = (text, action)
            self.show_message(text, "info", action)

    def forget_standing(self) -> None:
        """The standing notice no longer applies (another model in use): it does not come back."""
        self.standing = None

    def setVisible(self, visible: bool) -> None:
        """Hidden (closed with ✕ or taken back by the window): the standing notice itself goes for good; a
        message that covered it gives its place back to it."""
        super().setVisible(visible)
        if visible or self.standing is None:
            return
        if self.label.text() == self.standing[0]:
            self.standing = None
        else:
            self.show_message(self.standing[0], "info", self.standing[1])

    def set_action(self, action) -> None:
        self.action = action[1] if action else None
        self.action_button.setText(action[0] if action else "")
        self.action_button.setVisible(action is not None)

    def _dismiss(self) -> None:
        text = self.label.text()  # (read first: hiding a message brings back the notice it covered)
        self.hide()
        self.dismissed.emit(text)
        if self.remembered is not None and text == self.remembered[2]:
            settings, key, _text = self.remembered
            settings.setValue(key, text)

    @property
    def kind(self) -> str:
        return self.property("kind") or "info"
