"""Ctrl+F in the Text tab: a find bar over the text that highlights every match in the coloured text, steps
through them (Enter / F3 next, Shift+Enter / Shift+F3 previous), counts them ("3 of 7") and selects the token a
match starts in, so the inspector shows its figures; Esc closes it. In Chat, Ctrl+F still searches the
conversations (gui/shortcuts.py). The finding itself is core/text_find.py's.

A writer pressed Ctrl+F in the Text tab to jump to a word and see its figures: the key took them to the Chat tab's
conversation search (text98)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QTextEdit, QToolButton, QWidget

from desktop_app.core import text_find as core
from desktop_app.gui.explain_reveal import bring_into_view

FIND_PLACEHOLDER = "Find in the text"
FIND_TIP = ("Find a word or phrase in the text (not case-sensitive): Enter or F3 goes to the next match, Shift+Enter "
            "or Shift+F3 to the one before, Esc closes. The token a match starts in shows in the inspector.")
CLOSE_TIP = "Close the find bar (Esc): the highlights go"
# the matches over the heat colours: a marker's yellow, the one gone to in orange; dark text on both in either theme
MATCH_RGB, CURRENT_RGB, MATCH_TEXT_RGB = (255, 224, 102), (255, 159, 28), (29, 35, 48)
REFIND_MS = 120  # after the text changes (an analysis, a streamed continuation): found again once it settles
FIELD_MAX_WIDTH = 360  # px: at 1366 px the field had run 540 px, the count and buttons far from the words
STEP_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F3)


class FindBar(QWidget):
    """The row: the field, its count, previous / next and close."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("TextFindBar")
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 4, 12, 0)  # the text's own left margin (text_view.TEXT_MARGINS)
        row.setSpacing(4)
        self.field = QLineEdit(self)
        self.field.setPlaceholderText(FIND_PLACEHOLDER)
        self.field.setToolTip(FIND_TIP)
        self.field.setAccessibleName(FIND_PLACEHOLDER)
        self.field.setClearButtonEnabled(True)
        self.count = QLabel(self)
        self.count.setObjectName("Muted")
        self.previous_button, self.next_button, self.close_button = (QToolButton(self) for _ in range(3))
        for button, text, tip in ((self.previous_button, "\u25c0", "The match before (Shift+Enter, Shift+F3)"),
                                  (self.next_button, "\u25b6", "The next match (Enter, F3)"),
                                  (self.close_button, "\u2715", CLOSE_TIP)):
            button.setText(text)
            button.setToolTip(tip)
            button.setAccessibleName(tip.split(" (")[0])
        self.field.setMaximumWidth(FIELD_MAX_WIDTH)
        row.addWidget(self.field, 1)
        for widget in (self.count, self.previous_button, self.next_button, self.close_button):
            row.addWidget(widget)
        row.addStretch(0)  # past the field's most, the room goes after the buttons: they stay by the words
        self.hide()


