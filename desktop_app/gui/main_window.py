"""The main window: conversations | transcript heatmap + prompt box | token inspector."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QMainWindow, QWidget

from desktop_app import APP_TITLE
from desktop_app.core.generation import same_again_reason
from desktop_app.gui import (answer_keys, db_checkpoint, focus_order, shortcuts, text_zoom, window_build, window_model,
                             window_state, window_wiring)
from desktop_app.gui.chat import ChatController, ChatState
from desktop_app.gui.finetune_controller import FineTuneController
from desktop_app.gui.inspector_words import explaining_words
from desktop_app.gui.message_card import MessageCard
from desktop_app.gui.message_edit import MessageEditor
from desktop_app.gui.notify import Notifier
from desktop_app.gui.outside_changes import OutsideChanges
from desktop_app.gui.prompt_box import ButtonsFacts
from desktop_app.gui.prompt_drafts import PromptDrafts
from desktop_app.gui.ratings import RatingWriter
from desktop_app.gui.tasks import TaskManager
from desktop_app.gui.theme import icon
from desktop_app.gui.window_state import open_settings
from desktop_app.gui.window_gone import WindowGoneWatch, quit_without_window

QUIT_WAIT_S = 20.0  # the most closing waits for a fine-tune to stop (app.run_app ends the process after it)
STILL_ANSWERING = ("Still writing the answer: your question stays in the box; press Enter again once the answer "
                   "ends, or Esc to stop it.")
STILL_ANSWERING_MS = 8000


class MainWindow(QMainWindow):
    """The window: it owns the task manager and the controllers, and wires the views to
    them (views never reach into each other): its parts are made by gui/window_build.py and
    connected by gui/window_wiring.py; loading a model is gui/window_model.py's.

    Attributes:
        paths, settings: the data folders and the window's QSettings.
        tasks: the TaskManager (model, store and training lanes; gui/tasks.py).
        chat: the ChatController, owner of the chat model and the shown conversation.
        writer: the RatingWriter (ratings on the store lane).
        finetune: the FineTuneController (fine-tunes on the training lane).
        finetune_side: the Fine-tune tab, the compare window and their wiring (gui/finetune_side.py);
            finetune_panel is its FineTunePanel.
        text_mode: the Text tab and its wiring (gui/text_mode.py); text, text_view and mode_tabs
            are its TextController, TextView and the Chat | Text tabs.
        model_spec: the model asked for last (saved for the next start).
        cards: the transcript's MessageCards and their wiring (gui/chat_cards.py); streaming_card
            and selected_card are its card being written and card whose token the inspector shows.
        notices: the banners over the chat and when they show (gui/window_notices.py);
            notice_banner and error_banner are its two banners.
        status: the status bar's parts (gui/window_status.py): model_label, adapter_label,
            speed_label, progress, progress_label and message_room are its.
    Its state between starts is gui/window_state.py's.
    """

    def __init__(self, store, paths, *, model_spec: str | None = None, device: str = "auto",
                 autoload: bool = True, precision: str | None = None, parent=None):
        super().__init__(parent)
        self._shown_once = False
        self.paths = paths
        self.settings = open_settings(paths)
        last = self.settings.value("last_conversation")  # read before anything on screen changes it
        self.tasks = TaskManager(self)
        self.unfinished_lanes: list[str] = []  # lanes whose thread outlived closing (see closeEvent)
        self.ask_before_quit = True  # off where no one can answer (--screenshot): a run is just stopped
        self.quitting = False  # set once closing is decided (closeEvent): the lanes are ending
        self.stop_came_from: QWidget | None = None  # the button that passed the keyboard to Stop (_pass_focus)
        self.chat = ChatController(store, paths, self.tasks, device, self)
        self.chat.precision = precision or str(self.settings.value("precision") or "auto")
        self.writer = RatingWriter(store, self.tasks.store, self)
        self.finetune = FineTuneController(store, paths, self.chat, self.tasks, self)
        self.model_spec = model_spec if model_spec is not None else (self.settings.value("model_spec") or None)
        self.setWindowTitle(APP_TITLE)
        self.setWindowIcon(icon("app"))
        text_zoom.restore_zoom(self.settings)  # before the build: sized as under a desktop's larger font, all of it
        window_build.build(self)  # its parts, by the names the app and the tests read
        window_wiring.connect(self)
        self.notifier = Notifier(self)
        self.checkpoints = db_checkpoint.install(self)  # the .sqlite3 file stays a real backup
        self.outside_changes = OutsideChanges(self)  # the CLI's ratings and adapters show while it runs
        self.message_editor = MessageEditor(self)
        # its native window destroyed from outside, no close event: quit as Quit does (gui/window_gone.py)
        self.gone_watch = WindowGoneWatch(self, lambda: quit_without_window(self), lambda: self.quitting)
        window_state.restore(self)
        window_state.keep_draft_as_typed(self)
        window_state.keep_choices_as_made(self)
        self.geometry_watch = window_state.GeometryWatch(self)
        self._open_last_conversation(last)
        self.prompt_drafts = PromptDrafts(self)  # after the last conversation opened: the box holds its draft
        self._update_buttons()
        self._before_model()
        if autoload:
            self.load_model(self.model_spec)

    def _open_last_conversation(self, last) -> None:
        """The conversation open when the window last closed (``last``, its id as saved), where it still is."""
        self.refresh_conversations()
        ids = [c["id"] for c in self.chat.conversations()]
        if last is not None and int(last) in ids:
            self.open_conversation(int(last))
        else:
            self.chat.thread_changed.emit()

    def _before_model(self) -> None:
        """The ratings and the adapter history are on disk: shown at once, not after the
        seconds a model takes to load (the adapters of the model the last session used)."""
        self.finetune.expected_model_id = self.settings.value("model_id") or None
        self.finetune_side.panel.refresh_adapters()
        self.writer.recount()
        active = self.finetune_side.panel.history.active_id()
        if active is not None and self.chat.loaded is None:
            self.status.adapter_loads_with_model(active)

    # ------------------------------------------------------------ persistence (gui/window_state.py)
    def _first_size(self) -> None:
        window_state.first_size(self)

    def save_state(self) -> None:
        window_state.save(self)

    def use_popover_settings(self) -> None:
        """The settings popover's sampling, system text and Enter's meaning, in use from the next answer."""
        self.chat.settings = self.popover.settings()
        self.chat.system = self.popover.system_text()
        self.prompt.set_enter_sends(self.popover.enter_sends.isChecked())

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._shown_once:  # a person who starts typing types into the prompt (or the text)
            self._shown_once = True
            self.focus_typing()

    def focus_typing(self) -> None:
        """The keyboard to where a person types: the prompt, or the text in Text mode."""
        (self.text_view.text_widget() if self.mode == "text" else self.prompt).setFocus(Qt.FocusReason.OtherFocusReason)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        watch = getattr(self, "outside_changes", None)  # (not yet there while the window is built)
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow() and watch is not None:
            watch.look()  # ratings and adapters made meanwhile elsewhere (gpt2-desk rate / finetune) count too
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            self.chat.notice_outside_adapter_change()
        if event.type() == QEvent.Type.PaletteChange and watch is not None:
            self._repaint_overlay()

    def _repaint_overlay(self) -> None:
        """Settings → Colours: "Why this token?"'s colours over the text and the key come in the new
        theme's palette at once (they were computed when shown, and stayed light in a dark window)."""
        explain = self.inspector.explain
        if explain.toggle.isChecked():
            explain.overlay_toggled.emit(True)
        window_wiring.follow_overlay(self)

    def focusNextPrevChild(self, forward: bool) -> bool:
        """Tab and Shift+Tab follow gui/focus_order.py: the newest answer comes right after the prompt."""
        return focus_order.step(self, forward) or super().focusNextPrevChild(forward)

    def keyPressEvent(self, event) -> None:
        """Enter on a focused button presses it (shortcuts.press_focused_button)."""
        if not shortcuts.press_focused_button(self, event):
            super().keyPressEvent(event)

    def closeEvent(self, event) -> None:
        from desktop_app.gui.quit_guard import confirm_quit_during_finetune

        writing = ("answer" if self.chat.generating else
                   "continuation" if self.text_mode.controller.continuing else None)
        # what closing deletes for good, each kind with its own undo
        adapters, texts = self.adapter_undo.undoable(), self.text_mode.undo.undoable()
        if self.ask_before_quit and not confirm_quit_during_finetune(self, self.finetune, writing, adapters, texts):
            event.ignore()
            return
        self.quitting = True
        self.save_state()
        self.hide()  # gone at once, while a cancelled fine-tune winds down (up to a step) below
        self.finetune.cancel(quitting=True)
        self.text_mode.close()
        self.chat.shutdown()
        # every rating asked for is written before the window goes; a cancelled fine-tune ends
        # within one transformer block (core.cancel_hooks), so its wait is seconds at most
        self.unfinished_lanes = self.tasks.shutdown(training_timeout_s=QUIT_WAIT_S)
        self.adapter_undo.close()  # after the store lane: a delete or undo it was given is done
        self.text_mode.undo.close()
        super().closeEvent(event)

    # ------------------------------------------------------------ model (gui/window_model.py)
    def load_model(self, spec: str | None) -> bool:
        """Open a model (spec as --model takes it) in the window, in the background (False: a fine-tune runs)."""
        return window_model.load(self, spec)

    def model_dialog(self):
        return window_model.dialog(self)

    def choose_model(self) -> None:
        window_model.choose(self)

    def reload_with_precision(self, precision: str) -> bool:
        """The model in use again, with other weights (core.precision: exact, fast, ...); False: refused."""
        return window_model.reload_with_precision(self, precision)

    def use_model(self, loaded) -> None:
        """Put an already loaded model (a LoadedModel) in use, as a finished load does."""
        self.chat.use_model(loaded)

    # ------------------------------------------------------------ status
    def show_error(self, message: str) -> None:
        self.notices.show_error(message)

    def _busy(self, busy: bool) -> None:
        self.status.busy(busy, loading=self.chat.loading)

    def _lane_work(self) -> None:
        running = self.tasks.model.running
        kind = running.kind if running is not None else None
        # the token explained is the inspector's: choosing another stops its explanation (ExplainView.show_token)
        words = explaining_words(self.inspector.index, self.inspector.record) if kind == "explain" else None
        self.status.lane_work(kind, loading=self.chat.loading, words=words)

    def _update_buttons(self) -> None:
        """The buttons follow the chat state (and whether there is something to send)."""
        state = self.chat.state
        generating = state is ChatState.ANSWERING
        focused = next((b for b in (self.send_button, self.regenerate_button, self.stop_button) if b.hasFocus()), None)
        has_text = bool(self.prompt.toPlainText().strip())
        self.send_button.setEnabled(not generating and has_text and state is not ChatState.NO_MODEL)
        self.stop_button.setEnabled(generating)
        has_prompt = any(m["role"] == "user" for m in self.chat.thread())
        self.regenerate_button.setEnabled(not generating and has_prompt and self.chat.loaded is not None)
        self.prompt_area.explain_buttons(ButtonsFacts(answering=generating, model=state is not ChatState.NO_MODEL,
                                                      has_text=has_text, has_prompt=has_prompt,
                                                      loaded=self.chat.loaded is not None,
                                                      loading=state is ChatState.LOADING))
        self.conversations.set_answering(generating)
        self.model_button.setEnabled(state not in (ChatState.ANSWERING, ChatState.LOADING))
        if focused is not None and not focused.isEnabled():
            # Qt passed the keyboard on to a neighbour (the settings button after Regenerate):
            # Stop while the answer runs (Space stops it), then back where it came from
            self._pass_focus(focused, generating)
        if not generating:
            self.stop_came_from = None  # an answer ended with the keyboard elsewhere: nothing to go back to
            answer_keys.forget_busy_line(self)
        for card in self.transcript.cards:
            card.block_siblings(generating)

    def _pass_focus(self, turned_off: QWidget, generating: bool) -> None:
        """The keyboard on ``turned_off`` goes to Stop while the answer runs, and after it back to Regenerate
        where Regenerate sent it there, so a second Space asks again (usertest26: it went to the prompt box,
        away from where the person was), else to the prompt box (after Send: the box is where one goes on)."""
        if generating:
            self.stop_came_from = turned_off
            self.stop_button.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        back = self.stop_came_from is self.regenerate_button and self.regenerate_button.isEnabled()
        (self.regenerate_button if back else self.prompt).setFocus(Qt.FocusReason.OtherFocusReason)

    # ------------------------------------------------------------ conversations
    def refresh_conversations(self) -> None:
        rows = self.chat.conversations(self.conversations.search.text().strip())
        self.conversations.set_conversations(rows, self.chat.conversation_id)
        self._show_title()  # a renamed conversation: the title bar kept its old name (usertest16)

    def open_conversation(self, conversation_id: int | None) -> None:
        if self.chat.generating:
            return
        if conversation_id != self.chat.conversation_id:
            self.cards.clear()  # the cards are all of the conversation left
        self.cards.opening = conversation_id is not None
        self._switch_conversation(conversation_id, lambda: self.chat.open_conversation(conversation_id))
        self.refresh_conversations()

    def delete_conversation(self, conversation_id: int) -> None:
        """Its unsent question goes with it: deleted while shown, the box then holds the question of the
        conversation shown next, not the deleted one's."""
        shown = conversation_id == self.chat.conversation_id
        self.chat.delete(conversation_id)
        self.prompt_drafts.forget(conversation_id, shown)

    def new_here(self) -> None:
        """Ctrl+N: a new text in Text mode, as its New button does, else a new conversation. In Text mode
        it made a conversation in the hidden Chat tab and put the keyboard in its prompt: a paste went
        there unseen, and Enter would have sent it (usertest21)."""
        if self.mode == "text":
            self.text_view.new_document()
            self.focus_typing()  # (the new text's editor takes it once the text opens)
        else:
            self.new_conversation()

    def new_conversation(self) -> None:
        if not self.chat.generating:
            self._switch_conversation(None, self.chat.new_conversation)
            self.prompt.setFocus()

    def _switch_conversation(self, conversation_id: int | None, show) -> None:
        """The one way the window leaves the conversation shown for ``conversation_id`` (None: a new one):
        the box's unsent question is put aside for the conversation left, ``show`` puts the other on screen
        (the chat's ``open_conversation``, which also lets go of what was kept for the one left), and that
        conversation's own question comes back into the box. Staying on the same conversation moves no draft."""
        drafts = getattr(self, "prompt_drafts", None)  # (none yet while the last conversation opens at start)
        switching = conversation_id != self.chat.conversation_id
        if switching and drafts:
            drafts.leave()
        show()
        if switching:  # the speed was an answer's of the conversation left
            self.status.answer_speed(None)
        if switching and drafts:
            drafts.arrive()

    # ------------------------------------------------------------ transcript
    def render_thread(self) -> None:
        """The title, the cards (gui/chat_cards.py) and the buttons for the branch on screen."""
        self.notices.drop_other_conversations()
        self._show_title()
        self.cards.render()
        self._update_buttons()

    @property
    def streaming_card(self) -> MessageCard | None:
        return self.cards.streaming

    @property
    def selected_card(self) -> MessageCard | None:
        return self.cards.selected

    def _show_title(self) -> None:
        """The conversation's title, or in Text mode the text's (the chat's sat over a text)."""
        title = None
        if self.mode == "text":
            title = self.text_view.documents.currentText() or None
        elif self.chat.conversation_id is not None:
            try:
                title = self.chat.store.get_conversation(self.chat.conversation_id)["title"]
            except Exception:  # noqa: BLE001 - deleted meanwhile
                title = None
        self.setWindowTitle(f"{title} \u2014 {APP_TITLE}" if title else APP_TITLE)

    def set_measure(self, measure: str) -> None:
        self.text_view.set_measure(measure)
        self.inspector.set_measure(measure)
        self.cards.set_measure(measure)

    def _stream_started(self, user_message) -> None:
        self.render_thread()
        self.notices.answer_started()
        self.cards.stream_started(user_message)
        self.status.answer_speed(None)
        self._update_buttons()

    def _answer_finished(self, result) -> None:
        """``result``: the stored answer's figures (message_id None: nothing was stored), or
        None when it failed (its error is already shown)."""
        if result and result.get("tokens_per_s"):
            self.status.answer_speed(result["tokens_per_s"], result.get("tokens"), self.chat.adapter_id)
        if self.statusBar().currentMessage() == STILL_ANSWERING:  # no longer true: Enter sends now
            self.statusBar().clearMessage()
        if result and result.get("message_id") is None and result.get("finish_reason") == "cancelled":
            self.statusBar().showMessage("Stopped before the first token; nothing was kept.", 5000)
        thumb = self.cards.unstored_thumb() if not result or result.get("message_id") is None else None
        if thumb is not None:
            why = "failed" if result is None else "cancelled" if result.get("finish_reason") == "cancelled" \
                else "empty"
            self.notices.thumb_not_kept(thumb, why)

    # ------------------------------------------------------------ actions
    def send(self) -> None:
        text = self.prompt.toPlainText()
        if text.strip() and self.chat.generating:  # Enter (Send is off): a key that did nothing, unexplained
            self.statusBar().showMessage(STILL_ANSWERING, STILL_ANSWERING_MS)
        if not text.strip() or self.chat.generating:
            return
        if self.chat.loaded is None and not self.chat.loading:
            self.show_error("No model is loaded: choose one with the model button.")
            return
        self.error_banner.hide()
        if self.message_editor.send(text):
            return
        if self.chat.send(text):
            self.prompt.clear()

    def _give_prompt_back(self, text: str) -> None:
        """A prompt the store refused goes back into the box, unless something new is typed there."""
        if not self.prompt.toPlainText().strip():
            self.prompt.setPlainText(text)

    def stop(self) -> None:
        if self.popover.isVisible():
            self.popover.hide()
            return
        if self.conversations.leave_search():  # (off while an answer is written: Esc then stops it)
            return
        if self.message_editor.cancel():
            return
        if self.text_mode.mode == "text":
            self.text_mode.stop()  # Esc in the Text tab: its continuation
            return
        if answer_keys.leave_answer_by_esc(self):
            return
        if not self.chat.generating and self.inspector.explain.busy:
            self.inspector.explain.cancel()  # as its Cancel does (usertest52: Esc did nothing)
            return
        # the chat's Stop is the chat's alone: a question waiting for the Text tab's continuation is
        # withdrawn and the continuation goes on (leftovers58: it stopped both)
        if self.chat.generating:
            self.cards.stopping()
        self.chat.stop()

    def regenerate(self) -> None:
        self.error_banner.hide()
        if self.chat.regenerate():
            self.warn_if_same_again()

    def warn_if_same_again(self) -> None:
        """Regenerate under greedy or seeded settings repeats itself: say so, once per click."""
        reason = same_again_reason(self.chat.settings)
        if reason:
            self.statusBar().showMessage(reason, 10000)

    def branch(self, message_id: int, index: int, token_id: int) -> None:
        self.error_banner.hide()
        # the inspector's token goes with the branch, and the button pressed (its own, or "Continue with
        # … instead" under "Why this token?") with it: the focus would fall to the toolbar
        focused = self.focusWidget()
        if focused is not None and self.inspector.isAncestorOf(focused):
            self.prompt.setFocus()
        self.chat.branch(message_id, index, token_id)

    def show_token(self, card: MessageCard, index: int) -> None:
        """The inspector shows token ``index`` of ``card`` (what a click on it does)."""
        self.cards.show_token(card, index)

    def export_card(self, card: MessageCard, kind: str, path: str | None = None) -> str | None:
        return self.cards.export_card(card, kind, path)

    # ------------------------------------------------------------ fine-tuning (gui/finetune_side.py)
    def _adapter_changed(self, adapter_id) -> None:
        self.status.adapter_now(self.chat.adapter_label, adapter_id)
        self.finetune_side.confirm_switch(adapter_id)
        self.finetune_side.adapter_changed()
        self.text_mode.adapter_changed(adapter_id)

    def show_finetune(self) -> None:
        self.finetune_side.show()

    def open_compare(self, message_id: int | None = None):
        return self.finetune_side.open_compare(message_id)

    @property
    def compare_dialog(self):
        """The compare window once opened, else None."""
        return self.finetune_side.compare_dialog

    # ------------------------------------------------------------ text mode (gui/text_mode.py)
    @property
    def mode(self) -> str:
        """"chat" or "text": the tab in front."""
        return self.text_mode.mode

    def set_mode(self, mode: str) -> None:
        self.text_mode.choose(mode)

    def show_text_token(self, index: int, record) -> None:
        """The inspector shows token ``index`` of the analysed text (what a click on it does)."""
        self.text_mode.show_token(index, record)
