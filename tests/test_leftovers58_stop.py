"""leftovers58: Stop in chat while the question waits for the Text tab's continuation. pytest-qt on the real
window, the tiny GPT-2, a real store."""

from __future__ import annotations

import threading

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from desktop_app.gui.tasks import Task, TaskState  # noqa: E402
from gui_windows import WAIT_MS, send_in_chat  # noqa: E402
from test_gui_loom import settle, window  # noqa: E402,F401


def test_stop_in_chat_withdraws_the_waiting_question_and_the_continuation_goes_on(window, qtbot):
    """A question sent while the Text tab's continuation runs waits for it; Stop in chat then stopped the
    continuation too. It withdraws the question alone: the continuation is not asked to stop and ends itself."""
    release, asked_to_stop = threading.Event(), []

    def continuation(_report, cancel):  # a continuation as long as a slow CPU's, ended by the test
        release.wait(WAIT_MS / 1000)
        asked_to_stop.append(cancel.is_set())
        return "written"

    running = Task(continuation, "continue text", "continue")
    window.tasks.model.submit(running)
    send_in_chat(qtbot, window, "Hello there")
    qtbot.waitUntil(lambda: window.chat.answering is not None and window.stop_button.isEnabled(), timeout=WAIT_MS)
    answers = [t for t in window.tasks.model.tasks if t.kind == "answer"]
    assert answers and answers[0].state is TaskState.WAITING, "the question waits behind the continuation"
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS) as finished:
        qtbot.mouseClick(window.stop_button, Qt.MouseButton.LeftButton)
    assert finished.args[0]["finish_reason"] == "cancelled"
    assert answers[0].state is TaskState.CANCELLED, "the waiting question was withdrawn, never run"
    assert running.state is TaskState.RUNNING and not running.cancel.is_set(), "the continuation goes on"
    release.set()
    qtbot.waitUntil(lambda: window.tasks.model.running is None, timeout=WAIT_MS)
    assert asked_to_stop == [False] and running.state is TaskState.DONE
    settle(window)
    assert window.send_button.isEnabled() or not window.prompt.toPlainText().strip()


def test_esc_in_the_text_tab_still_stops_its_continuation(window, qtbot):
    """Esc in the Text tab stops the Text tab's own continuation (its Stop, as before)."""
    release = threading.Event()
    running = Task(lambda _r, cancel: release.wait(WAIT_MS / 1000) or cancel.is_set(), "continue text", "continue")
    window.tasks.model.submit(running)
    qtbot.waitUntil(lambda: window.tasks.model.running is running, timeout=WAIT_MS)
    window.set_mode("text")
    window.stop()
    assert running.cancel.is_set()
    release.set()
    qtbot.waitUntil(lambda: window.tasks.model.running is None, timeout=WAIT_MS)