class TextFind(QObject):
    """The find bar of a TextView and its matches.

    Attributes:
        bar: the FindBar, over the text; spans: the matches in the heatmap's document (UTF-16 positions);
        current: the match gone to (-1: none)."""

    def __init__(self, view):
        super().__init__(view)
        self.view, self.heatmap = view, view.heatmap
        self.bar = FindBar(view.pages.parentWidget())
        view.pages.parentWidget().layout().insertWidget(0, self.bar)
        self.spans: list[tuple[int, int]] = []
        self.current = -1
        self.refind_timer = QTimer(self)
        self.refind_timer.setSingleShot(True)
        self.refind_timer.setInterval(REFIND_MS)
        self.refind_timer.timeout.connect(lambda: self.refind(follow=False))
        self._tab_before_the_text()
        self._connect()

    def _tab_before_the_text(self) -> None:
        """Tab goes from the bar's field to its buttons, then into the text below them, as the eye goes: the window's
        ring (gui/focus_order.py) takes a pane's widgets in its children's order, where the bar, made last, had come
        after the text. Under the text in the children's order is before it in that order (they do not overlap)."""
        self.bar.stackUnder(self.view.pages)

    def _connect(self) -> None:
        bar = self.bar
        bar.field.textChanged.connect(lambda _text: self.refind(follow=True))
        bar.next_button.clicked.connect(lambda: self.step(forward=True))
        bar.previous_button.clicked.connect(lambda: self.step(forward=False))
        bar.close_button.clicked.connect(self.close)
        bar.field.installEventFilter(self)
        # the text shown changes (analysed, another branch, a continuation): the highlights follow it
        self.heatmap.document().contentsChanged.connect(self._text_changed)

    @property
    def is_open(self) -> bool:
        return not self.bar.isHidden()

    def open(self) -> None:
        """The bar shown with the cursor in its field, its words selected (Ctrl+F again: typed over)."""
        if self.view.editing:
            self.view.set_editing(False)  # the matches are shown, and their tokens' figures, on the coloured text
        self.bar.show()
        self.bar.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.bar.field.selectAll()
        self.refind(follow=True)

    def close(self) -> None:
        """The bar and its highlights go; the keys go back to the text, on the token last found."""
        self.refind_timer.stop()
        self.bar.hide()
        self.spans, self.current = [], -1
        self.heatmap.setExtraSelections([])
        self.heatmap.setFocus(Qt.FocusReason.OtherFocusReason)

    def eventFilter(self, watched, event) -> bool:
        """In the field Enter / F3 step forward, with Shift back, and Esc closes: taken before the window's own
        shortcuts (Esc stops the model's writing, F3 walks the surprises) see the key."""
        if watched is self.bar.field and event.type() in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            key = event.key()
            if key in STEP_KEYS or key == Qt.Key.Key_Escape:
                if event.type() == QEvent.Type.KeyPress:
                    self._key(key, bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier))
                event.accept()
                return event.type() == QEvent.Type.KeyPress
        return super().eventFilter(watched, event)

    def _key(self, key, shift: bool) -> None:
        if key == Qt.Key.Key_Escape:
            self.close()
        else:
            self.step(forward=not shift)

    # ------------------------------------------------------------ the matches
    def refind(self, follow: bool) -> None:
        """Find the field's words in the text shown again. ``follow``: go to the first match from the selected
        token on (typing); else stay on the match gone to where it still stands (the text changed under it)."""
        if not self.is_open:
            return
        was = self.spans[self.current] if 0 <= self.current < len(self.spans) else None
        # found in the text as written, not as shown: "\u9996\u90fd" showed "\u9996\u00b7\u90fd", a piece of a
        # split character marked, and was found nowhere (intl69)
        places = self.heatmap.written_places()
        text = "".join(ch for ch, _start, _end in places)
        self.spans = [(places[start][1], places[end - 1][2])
                      for start, end in core.find_spans(text, self.bar.field.text())]
        if follow:
            selected = self.heatmap.selected
            self.current = core.first_from(self.spans, self._start_of(selected))
            self._go()
        else:
            self.current = self.spans.index(was) if was in self.spans else -1
            self._paint()

    def _start_of(self, index: int) -> int:
        starts = self.heatmap.starts
        return starts[index] if 0 <= index < len(starts) else 0

    def step(self, forward: bool = True) -> int:
        """To the next (or previous) match; its index (-1: none)."""
        if not self.spans:
            self.refind(follow=False)
        self.current = core.next_match(self.spans, self.current, forward)
        self._go()
        return self.current

    def _go(self) -> None:
        """The current match in view and its token selected, shown in the inspector."""
        self._paint()
        if self.current < 0:
            return
        start, end = self.spans[self.current]
        bring_into_view(self.view.heatmap_scroll, self.heatmap, start, end)
        index = core.token_at(self.heatmap.ends, start)
        if index >= 0 and index != self.heatmap.selected:
            self.heatmap.choose_token(index)

    def _paint(self) -> None:
        self.heatmap.setExtraSelections([self._selection(span, i == self.current) for i, span in enumerate(self.spans)])
        self.bar.count.setText(core.count_words(self.current, len(self.spans), self.bar.field.text()))

    def _selection(self, span: tuple[int, int], current: bool) -> QTextEdit.ExtraSelection:
        selection = QTextEdit.ExtraSelection()
        document = self.heatmap.document()
        last = document.characterCount() - 1  # a match found before the text changed stays inside it
        cursor = QTextCursor(document)
        cursor.setPosition(min(span[0], last))
        cursor.setPosition(min(span[1], last), QTextCursor.MoveMode.KeepAnchor)
        selection.cursor = cursor
        look = QTextCharFormat()
        look.setBackground(QColor(*(CURRENT_RGB if current else MATCH_RGB)))
        look.setForeground(QColor(*MATCH_TEXT_RGB))
        selection.format = look
        return selection

    def _text_changed(self) -> None:
        if self.is_open:
            self.refind_timer.start()


def install(view) -> TextFind:
    return TextFind(view)
