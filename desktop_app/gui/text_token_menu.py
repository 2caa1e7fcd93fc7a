"""The Text heatmap's right-click menu and rating keys: rate a token a continuation wrote, as a right-click
or + / − / 0 do on a chat answer (the inspector's good/bad do the same); a token the person wrote, or one of a
continuation edited since, says why it cannot be rated; a text deleted in this session can be brought back. Copy
and Select all stay.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QMenu

from desktop_app.core.token_words import token_label
from desktop_app.gui.ratings import BAD_KEYS, CLEAR_KEYS, GOOD_KEYS
from desktop_app.gui.theme import icon
from desktop_app.gui.token_view import finish_token_menu

YOURS = "You wrote this token: only the model's tokens can be rated"
EDITED = "Edited since the model wrote it: only the tokens before your edit can be rated"
# the keys rate with Shift (a "+" on most layouts) or on the keypad; Ctrl or Alt make them another shortcut
PLAIN_KEYS = Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier


def key_rating(key) -> tuple[bool, int | None]:
    """(whether ``key`` rates a token, the rating it gives: 1, -1, or None to clear it)."""
    if key in GOOD_KEYS:
        return True, 1
    if key in BAD_KEYS:
        return True, -1
    return key in CLEAR_KEYS, None


class TextTokenMenu(QObject):
    """Attributes:
        mode: the TextMode (its heatmap, the rated tokens, rate_token).
        last: the menu shown last (tests read it).
    """

    def __init__(self, mode):
        super().__init__(mode.view.heatmap)
        self.mode = mode
        self.last: QMenu | None = None
        heatmap = mode.view.heatmap
        heatmap.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        heatmap.customContextMenuRequested.connect(self.show)
        heatmap.installEventFilter(self)  # the menu shows + / − / 0: they rate here as on a chat answer

    def eventFilter(self, watched, event) -> bool:
        """+ / − / 0 rate the chosen token, as the menu says and as on a chat answer (usertest55: in the Text
        tab they did nothing, the menu showing them); on a token that cannot be rated the status bar says why."""
        if event.type() != QEvent.Type.KeyPress or event.modifiers() & ~PLAIN_KEYS:
            return False
        rates, value = key_rating(event.key())
        index = self.mode.view.heatmap.selected
        if not rates or not 0 <= index < len(self.mode.view.heatmap.records):
            return False
        if self.mode.rated_token(index) is None:
            self.mode.window.statusBar().showMessage(self.why_not_rated(index), 8000)
            return True
        self._rate(index, value)
        return True

    def why_not_rated(self, index: int) -> str:
        """Why token ``index`` cannot be rated: the person wrote it, or its continuation was edited since."""
        return EDITED if self.mode.in_edited_continuation(index) else YOURS

    def show(self, pos) -> None:
        heatmap = self.mode.view.heatmap
        index = heatmap.index_at(pos)
        menu = QMenu(heatmap)
        if 0 <= index < len(heatmap.records):
            heatmap.choose_token(index)
            self._rating_actions(menu, index)
            menu.addSeparator()
        if self.mode.undo.add_bring_back(menu):  # a text deleted just now: the coloured text's menu brings it back
            menu.addSeparator()
        self.last = finish_token_menu(menu, heatmap, pos)

    def _rating_actions(self, menu: QMenu, index: int) -> None:
        mode = self.mode
        if mode.rated_token(index) is None:
            menu.addAction(self.why_not_rated(index)).setEnabled(False)
            return
        label = token_label(mode.view.heatmap.records[index].text)[:24]
        current = mode.rated_values().get(index)
        # the keys after a tab, as the chat's token menu shows them (text67: they were not shown here)
        for value, name, words in ((1, "thumb-up", "is good\t+"), (-1, "thumb-down", "is bad\t\u2212")):
            action = menu.addAction(icon(name), f"\u201c{label}\u201d {words}")
            action.setCheckable(True)
            action.setChecked(current == value)
            action.triggered.connect(lambda _checked=False, v=value: self._rate(index, v))
        clear = menu.addAction("Clear the token's rating\t0")
        clear.setEnabled(current is not None)
        clear.triggered.connect(lambda: self._rate(index, None))

    def _rate(self, index: int, value) -> None:
        self.mode.rate_token(index, value)
        self.mode.show_token(index, self.mode.view.heatmap.records[index])
        self.mode.window.inspector.set_token_rating(value)  # the store writes it a moment later
