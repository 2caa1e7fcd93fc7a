"""Conversation bookkeeping is written on the store lane, not on the GUI thread (gui/chat.py):
the person's prompt, a rename, a delete; a new conversation writes nothing until its first
prompt. While the lane is busy the window goes on; a write the store refuses is one clear
message and the prompt comes back to the box."""

from __future__ import annotations

import threading

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt, QTimer  # noqa: E402

from desktop_app.core import session as session_module  # noqa: E402
from desktop_app.core.store import Store  # noqa: E402
from desktop_app.gui.chat import ChatState  # noqa: E402
from desktop_app.gui.tasks import Task  # noqa: E402
from test_gui import WAIT_MS, ask, make_window  # noqa: E402,F401


def note_threads(monkeypatch, owner, name: str, seen: list) -> None:
    """``owner.name`` runs as before and notes the thread it ran on."""
    real = getattr(owner, name)

    def noted(*args, **kwargs):
        seen.append((name, threading.current_thread().name))
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, noted)


def hold(lane) -> threading.Event:
    """Keeps ``lane`` busy with a task of its own until the returned event is set."""
    release = threading.Event()
    lane.submit(Task(lambda _report, _cancel: release.wait(WAIT_MS / 1000), "hold the lane"))
    return release


def titles(window) -> list[str]:
    return [window.conversations.list.item(i).text() for i in range(window.conversations.list.count())]


def test_prompts_renames_and_deletes_are_written_on_the_store_lane(make_window, qtbot, monkeypatch):
    window = make_window()
    store, seen = window.chat.store, []
    note_threads(monkeypatch, session_module, "add_prompt", seen)
    note_threads(monkeypatch, store, "rename_conversation", seen)
    note_threads(monkeypatch, store, "delete_conversation", seen)
    ask(qtbot, window, "first question")
    first = window.chat.conversation_id
    window.new_conversation()  # nothing to write until its first prompt
    assert window.chat.conversation_id is None and len(store.list_conversations()) == 1
    ask(qtbot, window, "second question")
    with qtbot.waitSignal(window.chat.conversations_changed, timeout=WAIT_MS):
        window.chat.rename(first, "Renamed")
    assert "Renamed" in titles(window)
    with qtbot.waitSignal(window.chat.conversations_changed, timeout=WAIT_MS):
        window.chat.delete(first)
    assert titles(window) == ["second question"]
    assert [name for name, _thread in seen] == ["add_prompt", "add_prompt", "rename_conversation",
                                                "delete_conversation"]
    assert {thread for _name, thread in seen} == {"lane-store"}


def test_the_window_goes_on_while_the_store_lane_is_busy(make_window, qtbot):
    window = make_window()
    ask(qtbot, window, "first question")
    first = window.chat.conversation_id
    release = hold(window.tasks.store)
    window.chat.rename(first, "Renamed")
    qtbot.keyClicks(window.prompt, "a second question")
    qtbot.mouseClick(window.send_button, Qt.MouseButton.LeftButton)
    # nothing written yet, and the window is not waiting for it
    assert window.prompt.toPlainText() == "" and window.chat.state is ChatState.ANSWERING
    assert not window.send_button.isEnabled() and not window.chat.send("and another")
    ticks = []
    QTimer.singleShot(0, lambda: ticks.append("tick"))
    qtbot.waitUntil(lambda: ticks == ["tick"], timeout=WAIT_MS)  # the event loop runs
    assert titles(window) == ["first question"] and len(window.transcript.cards) == 2
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS) as finished:
        release.set()
    assert finished.args[0]["message_id"] is not None
    assert titles(window) == ["Renamed"]
    assert [c.role for c in window.transcript.cards] == ["user", "assistant", "user", "assistant"]
    assert window.transcript.cards[2].message["text"] == "a second question"


def test_a_refused_write_is_one_clear_message_and_the_prompt_comes_back(make_window, qtbot):
    window = make_window()
    ask(qtbot, window, "first question")
    first = window.chat.conversation_id
    other = Store.open(window.chat.store.path)  # another program (the command line) deletes it meanwhile
    other.delete_conversation(first)
    other.close()
    with qtbot.waitSignal(window.chat.error, timeout=WAIT_MS):
        window.chat.rename(first, "Renamed")
    words = window.error_banner.label.text()
    assert window.error_banner.isVisible() and words.startswith("The conversation was not renamed.")
    assert "no conversation" in words and "Traceback" not in words
    qtbot.keyClicks(window.prompt, "a follow-up")
    with qtbot.waitSignal(window.chat.error, timeout=WAIT_MS):
        qtbot.mouseClick(window.send_button, Qt.MouseButton.LeftButton)
    assert window.error_banner.label.text().startswith("Your message was not saved.")
    assert window.prompt.toPlainText() == "a follow-up"  # given back, not lost
    qtbot.waitUntil(lambda: window.chat.state is ChatState.IDLE and window.send_button.isEnabled(), timeout=WAIT_MS)
