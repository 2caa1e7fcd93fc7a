"""The window's keyboard shortcuts, listed where a person looks for them (F1)."""

from __future__ import annotations

import html
import math

from PySide6.QtCore import QRect, Qt, QTimer
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFrame, QPushButton, QTabWidget, QTextBrowser, QToolBar,
                               QToolButton, QVBoxLayout, QWidget)
from shiboken6 import isValid

from desktop_app.gui import answer_keys, view_toolbar
from desktop_app.gui.figure_words import GLOSSARY, GLOSSARY_TITLE
from desktop_app.gui.focus_order import make_tab_stop
from desktop_app.gui.off_words import EXPLAIN_KEYS
from desktop_app.gui.theme import icon

# the dialog's two tabs, "Keys" and "What the words and figures mean", in one title, as its button's tip says them
# (words84: the title had kept "Keyboard shortcuts and figures" from before the words joined the figures)
HELP_TITLE = "Keyboard shortcuts and what the words and figures mean"
HELP_TIP = f"{HELP_TITLE} (F1)"

# (keys, what they do): the list F1 shows; the keys bound in main_window and view_toolbar. A key
# with more than one meaning says in each row where it has it (usertest 9 read two Ctrl+Enter
# rows as a duplicate)
SHORTCUTS = (
    ("Enter / Ctrl+Enter", "in Chat: send the prompt (Shift+Enter: a new line; Settings > Keys can make Enter one)"),
    ("Ctrl+Enter", "in Text: the model continues the text from its end (while editing: from the cursor)"),
    ("Ctrl+E", "in Text: edit the text / show it coloured again"),
    # two lines in F1's list, as before Chat had them: a third made the list scroll at 1280x800 (usertest33)
    ("F3 / Shift+F3", "in Text: the next / previous surprise or passage known by heart; in Chat: the answer's "
                      "least likely tokens"),
    ("Esc", "stop the answer; else back to the prompt (a search: cleared first)"),
    ("Ctrl+N", "a new conversation (in Text: a new text)"),
    ("Ctrl+1 / Ctrl+2", "Chat / Text, the cursor in its prompt or text"),
    ("Ctrl+3", "the Fine-tune tab, on its button (Enter or Space starts a run)"),
    # the text size rides in this row (usertest71): a row of its own made the list scroll on a 1280x800 screen
    ("Ctrl+,", "sampling settings (Ctrl++ / Ctrl+- / Ctrl+0: the text's size)"),
    ("Ctrl+L", "choose a model (the model dialog)"),
    # (text71: "under the base model and the adapter" wrapped one word onto a line of its own; Ctrl+I's row took it)
    ("Ctrl+Shift+C", "Compare: the selected answer with and without the adapter"),
    # where the model leaves the app: F1 named no way to export it, only the conversation (usertest46)
    ("Ctrl+H", "the adapter history (Fine-tune tab): Enter uses the selected adapter, Export\u2026 saves it "
               "for llama.cpp, Ollama"),
    # the menu's ratings entry named too: a person looked there for their ratings (usertest50)
    ("Ctrl+S", "the export menu: the conversation (Markdown, JSON, web page), ratings as training data, an import; "
               "in Text, the text"),
    ("Ctrl+B / Ctrl+Shift+B", "hide or show the conversation list / the token and fine-tune panel"),
    ("Enter / Space", "press the button that has the focus ring"),
    # one row with the answers' Up / Down (usertest42), in as many lines as before: F1's list fits 1280x800 unscrolled
    # from the prompt Tab stops at Regenerate first (Send and Stop are off then): "Tab, then ← →" read as one
    # Tab (inspector78); the ring's order stays (gui/focus_order.py), the words say it
    ("Tab, then \u2190 \u2192 Home End", "walk an answer's tokens (from the prompt: Tab past Regenerate, or "
                                          "\u2191 if empty); \u2191 \u2193 answers; the inspector follows "
                                          "(alternatives: the Tab stop after its good / bad, \u2191 \u2193 pick, "
                                          "Enter continues)"),
    ("+ / - / 0", "rate the selected token good / bad / clear (the Menu key: its right-click menu)"),
    (EXPLAIN_KEYS, "\u201cWhy this token?\u201d on the selected token (Chat or Text)"),
    ("Ctrl+Shift+\u2191 / Ctrl+Shift+\u2193", "thumbs up / down on the answer in hand (the one you are on, else the "
                                             "inspector's, else the newest; in Text: the continuation shown); "
                                             "again: clear it"),
    ("Ctrl+R", "regenerate the answer in hand (in Text: the continuation shown)"),
    # Ctrl+F rides in this row: a row of its own made the list scroll on a 1280x800 screen
    ("F2 / Delete", "in the conversation list: rename / delete the selected conversation (Ctrl+F: its search; in "
                    "Text, find in the text)"),
    ("F2", "rename the selected adapter (history) or Text branch"),
    ("Delete", "in Text, on the picker of texts: delete the open text (its right-click menu too)"),
    ("Ctrl+Z", "bring back the adapter deleted last; in Text, the text deleted last first (until the app closes; "
               "from Chat too, with no adapter deleted: Text comes to the front; in a text box, once its typing "
               "is undone)"),
    ("Ctrl+Enter", "in a better answer's box: save it"),
    ("F1", "this list; its second tab: what the words and figures mean"),
    ("Ctrl+Q", "quit (asks first while a fine-tune runs)"),
)


