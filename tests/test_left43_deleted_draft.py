"""Deleting the conversation on screen takes its unsent question with it: the box then holds the question
of the conversation shown next (a new one's, or none), and the deleted one's is on disk nowhere (the
shown draft, settings' prompt_draft, and the ones put aside, prompt_drafts). Real window, store and tiny model."""

from __future__ import annotations

import json

import pytest

from desktop_app.core.paths import AppPaths
from test_gui import ask, make_window  # noqa: F401

pytest.importorskip("PySide6")


def _on_disk():
    from desktop_app.gui.window_state import open_settings

    settings = open_settings(AppPaths.resolve())
    return settings.value("prompt_draft", "") or "", json.loads(settings.value("prompt_drafts", "") or "{}")


def _delete(qtbot, window, conversation_id):
    """As the list's Delete… does once confirmed; done when the list no longer has it."""
    window.conversations.delete_requested.emit(conversation_id)
    qtbot.waitUntil(lambda: conversation_id not in [c["id"] for c in window.chat.conversations()])


def test_deleting_the_shown_conversation_empties_the_box_of_its_question(make_window, qtbot):
    window = make_window(max_new_tokens=4)
    ask(qtbot, window, "Hello")
    a = window.chat.conversation_id
    qtbot.keyClicks(window.prompt, "A question for A")
    _delete(qtbot, window, a)
    assert window.chat.conversation_id is None
    assert window.prompt.toPlainText() == ""
    assert _on_disk() == ("", {})


def test_deleting_the_shown_conversation_shows_the_next_ones_question(make_window, qtbot):
    """A question typed in a new conversation, then A opened: deleting A shows the new conversation, its question back."""
    window = make_window(max_new_tokens=4)
    ask(qtbot, window, "Hello")
    a = window.chat.conversation_id
    window.new_conversation()
    qtbot.keyClicks(window.prompt, "For a new one")
    window.open_conversation(a)
    qtbot.keyClicks(window.prompt, "A question for A")
    _delete(qtbot, window, a)
    assert window.prompt.toPlainText() == "For a new one"
    assert _on_disk() == ("For a new one", {})


def test_deleting_the_shown_conversation_while_editing_a_message_ends_the_edit(make_window, qtbot):
    """The box held an edit of A's message, A's question put aside: neither stays."""
    window = make_window(max_new_tokens=4)
    ask(qtbot, window, "Hello")
    a = window.chat.conversation_id
    qtbot.keyClicks(window.prompt, "A question for A")
    window.message_editor.begin(next(c for c in window.transcript.cards if c.role == "user"))
    assert window.prompt.toPlainText() == "Hello"
    _delete(qtbot, window, a)
    assert window.message_editor.editing is None and window.prompt.toPlainText() == ""
    assert _on_disk() == ("", {})


def test_deleting_another_conversation_keeps_the_box(make_window, qtbot):
    window = make_window(max_new_tokens=4)
    ask(qtbot, window, "Hello")
    a = window.chat.conversation_id
    qtbot.keyClicks(window.prompt, "A question for A")
    window.new_conversation()
    ask(qtbot, window, "Hi there")
    qtbot.keyClicks(window.prompt, "For B")
    _delete(qtbot, window, a)
    assert window.prompt.toPlainText() == "For B"
    assert _on_disk()[1] == {}
