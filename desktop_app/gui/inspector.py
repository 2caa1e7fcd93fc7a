"""The inspector: one token in full, a bar chart of its alternatives, and branching. Its parts: the token and its
figures (gui/inspector_header.py), the alternatives and branching (gui/inspector_alternatives.py, its chart
gui/alternatives_chart.py), the explanation's wiring (gui/inspector_explain.py), its words (gui/inspector_words.py)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QBoxLayout, QFrame, QHBoxLayout, QPushButton, QScrollArea, QVBoxLayout, QWidget

from desktop_app.core.records import TokenRecord
from desktop_app.core.sampler_cut import SamplerCut
from desktop_app.gui.inspector_alternatives import AlternativesPart
from desktop_app.gui.inspector_explain import ExplainWiring
from desktop_app.gui.inspector_header import STATS_SPACING_PX, TokenHeader
from desktop_app.gui.inspector_words import PLACEHOLDER, busy_explain_words, set_aside_words
from desktop_app.gui.theme import font_scale, icon, styled_label

# the inspector's names that tests and other modules import from here
from desktop_app.gui.alternatives_chart import AlternativesChart  # noqa: F401
from desktop_app.gui.inspector_alternatives import BRANCH_LABEL  # noqa: F401
from desktop_app.gui.inspector_words import STAT_TIPS  # noqa: F401

# a view narrower than this (the panel beside the chat on a 480 px screen: 186 px) puts its button rows one under
# another, wraps the figures' values and cuts "Continue with …" to its width: they had kept the inspector 269 px wide
# in its 186 and were cut at its edge (Copy figures, "bad", the values' ends), with no way to scroll to them
NARROW_INSPECTOR_PX = 250
PANEL_MARGIN_PX, NARROW_MARGIN_PX = 14, 6  # the body's side margins, and in a narrow view (its words' room)

INSPECTOR_NAME = "Token inspector"  # the title (in capitals) and what a screen reader calls its scrolling body


def _one_line_px(row: QBoxLayout) -> int:
    """The width ``row``'s items need side by side (a stretch needs none), whichever direction it is laid in now."""
    items = [row.itemAt(i) for i in range(row.count())]
    shown = [item for item in items if not item.isEmpty()]
    margins = row.contentsMargins()
    spacing = max(row.spacing(), 0) * max(len(shown) - 1, 0)
    return sum(item.sizeHint().width() for item in shown) + spacing + margins.left() + margins.right()


def scrolling_layout(panel: QWidget) -> QVBoxLayout:
    """A vertical layout for ``panel`` that scrolls when its content is taller than the window
    (the explanation makes the inspector tall); the panel's own background shows through."""
    outer = QVBoxLayout(panel)
    outer.setContentsMargins(0, 0, 0, 0)
    scroll = QScrollArea(panel)
    scroll.setObjectName("InspectorScroll")
    scroll.setAccessibleName(INSPECTOR_NAME)  # a Tab stop that scrolls the panel with the keys
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setStyleSheet("QScrollArea#InspectorScroll, QWidget#InspectorBody { background: transparent; }")
    body = QWidget()
    body.setObjectName("InspectorBody")
    scroll.setWidget(body)
    outer.addWidget(scroll)
    return QVBoxLayout(body)


