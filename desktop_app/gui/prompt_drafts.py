"""A question typed and not sent belongs to its conversation, as in a chat app: New conversation or
another conversation puts it aside and shows that conversation's own (ux42: a question typed for
conversation A stayed in the box over B, one Enter from being sent there). The box's text is the
draft of the conversation shown (settings' ``prompt_draft``, window_state); the others are kept in
``prompt_drafts`` (JSON, "new" for a conversation not written yet), written as they change, so a kill
loses none of them."""

from __future__ import annotations

import json

from desktop_app.gui.window_state import write_draft

NEW = "new"  # the key of the conversation on screen before its first prompt writes it


def _key(conversation_id: int | None) -> str:
    return NEW if conversation_id is None else str(conversation_id)


class PromptDrafts:
    """The unsent questions of the conversations not on screen, by conversation."""

    def __init__(self, window):
        self.window = window
        self.others: dict[str, str] = _read(window.settings.value("prompt_drafts", "") or "")

    def leave(self) -> None:
        """Before another conversation shows: the box's question is put aside for the one shown now
        (an edit of a sent message ends first, its box text given back: that is the draft)."""
        window = self.window
        window.message_editor.cancel()
        text = window.prompt.toPlainText()
        key = _key(window.chat.conversation_id)
        if text.strip():
            self.others[key] = text
        else:
            self.others.pop(key, None)

    def arrive(self) -> None:
        """After another conversation shows: its own question back in the box (none: an empty box)."""
        window = self.window
        window.prompt.setPlainText(self.others.pop(_key(window.chat.conversation_id), ""))
        self.save()

    def forget(self, conversation_id: int, shown: bool) -> None:
        """A deleted conversation's question goes with it. ``shown``: it was on screen, its question in
        the box (or put aside by an edit): the conversation shown now has its own back instead."""
        self.others.pop(_key(conversation_id), None)
        if shown:
            self.window.message_editor.cancel()
            self.arrive()
        else:
            self.save()

    def save(self) -> None:
        """The ones put aside and the shown one, on disk at once: a kill brings back no deleted question."""
        self.window.settings.setValue("prompt_drafts", json.dumps(self.others))
        write_draft(self.window)


def _read(text: str) -> dict[str, str]:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return {str(k): v for k, v in value.items() if isinstance(v, str) and v.strip()} if isinstance(value, dict) else {}
