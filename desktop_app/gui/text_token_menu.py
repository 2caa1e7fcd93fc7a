"""The Text heatmap's right-click menu: rate a token a continuation wrote, as a right-click does
on a chat answer (the inspector's good/bad do the same); a token the person wrote says why it
cannot be rated; a text deleted in this session can be brought back. Copy and Select all stay.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu

from desktop_app.core.token_words import token_label
from desktop_app.gui.theme import icon
from desktop_app.gui.token_view import finish_token_menu

YOURS = "You wrote this token: only the model's tokens can be rated"


class TextTokenMenu:
    """Attributes:
        mode: the TextMode (its heatmap, the rated tokens, rate_token).
        last: the menu shown last (tests read it).
    """

    def __init__(self, mode):
        self.mode = mode
        self.last: QMenu | None = None
        heatmap = mode.view.heatmap
        heatmap.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        heatmap.customContextMenuRequested.connect(self.show)

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
            menu.addAction(YOURS).setEnabled(False)
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
