"""An unstarted answer (the app closed while the model read the prompt) that goes on and is stopped
again before its first token: the card says the person stopped it, and after a restart too. Before,
the stored row was the same draft as before and a new start blamed the app closing. The stop is
noted in the row's settings (its finish reason beside the draft mark: no schema change); going on
again takes it off. pytest-qt, the tiny model, a real store."""

from __future__ import annotations

import threading

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from desktop_app.core import session  # noqa: E402
from desktop_app.core.drafts import (INTERRUPTED_WORDS, UNSTARTED_WORDS, AnswerDraft, is_unstarted,  # noqa: E402
                                     stopped_unstarted)
from desktop_app.core.generation import SamplingSettings  # noqa: E402
from desktop_app.core.store import Store  # noqa: E402
from desktop_app.core.conversation_export import ending_note  # noqa: E402
from desktop_app.gui.answer_words import STOPPED_UNSTARTED_WORDS  # noqa: E402
from gui_windows import WAIT_MS, opened_window  # noqa: E402
from test_answer_draft import unstarted_answer  # noqa: E402
from test_card36_stopped_before_start import active, busy_model_lane, esc  # noqa: E402


def test_a_stopped_unstarted_answer_says_so_after_a_restart(qtbot, qapp, tiny_model_dir):
    """Stopped again before a token, the row stays empty and its card no longer blames the app,
    now and after a restart (this test is also session 36's card36 check of the first half)."""
    conversation, _prompt, row = unstarted_answer()
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4, seed=3) as window:
        active(qtbot, window)
        window.set_mode("chat")  # the tiny model opens in Text (no chat template), where Esc is the Text tab's
        window.chat.open_conversation(conversation)
        card = window.transcript.cards[-1]
        assert card.message_id == row and card.interrupted_label.text() == UNSTARTED_WORDS
        release = busy_model_lane(window)
        try:
            qtbot.mouseClick(card.regenerate_button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: bool(window.chat.lane.find("answer")), timeout=WAIT_MS)
            with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
                esc(window)
        finally:
            release.set()
        window.chat.tasks.store.wait()
        qtbot.waitUntil(lambda: window.transcript.cards[-1].message_id == row, timeout=WAIT_MS)
        assert window.transcript.cards[-1].interrupted_label.text() == STOPPED_UNSTARTED_WORDS
        stored = window.chat.store.get_message(row)
        assert stopped_unstarted(stored) and is_unstarted(stored), stored["settings"]

    # a new start: the same words, and nothing blames the app closing
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4, seed=3) as window:
        window.chat.open_conversation(conversation)
        qtbot.waitUntil(lambda: bool(window.transcript.cards), timeout=WAIT_MS)
        card = window.transcript.cards[-1]
        assert card.message_id == row and card.interrupted_label.text() == STOPPED_UNSTARTED_WORDS
        assert INTERRUPTED_WORDS not in card.meta.toolTip() and "stopped" in card.meta.toolTip()
        assert not card.regenerate_button.isHidden() and card.continue_button.isHidden()
        assert ending_note(card.message) == "You stopped this answer before it ended."


def test_the_row_notes_a_stop_of_a_running_answer_and_forgets_it_when_it_goes_on(tiny_model, tmp_path):
    store = Store.open(tmp_path / "store.db")
    conversation = store.create_conversation("long paste")
    user = store.add_message(conversation, "user", "a long paste")
    row = AnswerDraft(store, conversation, user).begin()
    stop = threading.Event()
    stop.set()  # stopped before the first token, as Esc while the model reads the prompt
    answer = session.answer_prompt(store, tiny_model, user, SamplingSettings(max_new_tokens=4, seed=3), cancel=stop)
    assert not answer.generation.records and answer.generation.finish_reason == "cancelled"
    going_on = AnswerDraft(store, conversation, user, message_id=row)
    assert going_on.finish(answer) is None
    assert stopped_unstarted(store.get_message(row)), "kept, and noted as stopped"
    going_on.reopen()  # it goes on again: an app closed now is an interruption again
    message = store.get_message(row)
    assert is_unstarted(message) and not stopped_unstarted(message)
    fresh = AnswerDraft(store, conversation, user)
    fresh.finish(answer)  # an answer that began its own row and got no token leaves none
    assert [m["id"] for m in store.messages(conversation) if m["role"] == "assistant"] == [row]
    store.close()
