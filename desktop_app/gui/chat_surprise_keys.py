"""F3 / Shift+F3 in Chat: the answer in hand's next / previous surprising token, ringed and shown in the
inspector, as the Text tab's keys walk its Surprises list (usertest45: a researcher pressed F3 on an answer
and nothing happened; a chat answer had no way to its least likely tokens but reading every colour). The
ranking is the Text tab's (``core.surprises``, least likely first); an answer's few dozen tokens rank in
microseconds, so it runs on the window's thread. The answer's surprises are listed too, at the Token inspector's
foot, in the Text tab's own list (``ChatSurpriseList``: text_surprises.SurprisePanel, its least-likely order alone:
the passages known by heart are a long text's), for the answer whose token it shows (session 62: F3 walked them
one by one with no list to read them from)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel

from desktop_app.core.surprises import find_surprises, in_text_order, step
from desktop_app.gui.answer_keys import SAID_MS, answer_in_hand
from desktop_app.gui.surprise_words import CHAT_KEYS_NOTHING, chat_jump_words, chat_list_words
from desktop_app.gui.text_surprises import SurprisePanel
from desktop_app.gui.wheel_guard import wheel_after_click


def bind(window, chat_page) -> None:
    """The keys on the chat page only: the Text tab's own F3 holds inside its view, and two shortcuts of one
    key live at once would each be ambiguous and neither fire."""
    for keys, forward in (("F3", True), ("Shift+F3", False)):
        shortcut = QShortcut(QKeySequence(keys), chat_page, lambda f=forward: jump(window, forward=f))
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)


def jump(window, forward: bool = True) -> int | None:
    """The next (``forward``) or previous surprise from the ringed token of the answer in hand, wrapping round;
    the token it went to, or None (the status bar says why)."""
    card = answer_in_hand(window)
    records = card.view.records if card is not None and card.message is not None else []
    surprises = find_surprises(records)
    if not surprises:
        window.statusBar().showMessage(CHAT_KEYS_NOTHING, SAID_MS)
        return None
    current = card.view.selected if window.cards.selected is card else -1
    target = step(in_text_order(surprises), current, forward)
    card.view.choose_token(target)  # ringed, and the inspector told, as a click does
    place = next(n for n, s in enumerate(surprises, 1) if s.index == target)
    window.statusBar().showMessage(chat_jump_words(surprises[place - 1], place, len(surprises)), SAID_MS)
    return target


class ChatSurpriseList:
    """The answer's surprises at the Token inspector's foot: a row (a click, Enter) rings its token and shows it in
    the inspector, as F3 does; Previous / Next are F3's. Filled for the answer of the token shown, anew when its
    records change (a longer answer as it is written); hidden for a prompt's token, the Text tab's or none."""

    def __init__(self, window):
        self.window = window
        self.panel = SurprisePanel(window.inspector)
        self.panel.order.hide()  # least likely first only: "Known by heart" reads a long text on the store lane
        self.panel.layout().setContentsMargins(0, 6, 0, 2)  # the inspector's own margins hold it
        # in the inspector's 300 px the words around a token are cut (their tooltip says them whole): a sideways
        # scroll bar had taken the height of a row, the list's last row hidden under it (seen at 1024x600)
        self.panel.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        wheel_after_click(self.panel)  # in the inspector's scroll area: its order box must not take the wheel in passing
        # arrows alone (their tooltips and accessible names keep the words), and no title over "This answer's 5 least
        # likely tokens": "SURPRISES", "◀ Previous" and "Next ▶" in a row held the inspector 285 px wide in the 186 px
        # of a 480 px screen's panel, its buttons cut at its edge
        self.panel.previous_button.setText("\u25c0")
        self.panel.next_button.setText("\u25b6")
        self.panel.findChild(QLabel, "PanelTitle").hide()
        self.shown: tuple | None = None  # (the card, its records) the list was filled from
        window.inspector.add_section(self.panel)
        window.inspector.emptied.connect(self.panel.hide)
        self.panel.previous_button.clicked.connect(lambda: jump(window, forward=False))
        self.panel.next_button.clicked.connect(lambda: jump(window, forward=True))
        self.panel.list.itemClicked.connect(lambda item, _column: self._row_chosen(item))
        self.panel.list.itemActivated.connect(lambda item, _column: self._row_chosen(item))

    def show_for(self, card, index: int) -> None:
        """The inspector shows token ``index`` of ``card``: its answer's surprises listed, that token's row current."""
        records = card.view.records if card.role == "assistant" and card.message is not None else []
        surprises = find_surprises(records)
        if not surprises:
            self.shown = None
            self.panel.hide()
            return
        if self.shown != (card, records):
            self.shown = (card, records)
            self.panel.show_rows(surprises, records)
            self.panel.words.setText(chat_list_words(len(surprises)))
        self.panel.show()
        self.panel.select_place(index)

    def _row_chosen(self, item) -> None:
        card = self.shown[0] if self.shown is not None else None
        if item is not None and card is not None:
            card.view.choose_token(item.data(0, Qt.ItemDataRole.UserRole))  # ringed, and the inspector told