def shortcuts_html() -> str:
    rows = "".join(f"<tr><td><b>{keys}</b>&nbsp;&nbsp;</td><td>{what}</td></tr>" for keys, what in SHORTCUTS)
    return f"<table>{rows}</table>"


def figures_html() -> str:
    """What the figures mean, the dialog's second tab: a person who met "entropy" or "rank" and pressed F1
    found only keys (usertest34)."""
    rows = "".join(f"<tr><td><b>{html.escape(name)}</b>&nbsp;&nbsp;</td><td>{html.escape(what)}</td></tr>"
                   for name, what in GLOSSARY)
    return f"<table>{rows}</table>"


def bind(window) -> None:
    """Chat/Text, settings and the list itself (the others are bound where their actions live)."""
    for keys, action in (("Ctrl+1", lambda: open_mode(window, "chat")), ("Ctrl+2", lambda: open_mode(window, "text")),
                         ("Ctrl+3", lambda: open_finetune(window)),
                         ("Ctrl+,", lambda: open_settings(window)),
                         ("Ctrl+L", lambda: open_model_dialog(window)), ("Ctrl+Shift+C", window.open_compare),
                         ("Ctrl+H", lambda: open_adapter_history(window)),
                         ("Ctrl+S", lambda: open_export_menu(window)), ("Ctrl+F", lambda: find_conversation(window)),
                         ("Ctrl+Z", lambda: undo_by_key(window)),
                         ("F1", lambda: show_shortcuts(window)), ("Ctrl+Q", window.close),
                         (answer_keys.THUMB_UP_KEYS, lambda: answer_keys.thumb_by_key(window, 1)),
                         (answer_keys.THUMB_DOWN_KEYS, lambda: answer_keys.thumb_by_key(window, -1)),
                         (answer_keys.REGENERATE_KEYS, lambda: answer_keys.regenerate_by_key(window)),
                         (EXPLAIN_KEYS, lambda: answer_keys.explain_by_key(window))):
        QShortcut(QKeySequence(keys), window, action)


def undo_by_key(window) -> None:
    """Ctrl+Z outside a text box: in the Text tab the text deleted last comes back first, elsewhere the adapter
    deleted last; either way the other kind when only it has one (the adapters' undo says when neither has). A
    text comes back in the Text tab in front, where it is seen (from Chat it had come back out of sight)."""
    texts, adapters = window.text_mode.undo, window.adapter_undo
    if texts.deleted and (window.mode == "text" or not adapters.deleted):
        if window.mode != "text":
            open_mode(window, "text")
        texts.undo(by_key=True)
    else:
        adapters.undo_by_key()


ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
ENTER_MODIFIERS = Qt.KeyboardModifier.KeypadModifier | Qt.KeyboardModifier.ShiftModifier  # Ctrl+Enter sends, elsewhere


def press_focused_button(window, event) -> bool:
    """Enter presses the focused button, as Space does. Outside a dialog Qt's buttons ignore Enter, so
    a keyboard user who reached "Fine-tune on my ratings" or "Write a better answer…" with Tab saw
    its ring and pressed Enter, and nothing happened (usertest22). Shift+Enter too: a person who came back
    to a button with Shift+Tab often still holds Shift, and Enter on "Use it anyway" did nothing (leftovers61).
    The key reaches the window only when the focused widget left it unused; a held key presses once. True
    where a button was pressed."""
    button = window.focusWidget()
    if (event.key() not in ENTER_KEYS or event.isAutoRepeat() or event.modifiers() & ~ENTER_MODIFIERS
            or not isinstance(button, (QPushButton, QToolButton)) or not button.isEnabled()):
        return False
    button.animateClick()  # as Space: a button with a menu opens it
    return True


def add_help_button(window, toolbar: QToolBar) -> QAction:
    """A "?" in the toolbar, beside the panel toggle: with no menu bar, F1 was the only way to
    the list, and nothing on screen named it (ux10). F1 stays bound in ``bind``, not here (two
    bindings of one key make Qt run neither)."""
    action = QAction(icon("help"), HELP_TITLE, window)
    action.setToolTip(HELP_TIP)
    action.triggered.connect(lambda: show_shortcuts(window))
    toolbar.insertAction(window.panel_actions["side_tabs"], action)
    make_tab_stop(toolbar.widgetForAction(action))
    return action


