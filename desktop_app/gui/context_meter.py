"""The token meter under the prompt box: how much of the context window the conversation and
the prompt being typed fill, and what will be left out or cut to make it fit."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer

from desktop_app.core.count_words import counted
from desktop_app.core.prompts import Turn, build_prompt, encode

log = logging.getLogger(__name__)

# what the count counts, after it: the count leads every line, so it never jumps as the box empties or fills
SO_FAR = " \u00b7 the conversation so far"  # under an empty box
REGENERATES = " \u00b7 Regenerate sends the prompt above"  # under an empty box, the last prompt unanswered
WRITING = " \u00b7 the answer being written"  # while an answer streams: the prompt read and the tokens so far
LONG_CONTEXT = 1024  # tokens the model reads before its first token: on a CPU that takes a while


def meter_words(used: int, window: int, dropped: int, cut: int, answer: int = 0,
                long_prompt: int = 0) -> tuple[str, str]:
    """(text, kind) for the meter; kind "warn" when something will not reach the model.
    ``answer``: the tokens kept free for the answer (core.prompts.build_prompt's budget).
    ``long_prompt``: the tokens of an earlier prompt that fills half the context or more."""
    text = f"{used:,} / {window:,} tokens of context"
    if cut:  # what the excess is over: "8,086 tokens: 22 more than the 8,192-token context" read as a bug
        total = used + cut  # what was typed leads, not what is left after the cut
        over = max(total + answer - window, cut if not answer else 1)
        kept_free = f" with {answer:,} kept for the answer" if answer else ""
        earlier = f"the {counted(dropped, 'earlier turn')} and " if dropped else ""
        return (f"{total:,} / {window:,} tokens of context: {over:,} too many{kept_free} \u00b7 "
                f"{earlier}the middle of the prompt will be left out", "warn")
    if dropped:  # what is left out first: after one long turn, "30 / 8,192" alone read as a contradiction
        # after one very long paste every later question loses the turns before it: say what to do (usertest 12)
        their, them = ("its", "it") if dropped == 1 else ("their", "them")
        hint = (f" \u00b7 a {long_prompt:,}-token prompt takes {their} room: edit it shorter to keep {them}, or "
                "start a new chat" if long_prompt else "")
        left_out = "the oldest turn \u00b7 it no longer fits" if dropped == 1 else \
            f"the {dropped:,} oldest turns \u00b7 they no longer fit"
        # the count leads, as on every line; "without" says the small count is what is left after them
        return f"{text}, without {left_out} and will be left out{hint}", "warn"
    if used >= LONG_CONTEXT:
        return f"{text} \u00b7 a long context: the first token takes longer", "info"
    return text, "info"


class ContextMeter(QObject):
    """Counts with the chat model's tokenizer on the GUI thread, but only while the model lane
    (the only other user of that tokenizer) is empty: a fast tokenizer must not run on two
    threads at once."""

    def __init__(self, label, chat, prompt, parent=None, *, editing=lambda: None):
        super().__init__(parent or label)
        self.label, self.chat, self.prompt = label, chat, prompt
        self.editing = editing  # () -> the id of the message the box's text is to replace, or None
        self.timer = QTimer(self, singleShot=True, interval=250)  # counted after typing pauses
        self.timer.timeout.connect(self.refresh)
        prompt.textChanged.connect(self.timer.start)
        chat.thread_changed.connect(self.timer.start)
        chat.model_loaded.connect(lambda _m: self.timer.start())
        chat.lane.changed.connect(self._lane_changed)
        chat.prompt_reading.connect(self._answer_reads)
        chat.tokens.connect(self._answer_grows)
        chat.answer_finished.connect(self._answer_ended)
        self.answer_read, self.answer_written = 0, 0  # the streaming answer's prompt tokens, its tokens so far
        self.label.hide()

    def _lane_changed(self) -> None:
        """Counted once the lane is free; while it works the line stays (an answer updates it)."""
        if not self.chat.lane.tasks:
            self.timer.start()

    def _answer_reads(self, read: int, total: int) -> None:
        """An answer starts (or reads on): the count is what the model reads, visible throughout, so the
        line under the box neither vanishes nor changes its form while the answer is written."""
        if read == 0 or total != self.answer_read:  # (0, total) starts each answer
            self.answer_read, self.answer_written = total, 0
        self._show_answer()

    def _answer_grows(self, batch: list) -> None:
        self.answer_written += len(batch)
        self._show_answer()

    def _answer_ended(self, _result) -> None:
        """The answer's count stays, without "the answer being written": a paused explanation goes on
        after it and holds the lane (and the tokenizer) for minutes, and the line kept saying an answer
        was being written long after it ended (usertest 56). The lane's end counts it exactly."""
        loaded = self.chat.loaded
        if loaded is not None and self.answer_read:
            used = self.answer_read + self.answer_written
            self.show(f"{used:,} / {loaded.context_window:,} tokens of context", "info")
        self.answer_read = 0

    def _show_answer(self) -> None:
        loaded = self.chat.loaded
        if loaded is not None and self.answer_read:
            used = self.answer_read + self.answer_written
            self.show(f"{used:,} / {loaded.context_window:,} tokens of context{WRITING}", "info")

    def refresh(self) -> None:
        loaded = self.chat.loaded
        if loaded is None:
            self.label.hide()
            return
        if self.chat.lane.tasks:
            return  # counted again once the model lane's tasks are done (its changed signal)
        self.answer_read = 0
        turns = [Turn(m["role"], m["text"]) for m in self._before_edited() if m["role"] in ("user", "assistant")]
        draft = self.prompt.toPlainText().strip()
        if not turns and not draft:  # "30 / 8,192 tokens" under an empty box puzzled (the system text)
            self.label.hide()
            return
        unanswered = None
        if turns and turns[-1].role == "user":
            # an unanswered prompt (stopped before its first token) is what Regenerate sends: it
            # stays on screen, so it is counted (once, as the draft) unless a new draft is typed
            unanswered = turns.pop().text if not draft else None
            draft = draft or unanswered
        turns.append(Turn("user", draft))
        try:
            built = build_prompt(loaded.tokenizer, turns, system=self.chat.system or None,
                                 context_window=loaded.context_window,
                                 max_new_tokens=self.chat.settings.max_new_tokens)
        except Exception as exc:  # noqa: BLE001 - e.g. system text too long: sending says it in full
            self.show(f"{exc}", "warn")
            return
        text, kind = meter_words(len(built.ids), loaded.context_window, built.dropped_turns, built.truncated_tokens,
                                 built.max_new_tokens, self._long_prompt(loaded, turns[:-1], built))
        if unanswered is not None:  # the box is empty: a red line under it read as an error about nothing
            text, kind = f"{text}{REGENERATES}", "info"
        elif not draft and kind == "info":  # what the count counts before anything is typed
            text = f"{text}{SO_FAR}"
        self.show(text, kind)

    def _before_edited(self) -> list[dict]:
        """The branch on screen, up to the message being edited: the edited text replaces it and what
        followed it (usertest 17: the count added it after the answer it replaces)."""
        thread, edited = self.chat.thread(), self.editing()
        ids = [m["id"] for m in thread]
        return thread[:ids.index(edited)] if edited in ids else thread

    @staticmethod
    def _long_prompt(loaded, earlier: list, built) -> int:
        """The tokens of the longest earlier prompt when old turns are left out and it alone fills half
        the room or more (it is why they are left out), else 0."""
        if not built.dropped_turns:
            return 0
        longest = max((len(encode(loaded.tokenizer, t.text)) for t in earlier if t.role == "user"), default=0)
        return longest if longest >= (loaded.context_window - built.max_new_tokens) // 2 else 0

    def show(self, text: str, kind: str) -> None:
        self.label.setText(text)
        self.label.setToolTip("What the model reads before it answers: the conversation so far and your prompt, "
                              "within its context window (the room left is for the answer).")
        self.label.setProperty("kind", kind)
        self.label.style().unpolish(self.label)
        self.label.style().polish(self.label)
        self.label.show()