class InspectorPanel(TokenHeader, AlternativesPart, ExplainWiring, QFrame):
    """Shows the clicked token; "Continue with this alternative" asks for a branch.

    Attributes:
        message_id, index, record: the token shown (its message, position and TokenRecord).
        can_branch: whether "continue with" may start a new answer from it.
        chart: the AlternativesChart of its top alternatives."""

    branch_requested = Signal(int, int, int)  # message id, token index, alternative token id
    token_rated = Signal(int, int, object)  # message id, token index, +1 / -1 / None
    # text mode: a token of the analysed text (no message): branch from an alternative, rate it
    text_branch_requested = Signal(int, object)  # token index, Alternative
    text_token_rated = Signal(int, object)  # token index, +1 / -1 / None
    more_asked = Signal()  # "Show N more": the shown token's next alternatives (gui/more_alternatives_wiring.py)
    emptied = Signal()  # a shown token went (New text, another tab): the panels fit again (view_toolbar.PanelFitter)

    # show_token's: whose figures the shown token's are (core.adapters.figures_adapter; None: not said), and
    # the character it holds a piece of (core.token_words.completed_character; "": none known)
    figures_of: tuple[str, str] | None = None
    figures_adapter: dict | None = None  # the same adapter as Copy figures says it (core.adapters.figures_adapter)
    completes = ""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("InspectorPanel")
        self.message_id: int | None = None
        self.index = -1
        self.record: TokenRecord | None = None
        self.can_branch = False
        self.text_branch = self.text_rate = False  # text mode's actions (allow_text_actions)
        self.text_wait: str | None = None  # why a Text token's branch waits (a continuation, an analysis)
        self.measure = "probability"  # the swatch is coloured as the transcript is
        self.tokenizer = lambda: None  # the loaded model's (the window's): a split character's bytes
        self.model_id = lambda: None  # the loaded model's: a record another model wrote is read with its tokenizer
        self.loaded_precision = lambda: None  # the loaded model's weights ("float32"): said where a record's differ
        self.written_token = False  # the token shown is an answer's (its figures written), not a scoring's
        self.records_model: str | None = None  # the model that wrote the shown record (None: the one in use)
        layout = scrolling_layout(self)  # "Why this token?" makes the panel taller than a small window
        self.body = layout  # (add_section)
        self.scroll = self.findChild(QScrollArea)
        self.scroll.viewport().installEventFilter(self)  # its width fits the rows (_fit_width)
        layout.setContentsMargins(PANEL_MARGIN_PX, 12, PANEL_MARGIN_PX, 12)
        layout.setSpacing(8)
        title = styled_label(INSPECTOR_NAME.upper(), "PanelTitle")
        layout.addWidget(title)
        self.placeholder = styled_label(PLACEHOLDER, "Muted", wrap=True)
        self.set_aside_token: tuple | None = None  # (the explain view's key, the token's text): its explanation set aside
        layout.addWidget(self.placeholder)
        # which answer the token is of: with a new answer below, an older one's token had looked like the
        # newest's (usertest26); the chat sets it (``show_source``), the Text tab's one text needs none
        self.source = styled_label("", "Muted", wrap=True)
        self.source.setObjectName("InspectorSource")
        layout.addWidget(self.source)
        self._build_token(layout)
        self._build_stats(layout)
        self._build_rating(layout)
        self._build_alternatives(layout)
        self._place_explain_button(layout)
        self._wire_explain_actions()
        layout.addStretch(1)
        self.clear()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self.record is not None:
            self._paint_swatch()  # Settings → Colours: the swatch takes the new theme's scale, as the heatmap does

    def add_section(self, widget) -> None:
        """``widget`` at the panel's foot, over its stretch (the chat's list of an answer's surprises)."""
        self.body.insertWidget(self.body.count() - 1, widget)

    def _build_rating(self, layout) -> None:
        """The "This token is good / bad" buttons."""
        self.rate_box = QWidget()
        self.rate_row = rate_row = QBoxLayout(QBoxLayout.Direction.LeftToRight, self.rate_box)
        rate_row.setContentsMargins(0, 0, 0, 0)
        rate_row.setSpacing(6)
        rate_label = styled_label("This token is", "Muted")
        rate_row.addWidget(rate_label)
        rate_row.addStretch(1)
        buttons = QHBoxLayout()  # together under the words in a narrow panel (_fit_width)
        buttons.setSpacing(6)
        rate_row.addLayout(buttons)
        self.good_button = QPushButton(icon("thumb-up"), "good")
        self.bad_button = QPushButton(icon("thumb-down"), "bad")
        for button, value, name in ((self.good_button, 1, "up"), (self.bad_button, -1, "down")):
            button.setObjectName("RateTokenButton")
            button.setProperty("rating", name)
            button.setCheckable(True)
            button.setToolTip(f"Rate this token {'good' if value > 0 else 'bad'} (keys: {'+' if value > 0 else '−'}; "
                              "0 clears); fine-tuning learns from it")
            button.clicked.connect(lambda _c=False, v=value: self._rate(v))
            buttons.addWidget(button)
        layout.addWidget(self.rate_box)

    def clear(self) -> None:
        was = (self.explain.token_key(), self.record.text) if self.record is not None else None
        had_token = self.record is not None
        self.message_id, self.index, self.record = None, -1, None
        self.waits_for_model = False
        self.placeholder.show()
        for widget in (self.token_label, self.bytes_note, self.marks_note, self.guess_note, self.stats_box, self.alt_title, self.chart,
                       self.more_button, self.coverage,
                       self.branch_button, self.hint, self.rate_box, self.explain, self.copy_button, self.versus,
                       self.sampler_note):
            widget.hide()
        self.show_source("")
        self.explain.show_token(None, -1)
        self.probe.show_token(None, -1)
        self._say_set_aside(was)
        if had_token:
            self.emptied.emit()

    def _say_set_aside(self, was: tuple | None) -> None:
        """The empty panel says which token's explanation waits set aside (``was``: the token shown until now)."""
        aside = self.explain.set_aside
        if aside is not None and was is not None and aside[0] == was[0]:
            self.set_aside_token = was
        if aside is None or self.set_aside_token is None or aside[0] != self.set_aside_token[0]:
            self.placeholder.setText(PLACEHOLDER)
            return
        key, text = self.set_aside_token
        self.placeholder.setText(f"{PLACEHOLDER}\n\n{set_aside_words(text, key[0] == 'text', aside[1] is not None)}")

    def show_source(self, words: str) -> None:
        """The line over the token that says where it is ("token 7 of 101 in the answer to “…”"); "": none."""
        self.source.setText(words)
        self.source.setVisible(bool(words))

    def show_token(self, message_id: int | None, index: int, record: TokenRecord, *, can_branch: bool,
                   busy: str | None = None, model_id: str | None = None, cut: SamplerCut | None = None,
                   keep_explanation: bool = False, figures_of: tuple[str, str] | None = None,
                   figures_adapter: dict | None = None, completes: str = "") -> None:
        """``busy``: an answer token that cannot branch or be explained only because the model is
        writing (this answer, or another): what is said instead, until the window shows it again.
        Another token starts at the top of the panel: scrolled down to "Why this token?" for the
        last one, the panel showed the next one's alternatives without its name (usertest 11).
        ``model_id``: the model that wrote the record (None: the model in use), whose tokenizer
        alone reads a split character's bytes from its ids (core.piece_words). ``cut``: the alternatives
        the answer's sampler could not have picked (core.sampler_cut; None: not a sampled answer's token).
        ``keep_explanation``: the same token's new figures, its "Why this token?" left as it is (it waits for them).
        ``figures_of`` and ``figures_adapter``: which adapter's figures they are, in the row's words and as Copy
        figures' "adapter", both as core.adapters.figures_adapter gives them;
        ``completes``: the character the token holds a piece of (core.token_words.completed_character)."""
        if (message_id, index, record) != (self.message_id, self.index, self.record):
            self.scroll.verticalScrollBar().setValue(0)
        self.message_id, self.index, self.record, self.can_branch = message_id, index, record, can_branch
        self.records_model, self.figures_of, self.completes = model_id, figures_of, completes
        self.figures_adapter = figures_adapter
        self.written_token = message_id is not None and (can_branch or busy is not None)
        self.waits_for_model = busy is not None
        self.text_branch = self.text_rate = False
        self.text_wait = None
        self._show_parts(can_branch)
        if not keep_explanation:
            self.explain.show_token(message_id if can_branch else None, index, busy=busy and busy_explain_words(busy))
        self._show_figures(record)
        self._show_alternatives(record, cut, can_branch, busy)
        # an answer's token (not while it is written) or the Text tab's: a prompt's token is scored only
        self.offer_more(busy != "this" and (message_id is None or can_branch or busy is not None))
        if not keep_explanation:  # after the chart: a word asked here before is picked in it again
            self._show_probe(message_id, index, can_branch, busy)  # (a Text token's: its readiness, text_explain.py)
        self._fit_width()  # its figures' words are new: "written with Fast (bfloat16)" may not fit beside its name

    def _show_parts(self, can_branch: bool) -> None:
        """The parts a shown token has, the placeholder gone; branching and rating where the token allows them."""
        self.placeholder.hide()
        self.show_source("")  # the chat says which answer after this; the Text tab's token needs nothing
        for widget in (self.token_label, self.stats_box, self.alt_title, self.chart, self.coverage, self.copy_button):
            widget.show()
        self.branch_button.setVisible(can_branch)
        self.rate_box.setVisible(can_branch)
        self.set_token_rating(None)
        self.hint.setVisible(True)
        self.explain.show()

    def allow_text_actions(self, *, branch: bool, rate: bool, waiting: str | None = None) -> None:
        """Text mode: the shown token (no message) may start a branch from an alternative,
        and (when a continuation wrote it) be rated. ``waiting``: why the branch cannot start yet
        (a continuation being written, an analysis of the changed text), said on the greyed button."""
        self.text_branch, self.text_rate = branch, rate
        self.branch_button.setVisible(branch)
        self.rate_box.setVisible(rate)
        self.text_waits(waiting)

    def text_waits(self, waiting: str | None) -> None:
        """What a Text token's branch waits for now (None: nothing): the button follows at once, with
        the alternative already picked, so it is on again the moment it can run (text58: it stayed greyed,
        with no reason, after the continuation it waited for had ended)."""
        self.text_wait = waiting
        self._turn_branch()

    def set_token_rating(self, value) -> None:
        self.rating_value = value
        self.explain.rated(value)
        self.good_button.setChecked(value == 1)
        self.bad_button.setChecked(value == -1)
        for b in (self.good_button, self.bad_button):
            b.style().unpolish(b)
            b.style().polish(b)

    def _rate(self, value: int) -> None:
        if (self.message_id is None and not self.text_rate) or self.index < 0:
            return
        new = None if getattr(self, "rating_value", None) == value else value
        self.set_token_rating(new)
        if self.message_id is None:
            self.text_token_rated.emit(self.index, new)
        else:
            self.token_rated.emit(self.message_id, self.index, new)

    def _body_room(self) -> int:
        margins = self.scroll.widget().layout().contentsMargins()
        return self.scroll.viewport().width() - margins.left() - margins.right()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._fit_width()

    def eventFilter(self, watched, event) -> bool:
        # the view's width, not the panel's: a vertical scroll bar coming narrows the view alone
        if watched is self.scroll.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_width()
        return False

    def _side_by_side_px(self) -> int:
        """The least width of the side by side form: the figures' names beside their whole values, and each button row
        in one line, with the body's margins; worked out whichever form is shown (wrapped values hint narrower)."""
        keys = max(self.stats.itemAtPosition(row, 0).widget().sizeHint().width() for row in range(len(self.stat_values)))
        values = max(label.fontMetrics().horizontalAdvance(label.text()) + 2 * label.margin()
                     for label in self.stat_values.values())
        inset = self.stats_margins
        figures = inset.left() + keys + STATS_SPACING_PX + values + inset.right()
        rows = max(_one_line_px(row) for row in (self.explain_row, self.rate_row))
        return max(figures, rows) + 2 * PANEL_MARGIN_PX

    def _fit_width(self) -> None:
        """Rows one under another and values wrapped in a narrow view (NARROW_INSPECTOR_PX), side by side else."""
        # the width grows with the desktop's font: at 14 pt the side by side form needs 459 px, and in the
        # panel's 326 its buttons, figures and chart ran past the right edge, with no way to scroll to them
        # measured too: at 10-11 pt (GNOME's and KDE's default) the scaled bound let the side by side form stay while
        # its figures needed 334-377 px of the 326, the values and Copy figures cut at the right edge (regress69)
        least = max(NARROW_INSPECTOR_PX * font_scale(), self._side_by_side_px())
        narrow = self.scroll.viewport().width() < least
        direction = QBoxLayout.Direction.TopToBottom if narrow else QBoxLayout.Direction.LeftToRight
        for row in (self.explain_row, self.rate_row):
            if row.direction() != direction:
                row.setDirection(direction)
        for value in self.stat_values.values():
            value.setWordWrap(narrow)
        side = NARROW_MARGIN_PX if narrow else PANEL_MARGIN_PX
        body = self.scroll.widget().layout()
        body.setContentsMargins(side, body.contentsMargins().top(), side, body.contentsMargins().bottom())
        inset = self.stats_margins
        self.stats.setContentsMargins(0 if narrow else inset.left(), inset.top(), 0 if narrow else inset.right(),
                                      inset.bottom())
        self.stats.setHorizontalSpacing(6 if narrow else STATS_SPACING_PX)
        self._fit_branch_words()