def open_mode(window, mode: str) -> None:
    """Chat or Text in front with the cursor where one types: after Ctrl+3 and Space the focus
    sat on the fine-tune's Cancel, Ctrl+1 left it there, and the question's first space
    cancelled a 20-minute run (usertest9)."""
    window.set_mode(mode)
    (window.text_view.text_widget() if mode == "text" else window.prompt).setFocus(Qt.FocusReason.ShortcutFocusReason)


def find_conversation(window) -> None:
    """Ctrl+F: the cursor in the conversations' search, its words selected, Chat in front and the list shown where it
    was hidden or folded away: the key did nothing, and a returning person's search went into the prompt
    (usertest41). While an answer is written the list is off: the status bar says why, as the search's tooltip does.
    In the Text tab the key finds in the text (gui/text_find.py): a writer's search had gone to the chat (text98)."""
    if window.mode == "text":
        window.text_view.find.open()
        return
    panel = window.conversations
    if not panel.isEnabled():
        window.statusBar().showMessage(panel.search.toolTip(), 6000)
        return
    if window.mode != "chat":
        window.set_mode("chat")
    if not panel.isVisible():
        view_toolbar.reveal(window, "conversations")
        QTimer.singleShot(0, panel, lambda: _focus_search(panel))  # after the fit that shows it
    _focus_search(panel)


def _focus_search(panel) -> None:
    panel.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
    panel.search.selectAll()


def open_finetune(window) -> None:
    """The Fine-tune tab in front, the focus on "Fine-tune on my ratings" (or the tab itself
    while that button is off), so Space starts a run: it took about nine Tabs from an answer."""
    window.finetune_side.show()
    button = window.finetune_panel.train_button
    target = button if button.isEnabled() else window.side_tabs.tabBar()
    target.setFocus(Qt.FocusReason.ShortcutFocusReason)
    window.finetune_panel.ensureWidgetVisible(button)


def open_settings(window) -> None:
    """The sampling settings, over the Settings button; in the Text tab, which hides the prompt row and
    that button, over the Text tab's own Settings button beside Continue (what they change there), without
    the system text and the Enter key, which only the chat reads: placed by the hidden button, they had
    opened at the screen's left edge, hanging off the window (usertest 25)."""
    in_text = window.mode == "text"
    window.popover.for_text(in_text)
    window.popover.popup_above(window.text_view.settings_button if in_text else window.settings_button)


def open_model_dialog(window) -> None:
    """The model dialog, as the model button opens it; while that button is off (a load or a fine-tune
    running) the status bar says why, as its tooltip does."""
    if window.model_button.isEnabled():
        window.choose_model()
    else:
        window.statusBar().showMessage(window.model_button.toolTip(), 6000)


def open_adapter_history(window) -> None:
    """The Fine-tune tab in front, the focus on the adapter history's list (Enter uses the selected
    adapter, F2 renames it). With no adapter yet the status bar says so and how to make one (it only
    switched tabs: usertest), and the focus goes to "Fine-tune on my ratings" where it can start a run."""
    window.finetune_side.show()
    panel = window.finetune_panel
    history = panel.history
    if history.list.count() and history.list.isEnabled():
        target = history.list
    else:
        window.statusBar().showMessage(history.empty.text() if history.loading else history.none_yet(), 8000)
        target = panel.train_button if panel.train_button.isEnabled() else window.side_tabs.tabBar()
    target.setFocus(Qt.FocusReason.ShortcutFocusReason)
    history_in_view(panel)


def history_in_view(panel) -> None:
    """The Fine-tune tab's adapter history scrolled into view, now and once the tab has laid itself out."""
    panel.ensureWidgetVisible(panel.history)
    # a tab shown for the first time lays out its wrapped lines (a run's card, its re-asked pairs)
    # only now: scrolled before that, the history ended below the window's foot, Export… out of sight
    QTimer.singleShot(0, panel, lambda: panel.ensureWidgetVisible(panel.history))  # (panel: a closed window's goes)


def open_export_menu(window) -> None:
    """The export menu of what is on screen under its button, walked with the arrow keys (not ``showMenu``,
    which would block until it closes): on the Text tab the text's own (the text, heatmap, tokens,
    summary), where a person saving with Ctrl+S means the text; else the conversation's. While the text's
    export is off (a new text, or one still analysed) the status bar says why, as its tooltip does: the
    conversation's menu had opened over the Text tab instead (usertest33). It opens on its first entry."""
    text_button = window.text_view.summary_panel.export_button
    if window.mode == "text" and not text_button.isEnabled():
        window.statusBar().showMessage(text_button.toolTip(), 6000)
        return
    button = text_button if window.mode == "text" else window.export_button
    menu = button.menu()
    if button.isVisible():
        menu.popup(button.mapToGlobal(button.rect().bottomLeft()))
    else:
        menu.popup(window.mapToGlobal(window.rect().center()))
    # on its first entry, so Ctrl+S then Enter saves: with none chosen, the first Enter only chose one, and the
    # person pressing it once saw nothing happen (usertest41)
    first = next((a for a in menu.actions() if a.isEnabled() and not a.isSeparator()), None)
    if first is not None:
        menu.setActiveAction(first)


