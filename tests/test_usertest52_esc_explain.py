"""Usertest 52: Esc during "Why this token?" did nothing, though the prompt says "Esc stops": with no
answer being written, Esc now cancels the explanation as its Cancel button does. An answer being
written is still what Esc stops first."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

# the window with one answer, and a real task holding the model lane: test_gui_explain's
from test_gui_explain import WAIT_MS, _answer, _hold_lane, window  # noqa: E402,F401


def test_esc_cancels_why_this_token(window, qtbot):
    card = _answer(window)
    window.show_token(card, 2)
    view = window.inspector.explain
    release = _hold_lane(window)
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
