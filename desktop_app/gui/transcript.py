"""The transcript: one card per message of the shown thread, answers drawn as heatmaps.

An answer card has a header (model, sibling browser < 2/3 >, export menu), the TokenView
and an empty footer row that later features (ratings) fill.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QPoint, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (QBoxLayout, QFrame, QHBoxLayout, QLabel, QMenu, QPushButton, QScrollArea, QSizePolicy,
                               QToolButton, QVBoxLayout, QWidget)

from desktop_app.core.adapters import adapter_name
from desktop_app.core.drafts import INTERRUPTED_WORDS, is_interrupted, stopped_unstarted
from desktop_app.core.session import written_by_its_writer
from desktop_app.gui.off_words import sibling_tip
from desktop_app.gui.prompt_fold import ELLIPSIS, FOLDED_TIP, SHOW_LESS_WORDS, fold_at, records_within, show_all_words
from desktop_app.gui.theme import icon, styled_label
from desktop_app.gui.tips import turn
from desktop_app.gui.unwritten_words import has_writer, unwritten_author
from desktop_app.gui.token_view import PLAIN, TokenView

FINISH_WORDS = {"eos": "finished", "stop": "finished", "length": "reached the token limit",
                "context": "filled the context window", "cancelled": "stopped"}


SEPARATOR = " \u00b7 "
COUNT_ONLY = re.compile(r"[\d,]+ tokens?")  # a meta line's first part that is only a count
# words of the meta line that say the answer is not whole: kept in view before the author's adapter
NOT_WHOLE = {FINISH_WORDS["length"], FINISH_WORDS["context"], FINISH_WORDS["cancelled"]}  # (and a row of its own)
STOPPED_WORDS = "You stopped this answer before it ended."
UNANSWERED_WORDS = "No answer yet: the app closed, or the answer was stopped, before it began."
STOPPED_UNANSWERED_WORDS = "No answer yet: you stopped it before it began."  # (Esc or Stop, this session)
# an answer asked for before the model has loaded (the first start: minutes of converting) showed nothing
# under the question; the status bar's words were far from it (usertest21)
WAITING_FOR_MODEL_WORDS = "Waiting for the model to load: the answer starts then (the status bar shows how far it is)."
STOPPED_UNSTARTED_WORDS = "You stopped this answer before its first token. Regenerate asks again."
# an answer cut at Max new tokens ends mid-sentence like a stopped one, and goes on the same way (usertest 19:
# "… only under specific conditions such as those" with "token limit" in the header and no way on)
TOKEN_LIMIT_WORDS = "Cut at the token limit (Max new tokens, in Settings)."
EXPORT_TIP = "Copy or export this answer"
WRITING_TIP = "The answer is still being written: copy or export it once it is done"
META_KEEP_PX = 260  # at most this much of the header held for them
HEADER_SLACK = 24  # px of a card's header row its minimum widths leave free (a narrow chat must not overflow)


# shorter words for a part that does not fit: a cut answer says so even beside the ‹ 2/3 › arrows
SHORT_WORDS = {"reached the token limit": "token limit", "filled the context window": "context full"}


def fitted_meta(text: str, metrics, width: int) -> str:
    """The most of a "a · b · c" line that fits ``width``: whole parts are dropped from the end
    (never "branched at to\u2026"), each count tried with the short words (SHORT_WORDS) before
    a part goes; only a first part too long on its own is cut."""
    parts = text.split(SEPARATOR)
    short = [SHORT_WORDS.get(part, part) for part in parts]
    for count in range(len(parts), 0, -1):
        lines = [SEPARATOR.join(parts[:count]), SEPARATOR.join(short[:count])]
        if count == 2 and _cut_mark(parts) is not None:
            lines.append(_cut_mark(parts))  # "stopped" says more than "23 tokens" (usertest 11)
        for line in lines:
            if metrics.horizontalAdvance(line) <= width:
                return line
    return metrics.elidedText(parts[0], Qt.TextElideMode.ElideRight, width)


def _cut_mark(parts: list[str]) -> str | None:
    """The short words of a count's "not whole" part ("stopped", "token limit") for a line
    "23 tokens · stopped ...", else None."""
    if len(parts) > 1 and COUNT_ONLY.fullmatch(parts[0]) and parts[1] in NOT_WHOLE:
        return SHORT_WORDS.get(parts[1], parts[1])
    return None


def tokens_words(n: int) -> str:
    return f"{n} token{'' if n == 1 else 's'}"


class ElidedLabel(QLabel):
    """One line that drops its last parts when it does not fit; text() keeps the whole line."""

    fitted = staticmethod(fitted_meta)  # (text, font metrics, width) -> the text painted

    def __init__(self, text: str = "", parent=None, *, least: int | None = None) -> None:
        super().__init__(text, parent)
        self.least = least  # the most width it asks a layout for, at least; None: its whole text

    def minimumSizeHint(self):
        hint = super().minimumSizeHint()
        if self.least is not None:
            hint.setWidth(min(hint.width(), self.least))
        return hint

    def paintEvent(self, _event) -> None:
        rect = self.contentsRect()
        shown = self.fitted(self.text(), self.fontMetrics(), rect.width())
        painter = QPainter(self)
        self.style().drawItemText(painter, rect, int(self.alignment()), self.palette(), self.isEnabled(),
                                  shown, self.foregroundRole())
        painter.end()


def fitted_author(text: str, metrics, width: int) -> str:
    """"model · adapter 1" in ``width``: the model's name is elided first and the last part
    (which adapter, or "base model") stays, so siblings from the base model and an adapter
    stay told apart in a narrow chat; only when that part alone does not fit is it cut."""
    if metrics.horizontalAdvance(text) <= width or SEPARATOR not in text:
        return metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)
    model, which = text.rsplit(SEPARATOR, 1)
    tail = SEPARATOR + which
    room = width - metrics.horizontalAdvance(tail)
    for cut in name_cuts(model):  # "SmolLM2-135M…", then "SmolLM2…": whole pieces of the name first
        if metrics.horizontalAdvance(cut) <= room:
            return cut + tail
    head = metrics.elidedText(model, Qt.TextElideMode.ElideRight, room)
    if len(head) >= AUTHOR_HEAD_CHARS:
        return head + tail
    return metrics.elidedText(which, Qt.TextElideMode.ElideRight, width)


def fitted_model_line(text: str, metrics, width: int) -> str:
    """"model (note) · cpu · Fast (bfloat16)" in ``width``: the name's note goes first, then
    pieces of the name, so the device and the precision stay in a narrow window (usertest 8:
    "· cpu" with no precision read as if it were not known yet); past that, parts go from the end."""
    if metrics.horizontalAdvance(text) <= width or SEPARATOR not in text:
        return fitted_meta(text, metrics, width)
    name, rest = text.split(SEPARATOR, 1)
    tail = SEPARATOR + rest
    bare = name.split(" (")[0]
    for cut in [bare, *name_cuts(bare)]:
        if metrics.horizontalAdvance(cut + tail) <= width:
            return cut + tail
    return fitted_meta(text, metrics, width)


class ModelLabel(ElidedLabel):
    """The status bar's "model · device · precision": narrowed, it keeps the device and precision."""

    fitted = staticmethod(fitted_model_line)


