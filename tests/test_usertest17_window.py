"""User test 17's findings in the real window (pytest-qt, the tiny random GPT-2, a real store)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.core.prompts import Turn, build_prompt  # noqa: E402
from gui_windows import WAIT_MS, answered_window  # noqa: E402


@pytest.fixture
def window(qtbot, qapp, tiny_model_dir):
    with answered_window(qtbot, qapp, tiny_model_dir) as win:
        yield win


def test_editing_a_message_counts_the_context_up_to_it_not_the_whole_conversation(window, qtbot):
    # usertest 17: editing the only question of a conversation read "59 / 8,192 tokens", more than
    # "The conversation so far: 52": the meter added the edited text after the answer it replaces
    meter, loaded = window.context_meter.label, window.chat.loaded
    user = next(c for c in window.transcript.cards if c.role == "user")
    window.message_editor.begin(user)
    edited = "Hello, how are you today?"
    window.prompt.setPlainText(edited)
    alone = build_prompt(loaded.tokenizer, [Turn("user", edited)], system=window.chat.system or None,
                         context_window=loaded.context_window, max_new_tokens=window.chat.settings.max_new_tokens)
    expected = f"{len(alone.ids):,} / {loaded.context_window:,} tokens of context"
    qtbot.waitUntil(lambda: not window.chat.lane.tasks, timeout=WAIT_MS)  # (the meter counts on a free lane)
    window.context_meter.refresh()
    assert meter.text().startswith(expected), meter.text()
    # Esc: the meter counts the whole conversation again
    window.message_editor.cancel()
    window.context_meter.refresh()
    assert meter.text().startswith("The conversation so far: ")
