"""The view toolbar: show or hide each side panel (a toggle and a shortcut each), remembered
between starts, so the chat can have the whole window."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QHBoxLayout, QSizePolicy, QSplitter, QToolBar, QToolButton, QWidget

from desktop_app.gui.focus_order import make_tab_stop
from desktop_app.gui.off_words import panel_toggle_tip
from desktop_app.gui.theme import icon, icon_px

# window attribute, words, icon, shortcut
PANELS = (("conversations", "Conversations", "sidebar-left", "Ctrl+B"),
          ("side_tabs", "Token and fine-tune panel", "sidebar-right", "Ctrl+Shift+B"))


def build_view_toolbar(window) -> QToolBar:
    """Adds the toolbar to ``window`` and ``window.panel_actions``: attribute -> checkable QAction."""
    bar = QToolBar("View", window)
    bar.setObjectName("ViewToolBar")
    bar.setMovable(False)
    bar.setFloatable(False)
    bar.setContextMenuPolicy(Qt.ContextMenuPolicy.PreventContextMenu)  # no way to lose the toolbar itself
    bar.setIconSize(QSize(icon_px(18), icon_px(18)))  # grown with a large application font
    bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
    window.panel_actions = {}
    for attr, words, icon_name, keys in PANELS:
        action = QAction(icon(icon_name), words, window)
        action.setCheckable(True)
        action.setChecked(True)
        action.setShortcut(QKeySequence(keys))
        action.setToolTip(panel_toggle_tip(words, QKeySequence(keys).toString(), away=False))
        action.toggled.connect(lambda _on, a=attr: panel_toggled(window, a))
        window.panel_actions[attr] = action
    spacer = QWidget()
    spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    QHBoxLayout(spacer).setContentsMargins(0, 0, 0, 0)
    window.legend_slot = spacer  # a short window's colour key sits here (gui/short_window.py)
    bar.addAction(window.panel_actions["conversations"])
    bar.addWidget(spacer)
    bar.addAction(window.panel_actions["side_tabs"])
    # a toolbar takes its buttons out of the Tab order: keyboard users reach the toggles too
    make_tab_stop(*(bar.widgetForAction(a) for a in window.panel_actions.values()))
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
    _mark_overflow(bar)
    window.panel_fitter = PanelFitter(window)
    return bar


# the toolbar's button for what does not fit it (Qt's "extension"): under the style sheet it showed blank, a narrow
# empty frame at the window's edge, and at 320 px wide Help and the panel toggle were behind it unseen (usertest35)
OVERFLOW_TIP = "More: what does not fit this narrow window (the colour key, Help, the panel toggle)"


def _mark_overflow(bar: QToolBar) -> None:
    more = bar.findChild(QToolButton, "qt_toolbar_ext_button")
    if more is not None:
        more.setIcon(icon("more"))
        more.setIconSize(QSize(12, 12))  # the toolbar keeps it this narrow (QStyle.PM_ToolBarExtensionExtent)
        more.setToolTip(OVERFLOW_TIP)
        more.setAccessibleName("More")


CHAT_WIDTH = 420  # the chat is what the window is for: side panels give way down to their minimum first
# the Text tab's text beside (or over) its branches wants more: at 800x600 the inspector had 42% of the
# window and the text 459 px (text58); the side panel gives way to its minimum for it, but never folds for it
TEXT_WIDTH = 560
# a window narrower than this gives the Token inspector in the Text tab its narrow form's width (INSPECTOR_LEAST)
# instead of its 340 px: at 1024x600 the panel took a third of the window and left the text 390 px (textfold77). It
# keeps that width when a token is inspected: widening then moved the text and its buttons 100 px under the pointer,
# and a click meant for New pressed Edit (usertest55). The default first window on a 1280x800 screen (1088 px) is left
# as it was: its text is 450 px, ~60 characters a line. Folding the panel gave the text more, but a token's click
# then moved the whole text under the pointer, and at 800x600 the Surprises list's layout depends on the panel
TEXT_NARROWS_INSPECTOR_BELOW = 1088
ROOM_TO_RETURN = 40  # px beyond what a panel needs before a folded one comes back (no flicker at the edge)
PANEL_WIDTHS = {0: 220, 2: 340}  # splitter index -> the width a panel gets when there is room
FOLD_ORDER = ("conversations", "side_tabs")  # the list folds first: the inspector answers token clicks
CHAT_INDEX = 1  # the splitter's middle widget: the chat (or the Text tab)
SIDE_LEAST = 280  # the fine-tune panel (and its scroll bar) fits; the window still fits 800 px
# the Token tab's own least: the inspector has a narrow form (rows stacked, values wrapped) under 250 px. Held to the
# fine-tune panel's 280 px, a token's click in a 640 px Text tab (its least 386 px) widened the window to 667 px
INSPECTOR_LEAST = 240
# on a screen narrower than the chat's least width beside SIDE_LEAST (480 or 560 px wide) the panel takes
# what the screen leaves, down to this: at 480 px the inspector shown by a token click ran off the screen's edge
SIDE_FLOOR = 200


class PanelSplitter(QSplitter):
    """The window's splitter: its least width is the middle column's alone. The side panels fold
    away when the window narrows (PanelFitter), so their minimums must not set the window's: with
    them counted (185 + 280 px beside the chat's) a window manager refused a 1280 px window any size
    under 795 px, so it could not be tiled to half a 1280 px screen nor made 640 px wide at once."""

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        middle = self.widget(CHAT_INDEX)
        if middle is None:
            return hint
        least = middle.minimumSizeHint().expandedTo(middle.minimumSize()).width()
        return QSize(least, hint.height())


HIDDEN_SAY_MS = 10_000


def hidden_words(attr: str) -> str:
    """What the status bar says when the person hides a panel: it stays hidden, and how it comes back."""
    _attr, words, _icon, keys = next(p for p in PANELS if p[0] == attr)
    stays = "stay" if words.endswith("s") else "stays"
    return f"{words} {stays} hidden, even in a wider window, until {QKeySequence(keys).toString()}"


class PanelFitter(QObject):
    """Lays the side panels out for the window's width, from the widths the person gave them
    (220 and 340 until they drag a splitter handle), not from whatever a narrower window left:
    a panel gives width to the chat down to its minimum (the inspector side first); when that
    is not enough, the window folds a panel away by itself (``folded``), and unfolds it once
    the window is wide enough again. The person's own choice (the toolbar, the shortcuts, a
    token click that reveals the inspector) is never overridden, and is what is saved."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.widths = dict(PANEL_WIDTHS)
        self.folded: set[str] = set()  # panels this fitter hid (the person wants them shown)
        self.not_here: set[str] = set()  # panels the mode in front has no use for (Text: the conversations)
        self.last_width = 0
        self.asked: str | None = None  # the panel the person asked for last (a toggle, a token click)
        self.shown_by_hand: set[str] = set()  # panels shown with their toggle: at their own width, never narrowed
        self._fitting = False
        self.chat_least = 0  # the chat's least width when last fitted: a notice shown later widens it
        window.installEventFilter(self)
        window.splitter.widget(CHAT_INDEX).installEventFilter(self)
        window.splitter.splitterMoved.connect(self._dragged)
        # the Fine-tune tab wants more width than the inspector: fitted again for the tab brought to the front
        window.side_tabs.currentChanged.connect(lambda _index: self.fit_soon())
        # an emptied Token inspector is fitted again (inspector_gives_way): after New text it had kept its
        # 340 px beside nothing at 1024 px until the next resize (session 62)
        window.inspector.emptied.connect(self.fit_soon)
        for attr, action in window.panel_actions.items():
            action.triggered.connect(lambda _on, a=attr: self.chose(a))

    def eventFilter(self, watched, event) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Resize:
            self.fit_soon()  # once the splitter has its new width
        elif event.type() == QEvent.Type.LayoutRequest and self._chat_least() != self.chat_least:
            # the chat asks more width (the model's notice, shown after the first fit): on a 560 px screen the
            # side panel kept the width the chat had left it before, and the notice's link was cut
            self.fit_soon()
        return False

    def fit_soon(self) -> None:
        """``fit`` once the events queued now are handled (the splitter's new width). With the fitter (so the
        window) as the call's context: a fit still queued when the window is deleted goes with it, where a bare
        single shot had called fit on the deleted splitter. Queued as a posted call, each where it was asked:
        a timer of the fitter's own ran its one fit after calls queued later (Ctrl+H's scroll to the history
        then scrolled before the panel had its width)."""
        QTimer.singleShot(0, self, self.fit)

    def take_ask(self, attr: str) -> None:
        """The person showed or hid ``attr`` themselves (a toggle, a shortcut, a token click): theirs from now on,
        made room for (_make_room), never folded for room."""
        self.asked = attr
        self.folded.discard(attr)
        if self.window.panel_actions[attr].isChecked():
            # asked at this width: a narrowing's fit still queued must not take the ask for part of the narrowing
            # and fold the panel again (a token click on a 480 px screen under load showed the inspector, then
            # took it away)
            self.last_width = self.window.splitter.width()

    def chose(self, attr: str) -> None:
        """The person showed or hid ``attr`` with its toggle or shortcut."""
        self.take_ask(attr)
        shown = self.window.panel_actions[attr].isChecked()
        (self.shown_by_hand.add if shown else self.shown_by_hand.discard)(attr)
        bar = self.window.statusBar()
        if not shown:
            # the fold that had brought it back when the window widened is off for it now; said,
            # or the panel seemed to be gone for good (usertest 9)
            bar.showMessage(hidden_words(attr), HIDDEN_SAY_MS)
        elif bar.currentMessage() == hidden_words(attr):
            bar.clearMessage()  # shown again: "stays hidden" was no longer true for its ten seconds
        self.fit_soon()

    def _dragged(self, _pos: int, _index: int) -> None:
        if not self._fitting:
            sizes = self.window.splitter.sizes()
            self.widths.update({i: sizes[i] for i in PANEL_WIDTHS if sizes[i] > 0})

    def _panel(self, attr: str) -> QWidget:
        return getattr(self.window, attr)

    def _fit_side_least(self) -> None:
        """The side panel's least width: its tab in front's (INSPECTOR_LEAST, SIDE_LEAST), or what the screen leaves
        beside the chat's least width where it is narrower than both together (never under SIDE_FLOOR), so a panel the person asks for fits
        on the screen beside the chat instead of running off its edge."""
        self.chat_least = self._chat_least()
        leaves = self._screen_room().width() - self.chat_least - self.window.splitter.handleWidth()
        least = max(SIDE_FLOOR, min(self._side_tab_least(), leaves))
        if self.window.side_tabs.minimumWidth() != least:
            self.window.side_tabs.setMinimumWidth(least)
            self.widths[2] = max(self.widths[2], least)

    def _side_tab_least(self) -> int:
        """The least width of the side panel's tab in front: the inspector's, or the fine-tune panel's."""
        side = self.window.side_tabs
        return INSPECTOR_LEAST if side.currentWidget() is getattr(self.window, "inspector", None) else SIDE_LEAST

    def _chat_least(self) -> int:
        return self.window.splitter.minimumSizeHint().width()

    def _needs(self, shown: list[str], chat: int = CHAT_WIDTH) -> int:
        """The splitter's width for the ``shown`` panels at their minimum beside ``chat`` px of chat
        (or what the chat's own parts need, if more)."""
        handle = self.window.splitter.handleWidth()
        return max(chat, self._chat_least()) + sum(self._panel(a).minimumWidth() + handle for a in shown)

    def _make_room(self, shown: list[str]) -> None:
        """A panel the person showed in a window without room for it widens the window as far as the
        chat's least width beside it asks, as the layout did while the panels' minimums counted in the
        splitter's: squeezed instead, a panel was cut off at the window's edge. Never past the screen:
        the other panel folds first (a token click on a 680 px screen widened the window to 756 px,
        its right part off the screen: leftovers61)."""
        lacking = self._needs(shown, chat=0) - self.window.splitter.width()
        if lacking <= 0:
            return
        room = self._screen_room()
        for attr in FOLD_ORDER:
            if self.window.width() + lacking <= room.width():
                break
            if attr in shown and attr != self.asked and len(shown) > 1:
                self.folded.add(attr)
                shown.remove(attr)
                self.window.panel_actions[attr].setChecked(False)
                lacking = self._needs(shown, chat=0) - self.window.splitter.width()
        self.window.splitter.setSizes(self._sizes(self.window.splitter.width(), shown))
        if lacking > 0:
            self._widen_within(room, self.window.width() + lacking)

    def _screen_room(self) -> QRect:
        """The screen's free area less the window's frame: the most the window's own geometry may take."""
        screen = self.window.screen() or QApplication.primaryScreen()
        if screen is None:
            return QRect(0, 0, 1 << 20, 1 << 20)
        free, frame, inner = screen.availableGeometry(), self.window.frameGeometry(), self.window.geometry()
        return free.adjusted(inner.left() - frame.left(), inner.top() - frame.top(),
                             inner.right() - frame.right(), inner.bottom() - frame.bottom())

    def _widen_within(self, room: QRect, width: int) -> None:
        """The window ``width`` wide at most as the screen allows, moved left where its right edge would pass it."""
        width = min(width, room.width())
        self.window.resize(width, self.window.height())
        inner = self.window.geometry()
        if inner.left() + width - 1 > room.right():
            self.window.move(self.window.x() - (inner.left() + width - 1 - room.right()), self.window.y())

    def fit(self, refold: bool = False) -> None:
        """``refold``: fold what does not fit as a narrowing window would (a panel back from a
        mode that had no use for it)."""
        splitter = self.window.splitter
        total = splitter.width()
        self._fit_side_least()
        # the first fit too: a window opened small
        narrowing = refold or total < self.last_width or not self.last_width
        self.last_width = total
        shown = [a for a in FOLD_ORDER if self.window.panel_actions[a].isChecked() and a not in self.not_here]
        self._fitting = True
        try:
            for attr in FOLD_ORDER if narrowing else ():
                if attr in shown and self._needs(shown) > total:
                    self.folded.add(attr)
                    shown.remove(attr)
                    self.window.panel_actions[attr].setChecked(False)
            for attr in reversed(FOLD_ORDER):  # the inspector comes back first
                if attr in self.folded and attr not in self.not_here \
                        and self._needs(shown + [attr]) + ROOM_TO_RETURN <= total:
                    self.folded.discard(attr)
                    shown.append(attr)
                    self.window.panel_actions[attr].setChecked(True)
            splitter.setSizes(self._sizes(total, shown))
        finally:
            self._fitting = False
        if not narrowing:
            self._make_room(shown)

    def _middle_width(self) -> int:
        """The width the middle column asks of the side panels: the Text tab's more than the chat's."""
        text_mode = getattr(self.window, "text_mode", None)
        return TEXT_WIDTH if text_mode is not None and text_mode.mode == "text" else CHAT_WIDTH

    def _sizes(self, total: int, shown: list[str]) -> list[int]:
        """Each shown panel at its width, then narrowed (inspector side first) for the chat."""
        index = {"conversations": 0, "side_tabs": 2}
        sizes = [0, 0, 0]
        for attr in shown:
            sizes[index[attr]] = self.widths[index[attr]]
        if "side_tabs" in shown and self.inspector_gives_way():
            sizes[2] = min(sizes[2], self.window.side_tabs.minimumWidth())
        handles = self.window.splitter.handleWidth() * len(shown)
        want = self._middle_width() - (total - handles - sum(sizes))
        for attr in ("side_tabs", "conversations"):
            if want > 0 and attr in shown:
                i = index[attr]
                give = max(0, min(want, sizes[i] - self._yields_to(attr)))
                sizes[i] -= give
                want -= give
        short = self._chat_least() - (total - handles - sum(sizes))
        if short > 0 and "side_tabs" in shown:  # the inspector narrower than SIDE_LEAST only for the chat's least
            sizes[2] -= max(0, min(short, sizes[2] - self.window.side_tabs.minimumWidth()))
        sizes[1] = max(0, total - handles - sizes[0] - sizes[2])
        return sizes

    def inspector_gives_way(self) -> bool:
        """Whether the side panel takes only its least width for the Text tab's text: its Token inspector is in
        front (empty or showing a token: a click must not move the text), the window narrower than
        TEXT_NARROWS_INSPECTOR_BELOW, and the person has neither shown the panel with its toggle nor dragged
        its width (theirs, kept)."""
        window = self.window
        text_mode = getattr(window, "text_mode", None)
        inspector = getattr(window, "inspector", None)
        return (text_mode is not None and text_mode.mode == "text" and inspector is not None
                and window.side_tabs.currentWidget() is inspector
                and "side_tabs" not in self.shown_by_hand and self.widths[2] == PANEL_WIDTHS[2]
                and window.width() < TEXT_NARROWS_INSPECTOR_BELOW)

    def _yields_to(self, attr: str) -> int:
        """How narrow ``attr`` gets for the middle column's wish (CHAT_WIDTH, TEXT_WIDTH): its least, and the side
        panel SIDE_LEAST where its least is lower (the inspector's), which only the chat's own least goes under."""
        least = self._panel(attr).minimumWidth()
        return max(least, SIDE_LEAST) if attr == "side_tabs" else least