def name_cuts(name: str) -> list[str]:
    """A model's name cut after its dash-separated pieces, longest first, each ending in "…"."""
    pieces = name.split("-")
    return ["-".join(pieces[:count]) + "\u2026" for count in range(len(pieces) - 1, 0, -1)]


SIBLING_SPACING = 1  # px between ‹, 1/2 and › (the header's 6 between each)
ARROW_PADDING = 10  # px beside an arrow's glyph: its focus ring and padding (the style sheet's 2 + 2 a side), 2 to spare
AUTHOR_HEAD_CHARS = 4  # fewer characters of the model's name say nothing: "which" alone then


class AuthorLabel(ElidedLabel):
    """An answer's author, "model · adapter N": gives way by eliding the model's name; its
    minimum width holds the adapter part. text() keeps the whole line (its tooltip says more)."""

    fitted = staticmethod(fitted_author)

    def sensible_width(self) -> int:
        """The px of its shortest form that still names the model: "SmolLM2\u2026 \u00b7 base model"."""
        text = self.text()
        if SEPARATOR in text:
            model, which = text.rsplit(SEPARATOR, 1)
            text = (name_cuts(model) or [model])[-1] + SEPARATOR + which
        margins = self.contentsMargins()
        return self.fontMetrics().horizontalAdvance(text) + margins.left() + margins.right() + 2

    def minimumSizeHint(self):
        """The adapter part ("adapter 1", "base model") whole, in the font it is painted in
        (the style sheet's bold arrives after the text is set)."""
        hint = super().minimumSizeHint()
        which = self.text().rsplit(SEPARATOR, 1)[-1]
        width = self.fontMetrics().horizontalAdvance(which) + self.contentsMargins().left() + self.contentsMargins().right() + 2
        hint.setWidth(min(width, self.sizeHint().width()))
        return hint


