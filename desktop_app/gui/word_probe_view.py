"""The inspector's "How likely was…": a line to type a word or phrase in, and what the model gave it at the
shown token (core/word_probe.py's words). It asks by ``asked``; gui/word_probe_wiring.py puts the scoring on
the model lane and hands the result back by ticket, so an answer to an older question is not shown. The last
question answered at a token is kept, as "Why this token?" keeps its explanations: back on the token, its words
and figures show again without a model pass, until the model or its adapter changes (a Text token's under a key
that holds its text, so an edited text asks afresh)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout

from desktop_app.gui.kept_per_token import keep_newest
from desktop_app.gui.theme import styled_label

PLACEHOLDER = "a word or phrase"
TIP = ("Type a word or a phrase and press Enter: how likely the model found it at this place, teacher-forced after "
       "the answer's text before this token (each of its tokens in turn), its first token's rank among the whole "
       "vocabulary, and how it compares with the written token.")
BUSY_THIS = "This answer is still being written: asking is possible once it ends."
TEXT_WAITS = "Asking is possible once the text's colours are back (from the text as it is now)."
REMEMBERED = 64  # answered questions kept, one per token, the oldest dropped first (a line of words each)


class WordProbeBox(QFrame):
    """Attributes: message_id, index (the token asked about), ticket (the question now: one answered after
    another was asked is dropped), stop (cancels the question under way; None when none is), remembered (a
    token's key -> the text asked there, its answer's lines and the answer: ``key_now``)."""

    asked = Signal(int, int, str)  # message id, token index, the typed text
    text_asked = Signal(int, str)  # a Text mode token's index, the typed text
    answered = Signal(object)  # the answer to the question now (core.word_probe.WordProbe): the inspector's pick

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("WordProbeBox")
        self.message_id: int | None = None
        self.index = -1
        self.in_text = False
        self.text_key: tuple | None = None  # what a Text token's answer depends on (TextExplainer's key)
        self.busy_words: str | None = None
        self.ticket = 0
        self.stop = None
        self.asked_text = ""  # the words of the question under way, kept with its answer
        self.remembered: dict[tuple, tuple[str, list[str], object]] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(4)
        self.title = styled_label("How likely was\u2026", "Muted")
        self.title.setToolTip(TIP)
        layout.addWidget(self.title)
        row = QHBoxLayout()
        row.setSpacing(6)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(PLACEHOLDER)
        self.edit.setToolTip(TIP)
        self.edit.setAccessibleName("How likely was this word or phrase")
        self.edit.returnPressed.connect(self.ask)
        self.button = QPushButton("Ask")
        self.button.setToolTip(TIP)
        self.button.clicked.connect(self.ask)
        row.addWidget(self.edit, 1)
        row.addWidget(self.button)
        layout.addLayout(row)
        self.result = styled_label("", "Muted", wrap=True)
        self.result.setObjectName("WordProbeResult")
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.result)
        self.show_token(None, -1)

    def show_token(self, message_id: int | None, index: int, busy: str | None = None, *, in_text: bool = False,
                   key: tuple | None = None) -> None:
        """Another token: the question under way stops, the last result goes (the typed words stay, to ask
        again here), and the token's own last question and answer show, where it has one. Shown for a stored
        answer's token (``message_id``) and a Text mode token (``in_text``, ``key``: what its answer depends on,
        None while the text is not analysed as shown), not for a prompt's. ``busy``: why it cannot ask now (its
        answer is being written, its text analysed). The answer's token shown again (the chat refills the
        inspector as an answer ends) keeps its question and result; a Text token's text may have changed under
        it, so it starts afresh."""
        same = message_id is not None and (message_id, index) == (self.message_id, self.index)
        self.edit.setEnabled(busy is None)
        self.button.setEnabled(busy is None)
        if same and busy is None:
            if self.result.text() == self.busy_words:
                self._say("")
            self._pick_kept()
            return
        self._stop()
        self.ticket += 1
        self.message_id, self.index, self.in_text, self.busy_words = message_id, index, in_text, busy
        self.text_key = key if in_text and busy is None else None
        self.setVisible(message_id is not None or busy is not None or in_text)
        self._say(busy or "")
        kept = self.remembered.get(self.key_now) if busy is None else None
        if kept is not None:
            self.edit.setText(kept[0])
            self._say("\n".join(kept[1]))
            self._pick_kept()

    def _pick_kept(self) -> None:
        """The shown token's kept answer told again, so its word is picked in the inspector as when it was
        asked (its chart row, or "Continue with" it), with no model pass; not while another question runs."""
        kept = self.remembered.get(self.key_now)
        if kept is not None and kept[2] is not None and self.stop is None:
            self.answered.emit(kept[2])

    @property
    def key_now(self) -> tuple:
        """The shown token's key in ``remembered`` (a None in it: nothing to keep it under)."""
        return ("text", self.text_key) if self.in_text else (self.message_id, self.index)

    def ask(self) -> None:
        text = self.edit.text()
        if not self.edit.isEnabled() or not text.strip() or (self.message_id is None and not self.in_text):
            return
        self._stop()
        self.ticket += 1
        self.asked_text = text
        self._say(f"Scoring \u201c{text}\u201d\u2026")
        if self.in_text:
            self.text_asked.emit(self.index, text)
        else:
            self.asked.emit(self.message_id, self.index, text)

    def running(self, stop) -> None:
        """The question under way; ``stop()`` cancels it (another question, another token)."""
        self.stop = stop

    def show_result(self, ticket: int, lines: list[str], probe=None) -> None:
        if ticket == self.ticket:
            self.stop = None
            self._say("\n".join(lines))
            self._remember(lines, probe)
            if probe is not None:
                self.answered.emit(probe)

    def _remember(self, lines: list[str], probe) -> None:
        keep_newest(self.remembered, self.key_now, (self.asked_text, list(lines), probe), REMEMBERED)

    def failed(self, ticket: int, message: str) -> None:
        if ticket == self.ticket:
            self.stop = None
            self._say(message)

    def forget(self) -> None:
        """The model or its adapter changed: the figures shown and kept were the one before's."""
        self.remembered.clear()
        if self.stop is None:
            self._say("")

    def _stop(self) -> None:
        stop, self.stop = self.stop, None
        if stop is not None:
            stop()

    def _say(self, words: str) -> None:
        self.result.setText(words)
        self.result.setVisible(bool(words))
