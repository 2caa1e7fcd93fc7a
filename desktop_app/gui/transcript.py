"""The transcript: the shown thread's MessageCards (gui/message_card.py) in a list that keeps to the
bottom while an answer streams and holds its place when the cards below change; the welcome when
there is no card."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from desktop_app.gui.message_card import MessageCard
from desktop_app.gui.theme import styled_label

CHAT_NAME = "Chat"  # the mode's tab and what a screen reader calls the transcript
ROOMY_MARGINS = (16, 40, 16, 24)
TIGHT_MARGINS = (8, 4, 8, 8)
SHORT_TRANSCRIPT_PX = 360  # below this the welcome text keeps no margin above it
HOW_TO_ASK = ("Type a prompt below and press <b>Enter</b>. The answer streams in token by token, "
              "each token coloured by how sure the model was.")
HOW_TO_LOOK = ("Hover a token for its probability and the alternatives; click it to inspect it and to "
               "branch the answer from a different choice. Everything stays on this computer.")
# the welcome's words, fullest first: a short chat shows the fullest that fits whole (at 800x461 the
# second paragraph's first line showed cut under the edge); the last, none, leaves the title and "Ready"
BODY_FORMS = (f"{HOW_TO_ASK}<br><br>{HOW_TO_LOOK}", HOW_TO_ASK, "Type a prompt below and press <b>Enter</b>.", "")


class EmptyState(QFrame):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("EmptyState")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(*ROOMY_MARGINS)
        layout.setSpacing(10)
        self.title = styled_label("Ask your local model anything", "EmptyTitle", wrap=True)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.title)
        # "Ready: ..." right under the title: a short window still shows it without scrolling
        self.status = QLabel()
        self.status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.body = QLabel(BODY_FORMS[0])
        self.body.setWordWrap(True)
        self.body.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # centred, a wrapped label took its size hint (about 190 px) whatever the room: between
        # two stretches it takes the room there is, up to a readable 500 px
        self.body.setMinimumWidth(200)
        self.body.setMaximumWidth(500)
        row = self.body_row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.body, 100)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(1)
        self.room = QSize(0, 0)  # the viewport's room for it (fit_height), 0: not known yet

    def set_status(self, text: str) -> None:
        """The "Ready: …" line; a longer one may leave room for fewer words."""
        self.status.setText(text)
        self._fit_words()

    def fit_height(self, height: int, room: QSize | None = None) -> None:
        """A short chat area (800x600 with a notice) drops the roomy top margin; one shorter than the
        whole welcome (``room``: the size it has in the transcript) shows fewer of its words, never a line
        cut at the edge."""
        self.layout().setContentsMargins(*(ROOMY_MARGINS if height >= SHORT_TRANSCRIPT_PX else TIGHT_MARGINS))
        if room is not None:
            self.room = room
        self._fit_words()

    def needed_height(self, width: int, words: str) -> int:
        """The px the welcome takes at ``width`` with ``words`` under its title and "Ready" line (shown
        with them: the layout measures, its stretches beside the words included)."""
        self.body.setMinimumHeight(0)
        self.body.setText(words)
        self.body.setVisible(bool(words))
        self.body_row.invalidate()  # (a label's new text marks only the layout it is in, not the row's)
        self.layout().invalidate()
        return self.layout().totalHeightForWidth(width)

    def _fit_words(self) -> None:
        if not self.room.height():
            return
        shown = self.body.text()
        words = next((w for w in BODY_FORMS if self.needed_height(self.room.width(), w) <= self.room.height()),
                     BODY_FORMS[-1])
        self.body.setText(words)
        self.body.setVisible(bool(words))
        self.body.setMinimumHeight(self.body.heightForWidth(self.body.width()) if words else 0)
        if words != shown:
            self.updateGeometry()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        # a wrapped label's height is guessed for its widest form: narrow, it needs more lines
        self.body.setMinimumHeight(self.body.heightForWidth(self.body.width()) if self.body.text() else 0)


def opened_start(tops: list[int], end: int, height: int) -> int:
    """The card an opened conversation shows first: the earliest card from which the rest, to the end,
    fits in ``height``, so the newest answer's end (its "Write a better answer…") is in view: shown from
    its question, at 1024x600 the answer's footer was below the fold (leftovers70). Where even the last
    card is taller, that card from its top: its thumbs are in its header, and shown from its end a person
    who reopened it saw no way to rate it (window74)."""
    return next((index for index, top in enumerate(tops) if end - top <= height), len(tops) - 1)


ROOMY_SIDE_PX, NARROW_SIDE_PX = 24, 8  # the transcript's side margins; a narrow chat keeps its width for the cards
NARROW_TRANSCRIPT_PX = 480


class TranscriptView(QScrollArea):
    """A vertical list of MessageCards that keeps to the bottom while an answer streams.

    Attributes:
        cards: the cards shown, top to bottom.
        empty: what shows when there is no card.
        _follow: whether new text scrolls into view (off once the person scrolls up).
        room: blank height under the last card, kept while a branch switch ends the chat sooner
            than the view's place (``hold_position``), so what is on screen does not slide down."""

    overlay_changed = Signal()  # a card's overlay was painted or cleared, or a card that had one went

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("Transcript")
        self.setAccessibleName(CHAT_NAME)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget()
        inner.setObjectName("TranscriptInner")
        self.layout_ = QVBoxLayout(inner)
        self.layout_.setContentsMargins(ROOMY_SIDE_PX, 16, ROOMY_SIDE_PX, 24)
        self.layout_.setSpacing(12)
        self.empty = EmptyState()
        self.layout_.addWidget(self.empty)
        self.layout_.addStretch(1)
        self.room = QWidget()
        self.room.setFixedHeight(0)
        self.layout_.addWidget(self.room)
        self.setWidget(inner)
        self.cards: list[MessageCard] = []
        self._follow = True
        self._held: int | None = None  # the scroll value a branch switch keeps
        self._opening = False  # a conversation just opened: its place is kept as it lays out (show_opened)
        self._placed: int | None = None  # the scroll value show_opened set last
        self._answering: MessageCard | None = None  # the question whose answer streams (follow_answer)
        self._anchor: tuple[MessageCard, int] | None = None  # the card kept at the view's top as cards reflow
        self._anchored: int | None = None  # the scroll value the anchor set last
        self._found: tuple | None = None  # (card, place): a card the search found, kept in view (keep_in_view)
        self.verticalScrollBar().actionTriggered.connect(self._person_scrolled)  # wheel, keys, the bar; not setValue
        self.verticalScrollBar().rangeChanged.connect(self._range_changed)
        self.verticalScrollBar().valueChanged.connect(self._scrolled)

    def clear(self) -> None:
        painted = self.overlaid()
        for card in self.cards:
            card.setParent(None)
            card.deleteLater()
        self.cards = []
        self.empty.show()
        self._follow = True
        self._drop_room()
        if painted:
            self.overlay_changed.emit()

    def add_card(self, card: MessageCard) -> MessageCard:
        self.empty.hide()
        self.layout_.insertWidget(self.layout_.count() - 2, card)  # before the stretch and the room
        self.cards.append(card)
        card.view.overlay_changed.connect(self.overlay_changed)
        return card

    def remove_card(self, card: MessageCard) -> None:
        if card in self.cards:
            self.cards.remove(card)
            card.setParent(None)
            card.deleteLater()
            if card.view.overlay is not None:
                self.overlay_changed.emit()
        self.empty.setVisible(not self.cards)

    def overlaid(self) -> bool:
        """Whether a card shows an overlay (the attribution) instead of its measure's colours."""
        return any(card.view.overlay is not None for card in self.cards)

    def scroll_to_bottom(self) -> None:
        self._follow = True
        self._drop_room()  # the end is the last card's, not blank room
        QTimer.singleShot(0, self, lambda: self.verticalScrollBar().setValue(self._end_value(self.verticalScrollBar().maximum())))

    def follow_answer(self, question: MessageCard | None) -> None:
        """An answer starts under ``question``: the view follows its end, but never past the question's top.
        Once the two are taller than the view, the question's top stays at the view's top and the answer goes
        on below (while it is written): followed to its end, an answer 40 px taller than the view cut the
        question's "You" line (27 px). A scroll of the person's own lifts the limit; a side panel hidden or
        shown does not (``keep_place_through_reflow``)."""
        self.scroll_to_bottom()
        self._answering = question

    def _end_value(self, high: int) -> int:
        """The scroll value that shows the end (``high``); while an answer streams, not past its question."""
        question = self._answering
        if question is None or question not in self.cards:
            return high
        gap = self.layout_.contentsMargins().top() if question is self.cards[0] else self.layout_.spacing()
        return max(0, min(high, self._top(question) - gap))

    def show_end_of(self, card) -> None:
        """The view ends at ``card``'s end, once laid out (an answer gone on mid-conversation), and stays
        there as the cards below it come back (``_follow`` off)."""
        self._follow = False
        self._drop_room()

        def place() -> None:
            bottom = card.mapTo(self.widget(), QPoint(0, card.height())).y()
            self.verticalScrollBar().setValue(max(0, bottom + 16 - self.viewport().height()))
        QTimer.singleShot(0, self, place)  # the call goes with the view (a closure has no receiver of its own)

    def show_opened(self) -> None:
        """A conversation just opened (from the list, at start, imported): the view starts at the top of a
        card, never inside one, and ends at the newest answer's end, its footer in view (``opened_start``); a
        newest answer taller than the view shows from its top, its thumbs and first words. Scrolled to the bare
        end, as it once was, the top card was cut mid-way (user test); from the newest question, the answer's
        footer fell below the fold at 1024x600 (leftovers70). The place is found again as the cards lay out,
        until the person scrolls (a range cut short under it is no scroll: ``_clamped``)."""
        self._drop_room()
        self._opening = True
        self._placed = None
        self._follow = False
        QTimer.singleShot(0, self, self._place_opened)

    def _place_opened(self) -> None:
        if not self._opening or not self.cards:
            return
        tops = [self._top(card) for card in self.cards]
        margins = self.layout_.contentsMargins()
        end = tops[-1] + self.cards[-1].height() + margins.bottom()
        first = opened_start(tops, end, self.viewport().height() - margins.top())
        gap = margins.top() if first == 0 else self.layout_.spacing()  # none of the card above shows
        value = max(0, tops[first] - gap)
        bar = self.verticalScrollBar()
        room = max(0, value - (bar.maximum() - self.room.height()))  # blank under the last card: the end comes sooner
        if room != self.room.height():
            self.room.setFixedHeight(room)  # the range changes on the next layout, and this runs again
        elif bar.value() != value:
            self._placed = value
            bar.setValue(value)
            self._follow = False  # (at the end too: growing cards below do not take the view down)

    def hold_position(self) -> None:
        """Cards changed below the top of the view: what is on screen stays where it is, even at
        the end (where the view would follow the new cards down), and where the chat now ends
        sooner than the view's place (‹ › to a branch with fewer turns after it), blank room under
        the last card keeps it there: the view had slid down to its new end, moving the card under
        the pointer, and the next click on its arrows missed (user test 15)."""
        self._follow = False
        self._opening = False
        self._answering = None
        self._anchor = None
        self._held = self.verticalScrollBar().value()

    def _person_scrolled(self, _action: int) -> None:
        self._opening = False
        self._found = None
        self._answering = None
        self._anchor = None

    def _drop_room(self) -> None:
        self._held = None
        self._found = None
        self._answering = None
        self._anchor = None
        self._opening = False  # any other place asked for (the end, an answer's end, a place held) replaces it
        if self.room.height():
            self.room.setFixedHeight(0)

    def _keep_held(self, high: int) -> bool:
        """After a branch switch: room enough for the place held, then the place (True: handled)."""
        held = self._held
        if held is None:
            return False
        if high < held:
            self.room.setFixedHeight(self.room.height() + held - high)  # the range grows on the next layout
            return True
        self._held = None
        self.verticalScrollBar().setValue(held)
        return True

    def _scrolled(self, value: int) -> None:
        bar = self.verticalScrollBar()
        if self._opening and self._placed is not None and value != self._placed and not self._clamped(value, self._placed):
            self._opening = False  # moved since, to a card the keyboard reached: that place stays
        if self._held is not None:
            if self._clamped(value, self._held):
                return  # the range shrank under the place held, which comes back with the room
            self._held = None  # scrolled: that is the place now
        if self._anchor is not None and value not in (self._anchored, bar.maximum()):
            self._anchor = None  # moved since (a card the keyboard reached), not merely held by a shorter range
        if self.room.height() and value <= bar.maximum() - self.room.height():
            self.room.setFixedHeight(0)  # scrolled up past it: the blank room under the last card goes
        self._follow = value >= bar.maximum() - 8
        # the cards moved under a still pointer: the token under it, if any, is another; the card left
        # tells first, so that its "none" does not clear the card now under the pointer
        under = [(card.view, card.view.pointer_index()) for card in self.cards]
        for view, index in sorted(under, key=lambda pair: pair[1] >= 0):
            view.hover(index)

    def _clamped(self, value: int, wanted: int) -> bool:
        """Whether ``value`` is only the scroll bar's range cut short under the place ``wanted``: no move of
        anyone's. At a restart the window grew to its saved size after the opened place was set; the shorter
        range took that place down and, counted as a move, kept it: the card above showed 25 px of its foot
        at 1366x768 (window74)."""
        return value == self.verticalScrollBar().maximum() and value < wanted

    def _range_changed(self, _low: int, high: int) -> None:
        if not self.cards:  # the welcome text reads from its title, not from its end
            self.verticalScrollBar().setValue(0)
        elif self._found is not None:
            self._keep_found()
        elif self._opening:
            self._place_opened()
        elif self._keep_held(high):
            pass
        elif self._anchor is not None:
            self._keep_anchor()
        elif self._follow and not self._pointer_on_tools():
            self.verticalScrollBar().setValue(self._end_value(high))

    def _pointer_on_tools(self) -> bool:
        """Whether the pointer rests on the newest card's header tools (its thumbs, arrows): the view does not follow
        the answer's end meanwhile, and goes on at the next growth after the pointer leaves. Followed line by line,
        the streaming card's 👍 slid up from under the pointer and the click missed it (walk70). The newest card's
        only: a pointer left resting elsewhere does not keep a streaming answer out of view."""
        if not self.cards:
            return False
        tools = self.cards[-1].tools
        under = QApplication.widgetAt(QCursor.pos())  # the pointer's place, not enter events: the cards move under it
        return under is not None and (under is tools or tools.isAncestorOf(under))

    def _keep_found(self) -> None:
        card, place = self._found
        if card in self.cards:
            place()
        else:
            self._found = None

    def keep_place_through_reflow(self, streaming: bool = False) -> None:
        """The cards are about to reflow to a new width (a side panel hidden or shown: Ctrl+B, Ctrl+Shift+B): a
        view that shows the newest card's end stays at the end; one scrolled elsewhere keeps the card at its top
        where it was. Left at its scroll value, the view cut the newest answer's end at the bottom, or kept the
        blank room an opened conversation's place had added under it (panels72). Not on every width change: the
        scroll bar's coming as a conversation opens or an answer grows is the opened place's and the stream's.
        ``streaming``: an answer is being written, whose question's top stays the limit."""
        if not self.cards or self._held is not None:
            return
        last = self.cards[-1]
        if last.mapTo(self.viewport(), QPoint(0, last.height())).y() <= self.viewport().height():
            # the end, not the opened place (that blank room would now be under it); an answer being written
            # keeps its question's top as the limit: lifted, the answer went on past it (window74). A finished
            # one's is not put back: the view at its true end went up to that question's top (ux12's test)
            self.follow_answer(self._answering if streaming else None)
        else:
            self._opening = False
            value = self.verticalScrollBar().value()
            tops = [(card, self._top(card)) for card in self.cards]
            card, top = next(((c, t) for c, t in tops if t + c.height() > value), tops[-1])
            self._anchor = (card, value - top)
            self._follow = False
            QTimer.singleShot(0, self, self._keep_anchor)

    def _keep_place_through_resize(self) -> None:
        """The window resized (1280x800 to 1024x640): a view scrolled up keeps the card at its top, as through a
        side panel's toggle; left at its scroll value, it showed an earlier answer as the cards grew taller (walk70).
        A view that follows the end follows it already; an opened conversation's place and a found card keep theirs.
        Only the area's own width: a scroll bar's coming narrows the viewport alone."""
        if self._follow or self._opening or self._found is not None:
            return
        chat = getattr(self.window(), "chat", None)
        self.keep_place_through_reflow(streaming=bool(chat is not None and chat.generating))

    def hold_for_search(self) -> None:
        """Words searched for are about to be shown (gui/chat_search.py): no other place is kept meanwhile, not the
        opened conversation's end, which would take the view back down as its cards lay out."""
        self._drop_room()
        self._follow = False

    def keep_in_view(self, card, place) -> None:
        """``place()`` brings ``card`` into view now and again whenever the cards' height changes, until the person
        scrolls or another place is asked for: a conversation just opened lays its cards out after this, each
        growing to its text, and the card found went down out of view (leftovers85)."""
        self._found = (card, place)
        self._follow = False
        place()

    def _top(self, card: QWidget) -> int:
        """``card``'s top in the scrolled content, the scroll bar's units."""
        return card.mapTo(self.widget(), QPoint(0, 0)).y()

    def _keep_anchor(self) -> None:
        """The anchored card back where it was at the view's top (``keep_place_through_reflow``)."""
        if self._anchor is None:
            return
        card, offset = self._anchor
        if card not in self.cards:
            self._anchor = None
            return
        top = self._top(card)
        self._anchored = max(0, top + min(offset, card.height() - 1))
        self.verticalScrollBar().setValue(self._anchored)

    def resizeEvent(self, event) -> None:
        if event.oldSize().width() > 0 and event.oldSize().width() != event.size().width():
            self._keep_place_through_resize()  # before the cards reflow (the base class resizes them)
        super().resizeEvent(event)
        side = NARROW_SIDE_PX if self.viewport().width() < NARROW_TRANSCRIPT_PX else ROOMY_SIDE_PX
        self.layout_.setContentsMargins(side, 16, side, 24)
        port = self.viewport().size()
        # its room: the viewport less the margins and the gap to the blank room under it
        self.empty.fit_height(port.height(), QSize(port.width() - 2 * side, port.height() - 16 - 24 - self.layout_.spacing()))
        for card in self.cards:  # their headers' least widths follow the transcript's width
            card.fit_header()
