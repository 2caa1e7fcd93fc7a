"""Text mode's widget: write, paste or open a text; see how predictable each token was
(GLTR's heatmap and summary); let the model continue it.

``TextView`` is the Text tab: the document bar (gui/text_bar.py), the text shown once (coloured in the heatmap,
the chat's TokenView, or plain in the editor while the person edits it: Edit, Ctrl+E; gui/text_editor.py), the
branches, the summary (gui/text_summary_area.py). A model's continuation is marked apart from the person's text
(italics after an orange bar; the summary gives the person's own figures). Its logic lives in ``TextController``
(gui/text_controller.py); the texts opened and made in gui/text_documents.py, the continuations in
gui/text_continuation.py, their words in core/text_notes.py; the window's wiring (tabs, mode, the shared
inspector) in gui/text_mode.py.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import QScrollArea, QSplitter, QStackedWidget, QVBoxLayout, QWidget

from desktop_app.core import documents
from desktop_app.core.text_notes import PASTE_ON_COLOURS_WORDS, broken_lines_notice, forked_notice
from desktop_app.gui.explain_reveal import bring_into_view
from desktop_app.gui.off_words import TextFacts, text_regenerate_tip
from desktop_app.gui.text_bar import EDIT_KEYS, StatusCorner, TextBar
from desktop_app.gui.text_continuation import Continuation
from desktop_app.gui.text_controller import TextController
from desktop_app.gui.text_documents import TextDocuments
from desktop_app.gui.text_editor import TextEditor
from desktop_app.gui.text_summary_area import SummaryScroll
from desktop_app.gui.text_tree_panel import BranchPanel
from desktop_app.gui.tips import turn
from desktop_app.gui.token_view import HEATMAP_NAME, TokenView

RESCORE_PAUSE_MS = 600  # an edit is analysed once typing pauses this long
NARROW_WIDTH = 560  # below this the branches go under the heatmap (the heatmap keeps its width)
BESIDE_WIDTH = 260  # the branches' width beside the text at the start, unless their buttons' row needs more
TEXT_MARGINS = (12, 8, 12, 8)  # round the text, coloured or in the editor: the two show it in one place
# a short tab scrolls the summary rather than squeezing the text under this many lines (at 800x560
# with the first start's notice the summary's whole height had held the text to two, cut mid-line)
TEXT_MIN_LINES = 4
# below this the summary drops its histograms: at the default window (1088x680, about 490 px for
# the tab) they had kept the heatmap, the point of Text mode, to four or five lines
SHORT_HEIGHT = 560


# the plain rest after a stopped or capped heatmap: a whole novel's tail would hold the window seconds
UNSCORED_REST_MAX_CHARS = 200_000


def unscored_rest(text: str, scored, records) -> str:
    """The text after the tokens the heatmap colours, shown plain: an analysis cancelled after
    64 of 7,881 tokens showed one paragraph and hid the rest of the person's essay (usertest31)."""
    covered = len(scored.unscored_prefix) + sum(len(r.text) for r in records)
    rest = text[covered:]
    return rest if len(rest) <= UNSCORED_REST_MAX_CHARS else rest[:UNSCORED_REST_MAX_CHARS] + "\u2026"


