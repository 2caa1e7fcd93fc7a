"""Text mode's widget: write, paste or open a text; see how predictable each token was
(GLTR's heatmap and summary); let the model continue it.

``TextView`` is the Text tab: the document bar (gui/text_bar.py), the text shown once (coloured in the heatmap,
the chat's TokenView, or plain in the editor while the person edits it: Edit, Ctrl+E), the
branches, the summary. A model's continuation is marked apart from the person's text (italics
after an orange bar; the summary gives the person's own figures). Its logic lives in ``TextController`` (gui/text_controller.py); the
window's wiring (tabs, mode, the shared inspector) in gui/text_mode.py.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QFileDialog, QPlainTextEdit, QScrollArea, QSizePolicy, QSplitter, QStackedWidget,
                               QTextEdit, QVBoxLayout, QWidget)

from desktop_app.core import documents
from desktop_app.core import text_branches as tb
from desktop_app.core.count_words import counted
from desktop_app.gui import save_folder
from desktop_app.gui.off_words import NOTHING_TO_CONTINUE, TextFacts, text_regenerate_tip
from desktop_app.gui.text_bar import EDIT_KEYS, TextBar
from desktop_app.gui.text_controller import TextController
from desktop_app.gui.text_summary import SummaryPanel
from desktop_app.gui.text_tree_panel import BranchPanel
from desktop_app.gui.tips import turn
from desktop_app.gui.token_view import TokenView

RESCORE_PAUSE_MS = 600  # an edit is analysed once typing pauses this long
PLAIN_PREVIEW_CHARS = 50_000  # an opened text shows this much plain until its colours come (a 5 MB one: its start)
NARROW_WIDTH = 560  # below this the branches go under the heatmap (the heatmap keeps its width)
BRANCHES_MIN_HEIGHT = 78  # two rows of the outline and the rating buttons, under the text
# a short tab scrolls the summary rather than squeezing the text under this many lines (at 800x560
# with the first start's notice the summary's whole height had held the text to two, cut mid-line)
TEXT_MIN_LINES = 4
SUMMARY_MIN_HEIGHT = 48  # the summary's title row, the rest scrolled to (its bar too, once laid out: _summary_least)
# below this the summary drops its histograms: at the default window (1088x680, about 490 px for
# the tab) they had kept the heatmap, the point of Text mode, to four or five lines
SHORT_HEIGHT = 560


def broken_lines_notice(count: int) -> str:
    lines = "a line" if count == 1 else f"{count:,} lines"
    return (f"The text had {lines} longer than {documents.MAX_LINE_CHARS:,} characters, which the editor "
            f"cannot lay out quickly, so {'it was' if count == 1 else 'they were'} broken into lines of about "
            f"{documents.PIECE_CHARS:,} characters (after sentences, or at spaces). Nothing else changed; "
            "an opened file itself is untouched.")


PASTE_ON_COLOURS_WORDS = ("The coloured text takes no paste: Edit (Ctrl+E) opens it for writing, "
                          "New (Ctrl+N) starts a new text.")


class TextEditor(QPlainTextEdit):
    """The Text tab's editor: a paste with a very long line comes in broken into shorter
    lines (documents.break_long_lines), which the editor lays out in milliseconds."""

    long_lines_broken = Signal(int)

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


def forked_notice(tree, source: int, new: int) -> str:
    """What became of an edit before a continuation, or of a rated one's words (BranchTree.fork), in one
    sentence (words, not emoji: a display without an emoji font showed a box)."""
    ratings, tokens = tree.ratings(source), len(tree.ratings(source)["tokens"])
    kept = [words for present, words in (
        (ratings["thumbs"] == 1, "your thumbs up"), (ratings["thumbs"] == -1, "your thumbs down"),
        (tokens, counted(tokens, "rated token")),
        (ratings["correction"], "your better continuation")) if present]
    rated = f", with {' and '.join(kept)}" if kept else ""

    def named(branch_id: int) -> str:
        return f"\u201c{tb.first_words(tb.label(tree.by_id[branch_id]), 28)}\u201d"

    if tree.by_id[new]["start"] >= tree.by_id[source]["start"]:  # an edit of the continuation's own words
        return (f"Your edit is a new branch, {named(new)}. Your rating is of the words the model wrote, so that "
                f"continuation stays as it was in its own branch, {named(source)}{rated}.")
    return (f"Your edit is a new branch, {named(new)}. The model wrote its italic words after your earlier wording, "
            f"so that continuation stays as it was in its own branch, {named(source)}{rated}.")


STOPPED_CONTINUATION = "You stopped this continuation before it ended."  # as the chat's STOPPED_WORDS
STOPPED_EMPTY = "Stopped before the first token; nothing was kept."
# a continuation cut at the settings' limit ended mid-sentence with nothing said (usertest 25), and the
# Text tab shows no Settings button: the words name the setting and its key
AT_THE_LIMIT = "Stopped at Max new tokens ({count}, Ctrl+,): Continue writes on"


class SummaryScroll(QScrollArea):
    """A frameless scroll area that asks for its widget's height as that changes: QScrollArea's
    own hint is the widget's first one, kept (the summary's narrow form, 40 px taller than its wide
    one, took that much of the text's height at 1280x800)."""

    def __init__(self, widget: QWidget):
        super().__init__()
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setWidget(widget)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.least = False  # ask for the least height only (set_least)
        widget.installEventFilter(self)

    def set_least(self, least: bool) -> None:
        """Ask for the least height alone, the rest scrolled to (a short tab with Surprises open: text_surprises)."""
        if least != self.least:
            self.least = least
            self.updateGeometry()

    def sizeHint(self) -> QSize:
        widget, frame = self.widget(), 2 * self.frameWidth()
        hint = widget.sizeHint()
        if widget.hasHeightForWidth():  # the figures wrap: their height at this width, not at a guessed one
            hint.setHeight(widget.heightForWidth(max(1, self.viewport().width())))
        if self.least:
            return QSize(hint.width() + frame, self.minimumHeight())
        return QSize(hint.width() + frame, hint.height() + frame)

    def minimumSizeHint(self) -> QSize:
        """(A widget's size hint is taken at least as tall as this: the least height alone asks for no more.)"""
        least = super().minimumSizeHint()
        return QSize(least.width(), self.minimumHeight()) if self.least else least

    def eventFilter(self, watched, event) -> bool:
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()
        return super().eventFilter(watched, event)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.updateGeometry()


