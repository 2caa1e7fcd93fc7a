"""A prompt whose answer never began (the app closed, or was killed, after the prompt was stored and
before its answer had a row) offers "Answer it" on its card after a restart: reachable by Tab from
the prompt box, it asks the model for the answer as Send does and stores it in the same
conversation. Real SQLite file, real window, the tiny model."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop_app.core import session
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from desktop_app.gui.main_window import open_settings
from gui_windows import WAIT_MS, opened_window

PROMPT = "Tell me about the sea"


def _killed_while_answering() -> tuple[int, int]:
    """The rows a window killed before its answer's first write leaves: the prompt and its
    conversation, remembered as the one on screen. Returns (conversation id, prompt id)."""
    paths = AppPaths.resolve().ensure()
    store = Store.open(paths.db_path)
    conversation, first = session.add_prompt(store, None, "Hello there", None, unique_title=True)
    store.add_message(conversation, "assistant", "Hello!", parent_id=first)  # an earlier exchange, answered
    _same, prompt = session.add_prompt(store, conversation, PROMPT)
    store.close()
    open_settings(paths).setValue("last_conversation", conversation)
    return conversation, prompt


def _chat_mode() -> None:
    """The tiny model has no chat template: the window would open in Text mode."""
    open_settings(AppPaths.resolve().ensure()).setValue("mode", "chat")


def _tab_to(qtbot, window, target, most: int) -> bool:
    window.prompt.setFocus()
    for _ in range(most):
        if target.hasFocus():
            return True
        qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Tab)
    return target.hasFocus()


def test_a_prompt_left_without_an_answer_offers_answer_it_and_gets_its_answer(qtbot, qapp, tiny_model_dir):
    conversation, prompt = _killed_while_answering()
    _chat_mode()
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=6, seed=3) as window:
        qtbot.waitUntil(lambda: bool(window.transcript.cards), timeout=WAIT_MS)
        last = window.transcript.cards[-1]
        assert last.role == "user" and last.message_id == prompt
        button = last.answer_button
        assert button.isVisible() and button.isEnabled() and button.text() == "Answer it"
        assert last.unanswered_label.isVisible() and "No answer yet" in last.unanswered_label.text()

        # the prompt box is empty (Send and Stop are off): Regenerate, then Answer it, before the older answer
        assert _tab_to(qtbot, window, button, most=2), "two Tabs from the prompt box reach Answer it"
        with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS) as finished:
            qtbot.keyClick(button, Qt.Key.Key_Space)  # the keyboard presses it
        result = finished.args[0]
        assert result is not None and result["message_id"] is not None, result

        store = window.chat.store
        answer = store.get_message(result["message_id"])
        assert answer["role"] == "assistant" and answer["parent_id"] == prompt
        assert answer["conversation_id"] == conversation and answer["text"]
        assert [m["id"] for m in store.messages(conversation)][-2:] == [prompt, answer["id"]]
        assert len(store.list_conversations()) == 1  # no new conversation
        qtbot.waitUntil(lambda: window.transcript.cards[-1].message_id == answer["id"], timeout=WAIT_MS)
        assert window.transcript.cards[-1].role == "assistant"
        shown = [r.id for r in window.transcript.cards[-1].records]
        assert shown and shown == [r.id for r in store.token_records(answer["id"])]
        assert not button.isVisible(), "answered: the action goes"


def test_answer_it_is_only_on_a_last_prompt_with_no_answer_and_waits_while_one_is_made(qtbot, qapp, tiny_model_dir):
    _chat_mode()
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4, seed=3) as window:
        window.prompt.setPlainText("Hello there")
        with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
            window.send()
            # while the answer is asked for and made, the prompt shows no "Answer it"
            assert all(getattr(card, "answer_button", None) is None or not card.answer_button.isVisible()
                       for card in window.transcript.cards)
        qtbot.waitUntil(lambda: window.transcript.cards[-1].role == "assistant", timeout=WAIT_MS)
        user = window.transcript.cards[-2]
        assert getattr(user, "answer_button", None) is None or not user.answer_button.isVisible()
