"""CI, session 41: a window shut down (its lanes closed, its store closed with them) was activated
once more and asked its closed store whether the command line had changed the adapter in use:
"StoreError: The database ... is closed" inside Qt's event loop."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")


def test_an_activation_after_the_window_shut_down_reads_nothing(qtbot, qapp, tiny_model_dir):
    from gui_windows import opened_window

    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        qtbot.waitUntil(lambda: window.chat.loaded is not None, timeout=60_000)
        chat = window.chat
    assert chat.lane.closed and chat.loaded is not None
    chat.notice_outside_adapter_change()  # raised StoreError: the database is closed
