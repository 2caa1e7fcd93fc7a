"""Enter on the conversations' search: the words found in the conversation shown, scrolled to, ringed for a
moment and given the keyboard. Enter on a match in the conversation already open showed nothing new, and one in
another conversation opened it at its end, not at the words (leftovers85). Enter again goes on to the next card
that holds them."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor

from desktop_app.core.text_find import find_spans
from desktop_app.gui.theme import colors, is_dark


def found_cards(cards, words: str) -> list[tuple[object, int, int]]:
    """The cards whose text holds ``words`` (any case, as the store's search matches), top to bottom, each with the
    document positions where the words first start and end in it. Found in the text as written: an answer's
    heatmap shows "\u9996\u00b7\u90fd" for "\u9996\u90fd" (a piece of a split character marked) and counts an
    emoji as two positions, so the shown text missed the words or ringed the wrong ones (intl69)."""
    found = []
    for card in cards:
        places = card.view.written_places()
        spans = find_spans("".join(ch for ch, _start, _end in places), words)
        if spans:
            found.append((card, places[spans[0][0]][1], places[spans[0][1] - 1][2]))
    return found


class ChatSearch:
    """Where Enter on the search went last (the card's message), so that Enter again goes on to the next card.

    Attributes:
        window: the main window (its transcript, its chat and its cards' wiring).
        last: (conversation id, words, message id) of the card shown last, or None."""

    def __init__(self, window):
        self.window = window
        self.last: tuple | None = None

    def show_words(self, words: str) -> bool:
        """The next card of the conversation shown that holds ``words``, in view, ringed and with the keyboard;
        False where none holds them (a title that matched, a branch not shown)."""
        window = self.window
        found = found_cards(window.transcript.cards, words)
        if not found:
            self.last = None
            return False
        card, start, end = found[self._next_of(found, words)]
        self.last = (window.chat.conversation_id, words, card.message_id)
        window.transcript.hold_for_search()
        # once the cards of a conversation just opened are laid out (the same turn's posted layouts go first)
        QTimer.singleShot(0, window.transcript, lambda: reveal(window, card, start, end))
        return True

    def _next_of(self, found: list, words: str) -> int:
        """The card after the one shown last for these words in this conversation (round to the first)."""
        conversation_id = self.window.chat.conversation_id
        if self.last is None or self.last[:2] != (conversation_id, words):
            return 0
        ids = [card.message_id for card, _start, _end in found]
        return (ids.index(self.last[2]) + 1) % len(found) if self.last[2] in ids else 0


def reveal(window, card, start: int, end: int) -> None:
    """Document positions ``start`` to ``end`` of ``card`` kept in view, ringed for a moment, the card given the
    keyboard and the token they start in shown in the inspector: where Enter on the search found its words, and
    an answer the Fine-tune tab's ratings that disagree point at (gui/answer_reveal.py)."""
    transcript = window.transcript
    if card not in transcript.cards:  # gone meanwhile (another conversation, a branch switch)
        return
    view = card.view
    # kept in view as the cards lay out (a conversation just opened: its cards grow to their text after this)
    transcript.keep_in_view(card, lambda: bring_into_view(transcript, card, start, end))
    view.flash(start, end, QColor(colors(is_dark())["accent"]).getRgb()[:3])
    view.setFocus()
    index = view.index_at_position(start)
    if index >= 0:  # an answer's tokens: the one the words start in, in the inspector, as Right would show it
        view.choose_token(index)


def bring_into_view(transcript, card, start: int, end: int) -> None:
    """The card whole where it fits (its "You" line above the words), else the words with room around them."""
    from desktop_app.gui.explain_reveal import MARGIN_PX
    from desktop_app.gui.token_marks import span_rects

    transcript.ensureWidgetVisible(card, 0, 16)
    rects = span_rects(card.view, start, end)
    if rects:
        inner, port = transcript.widget(), card.view.viewport()
        bottom = port.mapTo(inner, rects[-1].bottomRight().toPoint())
        top = port.mapTo(inner, rects[0].topLeft().toPoint())
        transcript.ensureVisible(bottom.x(), bottom.y(), MARGIN_PX, MARGIN_PX)
        transcript.ensureVisible(top.x(), top.y(), MARGIN_PX, MARGIN_PX)
