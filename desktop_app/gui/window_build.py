"""The main window's parts, made once when it opens: the conversations | the middle column (the colour key, the
banners, the Chat and Text tabs) | the Token and Fine-tune tabs, the View toolbar, the settings popover and the
status bar. ``build`` sets them on the window by the names the rest of the app and the tests read
(``window.legend``, ``window.prompt``, ``window.send_button``...); gui/window_wiring.py connects them after.

Every panel is made in its place, the container before what it holds: a widget moved to another parent is
polished again with all it holds (gui/in_place.py).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QTabWidget, QVBoxLayout, QWidget

from desktop_app.gui import chat_surprise_keys, conversation_actions, in_place, shortcuts, view_toolbar
from desktop_app.gui.adapter_undo import AdapterUndo
from desktop_app.gui.chat_cards import ChatCards
from desktop_app.gui.context_meter import ContextMeter
from desktop_app.gui.conversation_panel import ConversationPanel
from desktop_app.gui.finetune_side import TOKEN_TAB, FineTuneSide
from desktop_app.gui.inspector import InspectorPanel
from desktop_app.gui.legend import LegendBar
from desktop_app.gui.prompt_box import PromptArea
from desktop_app.gui.settings_popover import SettingsPopover
from desktop_app.gui.short_window import ShortWindow
from desktop_app.gui.text_mode import TextMode
from desktop_app.gui.theme import icon
from desktop_app.gui.transcript import TranscriptView
from desktop_app.gui.window_notices import WindowNotices
from desktop_app.gui.window_status import WindowStatus


def build(window) -> None:
    """Every part of ``window`` (a MainWindow whose chat, tasks and controllers are made), in its place."""
    window.splitter = view_toolbar.PanelSplitter(Qt.Orientation.Horizontal, window)  # its least width: the chat's
    window.setCentralWidget(window.splitter)
    window.conversations = ConversationPanel(window.splitter)
    _build_centre(window, QWidget(window.splitter))
    window.side_tabs = _build_side_tabs(window)
    _fit_splitter(window)
    window.view_toolbar = view_toolbar.build_view_toolbar(window)
    conversation_actions.add_export_button(window, window.view_toolbar)
    window.help_action = shortcuts.add_help_button(window, window.view_toolbar)
    window.popover = SettingsPopover(window)
    _build_status_bar(window)
    window.short_window = ShortWindow(window)  # a short window's key in the toolbar, its prompt area compact


def _build_side_tabs(window) -> QTabWidget:
    """The Token and Fine-tune tabs."""
    tabs = QTabWidget()
    tabs.setObjectName("SideTabs")
    window.splitter.addWidget(tabs)  # named first, as its splitter handle is (qt_splithandle_SideTabs); still empty
    tabs.setDocumentMode(True)
    # a document-mode bar draws a base line across the panel; the tabs hide it, so it showed
    # only past the last tab, a stray grey line above their underline (usertest 9)
    tabs.tabBar().setDrawBase(False)
    pages = in_place.tab_pages(tabs)
    window.inspector = InspectorPanel(pages)
    window.inspector.tokenizer = lambda: getattr(window.chat.loaded, "tokenizer", None)
    window.inspector.model_id = lambda: getattr(window.chat.loaded, "model_id", None)
    window.inspector.loaded_precision = lambda: getattr(window.chat.loaded, "precision", None)
    window.finetune_side = FineTuneSide(window, window.finetune)  # the Fine-tune tab and its wiring
    window.finetune_panel = window.finetune_side.panel
    in_place.sized_as_made_alone(window.inspector)
    tabs.addTab(window.inspector, TOKEN_TAB)  # it scrolls itself in a short window
    tabs.addTab(window.finetune_panel, icon("train"), "Fine-tune")
    return tabs


def _build_centre(window, centre: QWidget) -> None:
    """The middle column: the legend, the banners, and the Chat and Text tabs."""
    column = window.centre_column = QVBoxLayout(centre)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(0)
    window.legend = LegendBar(centre)
    column.addWidget(window.legend)
    window.notices = WindowNotices(window, centre)  # the banners over the chat and what shows in them
    window.notice_banner, window.error_banner = window.notices.notice, window.notices.error
    banners = QVBoxLayout()
    banners.setContentsMargins(16, 4, 16, 0)  # (8 over a notice had been 4 px of a 480 px Text tab's)
    banners.setSpacing(6)
    banners.addWidget(window.notice_banner)
    banners.addWidget(window.error_banner)
    column.addLayout(banners)
    # the Text tab and its wiring (gui/text_mode.py); it makes the Chat tab in its tabs' pages
    window.text_mode = TextMode(window, centre, lambda parent: _build_chat_page(window, parent))
    window.text, window.text_view = window.text_mode.controller, window.text_mode.view
    window.mode_tabs = window.text_mode.tabs
    column.addWidget(window.mode_tabs, 1)


def _build_chat_page(window, parent: QWidget) -> QWidget:
    """The Chat tab: the transcript over the prompt area."""
    chat_page = QWidget(parent)
    chat_column = QVBoxLayout(chat_page)
    chat_column.setContentsMargins(0, 0, 0, 0)
    chat_column.setSpacing(0)
    window.transcript = TranscriptView(chat_page)
    window.cards = ChatCards(window)  # the transcript's cards and their wiring
    chat_column.addWidget(window.transcript, 1)
    chat_column.addWidget(_build_prompt_area(window, chat_page))
    chat_surprise_keys.bind(window, chat_page)  # F3 / Shift+F3: the answer's least likely tokens
    return chat_page


def _fit_splitter(window) -> None:
    """The conversations, the middle column and the side tabs, side by side."""
    splitter = window.splitter
    splitter.setStretchFactor(1, 1)
    splitter.setSizes([220, 720, 340])
    splitter.setChildrenCollapsible(False)
    fit_conversations(window)
    window.side_tabs.setMinimumWidth(view_toolbar.SIDE_LEAST)  # less on a narrow screen: PanelFitter


def fit_conversations(window) -> None:
    """The conversation list's least width for the font in use: at the build, and after a zoom key (Ctrl++ at 150 %
    had cut its title to "CONVERSATIO", as a desktop's 14 pt had at a fixed width: usertest71)."""
    window.conversations.setMinimumWidth(_conversations_least_width(window.conversations))


def _conversations_least_width(panel: QWidget) -> int:
    """185 px, or what its title and "No conversations yet." need in a larger font: a desktop's 14 pt text
    had cut "CONVERSATIONS" to "CONVERSATIO" at a fixed 185 px."""
    panel.ensurePolished()  # the style sheet's title size is applied at polish: measured after it
    return max(185, panel.minimumSizeHint().width())


def _build_status_bar(window) -> None:
    window.status = WindowStatus(window.statusBar(), window.finetune_side.label)
    st = window.status  # its parts by the names other modules and tests use
    window.model_label, window.adapter_label, window.speed_label = st.model_label, st.adapter_label, st.speed_label
    window.progress, window.progress_label, window.message_room = st.progress, st.progress_label, st.message_room
    window.adapter_undo = AdapterUndo(window)  # "Undo delete" of an adapter, for this session


def _build_prompt_area(window, parent: QWidget) -> QFrame:
    area = PromptArea(parent)
    window.prompt_area = area
    window.prompt, window.model_button, window.settings_button = area.prompt, area.model_button, area.settings_button
    window.regenerate_button, window.stop_button, window.send_button = (area.regenerate_button, area.stop_button,
                                                                        area.send_button)
    window.context_meter = ContextMeter(area.meter, window.chat, window.prompt,
                                        editing=lambda: window.message_editor.editing)
    return area