def panel_toggled(window, attr: str) -> None:
    """The person hid or showed ``attr``: the chat's cards reflow to the new width, and its view keeps its end,
    or the card at its top, through it (the newest answer's end was cut at 1366x768: panels72)."""
    transcript, chat = getattr(window, "transcript", None), getattr(window, "chat", None)
    if transcript is not None:
        transcript.keep_place_through_reflow(streaming=bool(chat is not None and chat.generating))
    show_as_wished(window, attr)


def show_as_wished(window, attr: str) -> None:
    """``attr`` shows when its toggle is on, unless the mode in front has no use for it."""
    fitter = getattr(window, "panel_fitter", None)
    away = fitter is not None and attr in fitter.not_here
    getattr(window, attr).setVisible(window.panel_actions[attr].isChecked() and not away)


def set_not_here(window, attr: str, away: bool) -> None:
    """The mode in front has no use for ``attr`` (Text mode: the conversation list): it hides,
    its toggle is off limits, and the person's wish for it is kept for the other mode."""
    fitter = window.panel_fitter
    (fitter.not_here.add if away else fitter.not_here.discard)(attr)
    action = window.panel_actions[attr]
    action.setEnabled(not away)
    words, keys = next((w, k) for a, w, _icon, k in PANELS if a == attr)
    action.setToolTip(panel_toggle_tip(words, QKeySequence(keys).toString(), away=away))
    if away:
        show_as_wished(window, attr)
        fitter.fit_soon()
    else:  # back: folded first if the window has no room for it, so it never widens the window
        fitter.fit(refold=True)
        show_as_wished(window, attr)


