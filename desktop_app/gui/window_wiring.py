"""The main window's signals, connected once its parts are built (gui/window_build.py): the chat controller's
(the model, the answer's stream, the conversations) to the window, the conversation list's, the colour key's and
the inspector's, the prompt area's buttons and the window's keys; the fine-tune side, the cards and the Text tab
connect their own (gui/finetune_side.py, gui/chat_cards.py, gui/text_mode.py) in their turn here.

The order is the one the window connected them in before this module: Qt calls a signal's slots in the order
they were connected (the chat's ``thread_changed`` renders the branch, then remembers the conversation).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication

from desktop_app.gui import chat_surprise_keys, conversation_actions, shortcuts, text_zoom, window_model, window_state
from desktop_app.gui.chat_search import ChatSearch
from desktop_app.gui.explain_wiring import wire_explain
from desktop_app.gui.more_alternatives_wiring import wire_more_alternatives
from desktop_app.gui.theme import apply_theme_choice
from desktop_app.gui.word_probe_wiring import wire_word_probe


def connect(window) -> None:
    """Every signal of ``window``'s parts to what follows it."""
    _connect_chat(window)
    window.writer.failed.connect(window.show_error)
    window.writer.written.connect(lambda _message_id: window.conversations.update_facts(
        window.chat.conversations(window.conversations.search.text().strip())))  # the row's ▲ ▼ ± ✎ marks
    window.finetune_side.connect()
    _connect_panels(window)
    _connect_prompt(window)
    window.cards.connect()


def _connect_chat(window) -> None:
    """The chat controller's signals (model, stream, conversations) to the window."""
    c = window.chat
    c.model_progress.connect(lambda progress: window_model.show_progress(window, progress))
    c.model_loaded.connect(lambda loaded: window_model.model_loaded(window, loaded))
    c.model_failed.connect(lambda message: window_model.model_failed(window, message))
    window.notices.connect(c)  # the notices, the model's notice and errors, to the banners
    c.prompt_not_saved.connect(window._give_prompt_back)
    c.conversations_changed.connect(window.refresh_conversations)
    c.thread_changed.connect(window.render_thread)
    c.thread_changed.connect(lambda: window_state.remember_conversation(window))
    c.stream_started.connect(window._stream_started)
    c.answer_finished.connect(window._answer_finished)
    window.tasks.busy_changed.connect(window._busy)
    window.tasks.model.changed.connect(window._lane_work)
    c.state_changed.connect(lambda _state: window._update_buttons())
    c.adapter_changed.connect(window._adapter_changed)


def _connect_panels(window) -> None:
    """Conversation list, legend and token inspector."""
    _connect_conversations(window)
    window.legend.measure_changed.connect(window.set_measure)
    window.inspector.branch_requested.connect(window.branch)
    # the colour key says what is painted: "Why this token?"'s attribution, while it is shown
    window.transcript.overlay_changed.connect(lambda *_shown: follow_overlay(window))
    window.text_view.heatmap.overlay_changed.connect(lambda *_shown: follow_overlay(window))
    window.text_view.change_mode.key_changed.connect(lambda *_key: follow_overlay(window))
    window.mode_tabs.currentChanged.connect(lambda _i: follow_overlay(window))


def _connect_conversations(window) -> None:
    """The conversation list's requests to the window and the chat; Enter on its search to the words' place."""
    conversations = window.conversations
    conversations.selected.connect(window.open_conversation)
    conversations.new_requested.connect(window.new_conversation)
    conversations.rename_requested.connect(window.chat.rename)
    conversations.delete_requested.connect(window.delete_conversation)
    conversations.delete_warning = lambda cid: conversation_actions.delete_warning(window, cid)
    conversations.export_requested.connect(
        lambda cid, kind: conversation_actions.export_conversation(window, cid, kind))
    conversations.search_changed.connect(lambda _t: window.refresh_conversations())
    conversations.chosen.connect(lambda: window.prompt.setFocus(Qt.FocusReason.OtherFocusReason))
    window.chat_search = ChatSearch(window)  # Enter on the search: where its words are in the conversation shown
    conversations.search_entered.connect(
        lambda words: window.chat_search.show_words(words) or window.prompt.setFocus(Qt.FocusReason.OtherFocusReason))


def follow_overlay(window) -> None:
    """The colour key for what is painted over the tab in front: "Why this token?"'s attribution, the Text tab's
    fine-tune's change, else the measure's."""
    shown = (window.text_view.heatmap.overlay is not None if window.mode == "text"
             else window.transcript.overlaid())
    if shown:
        window.legend.show_attribution_key(True)
    else:  # the Text tab's colours by the fine-tune's change have their key too
        window.legend.show_key(window.text_view.change_mode.key() if window.mode == "text" else None)


def _connect_prompt(window) -> None:
    """The prompt area's buttons, the keyboard shortcuts and "Why this token?"."""
    window.send_button.clicked.connect(window.send)
    window.stop_button.clicked.connect(window.stop)
    window.regenerate_button.clicked.connect(window.regenerate)
    window.settings_button.clicked.connect(lambda: shortcuts.open_settings(window))
    window.popover.changed.connect(window.use_popover_settings)
    window.popover.theme.currentIndexChanged.connect(
        lambda: apply_theme_choice(QApplication.instance(), window.popover.theme_choice()))
    window.model_button.clicked.connect(window.choose_model)
    window.prompt.textChanged.connect(window._update_buttons)
    window.prompt.submitted.connect(window.send)
    window.prompt.up_from_empty.connect(window.cards.enter_newest_answer)
    for keys in ("Ctrl+Return", "Ctrl+Enter"):
        QShortcut(QKeySequence(keys), window, window.text_mode.ctrl_enter)
    QShortcut(QKeySequence("Escape"), window, window.stop)
    QShortcut(QKeySequence("Ctrl+N"), window, window.new_here)
    shortcuts.bind(window)
    text_zoom.bind(window)
    wire_explain(window)
    wire_word_probe(window)
    wire_more_alternatives(window)
    window.chat_surprises = chat_surprise_keys.ChatSurpriseList(window)  # listed at the inspector's foot
    window.text_mode.connect()
