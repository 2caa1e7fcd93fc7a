"""The token a Chat card shows in the inspector, a part of ChatCards (gui/chat_cards.py): the token picked, kept in
view and shown again back from the Text tab, which card and answer it is of, the model and adapter whose figures
it shows and the alternatives its sampler could not have picked, and token ratings kept in step between a card
and the inspector."""

from __future__ import annotations

from desktop_app.core.adapters import figures_adapter
from desktop_app.core.sampler_cut import SamplerCut, cut_for_answer
from desktop_app.core.token_words import completed_character, token_label, token_status_words
from desktop_app.core.word_cut import clip_at_word
from desktop_app.gui.message_card import MessageCard


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



class CardInspector:
    """ChatCards' part that fills the inspector from a card's token (``window`` and ``selected`` are ChatCards')."""

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


def _same_character(card, a: int, b: int) -> bool:
    """Whether tokens ``a`` and ``b`` of the card hold one character (a rating of one is the other's)."""
    layout, n = card.rating.layout(), len(card.records)
    return 0 <= a < n and 0 <= b < n and layout.stored(a) == layout.stored(b)
