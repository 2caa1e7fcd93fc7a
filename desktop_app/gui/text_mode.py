"""Text mode in the window: the Chat | Text tabs, which tab is in front, Ctrl+Enter by mode,
and the Text view's hooks into the window's shared inspector and status bar.

The window builds its pages and hands the chat page to ``TextMode``; everything that is
about text mode (and not about chat) is wired here, so main_window.py stays about the
window as a whole.
"""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget

from desktop_app.gui.text_controller import TextController
from desktop_app.gui.text_view import TextView
from desktop_app.gui.token_view import token_label

TEXT_TOKEN_HINT = "A token of your text, as the model predicted it from the text before."


class TextMode:
    """The Text tab of a MainWindow and its wiring.

    Attributes:
        window: the MainWindow (its inspector, status bar, banners, settings).
        controller: the TextController (the open document, the model work on it).
        view: the TextView (editor, heatmap, summary, branches).
        tabs: the Chat | Text QTabWidget.
        decided: whether the first model (or the person) has chosen the mode already.
    """

    def __init__(self, window, chat_page):
        self.window = window
        self.controller = TextController(window.chat.store, window.chat, window)
        self.view = TextView(self.controller)
        self.tabs = QTabWidget()  # Chat | Text: the same model, heatmap and inspector
        self.tabs.setObjectName("ModeTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(chat_page, "Chat")
        self.tabs.addTab(self.view, "Text")
        self.decided = False

    def connect(self) -> None:
        w = self.window
        self.controller.error.connect(w.show_error)
        self.view.token_clicked.connect(self.show_token)
        self.view.token_hovered.connect(self.token_hovered)
        self.tabs.currentChanged.connect(self._changed)

    # ------------------------------------------------------------ the mode
    @property
    def mode(self) -> str:
        """"chat" or "text": the tab in front."""
        return "text" if self.tabs.currentWidget() is self.view else "chat"

    def set_mode(self, mode: str) -> None:
        self.tabs.setCurrentWidget(self.view if mode == "text" else self.tabs.widget(0))

    def _changed(self, _index: int) -> None:
        if self.mode == "text":
            if self.controller.document_id is None:
                self.view.open_document()  # the newest text, or a new empty one
            self.view.editor.setFocus()

    def restore(self, settings) -> None:
        if settings.value("mode") == "text":
            self.set_mode("text")

    def ctrl_enter(self) -> None:
        """Ctrl+Enter sends the prompt in Chat and continues the text in Text."""
        if self.mode == "text":
            self.view.continue_text()
        else:
            self.window.send()

    def stop(self) -> None:
        self.controller.stop()

    def close(self) -> None:
        self.view.flush_edit()
        self.controller.shutdown()

    # ------------------------------------------------------------ the model
    def model_loaded(self, loaded) -> None:
        self._mode_for(loaded)
        if self.controller.document_id is not None:
            self.view.analyse_now(save=False)  # the text's colours come from this model

    def _mode_for(self, loaded) -> None:
        """A model without a chat template (GPT-2) continues text rather than answering: the
        window opens in Text mode, unless the person chose a mode before; it says why once."""
        from desktop_app.core.prompts import has_chat_template

        decided, self.decided = self.decided, True
        if decided or has_chat_template(loaded.tokenizer) or self.window.settings.value("mode") is not None:
            return
        self.set_mode("text")
        self.window.notice_banner.show_message(
            f"{loaded.source.display_name} has no chat template: it continues text rather than answering "
            "questions, so the window opened in Text mode. Chat is one tab away.", "info")

    # ------------------------------------------------------------ the shared inspector and status bar
    def show_token(self, index: int, record) -> None:
        """The inspector shows token ``index`` of the analysed text (a click on it)."""
        w = self.window
        if w.selected_card is not None:
            try:
                w.selected_card.view.clear_selection_mark()
            except RuntimeError:  # the card is gone
                pass
            w.selected_card = None
        w.side_tabs.setCurrentWidget(w.inspector)
        w.inspector.show_token(None, index, record, can_branch=False)
        w.inspector.hint.setText(TEXT_TOKEN_HINT)

    def token_hovered(self, index: int, record) -> None:
        bar = self.window.statusBar()
        if record is None:
            bar.clearMessage()
            return
        bar.showMessage(f"token {index + 1}: \u201c{token_label(record.text)}\u201d  p={record.prob * 100:.2f}%  "
                        f"rank {record.rank}  entropy {record.entropy:.2f}")