class TextView(QWidget):
    """The Text tab: a document picker and buttons, the text (coloured, or in the editor)
    beside the branches (the tree of continuations), the summary.

    Attributes:
        controller: the TextController.
        editor: where the person writes (read-only while the model continues); shown instead
            of the heatmap while ``editing``.
        heatmap: a TokenView of the analysed text (and the continuation as it streams).
        pages: shows the heatmap (in its scroll area) or the editor.
        summary_panel: the GLTR summary, in ``summary_scroll``.
        branch_panel: the tree of continuations (text_tree_panel.BranchPanel).
        texts: the texts opened and made (text_documents.TextDocuments).
        continuation: the continuations asked for and shown (text_continuation.Continuation).
        timer: the pause after an edit before it is saved and analysed."""

    token_clicked = Signal(int, object)  # index, TokenRecord
    token_hovered = Signal(int, object)  # index (-1: none), TokenRecord or None
    notice = Signal(str)  # something the person should know, not an error (lines broken)
    # a notice with a link that acts: (its words, the link's words, what a click does)
    notice_offered = Signal(str, str, object)
    notice_withdrawn = Signal(str)  # a notice that no longer holds: the banner lets it go if it still shows it

    def __init__(self, controller: TextController, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(RESCORE_PAUSE_MS)
        self.timer.timeout.connect(self.analyse_now)
        self.text_busy = False
        self.snapped = 0  # px of a cut line under the text given to the branches under it (_whole_lines)
        self._continue_blank: bool | None = None  # the blankness Continue was last set for
        self._build()
        self._connect()

    def _build(self) -> None:
        # each part made in its place, the container first (gui/in_place.py)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._build_bar())
        self.lower = QSplitter(Qt.Orientation.Horizontal, self)  # the text | the branches
        self._build_text_pane(QWidget(self.lower))
        self.branch_panel = BranchPanel(self.controller.tree, self.lower)
        self.regenerate_button = self.branch_panel.regenerate_button  # it acts on the continuation shown
        self.branch_panel.setMinimumWidth(120)
        self.lower.setStretchFactor(0, 1)
        self.lower.setSizes([440, self._branches_beside()])
        self.lower.setChildrenCollapsible(False)
        layout.addWidget(self.lower, 1)
        # made alone and moved into the tab: a scroll area made in its place is sized only once shown, and a hidden
        # Text tab's summary fitted its title and buttons' words to its first 100 px (gui/in_place.py)
        self.summary_scroll = SummaryScroll()
        self.summary_panel = self.summary_scroll.panel
        layout.addWidget(self.summary_scroll)
        shortcut = QShortcut(QKeySequence(EDIT_KEYS), self, lambda: self.set_editing(not self.editing))
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def _build_editor_page(self) -> QWidget:
        """The editor in the heatmap's margins: without them its frame touched the window's left edge, and
        Ctrl+E moved the text 16 px sideways each way (usertest33)."""
        self.editor_page = QWidget(self.pages)
        layout = QVBoxLayout(self.editor_page)
        layout.setContentsMargins(*TEXT_MARGINS)
        self.editor = TextEditor(self.editor_page)
        layout.addWidget(self.editor)
        return self.editor_page

    def _build_text_pane(self, pane: QWidget) -> None:
        """The text, coloured (the heatmap) or plain in the editor while the person edits it; a narrow bar's
        status words ("colouring…") go beside the Chat | Text tabs (``status_corner``, which the window places),
        so nothing in the tab moves as they come and go."""
        column = QVBoxLayout(pane)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self.pages = QStackedWidget(pane)
        self.pages.addWidget(self._build_heatmap_scroll())
        self.pages.addWidget(self._build_editor_page())
        self.status_line = self.bar.status_line
        self.status_corner = StatusCorner(self.status_line)
        column.addWidget(self.pages, 1)

    def _build_heatmap_scroll(self) -> QScrollArea:
        """The heatmap in a scroll area that can follow a streaming continuation's end (text_continuation)."""
        scroll = QScrollArea(self.pages)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setMinimumHeight(40)  # TEXT_MIN_LINES once the theme's font is known (resizeEvent)
        holder = QWidget(scroll.viewport())  # the heatmap keeps the editor's margins
        holder_layout = QVBoxLayout(holder)
        holder_layout.setContentsMargins(*TEXT_MARGINS)
        self.heatmap = TokenView(holder, lazy_tooltips=True)  # a long text's heatmap lays out faster
        self.heatmap.setAccessibleName(HEATMAP_NAME)
        holder_layout.addWidget(self.heatmap)
        holder_layout.addStretch(1)
        scroll.setWidget(holder)
        # a click under a short text (the holder's blank room) gave the keys to the scroll area itself, where Ctrl+V
        # did nothing and said nothing (texts63): the text takes them, as a click on it does
        scroll.setFocusProxy(self.heatmap)
        self.heatmap_scroll = scroll
        scroll.installEventFilter(self)  # its height also changes with the summary's (eventFilter)
        paste = QShortcut(QKeySequence(QKeySequence.StandardKey.Paste), self.heatmap, self._paste_on_colours)
        paste.setContext(Qt.ShortcutContext.WidgetShortcut)
        return scroll

    def _build_bar(self) -> TextBar:
        """The bar over the text (gui/text_bar.py); its widgets are named on the view too, where the
        window and the Text tab's tools reach them."""
        self.bar = bar = TextBar(self)
        self.documents, self.status = bar.documents, bar.status
        self.new_button, self.open_button, self.edit_button = bar.new_button, bar.open_button, bar.edit_button
        self.stop_button, self.continue_button = bar.stop_button, bar.continue_button
        self.settings_button = bar.settings_button  # (the window opens its settings: text_mode)
        self.edit_button.toggled.connect(self.set_editing)
        return bar

    def _connect(self) -> None:
        c = self.controller
        c.analysed.connect(self._analysed)
        self.continuation = Continuation(self)
        c.busy_changed.connect(self.set_busy)
        self.texts = TextDocuments(self)
        self.editor.long_lines_broken.connect(lambda n: self.notice.emit(broken_lines_notice(n)))
        c.tree.shown_changed.connect(self.show_path)
        c.tree.forked.connect(lambda source, new: self.notice.emit(
            forked_notice(c.tree.by_id, c.tree.ratings(source), source, new)))
        c.tree.flush = self.flush_edit
        c.tree.changed.connect(self._update_regenerate)
        self.branch_panel.better_requested.connect(lambda bid: self.write_better(bid))
        self.branch_panel.continue_main_requested.connect(self._continue_main)
        self.branch_panel.export_main_requested.connect(self._export_main)
        # F2 renames the branch selected in the outline from the coloured text too: a continuation selects its new
        # branch while the keys stay on the text, where F2 did nothing (readme71); the text's own key, so F2
        # elsewhere in the window is still not taken
        rename = QShortcut(QKeySequence(Qt.Key.Key_F2), self.heatmap, self.branch_panel.rename_selected)
        rename.setContext(Qt.ShortcutContext.WidgetShortcut)
        self.regenerate_button.clicked.connect(self.regenerate)
        self.editor.textChanged.connect(self._edited)
        self.continue_button.clicked.connect(self.continue_text)
        self.stop_button.clicked.connect(c.stop)
        self.heatmap.token_clicked.connect(lambda i: self.token_clicked.emit(i, self.heatmap.records[i]))
        self.heatmap.token_hovered.connect(
            lambda i: self.token_hovered.emit(i, self.heatmap.records[i] if i >= 0 else None))
        self._install_tools()

    def _install_tools(self) -> None:
        """The tab's tools over the summary, each wired in by its own module."""
        from desktop_app.gui import text_change, text_find, text_surprises
        from desktop_app.gui.text_analysis import install

        self.analysis_tools = install(self)  # progress and Cancel for long texts, exports
        self.change_mode = text_change.install(self)  # colour by what the adapter changed
        self.surprises = text_surprises.install(self)  # the most surprising tokens, F3 / Shift+F3
        self.find = text_find.install(self)  # Ctrl+F: find in the text (its F3 while its field has the keys)

    # ------------------------------------------------------------ layout
    def sizeHint(self):
        hint = super().sizeHint()
        hint.setHeight(max(0, hint.height() - self._room_surprises_take_from_the_text()))
        return hint

    def heightForWidth(self, width: int) -> int:
        height = super().heightForWidth(width)
        return height if height < 0 else max(0, height - self._room_surprises_take_from_the_text())

    def fit_summary(self) -> None:
        """The summary's short form (no histograms until opened) in a tab that is short once the open Surprises list
        has its height: at 1280x780 the list and the histograms together had left the text nine lines (layout71)."""
        surprises = getattr(self, "surprises", None)  # (made after the layout: _install_tools)
        listed = surprises.panel.sizeHint().height() if surprises and surprises.panel.isVisibleTo(self) else 0
        self.summary_panel.set_short(self.height() - listed < SHORT_HEIGHT)
        self.summary_scroll.fit_room()

    def _room_surprises_take_from_the_text(self) -> int:
        """Surprises open in a roomy tab take their height from the text, not from the column: counted in the tab's
        height, their list made it ask more than a 1280x800 window has, the column took a share from the colour
        key's row too, and the squeezed key moved up into the toolbar (gui/short_window.py; layout71). A short tab
        still asks for it all: there the key in the toolbar gives the text its row's height."""
        surprises = getattr(self, "surprises", None)  # (made after the layout: _install_tools)
        if surprises is None or not surprises.panel.isVisibleTo(self) or self.height() < SHORT_HEIGHT:
            return 0
        return surprises.panel.sizeHint().height()

    def eventFilter(self, watched, event) -> bool:
        """The text's height changed without the tab's (the summary grew), or the
        heatmap came in front of the editor: it ends on a whole line again (_whole_lines)."""
        if (watched is self.heatmap_scroll and event.type() in (QEvent.Type.Resize, QEvent.Type.Show)
                and self.lower.orientation() == Qt.Orientation.Vertical):
            QTimer.singleShot(0, self, self._whole_lines)
        if watched is self.heatmap_scroll and event.type() == QEvent.Type.Resize:
            # as the editor: the whole page less the margins round the text (NoFrame: the scroll's own height)
            self.heatmap.set_least_height(event.size().height() - TEXT_MARGINS[1] - TEXT_MARGINS[3])
        if (watched is self.heatmap_scroll and event.type() == QEvent.Type.Resize
                and event.size().width() != event.oldSize().width()):
            QTimer.singleShot(0, self, self._keep_selected_in_view)
        return super().eventFilter(watched, event)

    def _keep_selected_in_view(self) -> None:
        """The text's width changed and its lines wrapped anew: the ringed token stays in view. At 1024x600 a click
        low in the text brought the Token inspector to its full width, and the token just clicked went below the
        view while the inspector showed it (usertest51). Not while a continuation streams: the view follows its end."""
        heatmap, index = self.heatmap, self.heatmap.selected
        if self.editing or self.controller.continuing or not 0 <= index < len(heatmap.starts):
            return
        bring_into_view(self.heatmap_scroll, heatmap, heatmap.starts[index], heatmap.ends[index])

    def resizeEvent(self, event) -> None:
        """A narrow Text tab puts the branches under the heatmap rather than beside it; a
        short one shows the summary without its histograms."""
        super().resizeEvent(event)
        # a short window keeps room for the branches under the text, the summary scrolls for its lines
        self._text_room()
        self.fit_summary()
        narrow = self.width() < NARROW_WIDTH
        want = Qt.Orientation.Vertical if narrow else Qt.Orientation.Horizontal
        if self.lower.orientation() != want:
            self._place_branches(want, narrow)
        if narrow:
            QTimer.singleShot(0, self, self._whole_lines)  # once the layout has given the text its height

    def _whole_lines(self) -> None:
        """Branches under the text: the text's height ends on a whole line, the pixels of a line cut in
        half going to the branches (text58: at 800x600 the branch list cut the text's last line in two).
        Only the part this added last time is taken back first, so a splitter the person dragged stays."""
        if self.lower.orientation() != Qt.Orientation.Vertical or not self.heatmap_scroll.isVisible():
            return  # (the editor's page in front: the heatmap's geometry is stale until it shows)
        text, branches = self.lower.sizes()
        base = branches - self.snapped  # the branches' height without what the last snap gave them
        viewport = self.heatmap_scroll.viewport().height() + (text + branches - base) - text
        pitch, line = self.heatmap.line_pitch(), self.heatmap.fontMetrics().lineSpacing()
        text_top = self.heatmap.cursorRect(QTextCursor(self.heatmap.document())).topLeft()
        first = self.heatmap.viewport().mapTo(self.heatmap_scroll.widget(), text_top).y()
        cut = (viewport - max(0, first)) % pitch
        self.snapped = cut if cut < line and viewport - cut >= self.heatmap_scroll.minimumHeight() else 0
        if (text, branches) != (text + branches - base - self.snapped, base + self.snapped):
            self.lower.setSizes([text + branches - base - self.snapped, base + self.snapped])

    def _place_branches(self, orientation: Qt.Orientation, narrow: bool) -> None:
        """The branches beside the text, or under it in a narrow tab, where the outline keeps room for a
        few rows and its buttons."""
        self.lower.setOrientation(orientation)
        self.snapped = 0  # (_whole_lines)
        self.branch_panel.set_under(narrow)  # under the text: its least height, rows of the outline and its buttons
        least = self.branch_panel.minimumSizeHint().height()
        total = self.lower.height() if narrow else self.lower.width()
        beside = self._branches_beside()
        self.lower.setSizes([max(1, total - (least if narrow else beside - 40)), least if narrow else beside])

    def _branches_beside(self) -> int:
        """BESIDE_WIDTH, or the branch panel's least width where it is wider: its minimum (120 px) lets the splitter
        squeeze it, and under a 14 pt font, with icons grown, 260 px cut "Better…" in its row (icons68)."""
        self.branch_panel.ensurePolished()  # the buttons' padding is the style sheet's
        return max(BESIDE_WIDTH, self.branch_panel.minimumSizeHint().width())

    def _text_room(self) -> None:
        """The text's least height: TEXT_MIN_LINES whole lines at the heatmap's pitch, the last without
        the gap under it (the font's line alone, 7 px short of the pitch, had kept three)."""
        pitch, line = self.heatmap.line_pitch(), self.heatmap.fontMetrics().lineSpacing()
        self.heatmap_scroll.setMinimumHeight(pitch * (TEXT_MIN_LINES - 1) + line + 16)

    # ------------------------------------------------------------ the text, coloured or edited
    @property
    def editing(self) -> bool:
        """Whether the editor shows (else the coloured text, the heatmap)."""
        return self.pages.currentWidget() is self.editor_page

    def set_editing(self, on: bool) -> None:
        """Show the text in the editor (``on``) or coloured; leaving the editor analyses an edit
        still waiting for its pause at once."""
        on = bool(on)
        if self.edit_button.isChecked() != on:
            self.edit_button.setChecked(on)  # (comes back here through toggled)
            return
        if on == self.editing:
            return
        had_focus = self.text_widget().hasFocus() or self.edit_button.hasFocus()
        self.pages.setCurrentWidget(self.editor_page if on else self.heatmap_scroll)
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

    def _set_editor_text(self, text: str) -> None:
        self.editor.load(text)

    def show_path(self, text: str) -> None:
        """A path of the tree is shown (a new continuation, a click in the tree, make main)."""
        if self.editor.toPlainText() != text:
            self.timer.stop()
            self.editor.load(text)
        self.editor.mark_model_spans(self.controller.model_spans(text))
        self.analyse_now(save=False)

    # ------------------------------------------------------------ texts (text_documents)
    def refresh_documents(self) -> None:
        self.texts.refresh()

    def open_document(self, document_id: int | None = None, left_id: int | None = None) -> bool:
        return self.texts.open_document(document_id, left_id)

    def new_document(self, text: str = "", title: str | None = None) -> bool:
        return self.texts.new_document(text, title)

    def open_file(self, path: str | None = None) -> bool:
        return self.texts.open_file(path)

    # ------------------------------------------------------------ analysing
    def _edited(self) -> None:
        if self.editor.is_blank() != self._continue_blank:  # typed into an empty text, or emptied: Continue follows
            self._update_continue()
        if not self.editor.loading:
            self.continuation.text_edited()
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
        self.status.setText(self.continuation.stop_words())

    def show_scored(self, scored) -> None:
        """The heatmap of a scoring (its first HEATMAP_MAX_TOKENS), the model's tokens marked."""
        from desktop_app.core.chosen_token import text_chosen
        from desktop_app.gui.text_analysis import heatmap_records

        records = heatmap_records(scored.records)
        text = self.editor.toPlainText()
        spans = self.controller.model_spans(text)
        written = documents.written_by_model(scored.unscored_prefix, records, spans)
        chosen = text_chosen(scored.unscored_prefix, records, self.controller.chosen_tokens(text))
        self.heatmap.set_records(records, prefix=scored.unscored_prefix, suffix=unscored_rest(text, scored, records),
                                 model_written=[i for i, by_model in enumerate(written) if by_model], chosen=chosen)
        self.editor.mark_model_spans(spans)

    def set_measure(self, measure: str) -> None:
        self.change_mode.measure_chosen(measure)  # (while the fine-tune's change colours the text: afterwards)

    # ------------------------------------------------------------ continuing (text_continuation) and branches
    def continue_text(self) -> None:
        self.continuation.continue_text()

    def _continue_main(self) -> None:
        """The outline's main text row: the main text shown, then continued from its end (not the cursor)."""
        self.controller.tree.show(None)
        self.editor.moveCursor(QTextCursor.MoveOperation.End)
        self.continue_text()

    def _export_main(self) -> None:
        self.controller.tree.show(None)
        self.analysis_tools.export("txt")

    def regenerate(self) -> None:
        self.continuation.regenerate()

    def continue_with(self, index: int, alternative) -> bool:
        return self.continuation.continue_with(index, alternative)

    def offset_of(self, index: int) -> int | None:
        return self.continuation.offset_of(index)

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
        from desktop_app.core import text_branches as tb
        from desktop_app.gui.ratings import CONTINUATION_WORDS, CorrectionDialog

        tree = self.controller.tree
        branch = tree.by_id[branch_id]
        before = tb.prefix_text(tree.main_text, tree.by_id, branch)
        dialog = CorrectionDialog(before, branch["text"], tree.ratings(branch_id)["correction"], self,
                                  words=CONTINUATION_WORDS)
        if not dialog.exec():
            return None
        return "" if dialog.removed else dialog.text()

    # ------------------------------------------------------------ busy: the buttons follow
    def _text_facts(self) -> TextFacts:
        """What the bar and the branch buttons follow (``text_busy``: the busy signal's last word;
        the lane still holds a continuation that just ended)."""
        opening = self.controller.opening
        return TextFacts(continuing=self.text_busy and not opening, opening=opening,
                         on_continuation=self.controller.tree.plan_regenerate() is not None,
                         empty=self.editor.is_blank())

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

    def set_busy(self, busy: bool) -> None:
        """A continuation being written or a text being opened: the bar's buttons are off, each
        saying why (the branch panel's too), Stop on only for a continuation."""
        self.text_busy = busy
        self.editor.setReadOnly(busy)
        facts = self._text_facts()
        self._update_continue(facts)
        self.bar.follow(facts, busy)
        self.branch_panel.setEnabled(not busy)
        self._update_regenerate()
