"""F3 / Shift+F3 in Chat: the answer in hand's next / previous surprising token, ringed and shown in the
inspector, as the Text tab's keys walk its Surprises list (usertest45: a researcher pressed F3 on an answer
and nothing happened; a chat answer had no way to its least likely tokens but reading every colour). The
ranking is the Text tab's (``core.surprises``, least likely first); an answer's few dozen tokens rank in
microseconds, so it runs on the window's thread."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut

from desktop_app.core.surprises import find_surprises, in_text_order, step
from desktop_app.gui.answer_keys import SAID_MS, answer_in_hand
from desktop_app.gui.surprise_words import CHAT_KEYS_NOTHING, chat_jump_words


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
