"""Edit one of your own messages and send it again: the edited prompt becomes a sibling of
the old one (a new branch, browsable with ‹ 1/2 ›, like answer siblings) and is answered."""

from __future__ import annotations

from PySide6.QtCore import QObject


EDITING_WORDS = "Editing your message: sending makes it a new branch beside the old one (both are kept). Esc cancels."


class MessageEditor(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.editing: int | None = None  # the id of the message being edited
        self.held = ""  # what the box held when the edit began: given back when it ends (usertest 17)
        self.watching = False  # the notice banner's ✕ heard

    def begin(self, card) -> None:
        window = self.window
        if window.chat.generating or card.message is None:
            return
        if not self.watching:
            window.notice_banner.dismissed.connect(self._dismissed)
            self.watching = True
        if self.editing is None:  # (a second pencil while editing: the box holds the first edit)
            self.held = window.prompt.toPlainText()
        self.editing = card.message_id
        window.prompt.setPlainText(card.message["text"])
        window.prompt.setFocus()
        window.prompt.selectAll()
        window.notice_banner.show_message(EDITING_WORDS, "info")

    def _dismissed(self, text: str) -> None:
        """✕ on the editing notice ends the edit, the words in the box kept: with the notice gone, a Send
        that still replaced the message with a branch came unannounced (usertest 17)."""
        if text == EDITING_WORDS and self.editing is not None:
            self.editing = None
            self.window.context_meter.refresh()  # it counted up to the edited message

    def draft(self) -> str:
        """The question typed and not sent: while editing, the one the edit put aside."""
        return self.window.prompt.toPlainText() if self.editing is None else self.held

    def _give_back(self) -> None:
        self.window.prompt.setPlainText(self.held)
        self.held = ""

    def cancel(self) -> bool:
        """True when an edit was cancelled (Esc does that before anything else)."""
        if self.editing is None:
            return False
        self.editing = None
        self._give_back()
        self.window.notice_banner.hide()
        return True

    def send(self, text: str) -> bool:
        """Send the edited text as a new branch; False when no edit is going on (or the edited
        message is not in the open conversation any more): then it is sent as a new message."""
        if self.editing is None:
            return False
        message_id, self.editing = self.editing, None
        self.window.notice_banner.hide()
        if not self.window.chat.resend_edited(message_id, text):
            return False
        self._give_back()
        return True
