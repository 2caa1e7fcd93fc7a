"""The Chat tab's cards: the shown branch as MessageCards (cards that still match are kept,
so an update costs only what changed), the answer streaming into its card, prompts coloured
when asked, the token picked for the inspector, token ratings kept in step between a card
and the inspector, and a card's exports.

The window builds the transcript and the inspector and hands itself here; ``ChatCards``
wires the chat controller's thread and stream to them, as gui/text_mode.py does for the
Text tab, so main_window.py stays about the window as a whole.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt

from desktop_app.core import unwritten
from desktop_app.core.adapters import figures_adapter
from desktop_app.core.count_words import counted
from desktop_app.core.drafts import UNSTARTED_WORDS, is_interrupted, is_unstarted, stopped_unstarted
from desktop_app.core.errors import UserFacingError
from desktop_app.core.progress_words import eta_words
from desktop_app.core.sampler_cut import SamplerCut, cut_for_answer
from desktop_app.core.token_words import completed_character, token_label, token_status_words
from desktop_app.core.word_cut import clip_at_word
from desktop_app.gui import conversation_actions, export, save_folder
from desktop_app.gui.answer_words import (STOPPED_UNSTARTED_WORDS, STOPPED_WORDS, TOKEN_LIMIT_WORDS,
                                          WAITING_FOR_MODEL_WORDS, WAITING_FOR_TEXT_WORDS, answer_author,
                                          answer_meta, hit_token_limit, was_stopped, with_settings)
from desktop_app.gui.elided_labels import BESIDE_FINETUNE
from desktop_app.gui.message_card import WRITING_TIP, MessageCard
from desktop_app.gui.ratings import CardRating
from desktop_app.gui.unwritten_words import UnwrittenState, has_writer, scored_by, unwritten_meta


clock = time.monotonic  # the reading's pace (a test sets its own)


def reading_left(tokens_read: int, seconds: float, tokens_left: int) -> float | None:
    """The seconds left to read a prompt at the pace of the parts read so far (None before one)."""
    return seconds / tokens_read * tokens_left if tokens_read > 0 and seconds > 0 else None


# said after the reading line while a fine-tune trains beside the answer (elided_labels.BESIDE_FINETUNE):
# "reading 162 tokens…" alone read as the model being slow, not as the run's turn on the processor (waiting83)
BESIDE_FINETUNE_TIP = ("A fine-tune is training at the same time and takes most of the processor: the answer "
                       "waits for its share, so it starts and runs slower than usual until the fine-tune ends.")


def reading_line(read: int, total: int, left_s: float | None, beside_finetune: bool = False) -> str:
    """The answer card's line while its prompt is read. Short: the header shares its line with the
    author and five buttons (1088 px: ~220 px); the time left is said from 10 s on, after
    " · ", so a narrow header keeps how far and lets it go. ``beside_finetune``: a fine-tune runs too."""
    line = f"reading {total:,} tokens\u2026" if not read else f"reading: {read:,} of {total:,} tokens"
    if read and (left_s is None or left_s < 10):
        line += "\u2026"
    beside = f" \u00b7 {BESIDE_FINETUNE}" if beside_finetune else ""  # before the time left, which goes first
    return line + beside + (f" \u00b7 {eta_words(left_s)}" if read and left_s is not None and left_s >= 10 else "")


def records_model(card: MessageCard) -> str | None:
    """The model whose tokenizer read a card's tokens: a stored answer's writer, an unwritten one's scorer;
    None (the model in use) for a prompt, whose colours the model in use gives, and an answer being written."""
    state, message = getattr(card, "unwritten", None), card.message
    if state is not None:
        return getattr(state.scoring, "model_id", None)
    return message.get("model_id") if card.role == "assistant" and message else None


def records_adapter(card: MessageCard, index: int, chat) -> int | None:
    """The adapter whose figures token ``index`` of a card shows (None: the base model): a stored answer's writer's
    (a branch's shared prefix: the first answer's writer's), an unwritten one's scorer's, a prompt's scoring's (the
    model in use's until it is scored), and the model in use's for an answer being written."""
    from desktop_app.core.token_context import writer_of

    state, message = getattr(card, "unwritten", None), card.message
    if state is not None:
        return getattr(state.scoring, "adapter_id", None)
    if card.role == "user":
        return chat.prompt_adapters.get(card.message_id, chat.adapter_id)
    return writer_of(message, index) if message else chat.adapter_id


def answer_cut(card: MessageCard, index: int, loaded) -> SamplerCut | None:
    """The alternatives of a stored answer's token its sampler could not have picked (None: a prompt's
    token, or one of an answer still being written, whose settings are not stored yet)."""
    if card.role != "assistant" or not card.message or getattr(card, "unwritten", None) is not None:
        return None
    tokenizer = getattr(loaded, "tokenizer", None)
    own = tokenizer is not None and records_model(card) == loaded.model_id  # else another vocabulary's size
    return cut_for_answer(card.message, card.records, index, len(tokenizer) if own else 1 << 18)


class ChatCards:
    """The MessageCards of a MainWindow's transcript.

    Attributes:
        window: the MainWindow (its chat, transcript, legend, inspector, writer, status bar).
        streaming: the card the current answer streams into, or None.
        selected: the card whose token the inspector shows, or None.
    """

    def __init__(self, window):
        self.window = window
        self.streaming: MessageCard | None = None
        self.selected: MessageCard | None = None
        self._switching_branch = False  # a render now shows another sibling (‹ ›): the view stays
        self._continued: int | None = None  # an answer Continue goes on with: the view ends at it once it ends
        self.opening = False  # the next render shows a conversation just opened (transcript.show_opened)

    def connect(self) -> None:
        w, c = self.window, self.window.chat
        c.tokens.connect(self.tokens)
        c.prompt_reading.connect(self.reading)
        c.prompt_scored.connect(self.prompt_scored)
        w.legend.score_prompts_changed.connect(self.score_prompts_toggled)
        w.inspector.token_rated.connect(self._inspector_rated)
        c.state_changed.connect(lambda _state: self.refresh_waiting_token())  # another answer ended
        c.state_changed.connect(lambda _state: self.mark_unanswered())
        c.answer_waiting.connect(lambda _user_id: self.mark_unanswered())
        c.state_changed.connect(lambda _state: self.score_unwritten())  # a model came, an answer ended
        c.answer_scored.connect(self.answer_scored)
        c.model_loaded.connect(lambda _loaded: self.rescore_shown())  # another model's scoring is not this one's
        c.adapter_changed.connect(lambda _adapter: self.rescore_shown())
        c.answer_scoring_failed.connect(self.answer_scoring_failed)
        c.answer_scoring_progress.connect(self.answer_scoring_progress)

    # ------------------------------------------------------------ the shown branch
    def render(self) -> None:
        """Show the chosen branch. Cards that still match are kept (a finished answer keeps
        the card it streamed into), so an update costs only what changed."""
        w = self.window
        thread = w.chat.thread()
        cards = list(w.transcript.cards)
        keep = self._cards_to_keep(cards, thread)
        for card in cards[keep:]:
            self._remove(card)
        for message in thread[keep:]:
            self._add_card(message)
        self._refresh_answer_cards()
        self.score_unwritten()
        self.mark_unanswered()
        self.refresh_waiting_token()  # the answer streamed into a card is stored now
        w.finetune_side.update_compare_buttons()
        self._scroll_after_render(keep < len(cards) or keep < len(thread), bool(thread))

    def _cards_to_keep(self, cards: list, thread: list[dict]) -> int:
        """How many of the shown ``cards`` still show the branch's first messages (``thread``): those with its
        messages' ids, and the card an answer just streamed into once that answer is stored (it takes its row)."""
        keep = 0
        for card, message in zip(cards, thread):
            if card.message_id is None or card.message_id != message["id"]:
                break
            keep += 1
        streaming = self.streaming
        if (streaming is not None and not self.window.chat.generating and keep < len(thread) and keep < len(cards)
                and cards[keep] is streaming and thread[keep]["role"] == "assistant"
                and len(thread[keep]["text"]) == len("".join(r.text for r in streaming.records))):
            streaming.message = thread[keep]  # the answer it streamed is now stored
            streaming.set_exportable(True)
            self.streaming = None
            keep += 1
        return keep

    def _add_card(self, message: dict) -> None:
        """A card for ``message``: an answer with its tokens, or a prompt (coloured too where asked)."""
        w = self.window
        card = self.make_card(message["role"], message)
        if message["role"] == "assistant":
            self._show_answer(card, message)
        else:
            card.show_prompt(prefix=message["text"])
            if w.legend.score_prompts.isChecked():
                w.chat.score_prompt(message)

    def _scroll_after_render(self, changed: bool, has_messages: bool) -> None:
        """Where the transcript's view goes once the branch is shown (``changed``: cards went or came)."""
        w = self.window
        if self._switching_branch:
            w.transcript.hold_position()
        elif self.opening and has_messages:
            self.opening = False
            w.transcript.show_opened()
        elif self._continued_shown():
            pass
        elif changed:
            w.transcript.scroll_to_bottom()

    def _continued_shown(self) -> bool:
        """Once an answer that went on (Continue) is stored: the view ends at that answer, not at the chat's
        end, where the turns after it that came back took the view (usertest 19: Continue on an answer cut at
        the token limit, mid-conversation, left the person at another answer)."""
        if self._continued is None or self.window.chat.generating:
            return False
        card = next((c for c in self.window.transcript.cards if c.message_id == self._continued), None)
        self._continued = None
        if card is None:
            return False
        self.window.transcript.show_end_of(card)
        return True

    def _step_sibling(self, card: MessageCard, delta: int) -> None:
        """‹ ›: the answer shown instead keeps its card's place, its arrows under the mouse; the
        scroll to the end that follows a new answer took them off the screen (user test 15)."""
        self._switching_branch = True
        try:
            self.window.chat.step_sibling(card.message, delta)
        finally:
            self._switching_branch = False

    def step_to_answer(self, card: MessageCard, step: int) -> None:
        """Up / Down in an answer's text: the answer above / below takes the keyboard. Only the newest answer was
        near the prompt in the Tab order; an older one was some 30 Tabs round the window (usertest42). Down from
        the newest: the prompt, where the person types on."""
        answers = self._answers_shown()
        at = answers.index(card) + step if card in answers else -1
        if at >= len(answers) and step > 0:
            self.window.prompt.setFocus(Qt.FocusReason.OtherFocusReason)
        elif 0 <= at < len(answers):
            self._take_keyboard(answers[at])

    def enter_newest_answer(self) -> None:
        """Up in the empty prompt: the newest answer takes the keyboard (none yet: the prompt keeps it)."""
        answers = self._answers_shown()
        if answers:
            self._take_keyboard(answers[-1])

    def _answers_shown(self) -> list[MessageCard]:
        return [c for c in self.window.transcript.cards if c.role == "assistant" and c.view.records]

    def _take_keyboard(self, card: MessageCard) -> None:
        """``card``'s text has the keyboard, scrolled into view, and the inspector shows its first token, as Tab
        and Right would: the person sees where they are and walks on with the arrows."""
        card.view.setFocus(Qt.FocusReason.OtherFocusReason)
        self.window.transcript.ensureWidgetVisible(card.view)
        card.view.choose_token(0)

    def _remove(self, card: MessageCard) -> None:
        if card is self.selected:
            self.selected = None
            self.window.inspector.clear()
        if card is self.streaming:
            self.streaming = None
        self.window.transcript.remove_card(card)

    def clear(self) -> None:
        """Another conversation: no card, nothing selected or streaming."""
        self.window.transcript.clear()
        self.selected = self.streaming = None
        self.window.inspector.clear()

    def _refresh_answer_cards(self) -> None:
        """Meta line, sibling position and (when the card shows another message now) ratings."""
        chat = self.window.chat
        for card in self.window.transcript.cards:
            if card.role == "user" and card.message is not None:  # edited prompts are siblings too
                card.set_siblings(*chat.sibling_position(card.message))
            if card.role == "assistant" and card.message is not None:
                title, author = answer_author(card.message, chat.loaded)  # a streamed card is stored now
                card.role_label.setText(title)
                card.role_label.setToolTip(with_settings(author, card.message))
                if was_stopped(card.message) and not is_interrupted(card.message):
                    card.show_interrupted(STOPPED_WORDS)  # the card it streamed into, stopped
                elif hit_token_limit(card.message) and not is_interrupted(card.message):
                    card.show_interrupted(TOKEN_LIMIT_WORDS)  # the card it streamed into, cut at Max new tokens
                elif is_unstarted(card.message) and getattr(card, "interrupted_label", None) is not None:
                    card.interrupted_label.setText(self._unstarted_words(card.message))  # stopped again, no token
                self._set_answer_meta(card)
                card.set_siblings(*chat.sibling_position(card.message))
                rating = getattr(card, "rating", None)
                if rating is not None and rating.shown_id != card.message_id:
                    rating.refresh()
                    rating.shown_id = card.message_id

    def make_card(self, role: str, message: dict | None) -> MessageCard:
        w = self.window
        title, author = answer_author(message, w.chat.loaded) if role == "assistant" else ("You", "")
        card = MessageCard(role, message, title=title, measure=w.legend.measure())
        card.role_label.setToolTip(with_settings(author, message) if role == "assistant" else author)
        card.token_clicked.connect(self.show_token)
        card.token_hovered.connect(self._token_hovered)
        card.sibling_step.connect(self._step_sibling)
        card.step_out.connect(self.step_to_answer)
        card.export_requested.connect(self.export_card)
        card.edit_requested.connect(w.message_editor.begin)
        card.resume_requested.connect(self._resume)
        card.answer_requested.connect(self._answer)
        if role == "assistant" and is_unstarted(message):
            card.show_interrupted(self._unstarted_words(message), can_continue=False)
        elif role == "assistant" and is_interrupted(message):
            card.show_interrupted(can_continue=has_writer(message))
        elif role == "assistant" and was_stopped(message):
            card.show_interrupted(STOPPED_WORDS, can_continue=has_writer(message))
        elif role == "assistant" and hit_token_limit(message):
            card.show_interrupted(TOKEN_LIMIT_WORDS, can_continue=has_writer(message))
        if role == "assistant":
            card.rating = CardRating(card, w.writer, w.chat.token_bytes)
            card.rating.compare_requested.connect(w.finetune_side.open_compare)
            card.rating.token_rated.connect(self._card_token_rated)
            for button in (card.rating.up, card.rating.down, card.export_button):  # no answer to thumb or
                if button is not None:  # export yet: Regenerate is its way on (usertest 12)
                    button.setHidden(is_unstarted(message))
        return w.transcript.add_card(card)

    def _unstarted_words(self, message: dict) -> str:
        """An answer with no token yet: the app closed on it, or the person stopped it (this session, or
        noted in its row: core.drafts.mark_stopped)."""
        stopped = message["parent_id"] in self.window.chat.stopped_before_start or stopped_unstarted(message)
        return STOPPED_UNSTARTED_WORDS if stopped else UNSTARTED_WORDS

    def _resume(self, card: MessageCard, how: str) -> None:
        """Continue or regenerate an interrupted or stopped answer."""
        w = self.window
        w.error_banner.hide()
        goes_on = how == "continue" or is_unstarted(card.message)  # no token yet: its own row gets the answer
        started = w.chat.continue_answer(card.message) if goes_on else w.chat.regenerate_answer(card.message)
        if started and how == "continue":
            self._continued = card.message_id
        if started and not goes_on:
            w.warn_if_same_again()
        if started:
            self._focus_prompt()

    def _focus_prompt(self) -> None:
        """The keyboard goes to the prompt box, as after Send: the clicked button goes with the
        card's row, and Qt gave the focus to the first Tab stop, the "Chat" tab (usertest 11)."""
        self.window.prompt.setFocus(Qt.FocusReason.OtherFocusReason)

    def mark_unanswered(self) -> None:
        """"Answer it" on the last card when it is a stored prompt with no answer and none is being
        made (one asked for waits for the model, or streams into the card below it); the prompt whose
        answer waits for the model to load says so."""
        chat, cards = self.window.chat, self.window.transcript.cards
        for at, card in enumerate(cards):
            if card.role != "user":
                continue
            card.show_unanswered(card is cards[-1] and card.message is not None and not chat.generating
                                 and not chat.children(card.message_id),
                                 stopped=card.message_id in chat.stopped_before_start,
                                 read_with_next=at + 1 < len(cards) and cards[at + 1].role == "user")
            waits_for = self._answer_waits_for()
            card.show_waiting(waits_for is not None and chat.generating and self.streaming is None
                              and card.message_id is not None and card.message_id == chat.answering,
                              waits_for or WAITING_FOR_MODEL_WORDS)

    def _answer_waits_for(self) -> str | None:
        """What an answer asked for and not begun waits for, in words: the model's load, or the Text tab's
        continuation, which has the model until it ends (the answer queued after it with nothing said)."""
        chat = self.window.chat
        if chat.loaded is None:
            return WAITING_FOR_MODEL_WORDS
        running = chat.lane.running
        return WAITING_FOR_TEXT_WORDS if running is not None and running.kind == "continue" else None

    def _answer(self, card: MessageCard) -> None:
        w = self.window
        w.error_banner.hide()
        if w.chat.answer(card.message):
            self._focus_prompt()

    # ------------------------------------------------------------ answers no model wrote here
    def _show_answer(self, card: MessageCard, message: dict) -> None:
        """A stored answer's tokens; one with none of its own (imported: core/unwritten.py) shows its
        kept scoring, else its text plain while the model in use scores it."""
        chat = self.window.chat
        records = chat.records(message["id"])
        card.unwritten = None
        if not unwritten.is_unwritten(message, records):
            card.view.set_records(records)
            return
        card.unwritten = UnwrittenState(unwritten.stored_scoring(chat.store, message, chat.model_id, chat.adapter_id))
        self._show_scoring(card)

    def _show_scoring(self, card: MessageCard) -> None:
        scoring, text = card.unwritten.scoring, card.message["text"]
        if scoring is None:
            card.view.set_records([], prefix=text)
        else:
            card.view.set_records(scoring.records, suffix=text[scoring.chars:])

    def _set_answer_meta(self, card: MessageCard) -> None:
        if getattr(card, "unwritten", None) is None:
            card.set_meta(answer_meta(card.message, card.records))
            card.meta.setToolTip(with_settings(card.meta.text(), card.message))
            return
        meta, tip = unwritten_meta(card.unwritten, card.message["text"], self.window.chat.loaded is not None)
        card.set_meta(meta)
        card.meta.setToolTip(tip)

    def score_unwritten(self) -> None:
        """Ask the model in use to score the shown answers that have no tokens yet (once each)."""
        chat = self.window.chat
        for card in self.window.transcript.cards:
            state = getattr(card, "unwritten", None)
            if state is not None and state.scoring is None and not state.failed and chat.score_unwritten(card.message):
                self._set_answer_meta(card)  # "not scored yet" -> "scoring…"

    def rescore_shown(self) -> None:
        """The model in use changed: the shown unwritten answers show its kept scoring, else their
        text plain while it scores them (the scoring they showed was the model before's)."""
        chat = self.window.chat
        for card in self.window.transcript.cards:
            state = getattr(card, "unwritten", None)
            if state is None or (state.scoring is not None and state.scoring.model_id == chat.model_id
                                 and state.scoring.adapter_id in (None, chat.adapter_id)):
                continue
            card.unwritten = UnwrittenState(unwritten.stored_scoring(chat.store, card.message, chat.model_id,
                                                                     chat.adapter_id))
            self._show_scoring(card)
            self._set_answer_meta(card)
        self.score_unwritten()

    def _unwritten_card(self, message_id: int) -> MessageCard | None:
        return next((c for c in self.window.transcript.cards
                     if c.message_id == message_id and getattr(c, "unwritten", None) is not None), None)

    def answer_scored(self, message_id: int, scoring) -> None:
        card = self._unwritten_card(message_id)
        if card is None or card.unwritten.scoring is not None:
            return
        if scoring.model_id != self.window.chat.model_id:  # the model before's, told after a switch
            self.score_unwritten()
            return
        card.unwritten.scoring = scoring
        self._show_scoring(card)
        self._set_answer_meta(card)
        rating = getattr(card, "rating", None)
        if rating is not None:
            rating.refresh()  # its token ratings' marks, now that there are tokens to mark

    def answer_scoring_progress(self, message_id: int, progress) -> None:
        card = self._unwritten_card(message_id)
        if card is not None and card.unwritten.scoring is None:
            card.unwritten.progress = (progress.done, progress.total)
            self._set_answer_meta(card)

    def answer_scoring_failed(self, message_id: int, why: str) -> None:
        card = self._unwritten_card(message_id)
        if card is not None:
            card.unwritten.failed = why
            self._set_answer_meta(card)

    # ------------------------------------------------------------ colours
    def set_measure(self, measure: str) -> None:
        for card in self.window.transcript.cards:
            if card.role == "assistant" or card.view.records:
                card.view.set_measure(measure)

    def score_prompts_toggled(self, on: bool) -> None:
        chat = self.window.chat
        if not on:
            chat.cancel_scoring()  # scorings still waiting are not wanted any more
        for card in self.window.transcript.cards:
            if card.role != "user":
                continue
            if on:
                chat.score_prompt(card.message)
            else:
                card.view.set_measure("plain")
                card.show_prompt(prefix=card.message["text"])

    def prompt_scored(self, message_id: int, prefix: str, records: list) -> None:
        legend = self.window.legend
        if not legend.score_prompts.isChecked():
            return
        for card in self.window.transcript.cards:
            if card.role == "user" and card.message_id == message_id:
                card.view.set_measure(legend.measure())
                card.show_prompt(records, prefix)

    # ------------------------------------------------------------ the answer streaming
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

    # ------------------------------------------------------------ a token in the inspector
    def show_token(self, card: MessageCard, index: int) -> None:
        """The inspector shows token ``index`` of ``card`` (what a click on it does)."""
        w = self.window
        if self.selected is not card:
            self.deselect()
        self.selected = card
        w.finetune_side.show_inspector(clicked=card.view.picked_by_click)
        self._fill_inspector(card, index)
        self._keep_in_view(card, index)

    def _keep_in_view(self, card: MessageCard, index: int) -> None:
        """The token picked stays on screen (a click's already is): Up into an answer taller than the view
        centred its card, and the first token, the one shown in the inspector, lay above the view; Right
        walked on past the view's foot (window74)."""
        view, transcript = card.view, self.window.transcript
        if not 0 <= index < len(view.starts):
            return
        rect = view.span_rect(index)
        middle = view.viewport().mapTo(transcript.widget(), rect.center())
        transcript.ensureVisible(middle.x(), middle.y(), 0, rect.height() // 2 + 4)

    def show_selected_again(self) -> None:
        """Back in Chat from the Text tab: the token still ringed in its card shows in the inspector again,
        its finished or set-aside explanation with it; the panel had stayed empty beside the ring (usertest36)."""
        card = self.selected
        if card is None:
            return
        try:
            index = card.view.selected
        except RuntimeError:  # the card is gone
            self.selected = None
            return
        if 0 <= index < len(card.records):
            self._fill_inspector(card, index)

    def _fill_inspector(self, card: MessageCard, index: int) -> None:
        w = self.window
        answer, writing = card.role == "assistant", w.chat.generating
        can_branch = answer and card.message_id is not None and not writing
        busy = None if can_branch or not answer or not writing else "this" if card is self.streaming else "another"
        figures_of, figures_json = figures_adapter(w.chat.store, records_adapter(card, index, w.chat))
        w.inspector.show_token(card.message_id, index, card.records[index], can_branch=can_branch, busy=busy,
                               model_id=records_model(card), cut=answer_cut(card, index, w.chat.loaded),
                               figures_of=figures_of, figures_adapter=figures_json,
                               completes=completed_character(card.records, index))
        w.inspector.show_source(self._source_words(card, index))
        w.chat_surprises.show_for(card, index)
        rating = getattr(card, "rating", None)
        if rating is not None:
            w.inspector.rate_box.setVisible(card.message_id is not None)
            w.inspector.set_token_rating(rating.token_value(index))

    def _source_words(self, card: MessageCard, index: int) -> str:
        """Which card the inspector's token is of: "Token 7 of 101 · the answer to “…”", "· an earlier answer"
        added when an answer comes after it; a prompt's token: "· your prompt “…”"."""
        cards = self.window.transcript.cards
        where = f"Token {index + 1} of {len(card.records)}"
        if card.role == "user":
            return f"{where} · your prompt “{clip_at_word(card.message and card.message['text'], 40)}”"
        at = cards.index(card) if card in cards else len(cards)
        question = next((c for c in reversed(cards[:at]) if c.role == "user" and c.message is not None), None)
        asked = f" to “{clip_at_word(question.message['text'], 40)}”" if question is not None else ""
        later = any(c.role == "assistant" for c in cards[at + 1:])
        return f"{where} · {'an earlier answer' if later else 'the answer'}{asked}"

    def refresh_waiting_token(self) -> None:
        """A token shown while the model was writing gets its branching and "Why this token?" once
        the model is free: the panel kept its "not now" until the token was clicked again (usertest9)."""
        w, card = self.window, self.selected
        if card is None or not w.inspector.waits_for_model or w.chat.generating:
            return
        if card.message_id is None or not 0 <= w.inspector.index < len(card.records):
            return  # (an answer that ended with nothing stored: its card goes with the next render)
        self._fill_inspector(card, w.inspector.index)

    def deselect(self) -> None:
        """No card's token is picked any more (its mark goes)."""
        if self.selected is not None:
            try:
                self.selected.view.clear_selection_mark()
            except RuntimeError:  # the card is gone
                pass
        self.selected = None

    def _token_hovered(self, card: MessageCard, index: int) -> None:
        bar = self.window.statusBar()
        if index < 0:
            bar.clearMessage()
            return
        bar.showMessage(token_status_words(index, card.records[index]))

    def _inspector_rated(self, message_id: int, index: int, value) -> None:
        card = self.selected
        if card is not None and card.message_id == message_id and getattr(card, "rating", None) is not None:
            card.rating.rate_token(index, value)

    def _card_token_rated(self, message_id: int, index: int, value) -> None:
        """A token rated on its card: the inspector (when it shows that token) and the status bar follow."""
        inspector = self.window.inspector
        card = next((c for c in self.window.transcript.cards if c.message_id == message_id), None)
        if inspector.message_id == message_id and (inspector.index == index or (
                card is not None and _same_character(card, inspector.index, index))):
            inspector.set_token_rating(value)
        if card is not None and 0 <= index < len(card.records):
            word = {1: "good", -1: "bad", None: "not rated"}[value]
            self.window.statusBar().showMessage(
                f"Token {index + 1} \u201c{token_label(card.records[index].text)}\u201d: {word}", 4000)

    # ------------------------------------------------------------ exports
    def export_card(self, card: MessageCard, kind: str, path: str | None = None) -> str | None:
        w = self.window
        if card.message is None:  # still being written: an export would be an empty file
            w.statusBar().showMessage(WRITING_TIP, 5000)
            return None
        if kind.startswith("copy"):
            return conversation_actions.copy_answer(w, card, kind)
        if path is None:
            suffix = {"png": "PNG image (*.png)", "html": "Web page (*.html)", "json": "JSON (*.json)"}[kind]
            default = f"{conversation_actions.answer_stem(w.chat.store, card.message, card.message_id)}.{kind}"
            path = save_folder.ask_save_path(w, "Export answer", default, suffix)
            if not path:
                return None
        try:
            if kind == "png":
                export.heatmap_png(card.view, path)
            elif kind == "html":
                export.answer_html(card, path, w.legend.measure(), store=w.chat.store)
            else:
                export.answer_json(card.message, card.records, path, w.legend.measure(), scored_by=scored_by(card))
        except OSError as exc:
            w.show_error(f"The export failed: {exc}")
            return None
        except UserFacingError as exc:  # e.g. too tall for a PNG
            w.show_error(str(exc))
            return None
        w.statusBar().showMessage(f"Saved {path}", 5000)
        return path


def _same_character(card, a: int, b: int) -> bool:
    """Whether tokens ``a`` and ``b`` of the card hold one character (a rating of one is the other's)."""
    layout, n = card.rating.layout(), len(card.records)
    return 0 <= a < n and 0 <= b < n and layout.stored(a) == layout.stored(b)
