"""Why this token? The inspector's section that explains the selected answer token: the logit
lens as a small coloured grid, the earlier tokens that led to it (and, on a toggle, the same
as a diverging heatmap over the transcript), and what the sampler did with it.

The work runs on the model lane on demand (``start_explain``: the one place that touches
the worker mechanism). The layer grid and the sampler show as soon as they are ready (one
forward pass); the attribution follows with a determinate bar (passes done of at most how
many, the time left at most) and a Cancel. Choosing another token stops it too.
"""

from __future__ import annotations

import html

from dataclasses import replace

from PySide6.QtCore import QEvent, QPoint, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QLinearGradient, QPainter, QPen
from PySide6.QtWidgets import (QCheckBox, QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QScrollArea,
                               QSizePolicy, QToolTip, QVBoxLayout, QWidget)

from desktop_app.core.palette import diverging_color, sequential_color, text_color_on
from desktop_app.core.precision import label
from desktop_app.gui import explain_words as words
from desktop_app.gui.explain_overlays import clear_attribution, show_attribution
from desktop_app.gui.theme import colors, is_dark, styled_label
from desktop_app.gui.token_view import token_label

TOP_CONTRIBUTORS = 5


def _hex(rgb) -> str:
    return "#%02x%02x%02x" % tuple(rgb)


def _chip(text: str, rgb) -> str:
    return (f"<span style='background:{_hex(rgb)}; color:{_hex(text_color_on(rgb))}'>"
            f"&nbsp;{html.escape(text)}&nbsp;</span>")


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


