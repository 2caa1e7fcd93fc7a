"""Ratings in the window: thumbs per answer, good/bad tokens (underlined), and "write a
better answer" corrections.

Every rating is written at once by the window's store lane (gui/tasks.py: the one writer,
in order; Anki's single-thread DB executor), never on the GUI thread. After each write the
writer re-counts what a fine-tune could learn from and says so (``counts_changed``).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFrame, QHBoxLayout, QLabel, QMenu, QMessageBox,
                               QPlainTextEdit, QPushButton, QToolButton, QVBoxLayout)

from desktop_app.core.drafts import is_unstarted
from desktop_app.core.text_pieces import CharacterLayout, marked_tokens, stored_ratings
from desktop_app.core.token_words import token_label
from desktop_app.gui.theme import colors, filled_when_checked, icon, is_dark, styled_label
from desktop_app.gui.token_view import finish_token_menu
from desktop_app.gui.tasks import Lane, Task

log = logging.getLogger(__name__)

GOOD_UNDERLINE = "#2b8a3e"  # green, solid line
BAD_UNDERLINE = "#c92a2a"  # red, wavy / dashed line (the shape differs too: colour-blind safe)
GOOD_KEYS = {Qt.Key.Key_Plus, Qt.Key.Key_Equal, Qt.Key.Key_G}
BAD_KEYS = {Qt.Key.Key_Minus, Qt.Key.Key_B}
CLEAR_KEYS = {Qt.Key.Key_0, Qt.Key.Key_Delete, Qt.Key.Key_Backspace}


COMPARE_NAME = "Compare"  # the answer's icon-only ↗: a screen reader's name for it, its tooltip the rest
COMPARE_TIP = f"{COMPARE_NAME}: how the fine-tune changed each token's probability"


class RatingWriter(QObject):
    """Writes ratings and corrections on the store lane, in the order asked.

    Attributes:
        store: the Store written to.
        lane: the window's store lane (shared with the other writes).
        model_id: the chat model whose readiness counts are reported (None: any).
    """

    written = Signal(int)  # message id whose ratings changed
    counts_changed = Signal(dict)  # training_readiness(...) after the write
    failed = Signal(str)

    def __init__(self, store, lane: Lane, parent=None):
        super().__init__(parent)
        self.store, self.lane = store, lane
        self.model_id: str | None = None
        self.tokenizer = None  # the loaded model's: the counts find a split character's tokens by their bytes
        # writes asked for and not yet counted: a fine-tune started meanwhile reads them, though the counts
        # on screen do not have them yet (words84: "1 new since this run started" for a rating made before)
        self.pending = 0

    def _submit(self, message_id: int | None, fn, name: str) -> Task:
        store = self.store
        model_id, tokenizer = self.model_id, self.tokenizer

        def work(_report, _cancel):
            from desktop_app.core.training import training_readiness

            if fn is not None:
                fn(store)
            return training_readiness(store, model_id, tokenizer)

        def done(counts, mid=message_id):
            self.pending -= 1  # before the counts go out: who hears them asks whether more are coming
            if mid is not None:
                self.written.emit(mid)
            self.counts_changed.emit(counts)

        def failed(error, mid=message_id):
            self.pending -= 1
            self.failed.emit(str(error))
            if mid is not None:
                self.written.emit(mid)  # views re-read the stored state

        def dropped(_task):
            self.pending -= 1

        self.pending += 1
        return self.lane.submit(Task(work, name, "rating", on_success=done, on_failure=failed, on_cancelled=dropped))

    def rate_message(self, message_id: int, value: int | None) -> Task:
        """+1 / -1, or None to clear the thumbs."""
        if value is None:
            return self._submit(message_id, lambda s: s.clear_rating(message_id), "clear rating")
        return self._submit(message_id, lambda s: s.rate_message(message_id, value), "rate answer")

    def rate_token(self, message_id: int, index: int, value: int | None, layout: CharacterLayout | None = None) -> Task:
        """``layout``: the tokens ``index`` counts, as the card shows them (Store.rate_token's pieces and bytes)."""
        known = {} if layout is None else {"pieces": layout.pieces, "token_bytes": layout.token_bytes}
        if value is None:
            return self._submit(message_id, lambda s: s.clear_rating(message_id, index, **known), "clear token rating")
        return self._submit(message_id, lambda s: s.rate_token(message_id, index, value, **known), "rate token")

    def set_correction(self, message_id: int, text: str | None) -> Task:
        if text is None or not text.strip():
            return self._submit(message_id, lambda s: s.clear_correction(message_id), "clear correction")
        return self._submit(message_id, lambda s: s.set_correction(message_id, text), "save correction")

    def recount(self) -> Task:
        return self._submit(None, None, "count ratings")

    def wait(self, ms: int = 5000) -> None:
        """Block until every write asked for is done (their signals follow as events)."""
        self.lane.wait(ms / 1000)


def underline_hook(token_values: dict):
    """A TokenView format hook: good tokens get a solid green underline, bad ones a wavy red one."""
    def hook(index, _record, fmt: QTextCharFormat) -> None:
        value = token_values.get(index)
        if value is None:
            return
        good = value > 0
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline if good
                              else QTextCharFormat.UnderlineStyle.WaveUnderline)
        fmt.setUnderlineColor(QColor(GOOD_UNDERLINE if good else BAD_UNDERLINE))
        fmt.setToolTip(fmt.toolTip() + f"<p><b>You rated this token {'good' if good else 'bad'}.</b></p>")
    return hook