WANTED_WIDTH = 640  # wide enough that most rows take one line; a narrower screen gets less
SCREEN_EDGE = 16  # px kept free at the screen's edges
TITLE_BAR = 40  # px the window manager's title bar may add above the dialog (not known before it shows)
TAB_PANE = 4  # px a tab's page may sit below its tab bar (the style's overlap and base line)
FOCUS_BORDER = 1  # px: the style sheet's border round a focused QTextBrowser (the list has the focus once shown)


class ShortcutsDialog(QDialog):
    """The list of shortcuts (F1) and, in a second tab, what the figures mean: a scrolling text each and
    Close, never taller than the screen. A message box 575 px tall was cut at the bottom on an 800x600
    screen, its Close button with it (usertest).

    Attributes:
        tabs: "Keys" and "What the words and figures mean".
        browser: the keys' list, read-only, scrolled with the arrow keys and Page Up/Down while it has the focus.
        figures: the figures' words (figure_words.GLOSSARY)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle(HELP_TITLE)
        self.setModal(False)  # the window stays usable while it is read
        layout = QVBoxLayout(self)
        self.browser = _page(shortcuts_html(), "Keyboard shortcuts")
        self.figures = _page(figures_html(), GLOSSARY_TITLE)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)  # no frame round the page: the fitted height is the text's and the bar's
        self.tabs.addTab(self.browser, "Keys")
        self.tabs.addTab(self.figures, GLOSSARY_TITLE)
        layout.addWidget(self.tabs)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)  # Close and Esc
        layout.addWidget(self.buttons)

    def fit_to(self, available: QRect) -> None:
        """As wide as WANTED_WIDTH and as tall as the keys' list, within ``available`` (a screen's free area,
        less its edges and a title bar), centred in it; the list scrolls when the screen is shorter than it."""
        width = min(WANTED_WIDTH, available.width() - 2 * SCREEN_EDGE)
        margins = self.layout().contentsMargins()
        document = self.browser.document()
        bar = self.browser.verticalScrollBar().sizeHint().width()
        document.setTextWidth(width - margins.left() - margins.right() - bar)
        border = max(self.browser.frameWidth(), FOCUS_BORDER)
        wanted = (math.ceil(document.size().height()) + 2 * border + self.layout().spacing()
                  + self.tabs.tabBar().sizeHint().height() + TAB_PANE
                  + self.buttons.sizeHint().height() + margins.top() + margins.bottom())
        height = min(wanted, available.height() - 2 * SCREEN_EDGE - TITLE_BAR)
        self.resize(width, height)
        # move() places the frame, title bar included
        self.move(available.left() + (available.width() - width) // 2,
                  available.top() + SCREEN_EDGE + (available.height() - 2 * SCREEN_EDGE - TITLE_BAR - height) // 2)


def _page(text: str, name: str) -> QTextBrowser:
    """One tab's text: read-only, no frame, no sideways scrolling."""
    browser = QTextBrowser()
    browser.setHtml(text)
    browser.setFrameShape(QFrame.Shape.NoFrame)
    browser.setAccessibleName(name)
    browser.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return browser


def show_shortcuts(window) -> ShortcutsDialog:
    """The list, fitted once shown: measured before, its text was laid out for no screen yet and came out
    40 px short, so on a 1280x800 screen its last rows (F1, Ctrl+Q) needed scrolling (usertest33)."""
    box = ShortcutsDialog(window)
    screen = window.screen() or QGuiApplication.primaryScreen()
    window.shortcuts_box = box
    had_keys = window.focusWidget()
    box.finished.connect(lambda _result: keys_back(window, had_keys))
    box.show()
    box.fit_to(screen.availableGeometry())
    box.browser.setFocus(Qt.FocusReason.ShortcutFocusReason)  # the keys scroll it; Tab reaches Close, Esc closes
    return box


def keys_back(window, had_keys: QWidget | None) -> None:
    """The list closed (Esc, Close): the keys go back to the widget that had them before F1 (the prompt, the text, a
    token) and the window is made active again. Left to the window manager, the window came back without the keys,
    or with them on its first Tab stop, the "Colour by" box (layout71)."""
    if had_keys is None or not isValid(had_keys) or not had_keys.isVisible() or not isValid(window):
        return
    window.activateWindow()
    had_keys.setFocus(Qt.FocusReason.PopupFocusReason)