class LensGrid(QWidget):
    """Layers down, tokens across; each cell coloured by the token's probability at that layer
    (the heatmap's palette); the first layer where the chosen token is the top-1 is outlined.

    The colours run from 0 to the grid's highest probability, not to 100%: on a small model the
    layers' probabilities stay around 0-10%, and a 0-100% scale painted every cell the same
    dark purple (usertest 9). A key under the grid says what the brightest colour is."""

    LABEL_W = 34
    HEADER_H = 18
    KEY_H = 20
    KEY_BAR_W = 90

    def __init__(self, parent=None):
        super().__init__(parent)
        self.lens = None
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_lens(self, lens) -> None:
        self.lens = lens
        self.setFixedHeight(self.HEADER_H + self.row_h() * len(lens.layer_names) + 2 + self.KEY_H if lens else 0)
        self.update()

    def top(self) -> float:
        """The grid's highest probability: the brightest colour (never 0, so nothing divides by it)."""
        return max((p for row in self.lens.probs for p in row), default=0.0) or 1.0

    def cell_rgb(self, prob: float) -> tuple[int, int, int]:
        return sequential_color(min(1.0, prob / self.top()))

    def key_text(self) -> str:
        return f"0% \u2192 {self.top() * 100:.1f}% (the highest here)"

    def row_h(self) -> int:
        return 15 if self.lens is None or len(self.lens.layer_names) <= 16 else 11

    def sizeHint(self) -> QSize:
        return QSize(240, self.height())

    def cell_at(self, x: float, y: float) -> tuple[int, int]:
        if self.lens is None or x < self.LABEL_W or y < self.HEADER_H:
            return -1, -1
        column = int((x - self.LABEL_W) // self._cell_w())
        row = int((y - self.HEADER_H) // self.row_h())
        ok = 0 <= row < len(self.lens.layer_names) and 0 <= column < len(self.lens.token_ids)
        return (row, column) if ok else (-1, -1)

    def _cell_w(self) -> float:
        return max(12.0, (self.width() - self.LABEL_W) / max(1, len(self.lens.token_ids)))

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.ToolTip and self.lens is not None:
            row, column = self.cell_at(event.pos().x(), event.pos().y())
            if row >= 0:
                lens = self.lens
                QToolTip.showText(event.globalPos(), f"{lens.layer_names[row]}: \u201c"
                                  f"{token_label(lens.token_texts[column])}\u201d {lens.probs[row][column] * 100:.2f}%, "
                                  f"rank {lens.ranks[row][column]:,}", self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

    def paintEvent(self, _event) -> None:
        if self.lens is None:
            return
        c = colors(is_dark())
        painter = QPainter(self)
        small = QFont(self.font())
        small.setPointSizeF(max(6.5, self.font().pointSizeF() * 0.8))
        painter.setFont(small)
        metrics = QFontMetrics(small)
        self._paint_header(painter, metrics, c)
        for row in range(len(self.lens.layer_names)):
            self._paint_row(painter, metrics, row, c)
        self._paint_key(painter, metrics, c)
        painter.end()

    def _paint_key(self, painter, metrics, c) -> None:
        """Under the grid: the palette from 0 to the grid's highest probability, and its figures."""
        y = self.height() - self.KEY_H + 6
        bar = QRectF(self.LABEL_W + 1, y, self.KEY_BAR_W, self.KEY_H - 10)
        gradient = QLinearGradient(bar.left(), 0, bar.right(), 0)
        for i in range(9):
            gradient.setColorAt(i / 8, QColor(*sequential_color(i / 8)))
        painter.fillRect(bar, gradient)
        painter.setPen(QColor(c["muted"]))
        painter.drawText(QRectF(bar.right() + 6, y - 3, self.width() - bar.right() - 6, self.KEY_H - 4),
                         Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                         metrics.elidedText(self.key_text(), Qt.TextElideMode.ElideRight,
                                            int(self.width() - bar.right() - 6)))

    def _paint_header(self, painter, metrics, c) -> None:
        w = self._cell_w()
        for column, text in enumerate(self.lens.token_texts):
            font = QFont(painter.font())
            font.setBold(column == 0)  # the chosen token
            painter.setFont(font)
            label = QFontMetrics(font).elidedText(token_label(text), Qt.TextElideMode.ElideRight, int(w) - 2)
            painter.setPen(QColor(c["text"] if column == 0 else c["muted"]))
            painter.drawText(QRectF(self.LABEL_W + column * w, 0, w, self.HEADER_H),
                             Qt.AlignmentFlag.AlignCenter, label)
        painter.setFont(QFont(painter.font()))

    def _paint_row(self, painter, metrics, row: int, c) -> None:
        lens, w, h = self.lens, self._cell_w(), self.row_h()
        y = self.HEADER_H + row * h
        first = row == lens.first_top1
        name = "emb" if row == 0 else lens.layer_names[row].replace("layer ", "")
        painter.setPen(QColor(c["accent"] if first else c["muted"]))
        painter.drawText(QRectF(0, y, self.LABEL_W - 4, h), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                         ("\u25b6 " if first else "") + name)
        for column, prob in enumerate(lens.probs[row]):
            rect = QRectF(self.LABEL_W + column * w + 1, y + 0.5, w - 2, h - 1)
            rgb = self.cell_rgb(prob)
            painter.fillRect(rect, QColor(*rgb))
            if h >= 13 and w >= 30:
                painter.setPen(QColor(*text_color_on(rgb)))
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, f"{prob * 100:.0f}%" if prob >= 0.01 else "")
        if first:
            pen = QPen(QColor(c["accent"]), 2)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(self.LABEL_W + 1, y + 0.5, w - 2, h - 1))


class ExplainView(QFrame):
    """The section itself; it asks for work through ``requested`` and is told the outcome.
    ``ticket`` numbers the requests: what comes back for an older one (a token no longer
    shown, a cancelled run still ending) is ignored."""

    requested = Signal(int, int)  # message id, token index
    text_requested = Signal(int)  # token index of the Text mode heatmap
    overlay_toggled = Signal(bool)  # show the attribution over the transcript
    cleared = Signal()  # a new token (or none): any running work and overlay should go
    exact_requested = Signal()  # reload the model with Exact weights, then explain this token again
    back_requested = Signal(str)  # reload the model with the precision it had before "Exact weights" (a choice)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("ExplainView")
        self.message_id: int | None = None
        self.index = -1
        self.in_text = False  # the token is one of the Text mode's heatmap, not of an answer
        self.ticket = 0
        self.result = None  # the whole explanation, once the attribution is in
        self.partial = None  # the lens and sampler, while the attribution runs
        self.estimate = None  # the attribution's figures so far (core.attribution.ExplainProgress.estimate)
        self.previous_estimate = None  # the ones before them: a word whose place held in both has settled
        self.stopper = None  # stops the computation under way
        self.pausing = False  # the run under way was stopped for an answer (pause_for_answer)
        self.resume_after_answer = False  # ... and runs again once the model is free (resume)
        self.model_busy = lambda: False  # the window's: an answer is being written
        self.pending_exact = None  # (message id, index, in text): asked again once Exact weights are loaded
        self.switched_from = None  # (precision choice, its label) the app ran on before "Exact weights"
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(styled_label("WHY THIS TOKEN?", "PanelTitle"))
        self.button = QPushButton("Explain this token")
        self.button.setToolTip("What each layer predicted, which earlier tokens led here, and what the sampler did")
        self.button.clicked.connect(self.ask)
        layout.addWidget(self.button)
        self.status = styled_label("", "Muted", wrap=True)
        layout.addWidget(self.status)
        self.details = QWidget()
        self._build_details(QVBoxLayout(self.details))
        layout.addWidget(self.details)
        self.show_token(None, -1)

    def _build_details(self, layout: QVBoxLayout) -> None:
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.lens_caption = styled_label("", "Muted", wrap=True)
        layout.addWidget(self.lens_caption)
        self.grid = LensGrid()
        layout.addWidget(self.grid)
        self.contrib_caption = styled_label("", "Muted", wrap=True)
        self.contrib_caption.setTextFormat(Qt.TextFormat.RichText)  # "doubtful" in bold
        layout.addWidget(self.contrib_caption)
        layout.addWidget(self._build_progress())
        self.exact_button = QPushButton("Explain again with Exact weights")
        self.exact_button.setToolTip("Reload the model with float32 (Exact) weights, on which the contributions add "
                                     "up, and explain this token again. The chat then answers with Exact weights too "
                                     "(slower on this computer) until you go back: a button here, or Model\u2026 "
                                     "\u203a Precision.")
        self.exact_button.clicked.connect(self._ask_exact)
        self.precision_choice = "auto"  # the window's precision choice now (core.precision), to go back to
        layout.addWidget(self.exact_button)
        self.exact_button.hide()
        layout.addWidget(self._build_back_row())  # where the Exact button was: the way back from it
        self.hidden_note = styled_label("", "Muted", wrap=True)
        layout.addWidget(self.hidden_note)
        self.contributors = QLabel()
        self.contributors.setTextFormat(Qt.TextFormat.RichText)
        self.contributors.setWordWrap(True)
        layout.addWidget(self.contributors)
        self.shown_only = QCheckBox(words.SHOWN_ONLY_WORDS)
        self.shown_only.setToolTip("Rank only the tokens of your messages and the answers, leaving out the chat "
                                   "template and system text the model reads but the chat does not show")
        # on by default (usertest 8: 77% of the weight on template newlines led the ranking and
        # told a new user nothing); the hidden share is still said above it, and one click shows them
        self.shown_only.setChecked(True)
        self.shown_only.toggled.connect(self._rerank)
        layout.addWidget(self.shown_only)
        self.toggle = QCheckBox("Show it over the conversation")
        self.toggle.setToolTip("Colour every earlier token by how much it pushed towards this token (orange) "
                               "or towards the alternative (blue)")
        self.toggle.toggled.connect(self.overlay_toggled)
        self.toggle.toggled.connect(self._show_overlay_note)
        layout.addWidget(self.toggle)
        self.overlay_note = styled_label("", "Muted", wrap=True)
        layout.addWidget(self.overlay_note)
        self.sampler = styled_label("", "Muted", wrap=True)
        self.sampler.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.sampler)

    def _build_back_row(self) -> QWidget:
        """After "Explain again with Exact weights": the app runs on Exact now; one click goes back."""
        self.back_box = QWidget()
        box = QVBoxLayout(self.back_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        self.back_note = styled_label("", "Muted", wrap=True)
        box.addWidget(self.back_note)
        self.back_button = QPushButton("Back to Fast weights")
        self.back_button.clicked.connect(self._ask_back)
        box.addWidget(self.back_button)
        self.back_box.hide()
        return self.back_box

    def _build_progress(self) -> QWidget:
        """The attribution's bar (passes done of at most how many), its words and Cancel."""
        self.progress_box = QWidget()
        box = QVBoxLayout(self.progress_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        row = QHBoxLayout()
        row.setSpacing(6)
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(8)
        row.addWidget(self.bar, 1)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop working out the attribution (the layer grid and sampler stay)")
        self.cancel_button.clicked.connect(self.cancel)
        row.addWidget(self.cancel_button)
        box.addLayout(row)
        self.progress_text = styled_label("", "Muted", wrap=True)
        box.addWidget(self.progress_text)
        return self.progress_box

    # ------------------------------------------------------------ state
    def show_token(self, message_id: int | None, index: int, busy: str | None = None) -> None:
        """A new token was selected: whatever ran or showed for the last one goes. ``busy``: an
        answer token with no explanation only while the model writes: said instead of the rule."""
        self.stop()
        self.ticket += 1
        self.message_id, self.index, self.result, self.partial, self.estimate = message_id, index, None, None, None
        self.previous_estimate = None
        self.in_text = False
        self.pending_exact = None  # another token: the person moved on
        self.pausing = self.resume_after_answer = False
        self.exact_button.hide()
        self.toggle.setText("Show it over the conversation")
        self.toggle.blockSignals(True)
        self.toggle.setChecked(False)
        self.toggle.blockSignals(False)
        self.details.hide()
        self.button.setVisible(message_id is not None)
        self.button.setEnabled(True)
        self._say(words.HINT if message_id is not None
                  else busy or "Explanations are for the tokens of a finished answer.")
        self.cleared.emit()

    def show_text_token(self, index: int, ready: bool) -> None:
        """A token of the Text mode's heatmap; ``ready``: the text is analysed as shown and no
        continuation is being written (the explanation reads the text as the heatmap shows it)."""
        self.show_token(None, index)
        self.in_text = ready
        self.toggle.setText("Show it over the text")
        self.button.setVisible(ready)
        self._say(words.HINT.replace("a long conversation", "a long text") if ready else
                  "Explanations are for a finished text: once the continuation ends and the colours are back, "
                  "click the token again.")

    def ask(self) -> None:
        if self.message_id is None and not self.in_text:
            return
        self.pending_exact = None  # asked now: nothing waits for the Exact weights any more
        self.pausing = self.resume_after_answer = False
        self.ticket += 1
        self.result = self.partial = self.estimate = self.previous_estimate = None
        # the bar and Cancel show at once, and take the focus the button had (disabled, it
        # would pass it on down the window: to the "+" of the conversation list)
        self.bar.setRange(0, 0)
        self.progress_text.setText("")
        self.progress_box.show()
        self.details.show()
        for w in (self.lens_caption, self.grid, self.contrib_caption, self.exact_button, self.contributors,
                  self.toggle, self.sampler, self.hidden_note, self.shown_only, self.overlay_note, self.back_box):
            w.hide()
        self._focus_from((self.button,), self.cancel_button)
        self.button.setEnabled(False)
        self._say(words.reading_words(self.switched_from[1] if self.switched_from else None))
        QTimer.singleShot(0, self._scroll_into_view)  # the button sits above the fold, the section below it
        if self.in_text:
            self.text_requested.emit(self.index)
        else:
            self.requested.emit(self.message_id, self.index)

    def _ask_exact(self) -> None:
        """One click: the window reloads the model with Exact weights (``exact_requested``) and
        this token is explained again once it is loaded (``resume_exact``)."""
        self.pending_exact = (self.message_id, self.index, self.in_text)
        if self.switched_from is None and self.result is not None:
            self.switched_from = (self.precision_choice, label(self.result.precision))
        self.button.setVisible(True)  # a click meanwhile asks at once (it waits for the load on the model lane)
        self.button.setEnabled(True)
        self._focus_from((self.exact_button,), self.button)  # before it hides: not down the window, to a "+"
        self.details.hide()
        self.cleared.emit()  # the doubtful attribution leaves the transcript too
        self._say(words.exact_switch_words(self.switched_from[1] if self.switched_from else "Fast (bfloat16)"))
        self.exact_requested.emit()

    def _ask_back(self) -> None:
        """Reload with the weights the app ran on before the switch to Exact."""
        if self.switched_from is None:
            return
        choice, was = self.switched_from
        self.switched_from = None
        self._focus_from((self.back_button,), self.toggle)
        self.back_box.hide()
        self._say(f"Loading the model with {was} weights again; the explanation above was made with Exact weights.")
        self.back_requested.emit(choice)

    def precision_loaded(self, precision: str | None) -> None:
        """A model finished loading: once it is not on Exact weights, there is nothing to go back from."""
        if precision != "float32":
            self.switched_from = None
            self.back_box.hide()

    def resume_exact(self) -> bool:
        """Exact weights are in: explain the token again (False: nothing was waiting for them)."""
        if self.pending_exact is None or self.pending_exact != (self.message_id, self.index, self.in_text):
            return False
        self.ask()
        return True

    def exact_failed(self) -> None:
        """The reload did not happen: the model in use stays, and so can the question."""
        self.switched_from = None
        if self.pending_exact is not None:
            self.pending_exact = None
            self._say("The model could not be reloaded with Exact weights; it stays as it was.")

    def _say(self, text: str) -> None:
        """The status line; an empty one takes no room."""
        self.status.setText(text)
        self.status.setVisible(bool(text))

    def running(self, stop) -> None:
        """``stop()`` cancels the computation now under way (waiting or running)."""
        self.stopper = stop

    def stop(self) -> None:
        if self.stopper is not None:
            stopper, self.stopper = self.stopper, None
            stopper()

    def pause_for_answer(self) -> None:
        """The chat stops the run under way for the person's question (chat._explain_makes_way)."""
        self.pausing = self.stopper is not None

    def cancelled(self, ticket: int) -> None:
        """The run was stopped from outside: for an answer, it starts again once the answer ends."""
        if ticket != self.ticket:
            return
        paused, self.pausing = self.pausing, False
        if not paused:
            self._stopped("The explanation was stopped.")
        elif self.model_busy():
            self.resume_after_answer = True
            self._stopped(words.PAUSED_FOR_ANSWER)
            self.contrib_caption.setText("Which earlier tokens led here: worked out once the answer ends.")
        else:  # the answer already ended (a slow layer held the stop)
            self.ask()

    def resume(self) -> None:
        """The model is free again: the explanation paused for an answer starts over."""
        if self.resume_after_answer and not self.model_busy():
            self.resume_after_answer = False
            self.ask()

    def cancel(self) -> None:
        """Cancel pressed: the run is told to stop (it does at its next layer) and the section
        is usable at once; what it had shown (the grid, the sampler) stays."""
        self.stop()
        self.ticket += 1  # what the stopped run still sends is ignored
        kept = " (its figures so far stay below)" if not self.contributors.isHidden() and self.estimate is not None else ""
        self._stopped(f"Cancelled: the attribution was not finished{kept}. Explain this token again to start over.")

    def _focus_from(self, widgets, to) -> None:
        """Before ``widgets`` hide or disable: the focus one of them has goes to ``to``."""
        if any(w.hasFocus() for w in widgets):
            to.setFocus()

    def _stopped(self, message: str) -> None:
        self.stopper = None
        self.button.setVisible(True)
        self.button.setEnabled(True)
        self._focus_from((self.cancel_button,), self.button)
        self.progress_box.hide()
        self._say(message)
        if self.estimate is not None:  # the figures so far stay, for what they are worth
            self.contrib_caption.setText(html.escape(words.stopped_words(self.estimate)))
        elif self.partial is not None:
            self.contrib_caption.setText("Which earlier words led here: not worked out.")

    def failed(self, ticket: int, message: str) -> None:
        if ticket == self.ticket and self.pausing:  # a running attribution stops with an error: stopped for an answer
            self.cancelled(ticket)
        elif ticket == self.ticket:
            self._stopped(message)

    def show_part(self, ticket: int, item) -> None:
        """What the run reports on its way: the lens and sampler first (an Explanation with no
        attribution yet), then ExplainProgress after every batch of passes."""
        if ticket != self.ticket:
            return
        if getattr(item, "attribution", 0) is None:
            self.partial = item
            self._focus_from((self.button,), self.cancel_button)
            self.button.hide()  # Cancel (by the bar) is what there is to press now
            self._say("")
            for w in (self.lens_caption, self.contrib_caption, self.sampler):
                w.show()
            self._show_lens(item)
            self._show_sampler(item)
            self.contrib_caption.setText("Working out which earlier words led here\u2026")
            self.contributors.hide()
            self.toggle.hide()
            self.bar.setRange(0, 0)  # until the first batch of passes says how many
            self.progress_text.setText(words.time_left_words(None))
            self.progress_box.show()
            self.details.show()
            QTimer.singleShot(0, self._scroll_into_view)
        elif hasattr(item, "before"):  # tasks.TurnAhead: waiting behind other work, or started
            self.progress_text.setText(words.turn_words(item.before) if item.before else words.time_left_words(None))
        elif hasattr(item, "done"):
            self.bar.setRange(0, item.total)
            self.bar.setValue(item.done)
            self.progress_text.setText(f"step {item.done} of at most {item.total} \u00b7 "
                                       f"{words.time_left_words(item.seconds_left)} (it often ends sooner: once "
                                       "the figures add up)")
            if item.estimate is not None:
                self._show_estimate(item.estimate)

    def _show_estimate(self, a) -> None:
        """The figures so far: none while they are too rough to mean anything, then greyed and
        rounded, only the words whose place has settled (usertest 11: the first ones misled)."""
        self.previous_estimate, self.estimate = self.estimate, a
        self._show_rough(a)

    def _show_rough(self, a) -> None:
        in_text = self.partial is not None and self.partial.context.in_text
        named = replace(a, target_text=token_label(a.target_text), other_text=token_label(a.other_text))
        self.contrib_caption.setToolTip("")
        self.contributors.setToolTip(words.ROUGH_TIP)
        self.hidden_note.hide()  # its share is of figures not settled yet
        if not words.estimate_settled(a):
            self.contrib_caption.setText(html.escape(words.estimate_words(named)))
            self.contributors.hide()
            self.shown_only.hide()
            return
        top = a.top(TOP_CONTRIBUTORS, shown_only=self.shown_only.isChecked() and not in_text)
        settled = words.settled_top(self.previous_estimate, a, top)
        self.contrib_caption.setText(html.escape(words.estimate_words(named, len(settled), len(top))))
        self._show_shown_only(a, in_text)
        self.contributors.setText(self._rows(a, settled, in_text, None))
        self.contributors.setVisible(bool(settled))

    def show_result(self, ticket: int, result) -> None:
        if ticket != self.ticket:
            return  # an answer for a token no longer shown
        self.stopper, self.result, self.estimate, self.previous_estimate = None, result, None, None
        for w in (self.lens_caption, self.contrib_caption, self.sampler, self.contributors, self.toggle):
            w.show()
        self._focus_from((self.button, self.cancel_button), self.toggle)  # the next thing to do with it
        self.button.hide()
        self._say("")
        self.progress_box.hide()
        self._show_lens(result)
        self._show_attribution(result.attribution, result.context.in_text, result.precision)
        self._show_sampler(result)
        self._show_back(result)
        if self.toggle.isChecked():  # still ticked from the run before (Exact weights): paint this one
            self.overlay_toggled.emit(True)
        if not self.details.isVisible():
            self.details.show()
            QTimer.singleShot(0, self._scroll_into_view)

    def _scroll_into_view(self) -> None:
        """The section sits below the alternatives: bring its top up when the result arrives."""
        parent = self.parentWidget()
        while parent is not None and not isinstance(parent, QScrollArea):
            parent = parent.parentWidget()
        if parent is not None and parent.widget() is not None:
            top = self.mapTo(parent.widget(), QPoint(0, 0)).y()
            parent.verticalScrollBar().setValue(max(0, top - 8))

    def _show_lens(self, result) -> None:
        lens = result.lens
        self.grid.setVisible(lens is not None)
        if lens is None:
            self.lens_caption.setText(result.lens_error)
            return
        self.grid.set_lens(lens)
        where = ("not the most likely token at any layer" if lens.first_top1 is None else
                 f"the most likely token from {lens.layer_names[lens.first_top1]} on (\u25b6)")
        self.lens_caption.setText(f"Layer by layer (each layer read through the output layer): the chosen "
                                  f"token (bold) is {where}. Brighter: likelier at that layer, up to "
                                  f"{self.grid.top() * 100:.1f}%, the grid's highest (the key below).")

    def _show_attribution(self, a, in_text: bool = False, precision: str | None = None) -> None:
        scale = max((abs(s) for s in a.scores), default=1.0) or 1.0
        unsure = self.result is not None and words.doubtful(self.result)
        named = replace(a, target_text=token_label(a.target_text), other_text=token_label(a.other_text))
        caption = html.escape(words.contributions_caption(named))
        if unsure:
            caption += f" {words.doubtful_words(a, precision)}"
        elif not a.complete:
            caption += f" {html.escape(words.loose_words(a))}"
        self.contrib_caption.setText(caption)
        self.contrib_caption.setToolTip(words.contributions_tip(named))
        self.contributors.setToolTip(words.contributions_tip(named))
        self.exact_button.setVisible(unsure)
        self._show_shown_only(a, in_text)
        self._show_ranking(a, in_text, scale)
        self._show_overlay_note()

    def _show_shown_only(self, a, in_text: bool) -> None:
        """The tick box where hidden text took weight, or where it was unticked (so it can be ticked back)."""
        self.shown_only.setVisible(not in_text and (a.hidden_share() >= words.HIDDEN_NOTE_MIN
                                                    or not self.shown_only.isChecked()))

    def _show_ranking(self, a, in_text: bool, scale: float) -> None:
        """The top contributors, each with where it stands (hidden template tokens say so), and
        above them how much weight hidden text took."""
        shown_only = self.shown_only.isChecked() and not in_text
        top = a.top(TOP_CONTRIBUTORS, shown_only=shown_only)
        left_out = len([i for i in a.top(TOP_CONTRIBUTORS) if i not in top]) if shown_only else None
        note = None if in_text else words.hidden_note(a, left_out)
        self.hidden_note.setText(note or "")
        self.hidden_note.setVisible(note is not None)
        self.contributors.setText(self._rows(a, top, in_text, scale))

    def _rows(self, a, top: list[int], in_text: bool, scale: float | None) -> str:
        """One line per ranked token: its figure (a coloured chip; ``scale`` None: a rough one,
        grey and rounded), the token and where it stands (hidden template tokens say so)."""
        muted = colors(is_dark())['muted']
        rows = []
        for i in top:
            where = words.where_words(a, i, in_text)
            figure = (f"<span style='color:{muted}'>\u2248{a.scores[i]:+.1f}</span>" if scale is None
                      else _chip(f'{a.scores[i]:+.2f}', diverging_color(a.scores[i], scale)))
            token = f"\u201c{html.escape(token_label(a.token_texts[i]))}\u201d"
            rows.append(f"{figure} {token if scale is not None else f'<span style=color:{muted}>{token}</span>'} "
                        f"<span style='color:{muted}'>{'<i>' if a.hidden(i) else ''}{html.escape(where)}"
                        f"{'</i>' if a.hidden(i) else ''}</span>")
        return "<br>".join(rows)

    def _rerank(self, _on: bool = False) -> None:
        if self.result is not None and self.result.attribution is not None:
            a = self.result.attribution
            self._show_ranking(a, self.result.context.in_text, max((abs(s) for s in a.scores), default=1.0) or 1.0)
        elif self.partial is not None and self.estimate is not None:
            self._show_rough(self.estimate)

    def _show_overlay_note(self, _on: bool = False) -> None:
        """Under the toggle, while it is on: the weight the colours over the chat cannot show."""
        result = self.result
        note = None
        if self.toggle.isChecked() and result is not None and result.attribution is not None \
                and not result.context.in_text:
            note = words.overlay_note(result.attribution)
        self.overlay_note.setText(note or "")
        self.overlay_note.setVisible(note is not None)

    def _show_back(self, result) -> None:
        back = self.switched_from is not None and result.precision == "float32"
        if back:
            was = self.switched_from[1]
            self.back_note.setText(words.exact_now_words(was))
            self.back_button.setText(f"Back to {was.split(' ')[0]} weights")
        self.back_box.setVisible(back)

    def _show_sampler(self, result) -> None:
        self.sampler.setText(words.sampler_words(result))
        self.sampler.setToolTip(words.sampler_tip(result))


# ------------------------------------------------------------------ wiring

def start_explain(chat, view: ExplainView, message_id: int, index: int) -> None:
    """Explain on the model lane (the one place this feature touches the task manager); the
    view hears its parts as they come and can stop it while it waits or runs."""
    _start(chat, view, lambda *handlers, **progress: chat.explain_token(message_id, index, *handlers, **progress))


def start_text_explain(chat, view: ExplainView, make_context) -> None:
    """Explain a Text mode token: ``make_context(loaded)`` gives its core.token_context.TokenContext."""
    _start(chat, view, lambda *handlers, **progress: chat.explain_text_token(make_context, *handlers, **progress))


def _start(chat, view: ExplainView, submit) -> None:
    ticket = view.ticket
    run = submit(lambda result: view.show_result(ticket, result), lambda error: view.failed(ticket, str(error)),
                 lambda _task: view.cancelled(ticket),
                 on_progress=lambda item: view.show_part(ticket, item))
    view.running(run.cancel)


def wire_explain(window) -> None:
    """Connect the inspector's section to the window's model and transcript."""
    view = window.inspector.explain

    def requested(message_id: int, index: int) -> None:
        if window.chat.loaded is None:
            view.failed(view.ticket, "No model is loaded yet.")
            return
        start_explain(window.chat, view, message_id, index)

    def toggled(on: bool) -> None:
        clear_attribution(window.transcript)
        if on and view.result is not None and window.selected_card in window.transcript.cards:
            show_attribution(window.transcript, window.selected_card, view.result)

    view.requested.connect(requested)
    view.overlay_toggled.connect(toggled)
    view.model_busy = lambda: window.chat.generating
    window.chat.explain_paused.connect(view.pause_for_answer)
    window.chat.state_changed.connect(lambda _state: view.resume())
    view.cleared.connect(lambda: clear_attribution(window.transcript))
    wire_exact(window, view)


def wire_exact(window, view: ExplainView) -> None:
    """"Explain again with Exact weights": the model reloads as the model dialog would reload
    it at Exact (the choice is kept), then the token is explained again: an answer's at once,
    a Text token once the text is analysed with the new weights (its heatmap is redrawn)."""
    def reload() -> None:
        window.reload_with_precision("exact")

    def loaded(model) -> None:
        view.precision_choice = window.chat.precision
        view.precision_loaded(model.precision)
        if view.pending_exact is not None and not view.pending_exact[2]:
            view.resume_exact()

    view.precision_choice = window.chat.precision
    view.exact_requested.connect(reload)
    view.back_requested.connect(window.reload_with_precision)
    window.chat.model_loaded.connect(loaded)
    window.chat.model_failed.connect(lambda _message: view.exact_failed())
    window.text_mode.controller.analysed.connect(
        lambda *_: view.pending_exact is not None and view.pending_exact[2] and view.resume_exact())
