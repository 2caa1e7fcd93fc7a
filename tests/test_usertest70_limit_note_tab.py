"""usertest70, finding 2: a writer's Text continuation stopped at Max new tokens, and its note in the window's
status bar, "Stopped at 128 new tokens, the limit set in Settings (Ctrl+,)", stood on after they went to Chat and
asked a question, where it read as said of the chat's answer. The note is the Text tab's: it leaves the status bar
with the tab and comes back with it (the real window, the tiny GPT-2, a real store)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from gui_windows import STORY, window_with_text  # noqa: E402
from test_usertest25_continuation_limit import continued  # noqa: E402


def test_the_limit_note_leaves_with_the_text_tab_and_comes_back_with_it(qtbot, qapp, tiny_model_dir):
    from desktop_app.core.text_notes import AT_THE_LIMIT

    note = AT_THE_LIMIT.format(count=5)
    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as window:
        window.set_mode("text")
        window.popover.max_new.setValue(5)
        assert continued(qtbot, window) == "length"
        assert window.statusBar().currentMessage() == note
        window.set_mode("chat")
        assert window.statusBar().currentMessage() != note, "the Text tab's note stood under the chat"
        window.set_mode("text")
        assert window.statusBar().currentMessage() == note, "back in Text, the shown continuation's note again"
