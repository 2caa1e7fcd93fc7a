"""The Chat tab's cards: the shown branch as MessageCards (cards that still match are kept,
so an update costs only what changed), the answer streaming into its card, prompts coloured
when asked, the token picked for the inspector, token ratings kept in step between a card
and the inspector, and a card's exports.

The window builds the transcript and the inspector and hands itself here; ``ChatCards``
wires the chat controller's thread and stream to them, as gui/text_mode.py does for the
Text tab, so main_window.py stays about the window as a whole. Two of its parts have modules of their own:
the answer streaming (gui/chat_card_stream.py) and a card's token in the inspector (gui/chat_card_inspector.py).
"""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop_app.core import unwritten
from desktop_app.core.chosen_token import answer_chosen
from desktop_app.core.drafts import UNSTARTED_WORDS, is_interrupted, is_unstarted, stopped_unstarted
from desktop_app.core.errors import UserFacingError
# the reading line's words are core's; tests import them from here
from desktop_app.core.reading_words import BESIDE_FINETUNE, reading_left, reading_line  # noqa: F401
from desktop_app.gui import conversation_actions, export, save_folder
from desktop_app.gui.answer_words import (STOPPED_UNSTARTED_WORDS, STOPPED_WORDS, TOKEN_LIMIT_WORDS,
                                          WAITING_FOR_MODEL_WORDS, WAITING_FOR_TEXT_WORDS, answer_author,
                                          answer_meta, hit_token_limit, was_stopped, with_settings)
# a card's token in the inspector and the answer streaming are ChatCards' parts; their names stay importable here
from desktop_app.gui.chat_card_inspector import CardInspector, answer_cut, records_adapter, records_model  # noqa: F401
from desktop_app.gui.chat_card_stream import AnswerStreaming
from desktop_app.gui.message_card import WRITING_TIP, MessageCard
from desktop_app.gui.ratings import CardRating
from desktop_app.gui.unwritten_words import UnwrittenState, has_writer, scored_by, unwritten_meta


class ChatCards(AnswerStreaming, CardInspector):
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
            streaming.view.set_chosen(answer_chosen(streaming.message.get("settings"), streaming.view.records))
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
            card.view.set_records(records, chosen=answer_chosen(message.get("settings"), records))
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