class TextView(QWidget):
    """The Text tab: a document picker and buttons, the text (coloured, or in the editor)
    beside the branches (the tree of continuations), the summary.

    Attributes:
        controller: the TextController.
        editor: where the person writes (read-only while the model continues); shown instead
            of the heatmap while ``editing``.
        heatmap: a TokenView of the analysed text (and the continuation as it streams).
        pages: shows the heatmap (in its scroll area) or the editor.
        summary_panel: the GLTR summary.
        branch_panel: the tree of continuations (text_tree_panel.BranchPanel).
        timer: the pause after an edit before it is saved and analysed."""

    token_clicked = Signal(int, object)  # index, TokenRecord
    token_hovered = Signal(int, object)  # index (-1: none), TokenRecord or None
    notice = Signal(str)  # something the person should know, not an error (lines broken)

    def __init__(self, controller: TextController, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(RESCORE_PAUSE_MS)
        self.timer.timeout.connect(self.analyse_now)
        self._loading = False  # setting the editor's text from a document is no edit
        self._build()
        self._connect()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._build_bar())
        self.editor = TextEditor()
        self.editor.setObjectName("TextEditor")
        self.editor.setAccessibleName("Text editor")
        self.editor.setPlaceholderText("Write or paste a text, or open a .txt / .md file. It is analysed as you "
                                       f"write; {EDIT_KEYS} shows its colours, Ctrl+Enter lets the model continue "
                                       "it, Esc stops.")
        scroll = self._build_heatmap_scroll()
        # the text once: coloured (the heatmap), or plain in the editor while the person edits it
        self.pages = QStackedWidget()
        self.pages.addWidget(scroll)
        self.pages.addWidget(self.editor)
        self.branch_panel = BranchPanel(self.controller.tree)
        self.regenerate_button = self.branch_panel.regenerate_button  # it acts on the continuation shown
        self.branch_panel.setMinimumWidth(120)
        self.lower = QSplitter(Qt.Orientation.Horizontal)  # the text | the branches
        self.lower.addWidget(self._build_text_pane())
        self.lower.addWidget(self.branch_panel)
        self.lower.setStretchFactor(0, 1)
        self.lower.setSizes([440, 260])
        self.lower.setChildrenCollapsible(False)
        layout.addWidget(self.lower, 1)
        self.summary_panel = SummaryPanel()
        layout.addWidget(self._build_summary_scroll())
        shortcut = QShortcut(QKeySequence(EDIT_KEYS), self, lambda: self.set_editing(not self.editing))
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def _build_text_pane(self) -> QWidget:
        """The text, and over it the row a narrow bar's status words go to ("writing…"): the row takes
        its height from the text's alone (_text_room), so as the words come and go nothing else in the tab
        moves, the branches' Regenerate row under or beside the text included, and the tab's least
        height stays the same (held under the bar through a continuation, the row had made it 490 px)."""
        pane = QWidget()
        column = QVBoxLayout(pane)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self.status_line = self.bar.status_line
        column.addLayout(self.status_line)
        column.addWidget(self.pages, 1)
        return pane

    def _build_summary_scroll(self) -> QScrollArea:
        """The summary at its own height where the tab has it, else scrolled: it had been cut off
        at its foot, and the text over it squeezed."""
        scroll = SummaryScroll(self.summary_panel)
        scroll.setMinimumHeight(SUMMARY_MIN_HEIGHT)
        self.summary_scroll = scroll
        self.summary_panel.histograms_button.toggled.connect(self._summary_room)
        return scroll

    def _summary_room(self, opened: bool) -> None:
        """Histograms the person opened show whole, from the text's room: scrolled, they showed a strip."""
        least = self.summary_panel.minimumSizeHint().height() if opened else self._summary_least()
        self.summary_scroll.setMinimumHeight(least)

    def _summary_least(self) -> int:
        """The summary's title row and its bar, whole, the figures scrolled to: at its title row's
        height the bar showed cut in half. It ends where the figures begin: with the grid's bottom margin,
        wider than the gap over them, their first line's top had shown, cut through (usertest 25)."""
        panel = self.summary_panel
        margins, gap = panel.grid.contentsMargins(), panel.grid.verticalSpacing()
        bar = 0 if panel.bar_in_title else gap + panel.bar.sizeHint().height()  # a short tab's is in the title row
        return margins.top() + panel.title_row.sizeHint().height() + bar + gap

    def _build_heatmap_scroll(self) -> QScrollArea:
        """The heatmap in a scroll area that can follow a streaming continuation's end."""
        self.heatmap = TokenView(lazy_tooltips=True)  # a long text's heatmap lays out faster
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setMinimumHeight(40)  # TEXT_MIN_LINES once the theme's font is known (resizeEvent)
        holder = QWidget()  # the heatmap keeps the editor's margins
        holder_layout = QVBoxLayout(holder)
        holder_layout.setContentsMargins(12, 8, 12, 8)
        holder_layout.addWidget(self.heatmap)
        holder_layout.addStretch(1)
        scroll.setWidget(holder)
        self.heatmap_scroll = scroll
        paste = QShortcut(QKeySequence(QKeySequence.StandardKey.Paste), self.heatmap, self._paste_on_colours)
        paste.setContext(Qt.ShortcutContext.WidgetShortcut)
        self.follow_stream = False  # a continuation streams in and the heatmap keeps its end in view
        bar = scroll.verticalScrollBar()
        bar.rangeChanged.connect(self._heatmap_grew)
        bar.valueChanged.connect(self._heatmap_scrolled)
        return scroll

    def _build_bar(self) -> TextBar:
        """The bar over the text (gui/text_bar.py); its widgets are named on the view too, where the
        window and the Text tab's tools reach them."""
        self.bar = bar = TextBar()
        self.documents, self.status = bar.documents, bar.status
        self.new_button, self.open_button, self.edit_button = bar.new_button, bar.open_button, bar.edit_button
        self.stop_button, self.continue_button = bar.stop_button, bar.continue_button
        self.edit_button.toggled.connect(self.set_editing)
        self.stop_note = None  # (words, the branch shown) after a continuation was stopped
        self.limit_note: str | None = None  # the status bar's note of a continuation cut at the limit
        self.text_busy = False
        self._continue_blank: bool | None = None  # the blankness Continue was last set for
        return bar

    def resizeEvent(self, event) -> None:
        """A narrow Text tab puts the branches under the heatmap rather than beside it; a
        short one shows the summary without its histograms."""
        super().resizeEvent(event)
        self.summary_panel.set_short(self.height() < SHORT_HEIGHT)
        # a short window keeps room for the branches under the text, the summary scrolls for its lines
        self._text_room()
        self._summary_room(self.summary_panel.histograms_button.isChecked())
        narrow = self.width() < NARROW_WIDTH
        want = Qt.Orientation.Vertical if narrow else Qt.Orientation.Horizontal
        if self.lower.orientation() != want:
            self.lower.setOrientation(want)
            # under the heatmap: the outline keeps room for a few rows and its buttons
            self.branch_panel.setMinimumHeight(BRANCHES_MIN_HEIGHT if narrow else 0)
            self.branch_panel.set_under(narrow)
            total = self.lower.height() if narrow else self.lower.width()
            self.lower.setSizes([max(1, total - (BRANCHES_MIN_HEIGHT if narrow else 220)),
                                 BRANCHES_MIN_HEIGHT if narrow else 260])

    def _text_room(self) -> None:
        """The text's least height: TEXT_MIN_LINES whole lines at the heatmap's pitch, the last without
        the gap under it (the font's line alone, 7 px short of the pitch, had kept three), less the
        status words' row over it while they show ("writing…", under a compact bar): the row comes out
        of the text's room, so the tab's least height stays the same with it, and a window at its least
        height does not grow under the words (nor a maximized one on a short screen lose its status bar)."""
        pitch, line = self.heatmap.line_pitch(), self.heatmap.fontMetrics().lineSpacing()
        self.heatmap_scroll.setMinimumHeight(pitch * (TEXT_MIN_LINES - 1) + line + 16 - self._status_row())

    def _status_row(self) -> int:
        """The height of the status words' row under the bar (0: they are in the bar, or say nothing)."""
        status = self.status
        if self.status_line.indexOf(status) < 0 or status.isHidden():
            return 0
        return status.sizeHint().height()

    # ------------------------------------------------------------ the text, coloured or edited
    @property
    def editing(self) -> bool:
        """Whether the editor shows (else the coloured text, the heatmap)."""
        return self.pages.currentWidget() is self.editor

    def set_editing(self, on: bool) -> None:
        """Show the text in the editor (``on``) or coloured; leaving the editor analyses an edit
        still waiting for its pause at once."""
        on = bool(on)
        if self.edit_button.isChecked() != on:
            self.edit_button.setChecked(on)  # (comes back here through toggled)
            return
        if on == self.editing:
            return
        had_focus = self.pages.currentWidget().hasFocus() or self.edit_button.hasFocus()
        self.pages.setCurrentWidget(self.editor if on else self.heatmap_scroll)
        self.bar.name_edit_button(on)
        if not on:
            self.flush_edit()
        if had_focus or on:
            self.text_widget().setFocus(Qt.FocusReason.OtherFocusReason)

    def _paste_on_colours(self) -> None:
        """Ctrl+V on the coloured text, which cannot take it, says where a paste goes; it did nothing
        visible (usertest21: a paragraph pasted over a coloured text was simply not there)."""
        self.notice.emit(PASTE_ON_COLOURS_WORDS)

    def text_widget(self) -> QWidget:
        """Where the text is on screen: the editor while editing, else the heatmap."""
        return self.editor if self.editing else self.heatmap

    def _connect(self) -> None:
        c = self.controller
        self.bar.fitted.connect(self._text_room)
        self.status.said.connect(self._text_room)  # (after the bar's ladder: the words may have changed rows)
        c.analysed.connect(self._analysed)
        c.stream_started.connect(self._stream_started)
        c.tokens.connect(lambda records: self.heatmap.append_records(records, by_model=True))
        c.continued.connect(self._continued)
        c.busy_changed.connect(self._busy)
        c.opening_changed.connect(self._opening)
        c.opened.connect(self._show_document)
        self.editor.long_lines_broken.connect(lambda n: self.notice.emit(broken_lines_notice(n)))
        c.saved.connect(lambda _id: self.refresh_documents())
        c.tree.shown_changed.connect(self._show_path)
        c.tree.forked.connect(lambda source, new: self.notice.emit(forked_notice(c.tree, source, new)))
        c.tree.flush = self.flush_edit
        c.tree.changed.connect(self._update_regenerate)
        self.branch_panel.better_requested.connect(lambda bid: self.write_better(bid))
        self.regenerate_button.clicked.connect(self.regenerate)
        self.editor.textChanged.connect(self._edited)
        self.documents.activated.connect(lambda i: self.open_document(self.documents.itemData(i)))
        self.new_button.clicked.connect(lambda: self.new_document())
        self.open_button.clicked.connect(lambda: self.open_file())
        self.continue_button.clicked.connect(self.continue_text)
        self.stop_button.clicked.connect(c.stop)
        self.heatmap.token_clicked.connect(lambda i: self.token_clicked.emit(i, self.heatmap.records[i]))
        self.heatmap.token_hovered.connect(
            lambda i: self.token_hovered.emit(i, self.heatmap.records[i] if i >= 0 else None))
        from desktop_app.gui.text_analysis import install

        self.analysis_tools = install(self)  # progress and Cancel for long texts, exports
        from desktop_app.gui import text_change

        self.change_mode = text_change.install(self)  # colour by what the adapter changed
        from desktop_app.gui import text_surprises

        self.surprises = text_surprises.install(self)  # the most surprising tokens, F3 / Shift+F3

    # ------------------------------------------------------------ documents
    def refresh_documents(self) -> None:
        self.documents.clear()
        for row in documents.list_documents(self.controller.store):
            self.documents.addItem(row["title"], row["id"])
        at = self.documents.findData(self.controller.document_id)
        self.documents.setCurrentIndex(max(at, 0))

    def open_document(self, document_id: int | None = None) -> bool:
        """Open a stored text (None: the newest, or a new empty one); read off the GUI thread."""
        if self.controller.continuing or self.controller.opening:
            self.refresh_documents()  # the picker shows the text on screen again
            return False
        self.flush_edit()
        return self.controller.open_document(document_id)

    def new_document(self, text: str = "", title: str | None = None) -> bool:
        """A new text; an empty untitled one on screen is used instead of making another."""
        if self.controller.continuing or self.controller.opening:
            return False
        if not self.editor.toPlainText() and self.controller.untitled_and_empty():
            if not text:
                return True  # it is on screen already
            self.timer.stop()
            return self.controller.open_document(text=text, title=title, reuse_id=self.controller.document_id)
        self.flush_edit()
        return self.controller.new_document(text, title)

    def open_file(self, path: str | None = None) -> bool:
        """Open a .txt / .md file as a new text: read (and refused in words: binary, not
        UTF-8, too large) off the GUI thread; False when nothing was asked."""
        if self.controller.continuing or self.controller.opening:
            return False
        if path is None:
            # where exports go, as the Export menu's dialogs: Open had started in the process's working
            # folder, Export in Documents (usertest25); a text opened from a folder makes it the next one's
            path, _ = QFileDialog.getOpenFileName(self, "Open a text", str(save_folder.start_folder(self)),
                                                  "Texts (*.txt *.md);;All files (*)")
            if not path:
                return False
            save_folder.remember(self, path)
        reuse = not self.editor.toPlainText() and self.controller.untitled_and_empty()
        self.flush_edit()
        return self.controller.open_document(path=path, reuse_id=self.controller.document_id if reuse else None)

    def _set_editor_text(self, text: str) -> None:
        self._loading = True  # not an edit to save
        try:
            self.editor.setPlainText(text)
            self.editor.moveCursor(self.editor.textCursor().MoveOperation.End)  # Continue goes on from the end
        finally:
            self._loading = False

    def _show_document(self, document: dict) -> None:
        self.timer.stop()
        self.follow_stream = False
        self.hold_layout(False)
        self._set_editor_text(document["shown_text"])
        self.set_editing(not document["shown_text"])  # an empty text has nothing to colour: write it
        self.refresh_documents()
        # its words at once, plain, the colours after the analysis (at a start, after the model's load
        # too: user test 15 looked at an empty box for ~25 s); a long text's first part only
        self.heatmap.set_records([], prefix=document["shown_text"][:PLAIN_PREVIEW_CHARS])
        self.summary_panel.set_summary(None)
        self.analyse_now(save=False)
        if document.get("broken_lines"):
            self.notice.emit(broken_lines_notice(document["broken_lines"]))

    def _opening(self, opening: bool) -> None:
        """While a text is read or made: its words say so, and nothing can edit the old one."""
        self.status.setText("opening\u2026" if opening else "")
        self._busy(opening or self.controller.continuing)

    # ------------------------------------------------------------ analysing
    def _edited(self) -> None:
        if self._blank() != self._continue_blank:  # typed into an empty text, or emptied: Continue follows
            self._update_continue()
        if not self._loading:
            self.follow_stream = False
            self.stop_note = None
            self._status_bar_says(None)
            self.hold_layout(False)
            self.status.setText("edited\u2026")
            self.timer.start()

    def flush_edit(self) -> None:
        """An edit still waiting for the pause is saved and analysed now."""
        if self.timer.isActive():
            self.analyse_now()

    def analyse_now(self, save: bool = True) -> None:
        self.timer.stop()
        text = self.editor.toPlainText()
        if save:
            self.controller.save(text)
        if text.strip():
            self.status.setText("analysing\u2026")
            self.controller.analyse(text)
        else:
            self.controller.drop_analysis()  # one still running is of a text no longer there
            self.status.setText("")
            self.heatmap.set_records([], prefix="")
            self.summary_panel.set_summary(None)

    def _analysed(self, scored, summary) -> None:
        self.show_scored(scored)
        self.summary_panel.set_summary(summary)
        self.status.setText(self._stop_words())

    def show_scored(self, scored) -> None:
        """The heatmap of a scoring (its first HEATMAP_MAX_TOKENS), the model's tokens marked."""
        from desktop_app.gui.text_analysis import heatmap_records

        records = heatmap_records(scored.records)
        spans = self.controller.model_spans(self.editor.toPlainText())
        written = documents.written_by_model(scored.unscored_prefix, records, spans)
        self.heatmap.set_records(records, prefix=scored.unscored_prefix,
                                 model_written=[i for i, by_model in enumerate(written) if by_model])
        self.mark_model_text(spans)

    def mark_model_text(self, spans) -> None:
        """The editor underlines the model's continuation in the heatmap mark's orange (dotted;
        a plain editor draws no italics): the marks move with the person's edits until the
        next analysis."""
        from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor

        from desktop_app.gui.token_view import MODEL_START_COLOUR

        marks = []
        for start, end in spans:
            mark = QTextEdit.ExtraSelection()
            cursor = QTextCursor(self.editor.document())
            cursor.setPosition(start)
            cursor.setPosition(min(end, self.editor.document().characterCount() - 1), QTextCursor.MoveMode.KeepAnchor)
            mark.cursor = cursor
            fmt = QTextCharFormat()
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
            fmt.setUnderlineColor(QColor(MODEL_START_COLOUR))
            mark.format = fmt
            marks.append(mark)
        self.editor.setExtraSelections(marks)

    def set_measure(self, measure: str) -> None:
        self.change_mode.measure_chosen(measure)  # (while the fine-tune's change colours the text: afterwards)

    # ------------------------------------------------------------ continuing and branches
    def continue_text(self) -> None:
        """Continue from the editor's cursor while editing, else from the end: a new branch. A cursor
        with nothing but blanks before it (at the very start, where a click or Ctrl+Home leaves it) has
        nothing to continue: the text goes on from its end (the model had written from nothing, and the
        whole text had left the heatmap for the outline's main text)."""
        self.flush_edit()
        text = self.editor.toPlainText()
        if not text.strip():  # Ctrl+Enter reaches here with the button off: say why in the status line
            self.status.setText(NOTHING_TO_CONTINUE)
            return
        at = self.editor.textCursor().position() if self.editing else len(text)
        self.controller.continue_text(text, at if text[:at].strip() else len(text))

    def regenerate(self) -> None:
        self.flush_edit()
        if self.controller.regenerate() and hasattr(self.window(), "warn_if_same_again"):
            self.window().warn_if_same_again()

    def continue_with(self, index: int, alternative) -> bool:
        """A branch from token ``index`` of the heatmap, starting with another token."""
        offset = self.offset_of(index)
        if offset is None:
            self.controller.error.emit("The heatmap does not show the text as it is now (it changed since it was "
                                       "analysed, or the analysis was stopped): wait for the new colours, then "
                                       "pick the alternative again.")
            return False
        self.flush_edit()
        return self.controller.continue_text(self.editor.toPlainText(), offset, first=(alternative.id,))

    def offset_of(self, index: int) -> int | None:
        """Where token ``index`` of the heatmap starts in the editor's text (None: the
        heatmap shows another text)."""
        view = self.heatmap
        if view.prefix + "".join(r.text for r in view.records) != self.editor.toPlainText():
            return None
        return len(view.prefix) + sum(len(r.text) for r in view.records[:index])

    def _heatmap_grew(self, _low: int, high: int) -> None:
        if self.follow_stream:  # also for the last tokens and the colours of the analysis after them
            self.heatmap_scroll.verticalScrollBar().setValue(high)

    def _heatmap_scrolled(self, value: int) -> None:
        """Scrolled up while a continuation streams: the person reads; scrolled back to the end:
        the heatmap follows it again. The text moved under a still pointer: the token under it is another."""
        if self.follow_stream or self.controller.continuing:
            self.follow_stream = value >= self.heatmap_scroll.verticalScrollBar().maximum() - 4
        self.heatmap.recheck_hover()

    def hold_layout(self, hold: bool) -> None:
        """From a continuation's first token until the person changes the text or opens another, the
        summary's figures keep their room, so the branches' Regenerate and thumbs row does not move as it
        ends: user test 15's click on Regenerate, aimed as the continuation ended, landed on empty space.
        The status words' row under a compact bar is not held: it is over the text, which alone gives it
        room and gets it back when the words go (_build_text_pane); held empty, it had kept the tab's
        least height 14 px taller after every continuation (490 px)."""
        if hold:
            self.summary_panel.hold_room()
        else:
            self.summary_panel.release_room()

    def _stream_started(self, plan) -> None:
        # the new tokens come coloured, at the end of the heatmap, which keeps them in view
        self.hold_layout(True)
        self.set_editing(False)
        self.follow_stream = True
        self.stop_note = None
        self.heatmap_scroll.verticalScrollBar().setValue(self.heatmap_scroll.verticalScrollBar().maximum())
        self.status.setText("writing\u2026")
        self._set_editor_text(plan.prefix)  # what followed the cursor stays in its branch
        if not self.heatmap.records:  # not analysed yet (its words shown plain): the text the tokens follow
            self.heatmap.set_records([], prefix=plan.prefix[-PLAIN_PREVIEW_CHARS:])
        view, at, keep = self.heatmap, len(self.heatmap.prefix), 0
        for record in view.records:
            if at + len(record.text) > len(plan.prefix):
                break
            at += len(record.text)
            keep += 1
        if keep < len(view.records):  # the colours of the text before; the new tokens follow
            view.set_records(view.records[:keep], prefix=view.prefix,
                             model_written=[i for i in view.model_written if i < keep])
        if plan.cut:
            self.status.setText("writing\u2026 (the text after the cursor stays in its branch)")
        self._lay_out_now()

    def _lay_out_now(self) -> None:
        """The tab's parts take the places the held room gives them now, before the first token, not a
        few passes of the event loop later: on a busy CPU the first tokens came in between, the summary's
        held room (a line more) arrived after them and moved the Regenerate row 25 px, and the summary,
        for a moment shorter than its figures, showed a scroll bar that narrowed and rewrapped them."""
        self.summary_scroll.updateGeometry()
        self.layout().activate()

    def _continued(self, text: str, reason: str) -> None:
        # a stopped continuation is said until the text changes or another branch shows: the
        # analysis that follows it had put its "" over a bare "stopped"
        note = self._end_words(text, reason)
        if reason == "length" and note:
            # said in the window's status bar, which takes no room: in the tab's status row it stayed until
            # an edit and, at 800x480, held the text under four lines
            self._status_bar_says(note)
            note = None
        self.stop_note = None if note is None else (note, self.controller.tree.shown)
        self.status.setText(self._stop_words() if note else "")
        if not text:
            self._show_path(self.controller.tree.shown_text())

    def _status_bar_says(self, note: str | None) -> None:
        """The limit's note in the window's status bar until the text changes (None: gone, if still shown)."""
        bar = getattr(self.window(), "statusBar", None)
        if bar is None:
            return
        if note is not None:
            bar().showMessage(note)
        elif self.limit_note is not None and bar().currentMessage() == self.limit_note:
            bar().clearMessage()
        self.limit_note = note

    def _end_words(self, text: str, reason: str) -> str | None:
        """Why a continuation ended, where the person did not end it or the model: stopped, or at the limit."""
        if reason == "cancelled":
            return STOPPED_CONTINUATION if text else STOPPED_EMPTY
        if reason == "length" and text:
            return AT_THE_LIMIT.format(count=self.controller.chat.settings.max_new_tokens)
        return None

    def _stop_words(self) -> str:
        """What the status says once the shown text is analysed: that its continuation was stopped."""
        if self.stop_note is None or self.stop_note[1] != self.controller.tree.shown:
            return ""
        return self.stop_note[0]

    def _show_path(self, text: str) -> None:
        """A path of the tree is shown (a new continuation, a click in the tree, make main)."""
        if self.editor.toPlainText() != text:
            self.timer.stop()
            self._set_editor_text(text)
        self.mark_model_text(self.controller.model_spans(text))
        self.analyse_now(save=False)

    def _text_facts(self) -> TextFacts:
        """What the bar and the branch buttons follow (``text_busy``: the busy signal's last word;
        the lane still holds a continuation that just ended)."""
        opening = self.controller.opening
        return TextFacts(continuing=self.text_busy and not opening, opening=opening,
                         on_continuation=self.controller.tree.plan_regenerate() is not None,
                         empty=self._blank())

    def _blank(self) -> bool:
        """Nothing but spaces (as ``str.strip`` reads them), read line by line up to the first that
        holds more: each keystroke asks, and a copy of a 5 MB text took 8 ms a time."""
        block = self.editor.document().firstBlock()
        while block.isValid():
            if block.text().strip():
                return False
            block = block.next()
        return True

    def _update_continue(self, facts: TextFacts | None = None) -> None:
        """Continue is off while a continuation is written or a text opened, and on an empty text (ux42)."""
        facts = facts or self._text_facts()
        self._continue_blank = facts.empty
        self.bar.turn_continue(self.text_busy, facts)

    def _update_regenerate(self) -> None:
        facts = self._text_facts()
        turn(self.regenerate_button, not (facts.continuing or facts.opening) and facts.on_continuation,
             text_regenerate_tip(facts))
        self.branch_panel.set_facts(facts)

    def write_better(self, branch_id: int | None, text: str | None = None) -> None:
        """The person's better continuation for a branch (a dialog unless ``text`` is given)."""
        tree = self.controller.tree
        if branch_id is None or branch_id not in tree.by_id:
            return
        if text is None:
            text = self._ask_better(branch_id)
            if text is None:
                return
        tree.set_correction(branch_id, text)

    def _ask_better(self, branch_id: int) -> str | None:
        """The better continuation from the same box as chat's better answer; "" removes it."""
        from desktop_app.gui.ratings import CONTINUATION_WORDS, CorrectionDialog

        tree = self.controller.tree
        branch = tree.by_id[branch_id]
        before = tb.prefix_text(tree.main_text, tree.by_id, branch)
        dialog = CorrectionDialog(before, branch["text"], tree.ratings(branch_id)["correction"], self,
                                  words=CONTINUATION_WORDS)
        if not dialog.exec():
            return None
        return "" if dialog.removed else dialog.text()

    def _busy(self, busy: bool) -> None:
        """A continuation being written or a text being opened: the bar's buttons are off, each
        saying why (the branch panel's too), Stop on only for a continuation."""
        self.text_busy = busy
        self.editor.setReadOnly(busy)
        facts = self._text_facts()
        self._update_continue(facts)
        self.bar.follow(facts, busy)
        self.branch_panel.setEnabled(not busy)
        self._update_regenerate()
