"""Usertest 52: Esc during "Why this token?" did nothing, though the prompt says "Esc stops": with no
answer being written, Esc now cancels the explanation as its Cancel button does. An answer being
written is still what Esc stops first."""

from __future__ import annotations

import threading

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from desktop_app.gui.tasks import Task  # noqa: E402
from gui_windows import answered_window  # noqa: E402

WAIT_MS = 60_000


@pytest.fixture
def window(qtbot, qapp, tiny_model_dir):
    with answered_window(qtbot, qapp, tiny_model_dir, WAIT_MS) as win:
        yield win


def hold_the_model_lane(window) -> threading.Event:
    """A real task keeps the model lane busy until released: the explanation waits behind it."""
    release = threading.Event()
    window.chat.lane.submit(Task(lambda _r, _c: release.wait(30), "hold the lane", "hold"))
    return release


def test_esc_cancels_why_this_token(window, qtbot):
    card = [c for c in window.transcript.cards if c.role == "assistant"][-1]
    window.show_token(card, 2)
    view = window.inspector.explain
    release = hold_the_model_lane(window)
    try:
        qtbot.mouseClick(view.button, Qt.MouseButton.LeftButton)
        (task,) = window.chat.lane.find("explain")
        assert view.busy and view.cancel_button.hasFocus()  # where the click left the keyboard
        qtbot.keyClick(view.cancel_button, Qt.Key.Key_Escape)
        assert not view.busy and task.state.value == "cancelled"
        assert "Cancelled" in view.status.text() and view.button.isVisible()
    finally:
        release.set()
    qtbot.waitUntil(lambda: not window.chat.lane.busy, timeout=WAIT_MS)
    assert view.result is None
