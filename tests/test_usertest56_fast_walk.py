"""usertest 56 (the chat and fine-tune loop on Fast weights, as a new user): what the walk found,
each on the real window (pytest-qt, offscreen, the tiny GPT-2, the real store)."""

from __future__ import annotations

import threading

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.gui.tasks import Task  # noqa: E402
from test_gui import WAIT_MS, make_window  # noqa: E402,F401


def test_the_meter_stops_saying_an_answer_is_written_once_it_ended(make_window, qtbot):
    """A paused explanation goes on after the answer and holds the model lane for minutes; the line under
    the prompt box said "the answer being written" all that time."""
    window = make_window(max_new_tokens=6)
    meter = window.context_meter.label
    release = threading.Event()
    window.prompt.setPlainText("Hello there")
    hold = Task(lambda _r, _c: release.wait(30), "hold the lane", "hold")
    # queued behind the answer once it runs, as the explanation it paused is: the lane stays busy after it
    window.chat.stream_started.connect(lambda _m: hold not in window.chat.lane.tasks and window.chat.lane.submit(hold))
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
        window.send()
    try:
        QApplication.processEvents()
        assert window.chat.lane.tasks, "the lane is still busy after the answer"
        assert meter.isVisible() and "tokens of context" in meter.text()
        assert "being written" not in meter.text(), meter.text()
    finally:
        release.set()
    qtbot.waitUntil(lambda: not window.chat.lane.busy, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "the conversation so far" in meter.text(), timeout=WAIT_MS)
