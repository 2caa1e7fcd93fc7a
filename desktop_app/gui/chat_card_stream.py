"""The answer streaming into its Chat card, a part of ChatCards (gui/chat_cards.py): the card made below the
prompt, the start it keeps until its first token, the reading line while a long prompt is read (its words
core/reading_words.py's), Esc's "stopping…", and the tokens as they come."""

from __future__ import annotations

import time

from desktop_app.core.count_words import counted
from desktop_app.core.reading_words import BESIDE_FINETUNE_TIP, reading_left, reading_line
from desktop_app.gui.message_card import MessageCard

clock = time.monotonic  # the reading's pace (a test sets its own)


class AnswerStreaming:
    """ChatCards' part that shows the answer being written (``window``, ``streaming`` and ``selected`` are
    ChatCards')."""

    def stream_started(self, user_message) -> None:
        """The shown thread ends at the prompt being answered; the new answer streams below it."""
        cards = self.window.transcript.cards
        while cards and cards[-1].message_id != user_message["id"]:
            if cards[-1] is self.selected:
                self.selected = None
                self.window.inspector.clear()
            self.window.transcript.remove_card(cards[-1])
        question = cards[-1] if cards else None
        self.streaming = self.make_card("assistant", None)
        self._let_go_of_older_token()
        self._show_kept_start(self.streaming)
        self.streaming.set_meta("writing\u2026")
        self.streaming.set_exportable(False)
        self.mark_unanswered()
        self.window.transcript.follow_answer(question)

    def _show_kept_start(self, card: MessageCard) -> None:
        """Until its first token the answer's card shows the start it keeps (a branch's shared words, an
        answer it goes on from) and its thumbs are off: no words of its own to rate yet (usertest41)."""
        card.awaiting_first_token = True
        card.view.set_records(list(self.window.chat.answer_start))
        card.rating.await_words(True)

    def _let_go_of_older_token(self) -> None:
        """A new answer starts: the inspector lets go of an earlier answer's token (and its mark), which it
        had kept showing under the new answer as though it were the newest's (usertest26); it follows the
        new answer from its first click or arrow key. A token it works on (the keyboard in it, an explanation
        running, paused for the answer or shown) stays, its line saying it is of an earlier answer. So does one
        picked before the Text tab came in front: no one saw it go, and back in Chat its panel stayed empty
        (textkeep67); ``show_selected_again`` shows it then."""
        inspector, card = self.window.inspector, self.selected
        focus = self.window.focusWidget()
        if card is None or self.window.mode == "text":
            return
        if (focus is not None and inspector.isAncestorOf(focus)) or inspector.explain.has_work:
            inspector.show_source(self._source_words(card, inspector.index))  # now "an earlier answer"
            return
        self.deselect()
        inspector.clear()

    def unstored_thumb(self) -> int | None:
        """The thumb given to the answer streaming now while it had no id yet (+1 / -1), or None."""
        rating = getattr(self.streaming, "rating", None)
        return None if rating is None or rating.message_id is not None else rating.pending

    def stopping(self) -> None:
        """Esc: said at once on the answer's card, since reading a long prompt stops only after
        its current pass (seconds on a CPU)."""
        card = self.streaming
        if card is not None:
            card.stopping = True
            card.set_meta("stopping\u2026")

    def reading(self, read: int, total: int) -> None:
        """Before the first token: a long prompt takes minutes to read on a CPU; say so, how far,
        and how long is left at the pace so far (user test 15 watched "reading: 2,560 of 8,064
        tokens…" with no idea whether that meant seconds or minutes)."""
        card = self.streaming
        if card is not None and card.awaiting_first_token and not getattr(card, "stopping", False):
            now = clock()
            since = getattr(card, "reading_since", None)
            if since is None:
                card.reading_since = since = (now, read)
            left = reading_left(read - since[1], now - since[0], total - read)
            finetune = getattr(self.window, "finetune", None)
            beside = finetune is not None and finetune.running
            card.set_meta(reading_line(read, total, left, beside))
            card.meta.setToolTip(f"The model is reading your prompt ({read:,} of {total:,} tokens); the answer "
                                 "starts once it has read all of it." + (" " + BESIDE_FINETUNE_TIP if beside else ""))

    def tokens(self, batch: list) -> None:
        card = self.streaming
        if card is None:
            return
        if card.awaiting_first_token:  # the stream begins with the kept start again: it replaces what was shown
            card.awaiting_first_token = False
            card.view.set_records(batch)
            card.rating.await_words(False)
        else:
            card.view.append_records(batch)
        card.set_meta(f"writing\u2026 {counted(len(card.records), 'token')}")