class MessageCard(QFrame):
    """One message of the shown thread: header (role, meta, siblings, actions), its heatmap,
    and a footer that ratings fill.

    Attributes:
        role: "user" or "assistant"; message: its stored row, None while it streams.
        view: the TokenView with its tokens (``records``).
        rating: the CardRating the window attaches to answers."""

    token_clicked = Signal(object, int)  # card, token index
    token_hovered = Signal(object, int)
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
        self.setObjectName("UserCard" if role == "user" else "AnswerCard")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(14, 10, 14, 10)
        outer.setSpacing(6)
        outer.addLayout(self._build_header(role, title))
        outer.addLayout(self.tools_row)
        self.view = TokenView(self, measure=measure if role == "assistant" else PLAIN)
        self.view.token_clicked.connect(lambda i: self.token_clicked.emit(self, i))
        self.view.token_hovered.connect(lambda i: self.token_hovered.emit(self, i))
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
        self._fit_meta()

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

    def show_unanswered(self, shown: bool, stopped: bool = False) -> None:
        """A prompt of the person's that has no answer (the app closed, or the answer was stopped,
        before the answer's first token): say so and offer "Answer it" (user test: after a restart
        nothing said how to get the answer). Made when first shown. ``stopped``: the person stopped
        it in this session, which the card says rather than blame the app closing (usertest 12)."""
        if getattr(self, "answer_button", None) is None:
            if not shown:
                return
            row, self.unanswered_label = self._notice_row(UNANSWERED_WORDS)
            self.answer_button = QPushButton("Answer it")
            self.answer_button.setToolTip("Ask the model for the answer to this prompt, as Send would have")
            self.answer_button.clicked.connect(lambda: self.answer_requested.emit(self))
            row.addWidget(self.answer_button)
        self.unanswered_label.setText(STOPPED_UNANSWERED_WORDS if stopped else UNANSWERED_WORDS)
        self.unanswered_label.setVisible(shown)
        self.answer_button.setVisible(shown)

    def show_waiting(self, shown: bool) -> None:
        """A prompt whose answer waits for the model to load says so under it (made when first shown)."""
        if getattr(self, "waiting_label", None) is None:
            if not shown:
                return
            _row, self.waiting_label = self._notice_row(WAITING_FOR_MODEL_WORDS)
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
        keep = parts[:2] if len(parts) > 1 and parts[1] in NOT_WHOLE else parts[:1]
        metrics = self.meta.fontMetrics()  # (the short words count: the painted line tries them too)
        self.meta_wanted = metrics.horizontalAdvance(SEPARATOR.join(SHORT_WORDS.get(p, p) for p in keep)) + 4
        self.meta_first = metrics.horizontalAdvance(parts[0]) + 4
        # a bare count gives way to the model's name; "reading your prompt…" and "stopped" never do
        self.meta_yields = len(keep) == 1 and COUNT_ONLY.fullmatch(parts[0]) is not None
        mark = _cut_mark(parts)  # what is left of "23 tokens · stopped" where the model's name needs the room
        self.meta_mark = metrics.horizontalAdvance(mark) + 4 if mark is not None else None
        self.meta_full = metrics.horizontalAdvance(text) + 8
        self._fit_meta()

    def _fit_meta(self) -> None:
        """The meta line's least width: what it wants kept in view, as far as the header has room
        beside its buttons and the author's shortest label (a narrow chat must not overflow).
        Where even the buttons do not fit beside the author, they move to a row of their own.
        Room the meta line would leave empty goes to the author's label, not to a gap."""
        width = self._room()
        author = self.role_label.minimumSizeHint().width()
        tools = self.tools.sizeHint().width() + 6
        wanted = min(META_KEEP_PX, getattr(self, "meta_wanted", 20))
        self._place_tools(beside=width - 28 - author - 6 - min(wanted, 60) - tools >= 0)
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
        sides = margins.left() + margins.right() if margins is not None else 2 * ROOMY_MARGINS[0]
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
        self._fit_meta()


