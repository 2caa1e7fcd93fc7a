"""The inspector: one token in full, a bar chart of its alternatives, and branching."""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import (QApplication, QBoxLayout, QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton,
                               QScrollArea, QSizePolicy, QVBoxLayout, QWidget)

from desktop_app.core.palette import MEASURES, color_for, css_colours
from desktop_app.core.piece_words import other_model, piece_hex, split_piece_words
from desktop_app.core.precision import label as precision_label
from desktop_app.core.records import Alternative, TokenRecord
from desktop_app.core.sampler_cut import MAY, SamplerCut, cut_words
from desktop_app.core.token_figures import token_figures_text
from desktop_app.gui.explain_view import ExplainView
from desktop_app.gui.off_words import branch_tip
from desktop_app.gui.theme import colors, icon, is_dark, styled_label
from desktop_app.gui.tips import turn
from desktop_app.gui.word_probe_view import BUSY_THIS, WordProbeBox
from desktop_app.gui.token_view import (MARKS_TIP, TIE, marks_words, ordered_alternatives, percent_texts, token_label,
                                        token_percent)


def scrolling_layout(panel: QWidget) -> QVBoxLayout:
    """A vertical layout for ``panel`` that scrolls when its content is taller than the window
    (the explanation makes the inspector tall); the panel's own background shows through."""
    outer = QVBoxLayout(panel)
    outer.setContentsMargins(0, 0, 0, 0)
    scroll = QScrollArea(panel)
    scroll.setObjectName("InspectorScroll")
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setStyleSheet("QScrollArea#InspectorScroll, QWidget#InspectorBody { background: transparent; }")
    body = QWidget()
    body.setObjectName("InspectorBody")
    scroll.setWidget(body)
    outer.addWidget(scroll)
    return QVBoxLayout(body)


# what each of the inspector's figures means, on hover over its name and its value: usertest 20, new to this,
# met "log-probability -0.015", "entropy 0.10 nats" and "surprisal 0.02 bits" with nothing to say what they were
STAT_TIPS = {
    "token id": "The token's number in the model's vocabulary, as the tokenizer and a transformers run name it.",
    "probability": "How sure the model was of this token: its share of the model's probability for the next token.",
    "log-probability": "The probability's natural logarithm: 0 is certain, more negative is less expected. "
                       "A text's figures add up to the whole text's.",
    "rank": "Where this token stood among every token the model could have written next: 1 is its first choice.",
    "entropy": "How spread the model's choice was, in bits, as the surprisal below: near 0, one clear choice; "
               "higher, many tokens were likely.",
    "surprisal": "How surprising the token was, in bits: 0 is fully expected; each bit more is half as likely.",
    "precision": "The model weights these figures were computed with: Exact (float32), Fast (16-bit) or "
                 "Compact (8-bit integer weights)",
}

COPIED_MS = 6000


def copied_words(index: int, record: TokenRecord) -> str:
    """What the status bar says after "Copy figures": the token as the inspector numbers it (from 1), and the
    JSON's own "index", which counts from 0 as the token lists of a script do."""
    return (f"Copied the figures of token {index + 1}, \u201c{token_label(record.text)}\u201d, as JSON "
            f"(its \"index\" {index} counts from 0)")


BYTES_TIP = ("This token holds only part of a character (an emoji or an accented letter split over several "
             "tokens): these are its bytes in hex; the token that completes the character shows it.")
COPY_TIP = ("Copy this token's figures as JSON: its index and id, probability, log-probability, rank, entropy "
            "and surprisal, and its top alternatives with their ids")


