"""Usertest 12, finding 8: Esc before the answer's first token left the prompt's card saying "No answer
yet: the app closed, or the answer was stopped, before it began." The window knows the person
stopped it: the card says so. A prompt left without an answer by an app that closed keeps the old
words (after a restart the window cannot tell the two apart)."""

from __future__ import annotations

import threading

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from desktop_app.core.paths import AppPaths  # noqa: E402
from desktop_app.gui.main_window import open_settings  # noqa: E402
from desktop_app.gui.tasks import Task  # noqa: E402
from desktop_app.gui.answer_words import STOPPED_UNANSWERED_WORDS, UNANSWERED_WORDS  # noqa: E402
from gui_windows import WAIT_MS, opened_window  # noqa: E402

PROMPT = "What is the capital of Spain?"


def busy_model_lane(window) -> threading.Event:
    """Work on the model lane (a fine-tune's share of it, say) that the answer waits behind; set the
    returned event to let it end."""
    release = threading.Event()
    window.chat.lane.submit(Task(lambda _report, _cancel: release.wait(WAIT_MS / 1000), "busy", "busy"))
    return release


def active(qtbot, window):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    return window


def esc(window) -> None:
    QTest.keyClick(window.focusWidget() or window, Qt.Key.Key_Escape)


def test_esc_before_the_first_token_says_the_person_stopped_it(qtbot, qapp, tiny_model_dir):
    open_settings(AppPaths.resolve().ensure()).setValue("mode", "chat")  # (the tiny model has no chat template)
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4, seed=3) as window:
        active(qtbot, window)
        release = busy_model_lane(window)
        try:
            window.prompt.setFocus()
            qtbot.keyClicks(window.prompt, PROMPT)
            qtbot.mouseClick(window.send_button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: bool(window.chat.lane.find("answer")), timeout=WAIT_MS)
            with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS) as finished:
                esc(window)
        finally:
            release.set()
        assert finished.args[0] == {"message_id": None, "finish_reason": "cancelled"}
        card = window.transcript.cards[-1]
        qtbot.waitUntil(lambda: getattr(card, "answer_button", None) is not None and card.answer_button.isVisible(),
                        timeout=WAIT_MS)
        assert card.role == "user" and card.message["text"] == PROMPT
        assert card.unanswered_label.text() == STOPPED_UNANSWERED_WORDS
        assert "app closed" not in card.unanswered_label.text()
        prompt_id = card.message_id

    # a new start cannot know why the prompt has no answer: both reasons are named
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4, seed=3) as window:
        qtbot.waitUntil(lambda: bool(window.transcript.cards), timeout=WAIT_MS)
        card = window.transcript.cards[-1]
        assert card.message_id == prompt_id and card.answer_button.isVisible()
        assert card.unanswered_label.text() == UNANSWERED_WORDS
