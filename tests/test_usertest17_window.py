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
    # "52 / 8,192 tokens of context · the conversation so far": the meter added the edited text after the answer it replaces
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
    assert meter.text().endswith(" \u00b7 the conversation so far")


def counted_after_switch(qtbot, window, switch) -> dict:
    """The Fine-tune tab's counts once ``switch`` changed the adapter in use and the writes it queued are done."""
    from PySide6.QtWidgets import QApplication

    with qtbot.waitSignal(window.chat.adapter_changed, timeout=WAIT_MS):
        switch()
    window.writer.wait(WAIT_MS)
    QApplication.processEvents()
    return window.finetune_panel.counts


def test_the_ready_line_follows_the_adapter_put_in_use(window, qtbot, tiny_model_dir):
    # usertest 17: after "Use base model" the tab still said "A new run starts from adapter 1, the one
    # in use", and counted what is new since the run of an adapter no longer in use
    from desktop_app.core import adapters
    from tiny_model import random_lora

    store = window.chat.store
    aid = adapters.save_adapter(store, random_lora(tiny_model_dir, 1), window.paths,
                                base_model=window.chat.loaded.model_id, run_id=None, parent_id=None,
                                settings={}, metrics={})
    adapters.activate(store, aid)
    counts = counted_after_switch(qtbot, window, window.chat.sync_adapter)
    assert counts.get("active_adapter_id") == aid
    counts = counted_after_switch(qtbot, window, window.finetune_panel.history.base_button.click)
    assert counts.get("active_adapter_id") is None


def test_dismissing_the_editing_notice_ends_the_edit_and_keeps_the_words(window, qtbot):
    # usertest 17: × on "Editing your message: sending makes it a new branch …" hid the notice only;
    # the next Send, notice gone, still replaced the edited message with a branch
    user = next(c for c in window.transcript.cards if c.role == "user")
    window.message_editor.begin(user)
    window.prompt.setPlainText("Hello again, what is new?")
    assert window.notice_banner.isVisible()
    window.notice_banner.close_button.click()
    assert window.message_editor.editing is None
    assert window.prompt.toPlainText() == "Hello again, what is new?"  # the words typed stay


def test_a_prompt_typed_and_not_sent_is_there_at_the_next_start(qtbot, qapp, tiny_model_dir):
    # usertest 17: a question typed, then Ctrl+Q: the next start had an empty box
    from desktop_app.core.paths import AppPaths
    from desktop_app.gui.main_window import open_settings
    from gui_windows import opened_window

    open_settings(AppPaths.resolve().ensure()).setValue("mode", "chat")
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as first:
        first.prompt.setPlainText("A question I have not sent yet")
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as again:
        assert again.prompt.toPlainText() == "A question I have not sent yet"
        # an edit of a sent message is no draft: it is not kept as a new question
        again.prompt.clear()
        again.message_editor.editing = 1
        again.prompt.setPlainText("Hello, edited")
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as third:
        assert third.prompt.toPlainText() == ""


def test_editing_a_message_gives_the_question_typed_before_it_back(window, qtbot):
    # usertest 17: the pencil put the message in the box over a question typed and not sent; Esc then
    # cleared the box, and the question was gone
    user = next(c for c in window.transcript.cards if c.role == "user")
    window.prompt.setPlainText("My next question, not sent yet")
    window.message_editor.begin(user)
    assert window.prompt.toPlainText() == user.message["text"]
    assert window.message_editor.draft() == "My next question, not sent yet"  # what a quit now keeps
    window.message_editor.cancel()
    assert window.prompt.toPlainText() == "My next question, not sent yet"
    # and after an edit is sent
    window.message_editor.begin(user)
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
        window.prompt.setPlainText("Hello, who are you?")
        window.send()
    assert window.prompt.toPlainText() == "My next question, not sent yet"
