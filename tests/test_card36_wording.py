"""Usertest 12, finding 12: small wording on the rating side (pytest-qt, real window, tiny model)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.core.paths import AppPaths  # noqa: E402
from desktop_app.core.store import Store  # noqa: E402
from desktop_app.gui.main_window import open_settings  # noqa: E402
from gui_windows import opened_window  # noqa: E402
from test_answer_draft import unstarted_answer  # noqa: E402


def test_an_empty_interrupted_answer_offers_only_regenerate(qtbot, qapp, tiny_model_dir):
    """After a restart, a 0-token interrupted answer offered "Write a better answer…": better than
    nothing. Its card offers Regenerate alone (no thumbs, no better answer, no token hint, no export)."""
    open_settings(AppPaths.resolve().ensure()).setValue("mode", "chat")
    conversation, _prompt, row = unstarted_answer()
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        window.chat.open_conversation(conversation)
        card = window.transcript.cards[-1]
        assert card.message_id == row
        qtbot.waitUntil(card.isVisible)
        assert card.regenerate_button.isVisible()
        offered = [w for w in (card.rating.correct_button, card.rating.token_summary, card.rating.up,
                               card.rating.down, card.export_button) if w is not None and w.isVisible()]
        assert not offered, f"an empty answer offers {[getattr(w, 'text', lambda: w)() for w in offered]}"


def test_a_disliked_continuation_is_named_as_one_in_the_ready_line(qtbot, qapp, tiny_model_dir):
    """A Text-mode thumbs-down on a continuation was counted among the "answers you disliked"."""
    from desktop_app.core import documents, session
    from desktop_app.core import text_branches as tb
    from gui_windows import WAIT_MS

    paths = AppPaths.resolve().ensure()
    store = Store.open(paths.db_path)
    conversation, prompt = session.add_prompt(store, None, "What is the capital of Spain?", None)
    answer = store.add_message(conversation, "assistant", "Lisbon.", parent_id=prompt)
    store.rate_message(answer, -1)
    _same, second = session.add_prompt(store, conversation, "And of France?")
    liked = store.add_message(conversation, "assistant", "Paris.", parent_id=second)
    store.rate_message(liked, 1)
    document = documents.create_document(store, "The old lighthouse keeper climbed the stairs.")
    continuation = tb.add_branch(store, document, None, 45, " He read the letter twice.")
    tb.rate_branch(store, continuation, -1)
    store.close()
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        panel = window.finetune_panel
        qtbot.waitUntil(lambda: "ready to train on" in panel.ready_label.text(), timeout=WAIT_MS)
        text = panel.ready_label.text()
        assert "3 ratings ready to train on</b>: 1 answer you liked, 1 you disliked and 1 continuation you " \
               "disliked." in text, text


def test_the_meter_says_what_to_do_when_a_long_earlier_prompt_pushes_old_turns_out(qtbot, qapp, tiny_model_dir):
    """After one very long paste every later question loses the turns before it: the red line said
    so, and nothing about what to do (the tiny model's context is 128 tokens)."""
    from desktop_app.core import session
    from gui_windows import WAIT_MS

    paths = AppPaths.resolve().ensure()
    open_settings(paths).setValue("mode", "chat")
    store = Store.open(paths.db_path)
    conversation, first = session.add_prompt(store, None, "Hello there", None)
    store.add_message(conversation, "assistant", "Hello!", parent_id=first)
    long_text = " ".join(f"lighthouse{i}" for i in range(40))
    _same, long_prompt = session.add_prompt(store, conversation, long_text)
    store.add_message(conversation, "assistant", "A list.", parent_id=long_prompt)
    store.close()
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        window.chat.open_conversation(conversation)
        window.prompt.setPlainText("And then?")
        meter = window.context_meter.label
        qtbot.waitUntil(lambda: meter.isVisible() and "oldest turn" in meter.text(), timeout=WAIT_MS)
        assert "-token prompt takes their room: edit it shorter to keep them, or start a new chat" in meter.text()