def answer_author(message: dict | None, loaded) -> tuple[str, str]:
    """(short title, full tooltip) naming the model AND the adapter that wrote an answer;
    ``message`` None: the answer streaming now, from ``loaded`` as it is."""
    if not has_writer(message):  # imported: the model in use did not write it
        return unwritten_author(message)
    if message is None:
        model_id = getattr(loaded, "model_id", None) or ""
        adapter = getattr(loaded, "adapter_id", None)
    else:
        model_id, adapter = message.get("model_id") or "", message.get("adapter_id")
    if loaded is not None and (not model_id or model_id == loaded.model_id):
        full = loaded.source.display_name
    else:
        full = model_id.split(":", 1)[-1].split("/")[-1] or "Assistant"
    short = full.split(" (")[0]  # "SmolLM2-135M-Instruct (bundled, offline)": the name is enough here
    which = writer_words(adapter)
    title, tip = f"{short} \u00b7 {which}", f"Written by {full}, {'the ' if adapter is None else ''}{which}"
    if message is None or written_by_its_writer(message):
        return title, tip
    return branch_author(message, short, full)


def branch_author(message: dict, short: str, full: str) -> tuple[str, str]:
    """A branch from another writer's answer: its shared tokens are that writer's, shown with
    their figures (usertest 8, C3: the card credited them all to the adapter that went on)."""
    settings, adapter = message["settings"], message.get("adapter_id")
    first, which = settings["prefix_writer"], writer_words(adapter)
    before = writer_words(first.get("adapter_id"))
    shared = tokens_words(int(settings.get("branched_at") or 0))
    if not first.get("model_id"):  # a branch from an imported answer: no model wrote its first tokens
        return (f"{short} \u00b7 imported text, then {which}",
                f"Its first {shared}: the imported answer's (shown with its scoring's figures); the rest "
                f"written by {full}, {'the ' if adapter is None else ''}{which}")
    if first.get("model_id") != message.get("model_id"):
        before = f"{(first.get('model_id') or '').split(':', 1)[-1].split('/')[-1]} {before}"
    return (f"{short} \u00b7 {before}, then {which}",
            f"The first {shared} were written by {'the ' if first.get('adapter_id') is None else ''}{before} "
            f"(shown with its figures); the rest by {full}, {'the ' if adapter is None else ''}{which}")


def writer_words(adapter: int | None) -> str:
    return "base model" if adapter is None else adapter_name(adapter)  # ("the" goes where the sentence wants it)


def was_stopped(message: dict | None) -> bool:
    """A stored answer the person stopped (Stop or Esc) before it ended."""
    return bool(message) and (message.get("settings") or {}).get("finish_reason") == "cancelled"


def hit_token_limit(message: dict | None) -> bool:
    """A stored answer cut at Max new tokens (not one that filled the context: that cannot go on)."""
    return bool(message) and (message.get("settings") or {}).get("finish_reason") == "length"


def answer_meta(message: dict | None, records) -> str:
    settings = (message or {}).get("settings") or {}
    parts = [tokens_words(len(records))]
    if is_interrupted(message) and not stopped_unstarted(message):  # (stopped: said by its finish reason)
        parts.append(INTERRUPTED_WORDS)
    reason = settings.get("finish_reason")
    if reason in FINISH_WORDS and reason not in ("eos", "stop"):
        parts.append(FINISH_WORDS[reason])
    if settings.get("branched_at") is not None:
        parts.append(f"branched at token {settings['branched_at'] + 1}")
    if settings.get("tokens_per_s"):
        parts.append(f"{settings['tokens_per_s']:.1f} tok/s")
    return " \u00b7 ".join(parts)


ROOMY_MARGINS = (16, 40, 16, 24)
TIGHT_MARGINS = (8, 4, 8, 8)
SHORT_TRANSCRIPT_PX = 360  # below this the welcome text keeps no margin above it
HOW_TO_ASK = ("Type a prompt below and press <b>Enter</b>. The answer streams in token by token, "
              "each token coloured by how sure the model was.")
HOW_TO_LOOK = ("Hover a token for its probability and the alternatives; click it to inspect it and to "
               "branch the answer from a different choice. Everything stays on this computer.")