class AlternativesChart(QWidget):
    """Horizontal bars: one row per alternative, the chosen token marked; click picks a row.
    It is a Tab stop: ↑ ↓ Home End pick a row and Enter asks to continue from it (usertest26: the
    keyboard reached "good" and "bad" and then skipped the chart, so "Continue with this
    alternative" stayed off and no branch could start without the mouse).

    Attributes:
        alternatives: the rows; chosen_id: the token that was written.
        chosen_outside: the written token when it is not among the rows, else None.
        current: the picked row (-1: none)."""

    picked = Signal(int)  # row index
    entered = Signal()  # Enter on a picked row

    ROW = 24

    def __init__(self, parent=None):
        super().__init__(parent)
        self.alternatives: list[Alternative] = []
        self.chosen_id: int | None = None
        self.chosen_outside: TokenRecord | None = None
        self.current = -1
        self.piece_hex = lambda _alt: ""  # an alternative's bytes when it holds part of a character (the panel's)
        self.cut: dict = {}  # alternative id -> why the answer's sampler could not have picked it (dimmed)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setToolTip(CHART_KEYS_TIP)

    def set_data(self, alternatives, chosen_id, chosen_record=None) -> None:
        self.alternatives = list(alternatives)
        self.chosen_id = chosen_id
        ids = {a.id for a in self.alternatives}
        self.chosen_outside = chosen_record if chosen_record is not None and chosen_id not in ids else None
        self.current = -1
        self.setFixedHeight(max(1, self._rows()) * self.ROW + 4)
        self.update()

    def _rows(self) -> int:
        return len(self.alternatives) + (1 if self.chosen_outside else 0)

    def sizeHint(self) -> QSize:
        return QSize(260, self._rows() * self.ROW + 4)

    def row_at(self, y: float) -> int:
        row = int(y // self.ROW)
        return row if 0 <= row < len(self.alternatives) else -1

    def mousePressEvent(self, event) -> None:
        row = self.row_at(event.position().y())
        if row >= 0:
            self.current = row
            self.update()
            self.picked.emit(row)

    def keyPressEvent(self, event) -> None:
        row = _row_for_key(event.key(), self.current, len(self.alternatives))
        if row is not None:
            self.current = row
            self.update()
            self.picked.emit(row)
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.current >= 0:
            self.entered.emit()
        else:
            super().keyPressEvent(event)

    def focusInEvent(self, event) -> None:
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        self.update()

    def dimmed(self) -> list[bool]:
        """Per row: an alternative the sampler surely could not have picked (core.sampler_cut)."""
        return [not self.cut.get(a.id, MAY).startswith(MAY) for a in self.alternatives] + \
            [False] * (1 if self.chosen_outside else 0)

    def rows(self) -> list[tuple[str, float, bool]]:
        """(label, probability, chosen) per row as painted: whitespace and invisible tokens shown
        by a mark (token_label), the chosen token last when it is not among the alternatives."""
        rows = [(alternative_label(a, self.piece_hex(a)), a.prob, a.id == self.chosen_id) for a in self.alternatives]
        if self.chosen_outside is not None:
            rows.append((token_label(self.chosen_outside.text), self.chosen_outside.prob, True))
        return rows

    def percents(self) -> list[str]:
        """Each row's percentage as painted: as many decimals as tell two different ones apart, and
        "tie" beside equal ones (token_view.percent_texts)."""
        texts, tied = percent_texts([prob for _label, prob, _chosen in self.rows()])
        return [f"{TIE} {text}" if tie else text for text, tie in zip(texts, tied)]

    def paintEvent(self, _event) -> None:
        c = colors(is_dark())
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = QFontMetrics(self.font())
        label_w = min(130, max(70, self.width() * 2 // 5))
        rows, percents, dimmed = self.rows(), self.percents(), self.dimmed()
        pct_w = max(metrics.horizontalAdvance(t) for t in ["100.0%", *percents]) + 6
        bar_w = max(20, self.width() - label_w - pct_w - 8)
        top = max((p for _t, p, _c in rows), default=1.0) or 1.0
        for i, ((text, prob, chosen), percent) in enumerate(zip(rows, percents)):
            y = i * self.ROW + 2
            if i == self.current:
                painter.fillRect(QRectF(0, y, self.width(), self.ROW - 2), QColor(c["selection"]))
            font = QFont(self.font())
            font.setBold(chosen)
            label = QFontMetrics(font).elidedText(text, Qt.TextElideMode.ElideRight, label_w - 12)
            painter.setFont(font)
            painter.setPen(QColor(c["muted" if dimmed[i] else "text"]))
            painter.drawText(QRectF(4, y, label_w - 4, self.ROW - 2), Qt.AlignmentFlag.AlignVCenter, label)
            rgb = color_for(TokenRecord(0, "", _log(prob), 1, 0.0), "probability")
            width = max(2.0, bar_w * prob / top)
            rect = QRectF(label_w, y + 4, width, self.ROW - 10)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(c["muted"]) if dimmed[i] else QColor(*rgb))
            painter.drawRoundedRect(rect, 3, 3)
            if chosen:
                pen = QPen(QColor(c["accent"]))
                pen.setWidth(2)
                painter.setPen(pen)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRoundedRect(rect.adjusted(-1, -1, 1, 1), 3, 3)
            painter.setPen(QColor(c["muted"]))
            painter.setFont(self.font())
            painter.drawText(QRectF(label_w + bar_w + 4, y, pct_w, self.ROW - 2),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, percent)
        if self.hasFocus():
            self._paint_focus(painter, c["accent"])
        painter.end()

    def _paint_focus(self, painter: QPainter, accent: str) -> None:
        """The 2 px ring every stop shows (docs/features.md), around the picked row or the whole chart."""
        pen = QPen(QColor(accent))
        pen.setWidth(2)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        whole = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        row = QRectF(1, self.current * self.ROW + 2, self.width() - 2, self.ROW - 2)
        painter.drawRoundedRect(row if self.current >= 0 else whole, 3, 3)


BRANCH_LABEL = "Continue with this alternative"
# a view narrower than this (the panel beside the chat on a 480 px screen: 186 px) puts its button rows one under
# another, wraps the figures' values and cuts "Continue with …" to its width: they had kept the inspector 269 px wide
# in its 186 and were cut at its edge (Copy figures, "bad", the values' ends), with no way to scroll to them
NARROW_INSPECTOR_PX = 250
PANEL_MARGIN_PX, NARROW_MARGIN_PX, STATS_SPACING_PX = 14, 6, 12  # the body's side margins, and in a narrow view (its words' room)
CHART_KEYS_TIP = "Click an alternative, or use \u2191 \u2193 and Enter, to continue the answer from it"


def _row_for_key(key, current: int, count: int) -> int | None:
    """The row ↑ ↓ Home End move the pick to (the first ↓ picks the top row), None for other keys."""
    if not count:
        return None
    moves = {Qt.Key.Key_Down: min(count - 1, current + 1), Qt.Key.Key_Up: max(0, current - 1),
             Qt.Key.Key_Home: 0, Qt.Key.Key_End: count - 1}
    return moves.get(key)


BUSY_WRITING = {"this": "This answer is still being written", "another": "The model is busy writing another answer"}


def busy_branch_words(busy: str) -> str:
    """``busy``: "this" or "another" (BUSY_WRITING): why an answer token cannot branch yet."""
    return f"{BUSY_WRITING[busy]}: continuing from an alternative is possible once it ends."


def busy_explain_words(busy: str) -> str:
    return f"{BUSY_WRITING[busy]}: explaining this token is possible once it ends."


def alternative_label(alt: Alternative, hex_bytes: str = "") -> str:
    """An alternative as its row and the comparison name it: its bytes ("bytes e2 80") where it holds
    part of a character, whose text alone is only "\ufffd" (one such piece looked like any other)."""
    return f"bytes {hex_bytes}" if hex_bytes else token_label(alt.text)


def sampler_verdict(why: str, in_text: bool = False) -> str:
    """A picked alternative the answer's sampler cut ("cut by min-p 0.1"), or may have ("may have been cut by ...");
    ``in_text``: a Text continuation's token, whose sampler is the continuation's (it had said "the answer's")."""
    whose = "The continuation's" if in_text else "The answer's"
    if why.startswith(MAY):
        return f"{whose} sampler may not have been able to pick it ({why})."
    return f"{whose} sampler could not have picked it ({why})."


def versus_words(alt: Alternative, record: TokenRecord, hex_bytes: str = "") -> str:
    """A picked alternative against the written token, as an ML engineer compares two tokens: both
    log-probabilities, their difference (the logits' difference: the softmax's sum cancels) and the
    ratio of their chances (usertest 29: two tokens could be compared only by reading two bars)."""
    alt_logprob = _log(alt.prob)
    difference = alt_logprob - record.logprob
    return (f"\u201c{alternative_label(alt, hex_bytes)}\u201d (id {alt.id}) against the written "
            f"\u201c{token_label(record.text)}\u201d: "
            f"log-probability {alt_logprob:.3f} vs {record.logprob:.3f}, {difference:+.3f} (the logits' difference), "
            f"{math.exp(difference):.3g}\u00d7 as likely.")


def _log(p: float) -> float:
    return math.log(max(p, 1e-12))


class InspectorPanel(QFrame):
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
        self.records_model: str | None = None  # the model that wrote the shown record (None: the one in use)
        layout = scrolling_layout(self)  # "Why this token?" makes the panel taller than a small window
        self.scroll = self.findChild(QScrollArea)
        self.scroll.viewport().installEventFilter(self)  # its width fits the rows (_fit_width)
        layout.setContentsMargins(PANEL_MARGIN_PX, 12, PANEL_MARGIN_PX, 12)
        layout.setSpacing(8)
        title = styled_label("TOKEN INSPECTOR", "PanelTitle")
        layout.addWidget(title)
        self.placeholder = styled_label("Click any coloured token to see how sure the model was, which tokens "
                                        "it considered instead, and to branch from there.", "Muted", wrap=True)
        layout.addWidget(self.placeholder)
        # which answer the token is of: with a new answer below, an older one's token had looked like the
        # newest's (usertest26); the chat sets it (``show_source``), the Text tab's one text needs none
        self.source = styled_label("", "Muted", wrap=True)
        self.source.setObjectName("InspectorSource")
        layout.addWidget(self.source)
        self.token_label = QLabel()
        self.token_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.token_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.token_label.setMinimumHeight(48)
        self.token_label.setToolTip(MARKS_TIP)
        layout.addWidget(self.token_label)
        self.bytes_note = styled_label("", "Muted")  # "bytes e2 80", for a token that holds part of a character
        self.bytes_note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.bytes_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.bytes_note.setToolTip(BYTES_TIP)
        layout.addWidget(self.bytes_note)
        self.marks_note = styled_label("", "Muted")  # "␣ = a space", when the token or an alternative has one
        self.marks_note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.marks_note.setToolTip(MARKS_TIP)
        layout.addWidget(self.marks_note)
        self._build_stats(layout)
        self._build_rating(layout)
        self._build_alternatives(layout)
        self._place_explain_button(layout)
        self._wire_explain_actions()
        layout.addStretch(1)
        self.clear()

    def _build_stats(self, layout) -> None:
        """The grid of the token's numbers (probability, rank, entropy ...), each name and figure with
        its meaning in plain words on hover (``STAT_TIPS``)."""
        self.stats = QGridLayout()
        self.stats.setHorizontalSpacing(STATS_SPACING_PX)
        self.stat_values: dict[str, QLabel] = {}
        for row, name in enumerate(STAT_TIPS):
            key = styled_label(name, "Muted")
            value = QLabel()
            for label in (key, value):
                label.setToolTip(STAT_TIPS[name])
            value.setAlignment(Qt.AlignmentFlag.AlignRight)
            self.stats.addWidget(key, row, 0)
            self.stats.addWidget(value, row, 1)
            self.stat_values[name] = value
        self.stats_box = QWidget()
        self.stats_box.setLayout(self.stats)
        self.stats_margins = self.stats.contentsMargins()  # the style's, given back as the view widens
        layout.addWidget(self.stats_box)
        self.copy_button = QPushButton("Copy figures")
        self.copy_button.setToolTip(COPY_TIP)
        self.copy_button.clicked.connect(self.copy_figures)

    def copy_figures(self) -> None:
        """The shown token's figures, as JSON, on the clipboard; the status bar says so (usertest30: a click
        showed nothing, so whether anything was copied was learnt only by pasting)."""
        if self.record is None:
            return
        QApplication.clipboard().setText(token_figures_text(self.record, self.index, piece_hex=self._piece_hex,
                                                            cut=self.chart.cut))
        bar = getattr(self.window(), "statusBar", None)
        if bar is not None:
            bar().showMessage(copied_words(self.index, self.record), COPIED_MS)

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

    def _build_alternatives(self, layout) -> None:
        """The alternatives chart, its coverage line, the branch button with its hint, and "Why this token?"."""
        self.alt_title = styled_label("Alternatives", "PanelTitle", wrap=True)
        self.alt_title.setToolTip(MARKS_TIP)
        layout.addWidget(self.alt_title)
        self.chart = AlternativesChart()
        self.chart.picked.connect(self._picked)
        self.chart.entered.connect(self.branch_button_click)
        layout.addWidget(self.chart)
        self.coverage = styled_label("", "Muted", wrap=True)
        layout.addWidget(self.coverage)
        self.sampler_note = styled_label("", "Muted", wrap=True)  # the alternatives the sampler could not pick
        layout.addWidget(self.sampler_note)
        self.probe = WordProbeBox()  # "How likely was…": a word the person has in mind, at this token
        layout.addWidget(self.probe)
        self.versus = styled_label("", "Muted", wrap=True)  # the picked alternative against the written token
        self.versus.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.versus)
        self.branch_button = QPushButton(BRANCH_LABEL)
        self.branch_words = BRANCH_LABEL  # its whole words (_set_branch_words): cut to a narrow view's width
        self.branch_button.setIcon(icon("branch"))
        turn(self.branch_button, False, branch_tip(picked=False, same=False, in_text=False))
        self.branch_button.clicked.connect(self._branch)
        layout.addWidget(self.branch_button)
        self.hint = styled_label("", "Muted", wrap=True)
        layout.addWidget(self.hint)
        self.explain = ExplainView()
        layout.addWidget(self.explain)

    def _wire_explain_actions(self) -> None:
        """The explanation's "Rate this token bad" and "Continue with ... instead" do what the
        rating buttons and "Continue with" do here, for the token shown."""
        self.explain.can_act = lambda: (self.can_branch or self.text_rate, self.can_branch)
        self.explain.rate_bad_requested.connect(self._rate_bad)
        self.explain.runner_up_requested.connect(self._branch_with)

    def _rate_bad(self) -> None:
        if getattr(self, "rating_value", None) != -1:
            self._rate(-1)
        self.explain.rated(-1)

    def _branch_with(self, token_id: int) -> None:
        if self.message_id is not None and self.can_branch:
            self.branch_requested.emit(self.message_id, self.index, token_id)

    def _place_explain_button(self, layout) -> None:
        """"Explain this token" right under the token's figures, where it shows without scrolling
        (usertest 11: below the alternatives it was under the fold); the section it opens stays below."""
        # "Copy figures" beside it: a row of its own pushed the chart below a 600 px window (under it where narrow)
        self.explain_row = row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        row.setSpacing(6)
        row.addWidget(self.explain.button, 1)
        row.addWidget(self.copy_button)
        layout.insertLayout(layout.indexOf(self.stats_box) + 1, row)
        QWidget.setTabOrder(self.explain.button, self.copy_button)
        QWidget.setTabOrder(self.copy_button, self.good_button)

    def clear(self) -> None:
        self.message_id, self.index, self.record = None, -1, None
        self.waits_for_model = False
        self.placeholder.show()
        for widget in (self.token_label, self.bytes_note, self.marks_note, self.stats_box, self.alt_title, self.chart, self.coverage,
                       self.branch_button, self.hint, self.rate_box, self.explain, self.copy_button, self.versus,
                       self.sampler_note):
            widget.hide()
        self.show_source("")
        self.explain.show_token(None, -1)
        self.probe.show_token(None, -1)

    def show_source(self, words: str) -> None:
        """The line over the token that says where it is ("token 7 of 101 in the answer to “…”"); "": none."""
        self.source.setText(words)
        self.source.setVisible(bool(words))

    def show_token(self, message_id: int | None, index: int, record: TokenRecord, *, can_branch: bool,
                   busy: str | None = None, model_id: str | None = None, cut: SamplerCut | None = None,
                   keep_explanation: bool = False) -> None:
        """``busy``: an answer token that cannot branch or be explained only because the model is
        writing (this answer, or another): what is said instead, until the window shows it again.
        Another token starts at the top of the panel: scrolled down to "Why this token?" for the
        last one, the panel showed the next one's alternatives without its name (usertest 11).
        ``model_id``: the model that wrote the record (None: the model in use), whose tokenizer
        alone reads a split character's bytes from its ids (core.piece_words). ``cut``: the alternatives
        the answer's sampler could not have picked (core.sampler_cut; None: not a sampled answer's token).
        ``keep_explanation``: the same token's new figures, its "Why this token?" left as it is (it waits for them)."""
        if (message_id, index, record) != (self.message_id, self.index, self.record):
            self.scroll.verticalScrollBar().setValue(0)
        self.message_id, self.index, self.record, self.can_branch = message_id, index, record, can_branch
        self.records_model = model_id
        self.waits_for_model = busy is not None
        self.text_branch = self.text_rate = False
        self.text_wait = None
        self.placeholder.hide()
        self.show_source("")  # the chat says which answer after this; the Text tab's token needs nothing
        for widget in (self.token_label, self.stats_box, self.alt_title, self.chart, self.coverage, self.copy_button):
            widget.show()
        self.branch_button.setVisible(can_branch)
        self.rate_box.setVisible(can_branch)
        self.set_token_rating(None)
        self.hint.setVisible(True)
        self.explain.show()
        if not keep_explanation:
            self.explain.show_token(message_id if can_branch else None, index, busy=busy and busy_explain_words(busy))
            self._show_probe(message_id, index, can_branch, busy)  # (a Text token's: its readiness, text_explain.py)
        self.token_label.setText(token_label(record.text))
        self._show_bytes_note(record)
        self._show_marks_note(record)
        self._paint_swatch()
        self.stat_values["token id"].setText(str(record.id))
        self.stat_values["probability"].setText(token_percent(record))  # as its row in the chart says it
        self.stat_values["log-probability"].setText(f"{record.logprob:.3f}")
        self.stat_values["rank"].setText(f"{record.rank:,}")
        self.stat_values["entropy"].setText(f"{record.entropy_bits:.2f} bits")
        self.stat_values["surprisal"].setText(f"{record.surprisal_bits:.2f} bits")
        self.stat_values["precision"].setText(precision_label(record.precision))
        self.alt_title.setText(f"TOP {len(record.top)} ALTERNATIVES")
        self.chart.piece_hex = self._alternative_hex
        self.chart.cut = cut.cut if cut is not None else {}
        self.sampler_note.setText(cut_words(cut, ordered_alternatives(record)) if cut is not None else "")
        self.sampler_note.setVisible(bool(self.sampler_note.text()))
        self.chart.set_data(ordered_alternatives(record), record.id, record)
        covered = sum(a.prob for a in record.top)
        self.coverage.setText(f"These {len(record.top)} alternatives cover {covered * 100:.1f}% of the probability.")
        turn(self.branch_button, False, branch_tip(picked=False, same=False, in_text=False))
        self.versus.hide()
        self._set_branch_words(BRANCH_LABEL)  # an alternative picked for an earlier token is not this one's
        self.hint.setText("Pick another alternative above (or Tab to it, \u2191 \u2193, Enter), then continue the answer from it as a new branch."
                          if can_branch else busy_branch_words(busy) if busy
                          else "Prompt tokens are scored only; branching starts from answer tokens.")

    def _show_probe(self, message_id: int | None, index: int, can_branch: bool, busy: str | None) -> None:
        """"How likely was…" for a stored answer's token; while another answer is written it still asks (its
        read runs between that answer's tokens); while this one is written it says it waits."""
        if busy == "this":
            self.probe.show_token(message_id, index, busy=BUSY_THIS)
            return
        answer_token = message_id is not None and (can_branch or busy is not None)
        self.probe.show_token(message_id if answer_token else None, index)

    def _show_bytes_note(self, record: TokenRecord) -> None:
        """A token that is part of a character has no text of its own: its bytes (from the tokenizer of
        the model that wrote it), so an emoji's pieces are told apart by more than their ids."""
        said = split_piece_words(self.tokenizer(), record.id, self.records_model, self.model_id()) \
            if record.text == "" else ""
        self.bytes_note.setText(said)
        self.bytes_note.setVisible(bool(said))

    def _alternative_hex(self, alt: Alternative) -> str:
        """An alternative's bytes where its text is only part of a character and the model in use wrote the
        record (another model's ids are another vocabulary's: its row keeps "\ufffd")."""
        if "\ufffd" not in alt.text or other_model(self.records_model, self.model_id()):
            return ""
        return piece_hex(self.tokenizer(), alt.id)

    def _piece_hex(self, token_id: int, text: str) -> str:
        """Copy figures' "bytes": the written token's as its note says them, an alternative's as its row does."""
        if token_id == self.record.id and text == self.record.text:
            said = self.bytes_note.text()
            return said.removeprefix("bytes ") if said.startswith("bytes ") else ""
        return self._alternative_hex(Alternative(token_id, text, 0.0))

    def _show_marks_note(self, record: TokenRecord) -> None:
        """What the marks on the token and its alternatives stand for, in a short line under the token."""
        said = marks_words([token_label(t.text) for t in (record, *record.top)])
        self.marks_note.setText(said)
        self.marks_note.setVisible(bool(said))

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

    def set_measure(self, measure: str) -> None:
        """Colour the swatch by the transcript's colour mode (plain text: by probability)."""
        self.measure = measure if measure in MEASURES else "probability"
        if self.record is not None:
            self._paint_swatch()

    def _paint_swatch(self) -> None:
        bg, fg = css_colours(color_for(self.record, self.measure))
        self.token_label.setStyleSheet(
            f"background:{bg}; color:{fg}; border-radius:8px; padding:8px 14px; font-size:16pt; font-weight:600;")

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

    def selected_alternative(self) -> Alternative | None:
        if self.record is None or not 0 <= self.chart.current < len(self.chart.alternatives):
            return None
        return self.chart.alternatives[self.chart.current]

    def pick(self, row: int) -> None:
        self.chart.current = row
        self.chart.update()
        self._picked(row)

    def _picked(self, row: int) -> None:
        alt = self.selected_alternative()
        same = alt is not None and alt.id == self.record.id
        self._turn_branch()
        said = versus_words(alt, self.record, self._alternative_hex(alt)) if alt is not None and not same else ""
        why = self.chart.cut.get(alt.id) if alt is not None else None
        self.versus.setText(f"{said} {sampler_verdict(why, self.text_branch)}" if said and why else said)
        self.versus.setVisible(bool(self.versus.text()))
        if self.versus.isVisible():  # once laid out: the label's place is known after the layout's pass
            QTimer.singleShot(0, self, self._show_versus)
        if alt is not None:
            self._set_branch_words(f"Continue with \u201c{token_label(alt.text)[:24]}\u201d")

    def _set_branch_words(self, words: str) -> None:
        self.branch_words = words
        self.branch_button.setAccessibleName(words)
        self._fit_branch_words()

    def _fit_branch_words(self) -> None:
        """"Continue with …" whole where it fits the view's width, else cut with "…" (whole: accessible name)."""
        words, button = self.branch_words, self.branch_button
        button.setText(words)
        room = self._body_room()
        if self.isVisible() and button.sizeHint().width() > room:  # (a panel not shown yet has no width)
            padding = button.sizeHint().width() - button.fontMetrics().horizontalAdvance(words)
            button.setText(button.fontMetrics().elidedText(words, Qt.TextElideMode.ElideRight, room - padding))

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

    def _fit_width(self) -> None:
        """Rows one under another and values wrapped in a narrow view (NARROW_INSPECTOR_PX), side by side else."""
        narrow = self.scroll.viewport().width() < NARROW_INSPECTOR_PX
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

    def _turn_branch(self) -> None:
        """"Continue with …" on when an alternative other than the token is picked and nothing it needs
        is still running; its tooltip says which of those it waits for."""
        if self.record is None:
            return
        alt = self.selected_alternative()
        same = alt is not None and alt.id == self.record.id
        wait = self.text_wait if self.text_branch else None
        turn(self.branch_button, (self.can_branch or self.text_branch) and alt is not None and not same and not wait,
             wait or branch_tip(picked=alt is not None, same=same, in_text=self.text_branch))

    def _show_versus(self) -> None:
        """The comparison line and "Continue with …" under it scrolled into view: at 1024x600 the line that
        appears under the chart was below the fold, and a pick seemed to do nothing (leftovers56)."""
        if self.versus.isVisible():
            self.scroll.ensureWidgetVisible(self.branch_button, 0, 8)
            self.scroll.ensureWidgetVisible(self.versus, 0, 8)  # the line first, where both do not fit

    def branch_button_click(self) -> None:
        """Enter on the chart: what "Continue with …" does, when it may (not on the token already there)."""
        if self.branch_button.isEnabled():
            self.branch_button.click()

    def _branch(self) -> None:
        alt = self.selected_alternative()
        if alt is not None and self.text_branch:
            self.text_branch_requested.emit(self.index, alt)
        elif alt is not None and self.message_id is not None:
            self.branch_requested.emit(self.message_id, self.index, alt.id)
