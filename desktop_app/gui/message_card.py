"""One message of the shown thread as a card: its header (author, meta line, sibling arrows, edit or
export, moved to a row of their own in a narrow chat), its heatmap, a long prompt folded, the notes
under an interrupted or unanswered message, and a footer that ratings fill."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QBoxLayout, QFrame, QHBoxLayout, QMenu, QPushButton, QScrollArea, QSizePolicy,
                               QToolButton, QVBoxLayout, QWidget)

from desktop_app.core.drafts import INTERRUPTED_WORDS
from desktop_app.gui.answer_words import (READ_WITH_NEXT_WORDS, STOPPED_UNANSWERED_WORDS, UNANSWERED_WORDS,
                                         WAITING_FOR_MODEL_WORDS)
from desktop_app.gui.elided_labels import (COUNT_ONLY, KEPT_IN_VIEW, SEPARATOR, SHORT_WORDS, AuthorLabel, ElidedLabel,
                                           cut_mark)
from desktop_app.gui.off_words import sibling_tip
from desktop_app.gui.prompt_fold import ELLIPSIS, FOLDED_TIP, SHOW_LESS_WORDS, fold_at, records_within, show_all_words
from desktop_app.gui.theme import icon, styled_label
from desktop_app.gui.tips import turn
from desktop_app.gui.token_view import CARD_TEXT_NAMES, PLAIN, TokenView

EXPORT_TIP = "Copy or export this answer"
WRITING_TIP = "The answer is still being written: copy or export it once it is done"
META_KEEP_PX = 260  # at most this much of the header held for the meta line's kept parts
HEADER_SLACK = 24  # px of a card's header row its minimum widths leave free (a narrow chat must not overflow)
SIBLING_SPACING = 1  # px between ‹, 1/2 and › (the header's 6 between each)
ARROW_PADDING = 10  # px beside an arrow's glyph: its focus ring and padding (the style sheet's 2 + 2 a side), 2 to spare
UNKNOWN_SIDES_PX = 2 * 16  # a scroll area with no layout: the welcome's roomy side margins, as a guess


class MessageCard(QFrame):
    """One message of the shown thread: header (role, meta, siblings, actions), its heatmap,
    and a footer that ratings fill.

    Attributes:
        role: "user" or "assistant"; message: its stored row, None while it streams.
        view: the TokenView with its tokens (``records``).
        rating: the CardRating the window attaches to answers."""

    token_clicked = Signal(object, int)  # card, token index
    token_hovered = Signal(object, int)
    step_out = Signal(object, int)  # card, -1 / +1: Up / Down in its text (the answer above / below)
    sibling_step = Signal(object, int)  # card, -1 / +1
    export_requested = Signal(object, str)  # card, "png" | "json"
    edit_requested = Signal(object)  # card (one of the person's own messages)
    resume_requested = Signal(object, str)  # card, "continue" | "regenerate" (an interrupted answer)
    answer_requested = Signal(object)  # card (a prompt of the person's with no answer: show_unanswered)

    def __init__(self, role: str, message: dict | None = None, *, title: str = "", measure: str = "probability",
                 parent=None):
        super().__init__(parent)
        self.role = role
        self.message = message
        self.awaiting_first_token = False  # streaming, before its first token (ChatCards.stream_started)
        self.setObjectName("UserCard" if role == "user" else "AnswerCard")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(14, 10, 14, 10)
        outer.setSpacing(6)
        outer.addLayout(self._build_header(role, title))
        outer.addLayout(self.tools_row)
        self.view = TokenView(self, measure=measure if role == "assistant" else PLAIN)
        self.view.token_clicked.connect(lambda i: self.token_clicked.emit(self, i))
        self.view.token_hovered.connect(lambda i: self.token_hovered.emit(self, i))
        self.view.steps_out = role == "assistant"
        self.view.setAccessibleName(CARD_TEXT_NAMES[role])
        if role == "user":  # a scored prompt's likeliest colours barely stand out from the light bubble
            self.view.backdrop_key = "user_bubble"
        self.view.step_out.connect(lambda step: self.step_out.emit(self, step))
        outer.addWidget(self.view)
        self.footer_layout = QHBoxLayout()  # part 2: per-answer rating, correction
        self.footer_layout.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(self.footer_layout)

    def _build_header(self, role: str, title: str) -> QHBoxLayout:
        """Role and meta labels, then the card's tools: the action buttons, the sibling arrows
        and edit / export (``tools``, moved to a row of their own in a narrow chat)."""
        header = QHBoxLayout()
        header.setSpacing(6)
        # "model · adapter": the model's name is elided, the adapter stays, before the header's buttons give way
        self.role_label = AuthorLabel()
        self.role_label.setObjectName("CardRole")
        self.role_label.setText(title or ("You" if role == "user" else "Assistant"))
        header.addWidget(self.role_label)
        self.meta = ElidedLabel()
        self.meta.setObjectName("CardMeta")
        # the meta line gives way (elided) before the header's buttons do, in a narrow window
        self.meta.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.meta.setMinimumWidth(20)
        header.addWidget(self.meta, 1)
        self.tools = QWidget(self)
        tools = QHBoxLayout(self.tools)
        tools.setContentsMargins(0, 0, 0, 0)
        tools.setSpacing(6)
        tools.addStretch(1)  # width it gets beyond its buttons' goes before them, not between the arrows
        self.actions_layout = QHBoxLayout()  # part 2 puts rating buttons here
        self.actions_layout.setSpacing(2)
        tools.addLayout(self.actions_layout)
        self._add_sibling_arrows(tools)
        self._add_message_buttons(tools, role)
        header.addWidget(self.tools)
        self.extra_tools: list[QWidget] = []  # the compare button, the better-answer mark (CardRating's)
        self.tools_row = QHBoxLayout()  # the tools when the header has no room for them (empty: no height)
        self.tools_row.setContentsMargins(0, 0, 0, 0)
        self.stacking_rows: list[QBoxLayout] = []  # rows (the footer's) that stack in a narrow card too
        return header

    def _add_sibling_arrows(self, header: QHBoxLayout) -> None:
        """The "‹ 1/2 ›" arrows between answers to the same prompt (hidden until there are siblings),
        close together: the header's spacing between them took the room the model's name wanted
        (usertest 9: "SmolLM2-135M…" beside ‹ 2/2 › at 826 px)."""
        self.siblings, self.siblings_blocked = (1, 1), False  # position, count; an answer being written
        self.prev_button = self._tool("\u2039", "Previous answer to this prompt")
        self.sibling_label = styled_label("", "SiblingLabel")
        self.next_button = self._tool("\u203a", "Next answer to this prompt")
        self.prev_button.clicked.connect(lambda: self.sibling_step.emit(self, -1))
        self.next_button.clicked.connect(lambda: self.sibling_step.emit(self, +1))
        arrows = QHBoxLayout()
        arrows.setSpacing(SIBLING_SPACING)
        for w in (self.prev_button, self.sibling_label, self.next_button):
            arrows.addWidget(w)
            w.hide()
        for arrow in (self.prev_button, self.next_button):  # as wide as the glyph and the focus ring
            arrow.setFixedWidth(arrow.fontMetrics().horizontalAdvance(arrow.text()) + ARROW_PADDING)
        header.addLayout(arrows)

    def _add_message_buttons(self, header: QHBoxLayout, role: str) -> None:
        """Edit on the person's messages; Copy / export menu on answers."""
        self.export_button = None
        self.edit_button = None
        if role == "user":
            self.edit_button = self._tool("", "Edit this message and send it again (a new branch)")
            self.edit_button.setIcon(icon("edit"))
            self.edit_button.clicked.connect(lambda: self.edit_requested.emit(self))
            header.addWidget(self.edit_button)
        if role == "assistant":
            self.export_button = self._tool("", EXPORT_TIP)
            self.export_button.setIcon(icon("export"))
            menu = QMenu(self.export_button)
            menu.addAction(icon("copy"), "Copy text", lambda: self.export_requested.emit(self, "copy-text"))
            menu.addAction("Copy as Markdown", lambda: self.export_requested.emit(self, "copy-markdown"))
            menu.addSeparator()
            menu.addAction("Heatmap as PNG\u2026", lambda: self.export_requested.emit(self, "png"))
            menu.addAction("HTML page (.html)\u2026", lambda: self.export_requested.emit(self, "html"))
            menu.addAction("Tokens as JSON\u2026", lambda: self.export_requested.emit(self, "json"))
            self.export_button.setMenu(menu)
            self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
            header.addWidget(self.export_button)

    def set_exportable(self, on: bool) -> None:
        """An answer still being read or written has nothing to copy or export yet (its JSON
        came out empty: no tokens, no message id)."""
        if self.export_button is not None:
            self.export_button.setEnabled(on)
            self.export_button.setToolTip(EXPORT_TIP if on else WRITING_TIP)

    def _tool(self, text: str, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setObjectName("FlatTool")
        button.setText(text)
        button.setToolTip(tip)
        button.setAccessibleName(tip)  # a screen reader's name for an icon or an arrow ("‹"): Qt's is the text only
        button.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # the export menu and arrows are Tab stops everywhere
        return button

    @property
    def message_id(self) -> int | None:
        return self.message["id"] if self.message else None

    @property
    def records(self):
        return self.view.records

    def set_siblings(self, position: int, count: int) -> None:
        show = count > 1
        for w in (self.prev_button, self.sibling_label, self.next_button):
            w.setVisible(show)
        self.sibling_label.setText(f"{position}/{count}")
        self.siblings = (position, count)
        self._turn_arrows()
        self.fit_header()

    def block_siblings(self, blocked: bool) -> None:
        """While an answer is written the arrows are off (another answer would show mid-stream)."""
        self.siblings_blocked = blocked
        for arrow in (self.prev_button, self.next_button):
            arrow.setProperty("blocked", blocked)
        self._turn_arrows()

    def _turn_arrows(self) -> None:
        position, count = self.siblings
        for arrow, step in ((self.prev_button, -1), (self.next_button, +1)):
            turn(arrow, not self.siblings_blocked and 1 <= position + step <= count,
                 sibling_tip(step, position, count, answering=self.siblings_blocked))

    def show_interrupted(self, words: str = f"This answer was {INTERRUPTED_WORDS}.", *,
                         can_continue: bool = True) -> None:
        """An answer the app closed on while writing it, or one the person stopped: say so, offer
        Continue (when it has a token to go on from) and Regenerate (once)."""
        if getattr(self, "interrupted_label", None) is not None:
            return
        row, self.interrupted_label = self._notice_row(words)
        self.continue_button = QPushButton("Continue")
        self.continue_button.setToolTip("Go on writing this answer from its last token")
        self.continue_button.clicked.connect(lambda: self.resume_requested.emit(self, "continue"))
        self.regenerate_button = QPushButton("Regenerate")
        self.regenerate_button.setToolTip("Write a new answer to this prompt (this one stays, as a sibling)")
        self.regenerate_button.clicked.connect(lambda: self.resume_requested.emit(self, "regenerate"))
        row.addWidget(self.continue_button)
        row.addWidget(self.regenerate_button)
        # hidden only once in the row: setVisible on a widget with no parent yet shows it as a window of its
        # own, which took the window's activation (Ctrl+N, Ctrl+3 from the prompt then did nothing; usertest 19)
        self.continue_button.setVisible(can_continue)

    def _notice_row(self, words: str):
        """A row under the text, between the heatmap and the ratings: ``words`` muted, and room for
        its buttons on the right. Returns (the row, its label)."""
        row = QHBoxLayout()
        row.setSpacing(8)
        label = styled_label(words, "Muted", wrap=True)
        row.addWidget(label, 1)
        self.layout().insertLayout(self.layout().indexOf(self.view) + 1, row)
        # in a narrow chat its buttons go under the words, as the footer's do: beside them the row was wider
        # than a 640 px window's chat and the card was cut off on the right (usertest 19)
        self.stacking_rows.append(row)
        if self.tools_row.count():
            row.setDirection(QBoxLayout.Direction.TopToBottom)
        return row, label

    def show_unanswered(self, shown: bool, stopped: bool = False, read_with_next: bool = False) -> None:
        """A prompt of the person's that has no answer (the app closed, or the answer was stopped,
        before the answer's first token): say so and offer "Answer it" (user test: after a restart
        nothing said how to get the answer). Made when first shown. ``stopped``: the person stopped
        it in this session, which the card says rather than blame the app closing (usertest 12).
        ``read_with_next``: another prompt followed it, which the model read it with: that is said,
        with no button (an answer of its own would start a branch beside the next prompt)."""
        if getattr(self, "answer_button", None) is None:
            if not (shown or read_with_next):
                return
            row, self.unanswered_label = self._notice_row(UNANSWERED_WORDS)
            self.answer_button = QPushButton("Answer it")
            self.answer_button.setToolTip("Ask the model for the answer to this prompt, as Send would have")
            self.answer_button.clicked.connect(lambda: self.answer_requested.emit(self))
            row.addWidget(self.answer_button)
        words = STOPPED_UNANSWERED_WORDS if stopped else UNANSWERED_WORDS
        self.unanswered_label.setText(READ_WITH_NEXT_WORDS if read_with_next and not shown else words)
        self.unanswered_label.setVisible(shown or read_with_next)
        self.answer_button.setVisible(shown)

    def show_waiting(self, shown: bool, words: str = WAITING_FOR_MODEL_WORDS) -> None:
        """A prompt whose answer waits (for the model to load, for the Text tab's continuation) says what
        for under it (made when first shown)."""
        if getattr(self, "waiting_label", None) is None:
            if not shown:
                return
            _row, self.waiting_label = self._notice_row(words)
        self.waiting_label.setText(words)
        self.waiting_label.setVisible(shown)

    def show_prompt(self, records=(), prefix: str = "") -> None:
        """The person's prompt: plain ``prefix``, or scored (``records`` after it). A long one shows
        folded, its first lines and "Show all N lines" (gui/prompt_fold.py), until that is clicked."""
        self.prompt_parts = (list(records), prefix)
        self._show_prompt_part()

    def _show_prompt_part(self) -> None:
        records, prefix = self.prompt_parts
        text = prefix + "".join(r.text for r in records)
        cut = fold_at(text)
        if cut is None or getattr(self, "unfolded", False):
            self.view.set_records(records, prefix=prefix)
        else:  # only the shown part is laid out: a 70 KB paste lays out in the time of a short prompt
            shown = records_within(len(prefix), (len(r.text) for r in records), cut)
            self.view.set_records(records[:shown], prefix=prefix[:cut], suffix=ELLIPSIS)
        self._fold_button(text, cut)

    def _fold_button(self, text: str, cut: int | None) -> None:
        """The button under a long prompt: "Show all N lines", once clicked "Show less"."""
        button = getattr(self, "fold_button", None)
        if button is None and cut is None:
            return
        if button is None:
            button = self.fold_button = QPushButton()
            button.setObjectName("LinkButton")
            button.setToolTip(FOLDED_TIP)
            button.clicked.connect(self._toggle_fold)
            self.layout().insertWidget(self.layout().indexOf(self.view) + 1, button, 0, Qt.AlignmentFlag.AlignLeft)
        button.setVisible(cut is not None)
        button.setText(SHOW_LESS_WORDS if getattr(self, "unfolded", False) else show_all_words(text))

    def _toggle_fold(self) -> None:
        self.unfolded = not getattr(self, "unfolded", False)
        self._show_prompt_part()
        area = self._scroll_area()
        if not self.unfolded and area is not None:  # folded again: its button stays in view, not an answer far below
            area.ensureWidgetVisible(self.fold_button)

    def _scroll_area(self) -> QScrollArea | None:
        area = self.parentWidget()
        while area is not None and not isinstance(area, QScrollArea):
            area = area.parentWidget()
        return area

    def set_meta(self, text: str) -> None:
        self.meta.setText(text)
        self.meta.setToolTip(text)
        # "128 tokens · reached the token limit" stays readable, and so do "6 tokens" and "reading your
        # prompt: 6,144 of 8,064 tokens…": the model's name in the author's label gives way first
        parts = text.split(SEPARATOR)
        keep = parts[:2] if len(parts) > 1 and parts[1] in KEPT_IN_VIEW else parts[:1]
        metrics = self.meta.fontMetrics()  # (the short words count: the painted line tries them too)
        self.meta_wanted = metrics.horizontalAdvance(SEPARATOR.join(SHORT_WORDS.get(p, p) for p in keep)) + 4
        self.meta_first = metrics.horizontalAdvance(parts[0]) + 4
        # a bare count gives way to the model's name; "reading your prompt…" and "stopped" never do
        self.meta_yields = len(keep) == 1 and COUNT_ONLY.fullmatch(parts[0]) is not None
        mark = cut_mark(parts)  # what is left of "23 tokens · stopped" where the model's name needs the room
        self.meta_mark = metrics.horizontalAdvance(mark) + 4 if mark is not None else None
        self.meta_full = metrics.horizontalAdvance(text) + 8
        self.fit_header()

    def fit_header(self) -> None:
        """The meta line's least width: what it wants kept in view, as far as the header has room
        beside its buttons and the author's shortest label (a narrow chat must not overflow).
        Where even the buttons do not fit beside the author, they move to a row of their own.
        Room the meta line would leave empty goes to the author's label, not to a gap."""
        width = self._room()
        author = self.role_label.minimumSizeHint().width()
        tools = self.tools.sizeHint().width() + 6
        wanted = min(META_KEEP_PX, getattr(self, "meta_wanted", 20))
        readable = max(author, self._name_kept())
        kept = 0 if getattr(self, "meta_yields", False) else min(wanted, getattr(self, "meta_mark", None) or 60, 60)
        self._place_tools(beside=width - 28 - readable - 6 - kept - tools >= 0)  # (a bare count gives way)
        beside = tools if self.tools_row.count() == 0 else 0
        free = width - 28 - 6 - beside - HEADER_SLACK  # for the author and the meta line together
        least = self._meta_least(free - author, wanted, free - self.role_label.sensible_width())
        self.meta.setMinimumWidth(least)
        after_author = free - self.role_label.sizeHint().width()
        full = getattr(self, "meta_full", 20)
        most = max(least, after_author) if after_author < least else max(least, full)
        self.meta.setMaximumWidth(most)
        if self.meta.isHidden() != (most == 0):  # a line with no room leaves the header's spacing to the name too
            self.meta.setVisible(most > 0)

    def _name_kept(self) -> int:
        """The author's width the tools stay beside. With the compare button or the better-answer
        mark shown, a name that still says which model ("SmolLM2-135M…"; usertest: "SmolLM2…" at
        1280 once they came), else the tools take a row of their own; with only the thumbs, arrows
        and export, the name's first piece ("SmolLM2… · base model": beside the ‹ 2/2 › arrows at 640x480
        with the inspector shown it read "Smo…", which names no model)."""
        if any(w.isVisibleTo(self) for w in self.extra_tools):
            return self.role_label.readable_width()
        return self.role_label.sensible_width()

    def _meta_least(self, room: int, wanted: int, beside_name: int) -> int:
        """The meta line's least width given ``room`` (beside the author's least label) and
        ``beside_name`` (beside its shortest readable one, "SmolLM2… · base model"). At 1024 px
        with the ‹ 2/2 › arrows the count kept its room and the name read "SmolLM2-1…"."""
        first = getattr(self, "meta_first", 20)
        if getattr(self, "meta_yields", False):
            return first if first <= beside_name else 0
        mark, exact = getattr(self, "meta_mark", None), beside_name + HEADER_SLACK  # (the room as laid out)
        if mark is not None and wanted > exact:
            if mark > beside_name and getattr(self, "interrupted_label", None) is not None:
                return 0  # "You stopped this answer …" under the text says it whole: the name keeps the room
            if mark <= exact:
                # the count gives way to the model's name, "stopped" stays: beside the ‹ 2/2 › arrows
                # the header read only "adapter 1 · 23 tokens · stopped" (usertest 11)
                return mark
        # kept parts that cannot fit anyway leave their room to the author, the first part staying
        return max(20, wanted if wanted <= room else min(first, room))

    def _room(self) -> int:
        """The transcript's width for a card: its own, not the card's (which minimums would widen)."""
        area = self._scroll_area()
        if area is None:
            return self.width()
        margins = area.widget().layout().contentsMargins() if area.widget() and area.widget().layout() else None
        sides = margins.left() + margins.right() if margins is not None else UNKNOWN_SIDES_PX
        return area.viewport().width() - sides

    def _place_tools(self, beside: bool) -> None:
        direction = QBoxLayout.Direction.LeftToRight if beside else QBoxLayout.Direction.TopToBottom
        for row in self.stacking_rows:
            if row.direction() != direction:
                row.setDirection(direction)
        header = self.layout().itemAt(0).layout()
        if beside and self.tools_row.count():
            self.tools_row.takeAt(0)
            header.addWidget(self.tools)
        elif not beside and not self.tools_row.count():
            header.removeWidget(self.tools)
            self.tools_row.addWidget(self.tools, 0, Qt.AlignmentFlag.AlignLeft)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fit_header()