ANSWER_WORDS = {"title": "Write a better answer", "what": "better answer", "before": "Prompt", "save": "Save better answer",
                "intro": "Edit the model's answer into the one you wanted. A fine-tune learns to prefer your "
                         "version over the original.", "tail": False}
CONTINUATION_WORDS = {"title": "Write a better continuation", "what": "better continuation", "before": "It follows",
                      "save": "Save better continuation",
                      "intro": "Edit the model's continuation into the one you wanted. A fine-tune learns to prefer "
                               "your version over the model's.", "tail": True}


def _shown_part(text: str, words: dict, limit: int = 400) -> str:
    """A prompt's start, or (for a continuation) the end of the text it follows."""
    if len(text) <= limit:
        return text
    return "\u2026" + text[-limit:] if words["tail"] else text[:limit] + "\u2026"


class CorrectionDialog(QDialog):
    """Edit an answer into the answer it should have been.

    Attributes:
        original: the model's answer; editor: the text being edited.
        removed: the person chose "Remove correction"."""

    def __init__(self, question: str, original: str, current: str | None, parent=None, *, words: dict | None = None):
        super().__init__(parent)
        words = {**ANSWER_WORDS, **(words or {})}
        self.setWindowTitle(words["title"])
        self.what = words["what"]
        self.removed = False
        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        intro = QLabel(words["intro"] + " Ctrl+Enter saves; Tab leaves the text.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        if question:
            q = styled_label(f"<b>{words['before']}:</b> {_escape(_shown_part(question, words))}", "Muted",
                             wrap=True)
            layout.addWidget(q)
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("PromptBox")
        self.editor.setAccessibleName(words["title"])  # "Write a better answer": what the box is for
        self.editor.setPlainText(current if current is not None else original)
        # the cursor at the end, not the start (usertest: typing went in front of the answer): a person edits
        # a model's answer, usually where it went wrong or stopped short, and keeps its start; selecting it
        # all would make the first key throw the whole answer away, which is what Esc's question guards against
        self.editor.moveCursor(QTextCursor.MoveOperation.End)
        self.editor.setMinimumSize(520, 180)
        self.editor.setTabChangesFocus(True)  # keyboard users reach the buttons; an answer rarely needs a tab
        layout.addWidget(self.editor, 1)
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton(words["save"], QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("PrimaryButton")
        if current is not None:
            remove = buttons.addButton("Remove correction", QDialogButtonBox.ButtonRole.DestructiveRole)
            remove.clicked.connect(self._remove)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.original = original
        self.start = self.text()  # what the box opened with: a close that would lose more asks first
        self.editor.textChanged.connect(self._check)
        self._check()
        self.editor.installEventFilter(self)  # Ctrl+Enter saves, as it sends elsewhere

    def eventFilter(self, watched, event) -> bool:
        if (watched is self.editor and event.type() == QEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and event.modifiers() & Qt.KeyboardModifier.ControlModifier):
            if self.save_button.isEnabled():
                self.accept()
            return True
        return super().eventFilter(watched, event)

    def _check(self) -> None:
        text = self.text()
        self.save_button.setEnabled(bool(text.strip()) and text.strip() != self.original.strip())
        self.save_button.setToolTip("" if self.save_button.isEnabled() else
                                    "Write something first" if not text.strip() else
                                    "Change the text first: the same text again teaches nothing")

    def _remove(self) -> None:
        self.removed = True
        self.accept()

    def reject(self) -> None:
        """Esc, Cancel or the title bar's ✕: with words written since the box opened, asked first
        (usertest 17: Esc, the usual way out of a box, threw a better answer typed away)."""
        if self.text().strip() and self.text() != self.start and not self._discard_confirmed():
            return
        super().reject()

    def _discard_confirmed(self) -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, self.windowTitle(),
                          f"Discard the {self.what} you wrote? It is not saved.", parent=self)
        discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("Keep editing", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.exec()
        return box.clickedButton() is discard

    def text(self) -> str:
        return self.editor.toPlainText()


def _escape(text: str) -> str:
    import html

    return html.escape(text).replace("\n", "<br>")


def thumb_tip(thumb: int, value: int | None) -> str:
    """A thumb's tooltip for the answer's rating now: "click again to clear" only once it is set."""
    word, key = ("good", "Ctrl+Shift+\u2191") if thumb == 1 else ("bad", "Ctrl+Shift+\u2193")  # answer_keys'
    if value == thumb:
        return f"You rated this answer {word}: click again to clear ({key})"
    if value is not None:
        return f"Rate this answer {word} instead ({key})"
    return f"Rate this answer {word} ({key})"


BETTER_MARK_TIP = "You wrote a better answer for this one (under it): fine-tuning prefers yours. Click to edit it."
# what a screen reader says of the header's icon-only buttons: their tooltips change with the rating, and an
# icon-only button's accessible name was empty (Qt names a button by its text only)
THUMB_NAMES = {"thumb-up": "Rate this answer good", "thumb-down": "Rate this answer bad"}
BETTER_MARK_NAME = "Edit your better answer"


def card_mark(value: int | None, correction: str | None) -> str:
    """The answer card's edge (its ``rated`` property): the thumb's colour, else, for an answer the person
    wrote a better one for, the accent's."""
    return {1: "up", -1: "down"}.get(value, "corrected" if correction else "")


# said on a thumbs-down of an answer without a better one: a writer disliked a long answer and nothing said what
# else to do; its "Write a better answer…" was under the answer's last line, below the window's edge, and a
# discarded run's card then advised "a better answer you write teaches most" (usertest70)
BETTER_AFTER_BAD = ("Rated bad. A better answer teaches the model most: \u201cWrite a better answer\u2026\u201d "
                    "is under the answer's last line.")
NO_WORDS_YET_TIP = "No words to rate yet: the thumbs come on with the answer's first token"
PENDING_WORDS = {1: "Rated good: stored with the answer once it is written.",
                 -1: "Rated bad: stored with the answer once it is written.",
                 None: "Rating cleared."}


UNKEPT_WHY = {"failed": "the answer failed before it was stored",
              "cancelled": "the answer was stopped before its first token, so there is no answer to keep it with",
              "empty": "the model wrote no token, so there is no answer to keep it with"}


def unkept_thumb_words(value: int, why: str) -> str:
    """Said when an answer rated while it was written ends with nothing stored (``why``: a key
    of UNKEPT_WHY): the thumb had been promised a place with it (``PENDING_WORDS``)."""
    word = "good" if value == 1 else "bad"
    return f"Your rating ({word}) was not kept: {UNKEPT_WHY[why]}. Ask again to rate a new answer."


class CardRating(QObject):
    """The rating controls of one answer card: thumbs in the header, token ratings on the
    heatmap (context menu and keys), and the correction in the footer.

    Attributes:
        card: the MessageCard it decorates (its parent).
        writer: the RatingWriter that stores what is rated.
        value: the thumbs shown (+1, -1, None).
        tokens: token index -> +1 / -1, the token ratings shown, each on the first token of its
            character (core.text_pieces.CharacterLayout: a split character's rating is kept where
            the model chose it; the mark goes under all its tokens).
        token_bytes: records -> their tokens' bytes, or None where unknown (the window sets it: the
            chat model's tokenizer, for records it wrote; without, the pieces' rule).
        correction: the better answer shown, or None.
        pending: a thumb given while the answer was still being written (no id yet), stored
            once it has one: a click there was silently lost (usertest 7).
        awaiting_words: the answer streams but has no token of its own yet (its prompt being read):
            its thumbs are off, as there is nothing to rate (usertest41: a branch's empty card took one).
        shown_id: the message id these controls were last refreshed for (kept by the window).
        _hooked: the tokens the heatmap last marked as rated (``marked_tokens``).
    """

    compare_requested = Signal(int)  # message id
    token_rated = Signal(int, int, object)  # message id, token index, +1 / -1 / None

    def __init__(self, card, writer: RatingWriter, token_bytes=None):
        super().__init__(card)
        self.card, self.writer = card, writer
        self.shown_id = card.message_id
        self.value: int | None = None
        self.tokens: dict[int, int] = {}
        self.correction: str | None = None
        self.pending: int | None = None
        self.awaiting_words = False
        self._hooked: dict[int, int] = {}
        self.token_bytes = token_bytes or (lambda _records: None)
        self.up = self._thumb("thumb-up", thumb_tip(1, None), "good")
        self.down = self._thumb("thumb-down", thumb_tip(-1, None), "bad")
        self.up.setProperty("rating", "up")
        self.down.setProperty("rating", "down")
        self.up.clicked.connect(lambda: self.set_thumb(1))
        self.down.clicked.connect(lambda: self.set_thumb(-1))
        self.compare_button = QToolButton(card)
        self.compare_button.setObjectName("FlatTool")
        self.compare_button.setIcon(icon("compare"))
        self.compare_button.setToolTip(COMPARE_TIP)
        self.compare_button.setAccessibleName(COMPARE_NAME)
        self.compare_button.clicked.connect(lambda: self.card.message_id and self.compare_requested.emit(self.card.message_id))
        self.compare_button.hide()
        self.better_mark = self._better_mark()
        for b in (self.compare_button, self.better_mark, self.up, self.down):
            card.actions_layout.addWidget(b)
        card.extra_tools = [self.compare_button, self.better_mark]  # the name keeps its readable part beside them
        self._build_footer(card)
        view = card.view
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(self._menu)
        view.installEventFilter(self)
        view.viewport().installEventFilter(self)
        writer.written.connect(self._written)
        self.refresh()

    def _build_footer(self, card) -> None:
        """The correction (when there is one) above a row of actions."""
        self.footer = QFrame(card)
        column = QVBoxLayout(self.footer)
        column.setContentsMargins(0, 2, 0, 0)
        column.setSpacing(6)
        self.correction_box = QFrame()
        self.correction_box.setObjectName("CorrectionBox")
        box = QVBoxLayout(self.correction_box)
        box.setContentsMargins(10, 6, 10, 8)
        box.setSpacing(2)
        title = styled_label("YOUR BETTER ANSWER", "PanelTitle")
        box.addWidget(title)
        self.correction_label = QLabel()
        self.correction_label.setWordWrap(True)
        self.correction_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addWidget(self.correction_label)
        self.correction_box.hide()
        column.addWidget(self.correction_box)
        row = QHBoxLayout()
        row.setSpacing(8)
        self.correct_button = QPushButton(icon("edit"), "Write a better answer\u2026")
        self.correct_button.setObjectName("LinkButton")
        self.correct_button.clicked.connect(self.edit_correction)
        row.addWidget(self.correct_button)
        self.token_summary = styled_label("", "Muted", wrap=True)  # wraps in a narrow window
        row.addWidget(self.token_summary, 1)
        column.addLayout(row)
        card.stacking_rows.append(row)  # in a narrow chat the hint goes under the button
        card.footer_layout.addWidget(self.footer)

    def _better_mark(self) -> QToolButton:
        """In the header, beside the thumbs: this answer has a better one of the person's (user test: corrected
        without a thumb, the card bore no mark of it above its footer, far below on a long answer). A click
        edits it."""
        mark = QToolButton(self.card)
        mark.setObjectName("ThumbButton")
        mark.setProperty("rating", "better")
        mark.setIcon(icon("edit"))
        mark.setCheckable(True)
        mark.setChecked(True)
        mark.setToolTip(BETTER_MARK_TIP)
        mark.setAccessibleName(BETTER_MARK_NAME)
        mark.setCursor(Qt.CursorShape.PointingHandCursor)
        mark.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        mark.clicked.connect(lambda: (mark.setChecked(True), self.edit_correction()))
        mark.hide()
        return mark

    def _thumb(self, name: str, tip: str, colour: str) -> QToolButton:
        b = QToolButton(self.card)
        b.setObjectName("ThumbButton")
        b.setIcon(filled_when_checked(name, colors(is_dark())[colour]))  # the chosen thumb shows filled
        b.setCheckable(True)
        b.setToolTip(tip)
        b.setAccessibleName(THUMB_NAMES[name])
        b.setCursor(Qt.CursorShape.PointingHandCursor)
        # a click focuses it (a tool button would leave the focus to the transcript around it),
        # so Space then acts on the thumb just pressed
        b.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        return b

    @property
    def message_id(self) -> int | None:
        return self.card.message_id

    # ------------------------------------------------------------ state
    def refresh(self) -> None:
        """Re-read this answer's ratings and correction from the store (fast SQL reads)."""
        mid = self.message_id
        self.correct_button.setEnabled(mid is not None)
        self.correct_button.setToolTip("Edit this answer into the one you wanted; fine-tuning learns from it"
                                       if mid is not None else
                                       "The answer is still being written: a better one can be written once it ends")
        if mid is None:  # being written: a thumb given now is kept for it (``pending``)
            self.value, self.tokens, self.correction = self.pending, {}, None
        else:
            store = self.writer.store
            try:
                rows = store.ratings(mid)
                self.correction = store.correction(mid)
            except Exception as exc:  # noqa: BLE001 - deleted meanwhile
                log.info("ratings of %s unreadable: %s", mid, exc)
                rows = []
            self.value = next((r["value"] for r in rows if r["token_index"] is None), None)
            rows = sorted(rows, key=lambda r: (r["created"], r["id"]))  # of two on one character the newest counts
            rated = [(r["token_index"], r["value"]) for r in rows if r["token_index"] is not None]
            self.tokens = stored_ratings(self.layout(), rated) if rated else {}
            self._store_pending(mid)
            self.awaiting_words = False  # a stored answer
        # an answer with no token yet (the app closed, or it was stopped, first) has nothing to better or
        # to rate token by token: Regenerate is its way on (usertest 12)
        self.footer.setVisible(mid is not None and (bool(self.correction) or not is_unstarted(self.card.message)))
        self._show()

    def await_words(self, waiting: bool) -> None:
        """Thumbs off while the streaming answer has no token yet (``waiting``), on from its first."""
        if waiting != self.awaiting_words:
            self.awaiting_words = waiting
            self._show()

    def _store_pending(self, mid: int) -> None:
        """The thumb given while the answer was being written, stored now that it has an id."""
        pending, self.pending = self.pending, None
        if pending is not None and self.value is None:
            self.value = pending
            self.writer.rate_message(mid, pending)

    def _show(self) -> None:
        self.up.setChecked(self.value == 1)
        self.down.setChecked(self.value == -1)
        for b, value in ((self.up, 1), (self.down, -1)):
            b.setEnabled(not self.awaiting_words)
            b.setToolTip(NO_WORDS_YET_TIP if self.awaiting_words else thumb_tip(value, self.value))
            b.style().unpolish(b)
            b.style().polish(b)
        self.card.setProperty("rated", card_mark(self.value, self.correction))
        self.card.style().unpolish(self.card)
        self.card.style().polish(self.card)
        # a split character: the tokens it began in, and itself (a layout reads every token: only where rated)
        marked = marked_tokens(self.layout(), self.tokens) if self.tokens else {}
        if marked != self._hooked:  # re-drawing the heatmap only when the marked tokens changed
            self._hooked = marked
            self.card.view.set_format_hook(underline_hook(marked) if marked else None)
            self.card.view.set_marks({i: (GOOD_UNDERLINE if v > 0 else BAD_UNDERLINE, v < 0)
                                      for i, v in marked.items()})
        good = sum(1 for v in self.tokens.values() if v > 0)
        bad = len(self.tokens) - good
        if self.tokens:
            self.token_summary.setText(f"tokens rated: {good} good \u00b7 {bad} bad")
        else:
            # the keys stay on one line: at 800 px "\u2212)" had wrapped alone under the rest
            self.token_summary.setText("Right-click a token to rate it (or select it, then\u00a0+\u00a0/\u00a0\u2212)")
        self._show_correction()

    def _show_correction(self) -> None:
        if self.correction:
            self.correction_label.setText(self.correction)
            self.correct_button.setText("Edit your better answer\u2026")
        else:
            self.correct_button.setText("Write a better answer\u2026")
        self.correction_box.setVisible(bool(self.correction))
        if self.better_mark.isVisibleTo(self.card) != bool(self.correction):
            self.better_mark.setVisible(bool(self.correction))
            self.card.fit_header()  # one button more or fewer in the header

    def set_compare_available(self, available: bool, why_off: str | None = None) -> None:
        """On while an adapter is on, for an answer with tokens to compare (not one interrupted
        before its first: user test 15 opened an empty compare view from one). ``why_off``: shown anyway,
        off, with this as its tooltip (the base model in use, an adapter in the history)."""
        has_tokens = self.message_id is not None and not is_unstarted(self.card.message)
        shown = has_tokens and (available or why_off is not None)
        self.compare_button.setEnabled(available)
        self.compare_button.setToolTip(COMPARE_TIP if available or why_off is None else why_off)
        if self.compare_button.isVisibleTo(self.card) != shown:
            self.compare_button.setVisible(shown)
            self.card.fit_header()  # one button more or fewer in the header

    def _written(self, message_id: int) -> None:
        if message_id == self.message_id:
            self.refresh()

    # ------------------------------------------------------------ actions
    def set_thumb(self, value: int) -> None:
        """Toggle: the same thumb again clears it."""
        mid = self.message_id
        new = None if self.value == value else value
        self.value = new
        self._show()  # at once; the write follows on the writer thread
        if mid is None:  # still being written (a long prompt read first): kept, stored with the answer
            self.pending = new
            self._say(PENDING_WORDS[new])
            return
        self.writer.rate_message(mid, new)
        if new == -1 and not self.correction:
            self._say(BETTER_AFTER_BAD)

    def _say(self, words: str) -> None:
        window = self.card.window()
        if hasattr(window, "statusBar"):
            window.statusBar().showMessage(words, 6000)

    def layout(self) -> CharacterLayout:
        """Where each of the card's tokens was chosen (a split character: where it began)."""
        records = self.card.records
        return CharacterLayout([r.text for r in records], self.token_bytes(records))

    def token_value(self, index: int) -> int | None:
        """The rating of token ``index``'s character (clicked on the character or on a token that began it)."""
        return self.tokens.get(self.layout().stored(index)) if self.tokens else None

    def rate_token(self, index: int, value: int | None) -> None:
        """Rate token ``index``'s character: kept where the model chose it."""
        mid = self.message_id
        if mid is None or not 0 <= index < len(self.card.records):
            return
        layout = self.layout()
        chosen = layout.stored(index)
        if value is None:
            self.tokens.pop(chosen, None)
        else:
            self.tokens[chosen] = value
        self._show()
        self.writer.rate_token(mid, chosen, value, layout)
        self.token_rated.emit(mid, index, value)

    def edit_correction(self) -> None:
        mid = self.message_id
        if mid is None:
            return
        question = ""
        try:
            thread = self.writer.store.thread(mid)
            question = next((m["text"] for m in reversed(thread[:-1]) if m["role"] == "user"), "")
        except Exception:  # noqa: BLE001
            pass
        original = (self.card.message or {}).get("text", "")
        dialog = CorrectionDialog(question, original, self.correction, self.card.window())
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.save_correction(None if dialog.removed else dialog.text())

    def save_correction(self, text: str | None) -> None:
        mid = self.message_id
        if mid is None:
            return
        self.correction = text if text and text.strip() else None
        self._show()
        self.writer.set_correction(mid, text)

    # ------------------------------------------------------------ token menu and keys
    def _menu(self, pos) -> None:
        view = self.card.view
        index = view.index_at(pos)
        menu = QMenu(view)
        if index >= 0 and self.message_id is not None:
            view.choose_token(index)
            label = token_label(view.records[index].text)[:24]
            current = self.token_value(index)
            good = menu.addAction(icon("thumb-up"), f"\u201c{label}\u201d is good\t+")
            bad = menu.addAction(icon("thumb-down"), f"\u201c{label}\u201d is bad\t\u2212")
            clear = menu.addAction("Clear the token's rating\t0")
            good.setCheckable(True)
            bad.setCheckable(True)
            good.setChecked(current == 1)
            bad.setChecked(current == -1)
            clear.setEnabled(current is not None)
            good.triggered.connect(lambda: self.rate_token(index, 1))
            bad.triggered.connect(lambda: self.rate_token(index, -1))
            clear.triggered.connect(lambda: self.rate_token(index, None))
            menu.addSeparator()
        self._last_menu = finish_token_menu(menu, view, pos)

    def eventFilter(self, _watched, event) -> bool:
        if event.type() == QEvent.Type.KeyPress and self.message_id is not None:
            index = self.card.view.selected
            if 0 <= index < len(self.card.records):
                key = event.key()
                if key in GOOD_KEYS:
                    self.rate_token(index, 1)
                    return True
                if key in BAD_KEYS:
                    self.rate_token(index, -1)
                    return True
                if key in CLEAR_KEYS:
                    self.rate_token(index, None)
                    return True
        return False