# the welcome's words, fullest first: a short chat shows the fullest that fits whole (at 800x461 the
# second paragraph's first line showed cut under the edge); the last, none, leaves the title and "Ready"
BODY_FORMS = (f"{HOW_TO_ASK}<br><br>{HOW_TO_LOOK}", HOW_TO_ASK, "Type a prompt below and press <b>Enter</b>.", "")


class EmptyState(QFrame):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("EmptyState")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(*ROOMY_MARGINS)
        layout.setSpacing(10)
        self.title = styled_label("Ask your local model anything", "EmptyTitle", wrap=True)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.title)
        # "Ready: ..." right under the title: a short window still shows it without scrolling
        self.status = QLabel()
        self.status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.body = QLabel(BODY_FORMS[0])
        self.body.setWordWrap(True)
        self.body.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # centred, a wrapped label took its size hint (about 190 px) whatever the room: between
        # two stretches it takes the room there is, up to a readable 500 px
        self.body.setMinimumWidth(200)
        self.body.setMaximumWidth(500)
        row = self.body_row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.body, 100)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(1)
        self.room = QSize(0, 0)  # the viewport's room for it (fit_height), 0: not known yet

    def set_status(self, text: str) -> None:
        """The "Ready: …" line; a longer one may leave room for fewer words."""
        self.status.setText(text)
        self._fit_words()

    def fit_height(self, height: int, room: QSize | None = None) -> None:
        """A short chat area (800x600 with a notice) drops the roomy top margin; one shorter than the
        whole welcome (``room``: the size it has in the transcript) shows fewer of its words, never a line
        cut at the edge."""
        self.layout().setContentsMargins(*(ROOMY_MARGINS if height >= SHORT_TRANSCRIPT_PX else TIGHT_MARGINS))
        if room is not None:
            self.room = room
        self._fit_words()

    def needed_height(self, width: int, words: str) -> int:
        """The px the welcome takes at ``width`` with ``words`` under its title and "Ready" line (shown
        with them: the layout measures, its stretches beside the words included)."""
        self.body.setMinimumHeight(0)
        self.body.setText(words)
        self.body.setVisible(bool(words))
        self.body_row.invalidate()  # (a label's new text marks only the layout it is in, not the row's)
        self.layout().invalidate()
        return self.layout().totalHeightForWidth(width)

    def _fit_words(self) -> None:
        if not self.room.height():
            return
        shown = self.body.text()
        words = next((w for w in BODY_FORMS if self.needed_height(self.room.width(), w) <= self.room.height()),
                     BODY_FORMS[-1])
        self.body.setText(words)
        self.body.setVisible(bool(words))
        self.body.setMinimumHeight(self.body.heightForWidth(self.body.width()) if words else 0)
        if words != shown:
            self.updateGeometry()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        # a wrapped label's height is guessed for its widest form: narrow, it needs more lines
        self.body.setMinimumHeight(self.body.heightForWidth(self.body.width()) if self.body.text() else 0)


ROOMY_SIDE_PX, NARROW_SIDE_PX = 24, 8  # the transcript's side margins; a narrow chat keeps its width for the cards
NARROW_TRANSCRIPT_PX = 480


