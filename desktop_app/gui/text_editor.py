"""The Text tab's editor: where the person writes, pastes or opens a text, plain (the heatmap shows
it coloured). It breaks a pasted text's very long lines, takes a stored text without calling it an
edit, underlines a model's continuation and says quickly whether it holds nothing but blanks."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit

from desktop_app.core import documents
from desktop_app.gui.text_bar import EDIT_KEYS
from desktop_app.gui.token_view import MODEL_START_COLOUR

PLACEHOLDER = ("Write or paste a text, or open a .txt / .md file. It is analysed as you "
               f"write; {EDIT_KEYS} shows its colours, Ctrl+Enter lets the model continue it, Esc stops.")


class TextEditor(QPlainTextEdit):
    """A plain text editor; a paste with a very long line comes in broken into shorter lines
    (documents.break_long_lines), which the editor lays out in milliseconds.

    Attributes:
        loading: a stored text is being set (``load``): its textChanged is no edit to save."""

    long_lines_broken = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.loading = False
        self.setObjectName("TextEditor")
        self.setAccessibleName("Text editor")
        self.setPlaceholderText(PLACEHOLDER)
        # writers expect Ctrl+Y to redo; Qt binds it only on Windows (X11: Ctrl+Shift+Z alone, text67)
        redo_key = QShortcut(QKeySequence("Ctrl+Y"), self, self.redo)
        redo_key.setContext(Qt.ShortcutContext.WidgetShortcut)

    def insertFromMimeData(self, source) -> None:
        if not source.hasText():
            super().insertFromMimeData(source)
            return
        text, broken = documents.break_long_lines(source.text())
        if not broken:
            super().insertFromMimeData(source)
            return
        self.insertPlainText(text)
        self.long_lines_broken.emit(broken)

    def load(self, text: str) -> None:
        """Show a stored text (not an edit to save), the cursor at its end, where Continue goes on."""
        self.loading = True
        try:
            self.setPlainText(text)
            self.moveCursor(QTextCursor.MoveOperation.End)
        finally:
            self.loading = False

    def mark_model_spans(self, spans) -> None:
        """The model's continuation (``spans``: its characters) underlined in the heatmap mark's
        orange (dotted; a plain editor draws no italics): the marks move with the person's edits
        until the next analysis."""
        marks = []
        last = self.document().characterCount() - 1
        for start, end in spans:
            mark = QTextEdit.ExtraSelection()
            cursor = QTextCursor(self.document())
            cursor.setPosition(start)
            cursor.setPosition(min(end, last), QTextCursor.MoveMode.KeepAnchor)
            mark.cursor = cursor
            underline = QTextCharFormat()
            underline.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
            underline.setUnderlineColor(QColor(MODEL_START_COLOUR))
            mark.format = underline
            marks.append(mark)
        self.setExtraSelections(marks)

    def is_blank(self) -> bool:
        """Nothing but spaces (as ``str.strip`` reads them), read line by line up to the first that
        holds more: each keystroke asks, and a copy of a 5 MB text took 8 ms a time."""
        block = self.document().firstBlock()
        while block.isValid():
            if block.text().strip():
                return False
            block = block.next()
        return True
