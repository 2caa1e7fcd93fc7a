"""A prompt whose answer never began, then another prompt sent (usertest52): the model reads the two
as one message of the person's, which the answer's notice says, and the earlier prompt's card keeps a
note saying so, rather than losing its "No answer yet" with nothing in its place. The prompt the model
reads is built by core/prompts.py; real SQLite file, real window, the tiny model."""

from __future__ import annotations

from transformers import AutoTokenizer

from desktop_app.core import session
from desktop_app.core.paths import AppPaths
from desktop_app.core.prompts import Turn, build_prompt
from desktop_app.core.store import Store
from desktop_app.gui.answer_words import READ_WITH_NEXT_WORDS
from desktop_app.gui.main_window import open_settings
from gui_windows import WAIT_MS, ask, opened_window

EARLIER = "What is the capital of France?"
NEXT = "And of Spain?"
# a template that, like many chat models' own, refuses two user turns in a row
ALTERNATING_TEMPLATE = (
    "{% for m in messages %}{% if (m['role'] == 'user') != (loop.index0 % 2 == 0) %}"
    "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant') }}{% endif %}"
    "<|{{ m['role'] }}|>{{ m['content'] }}\n{% endfor %}{% if add_generation_prompt %}<|assistant|>{% endif %}")


def test_two_prompts_in_a_row_are_read_as_one_message_and_the_notice_says_so(tiny_model_dir):
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    turns = [Turn("user", "Hello"), Turn("assistant", "Hi!"), Turn("user", EARLIER), Turn("user", NEXT)]
    prompt = build_prompt(tokenizer, turns, context_window=256, max_new_tokens=16)
    assert prompt.text == f"User: Hello\nAssistant: Hi!\nUser: {EARLIER}\n\n{NEXT}\nAssistant:"
    assert prompt.text.count("User:") == 2
    assert prompt.joined_prompts == 1
    assert prompt.notice == ("The model read your earlier prompt, which has no answer, together with this one, "
                             "as one message.")
    alone = build_prompt(tokenizer, [Turn("user", NEXT)], context_window=256, max_new_tokens=16)
    assert alone.joined_prompts == 0 and alone.notice is None


def test_a_template_that_wants_turns_to_alternate_gets_one_user_turn(tiny_model_dir):
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    tokenizer.chat_template = ALTERNATING_TEMPLATE
    turns = [Turn("user", EARLIER), Turn("user", "Still there?"), Turn("user", NEXT)]
    prompt = build_prompt(tokenizer, turns, context_window=256, max_new_tokens=16)
    assert prompt.text == f"<|user|>{EARLIER}\n\nStill there?\n\n{NEXT}\n<|assistant|>"
    assert prompt.notice.startswith("The model read your 2 earlier prompts, which have no answer,")


def test_with_the_window_cut_the_notice_says_both(tiny_model_dir):
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    turns = [Turn("user", "word " * 300), Turn("assistant", "ok"), Turn("user", EARLIER), Turn("user", NEXT)]
    prompt = build_prompt(tokenizer, turns, context_window=128, max_new_tokens=16)
    assert prompt.dropped_turns == 2 and prompt.joined_prompts == 1
    assert prompt.text.endswith(f"User: {EARLIER}\n\n{NEXT}\nAssistant:")
    assert "together with this one" in prompt.notice and "oldest turns were left out" in prompt.notice


def _prompt_left_unanswered() -> tuple[int, int]:
    """The rows a window closed before its answer began leaves: an answered exchange, then a prompt
    with no answer, its conversation the one on screen. Returns (conversation id, prompt id)."""
    paths = AppPaths.resolve().ensure()
    store = Store.open(paths.db_path)
    conversation, first = session.add_prompt(store, None, "Hello there", None, unique_title=True)
    store.add_message(conversation, "assistant", "Hello!", parent_id=first)
    _same, prompt = session.add_prompt(store, conversation, EARLIER)
    store.close()
    settings = open_settings(paths)
    settings.setValue("last_conversation", conversation)
    settings.setValue("mode", "chat")  # the tiny model has no chat template: it would open in Text mode
    return conversation, prompt


def test_the_window_keeps_the_earlier_prompts_note_and_tells_what_the_model_read(qtbot, qapp, tiny_model_dir):
    conversation, earlier = _prompt_left_unanswered()
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4, seed=3) as window:
        qtbot.waitUntil(lambda: bool(window.transcript.cards), timeout=WAIT_MS)
        assert window.transcript.cards[-1].answer_button.isVisible()
        result = ask(qtbot, window, NEXT)
        assert result is not None and result["message_id"] is not None, result
        store = window.chat.store
        answer = store.get_message(result["message_id"])
        newest = store.get_message(answer["parent_id"])
        assert newest["text"] == NEXT and newest["parent_id"] == earlier

        read = build_prompt(window.chat.loaded.tokenizer, session.turns_to(store, newest["id"]),
                            context_window=window.chat.loaded.context_window)
        assert read.text == f"User: Hello there\nAssistant: Hello!\nUser: {EARLIER}\n\n{NEXT}\nAssistant:"
        qtbot.waitUntil(lambda: "together with this one" in window.notice_banner.label.text(), timeout=WAIT_MS)
        assert window.notice_banner.isVisible()

        cards = {card.message_id: card for card in window.transcript.cards}
        earlier_card = cards[earlier]
        assert earlier_card.unanswered_label.isVisible()
        assert earlier_card.unanswered_label.text() == READ_WITH_NEXT_WORDS
        assert not earlier_card.answer_button.isVisible(), "no answer of its own: it would branch off beside NEXT"
        assert [m["id"] for m in store.messages(conversation)][-3:] == [earlier, newest["id"], answer["id"]]