def panel_wishes(window) -> dict[str, bool]:
    """attr -> shown, as the person chose (a panel the window folded for room counts as shown)."""
    folded = window.panel_fitter.folded
    return {attr: action.isChecked() or attr in folded for attr, action in window.panel_actions.items()}


def restore_panels(window, settings) -> None:
    for attr, action in window.panel_actions.items():
        action.setChecked(settings.value(f"show_{attr}", "true") in (True, "true"))


def save_panels(window, settings) -> None:
    for attr, shown in panel_wishes(window).items():
        settings.setValue(f"show_{attr}", shown)
    settings.setValue("panel_widths", [window.panel_fitter.widths[i] for i in sorted(PANEL_WIDTHS)])


def restore_widths(window, settings) -> None:
    """The widths the person dragged the panels to (not the splitter's last, maybe squeezed, sizes)."""
    saved = settings.value("panel_widths")
    try:
        left, right = (int(v) for v in saved)
    except (TypeError, ValueError):
        return
    window.panel_fitter.widths.update({0: max(left, window.conversations.minimumWidth()),
                                       2: max(right, window.side_tabs.minimumWidth())})


def reveal(window, attr: str) -> None:
    """Show a hidden panel the person just asked for (a token click wants the inspector)."""
    window.panel_actions[attr].setChecked(True)
    window.panel_fitter.take_ask(attr)
    window.panel_fitter.fit_soon()  # its width, and room for it