class TranscriptView(QScrollArea):
    """A vertical list of MessageCards that keeps to the bottom while an answer streams.

    Attributes:
        cards: the cards shown, top to bottom.
        empty: what shows when there is no card.
        _follow: whether new text scrolls into view (off once the person scrolls up).
        room: blank height under the last card, kept while a branch switch ends the chat sooner
            than the view's place (``hold_position``), so what is on screen does not slide down."""

    overlay_changed = Signal()  # a card's overlay was painted or cleared, or a card that had one went

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("Transcript")
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget()
        inner.setObjectName("TranscriptInner")
        self.layout_ = QVBoxLayout(inner)
        self.layout_.setContentsMargins(ROOMY_SIDE_PX, 16, ROOMY_SIDE_PX, 24)
        self.layout_.setSpacing(12)
        self.empty = EmptyState()
        self.layout_.addWidget(self.empty)
        self.layout_.addStretch(1)
        self.room = QWidget()
        self.room.setFixedHeight(0)
        self.layout_.addWidget(self.room)
        self.setWidget(inner)
        self.cards: list[MessageCard] = []
        self._follow = True
        self._held: int | None = None  # the scroll value a branch switch keeps
        self.verticalScrollBar().rangeChanged.connect(self._range_changed)
        self.verticalScrollBar().valueChanged.connect(self._scrolled)

    def clear(self) -> None:
        painted = self.overlaid()
        for card in self.cards:
            card.setParent(None)
            card.deleteLater()
        self.cards = []
        self.empty.show()
        self._follow = True
        self._drop_room()
        if painted:
            self.overlay_changed.emit()

    def add_card(self, card: MessageCard) -> MessageCard:
        self.empty.hide()
        self.layout_.insertWidget(self.layout_.count() - 2, card)  # before the stretch and the room
        self.cards.append(card)
        card.view.overlay_changed.connect(self.overlay_changed)
        return card

    def remove_card(self, card: MessageCard) -> None:
        if card in self.cards:
            self.cards.remove(card)
            card.setParent(None)
            card.deleteLater()
            if card.view.overlay is not None:
                self.overlay_changed.emit()
        self.empty.setVisible(not self.cards)

    def overlaid(self) -> bool:
        """Whether a card shows an overlay (the attribution) instead of its measure's colours."""
        return any(card.view.overlay is not None for card in self.cards)

    def scroll_to_bottom(self) -> None:
        self._follow = True
        self._drop_room()  # the end is the last card's, not blank room
        QTimer.singleShot(0, lambda: self.verticalScrollBar().setValue(self.verticalScrollBar().maximum()))

    def show_end_of(self, card) -> None:
        """The view ends at ``card``'s end, once laid out (an answer gone on mid-conversation), and stays
        there as the cards below it come back (``_follow`` off)."""
        self._follow = False
        self._drop_room()

        def place() -> None:
            bottom = card.mapTo(self.widget(), QPoint(0, card.height())).y()
            self.verticalScrollBar().setValue(max(0, bottom + 16 - self.viewport().height()))
        QTimer.singleShot(0, place)

    def hold_position(self) -> None:
        """Cards changed below the top of the view: what is on screen stays where it is, even at
        the end (where the view would follow the new cards down), and where the chat now ends
        sooner than the view's place (‹ › to a branch with fewer turns after it), blank room under
        the last card keeps it there: the view had slid down to its new end, moving the card under
        the pointer, and the next click on its arrows missed (user test 15)."""
        self._follow = False
        self._held = self.verticalScrollBar().value()

    def _drop_room(self) -> None:
        self._held = None
        if self.room.height():
            self.room.setFixedHeight(0)

    def _keep_held(self, high: int) -> bool:
        """After a branch switch: room enough for the place held, then the place (True: handled)."""
        held = self._held
        if held is None:
            return False
        if high < held:
            self.room.setFixedHeight(self.room.height() + held - high)  # the range grows on the next layout
            return True
        self._held = None
        self.verticalScrollBar().setValue(held)
        return True

    def _scrolled(self, value: int) -> None:
        bar = self.verticalScrollBar()
        if self._held is not None:
            if value == bar.maximum() and value < self._held:
                return  # the range shrank under the place held, which comes back with the room
            self._held = None  # scrolled: that is the place now
        if self.room.height() and value <= bar.maximum() - self.room.height():
            self.room.setFixedHeight(0)  # scrolled up past it: the blank room under the last card goes
        self._follow = value >= bar.maximum() - 8
        # the cards moved under a still pointer: the token under it, if any, is another; the card left
        # tells first, so that its "none" does not clear the card now under the pointer
        under = [(card.view, card.view.pointer_index()) for card in self.cards]
        for view, index in sorted(under, key=lambda pair: pair[1] >= 0):
            view.hover(index)

    def _range_changed(self, _low: int, high: int) -> None:
        if not self.cards:  # the welcome text reads from its title, not from its end
            self.verticalScrollBar().setValue(0)
        elif self._keep_held(high):
            pass
        elif self._follow:
            self.verticalScrollBar().setValue(high)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        side = NARROW_SIDE_PX if self.viewport().width() < NARROW_TRANSCRIPT_PX else ROOMY_SIDE_PX
        self.layout_.setContentsMargins(side, 16, side, 24)
        port = self.viewport().size()
        # its room: the viewport less the margins and the gap to the blank room under it
        self.empty.fit_height(port.height(), QSize(port.width() - 2 * side, port.height() - 16 - 24 - self.layout_.spacing()))
        for card in self.cards:  # their headers' least widths follow the transcript's width
            card._fit_meta()
