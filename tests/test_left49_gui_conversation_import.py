"""The window's conversation JSON import and export. An imported answer cut at the token limit says so under
its text, as the exporter's card did, and offers Regenerate but not Continue (no model wrote its tokens here:
going on "from its last token" would start the answer over in its own row and lose its text). The import and
the export run on the store lane, not the GUI thread: the window's events go on while the import works, the
status bar says what runs, the result or the error in words follows. pytest-qt, the tiny fixture model, real
SQLite."""

from __future__ import annotations

import json
import threading

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QTimer  # noqa: E402

from desktop_app.core import conversation_import  # noqa: E402
from desktop_app.core.conversation_import import import_conversation_file  # noqa: E402
from desktop_app.core.prompts import answer_ids  # noqa: E402
from desktop_app.core.text_pieces import layout_of  # noqa: E402
from desktop_app.gui import conversation_actions  # noqa: E402
from desktop_app.gui.answer_words import TOKEN_LIMIT_WORDS  # noqa: E402
from test_gui import WAIT_MS, answer_cards, make_window  # noqa: E402,F401


def _file(tmp_path) -> str:
    path = tmp_path / "cut.json"
    path.write_text(json.dumps({"format": "gpt2-desk conversation", "version": 2, "title": "Cut", "messages": [
        {"id": 1, "parent_id": None, "role": "user", "text": "Tell me a story"},
        {"id": 2, "parent_id": 1, "role": "assistant", "text": "Once upon a time there", "model_id": "elsewhere",
         "ending": "token_limit", "token_ratings": [{"token": 1, "value": -1}], "shown": True}]}),
        encoding="utf-8")
    return str(path)


def test_an_imported_cut_answer_says_so_without_continue(make_window, qtbot, tmp_path):
    window = make_window()
    done = import_conversation_file(window.chat.store, _file(tmp_path))
    window.open_conversation(done.conversation_id)
    [card] = answer_cards(window)
    assert card.interrupted_label.text() == TOKEN_LIMIT_WORDS
    assert not card.continue_button.isVisibleTo(card) and card.regenerate_button.isVisibleTo(card)
    assert [(r["token_index"], r["value"]) for r in window.chat.store.ratings(card.message_id)] == [(1, -1)]


def _big_file(tmp_path, turns: int = 60) -> str:
    """One long conversation: ``turns`` questions and answers, every answer thumbed and token-rated."""
    messages, parent = [], None
    for n in range(turns):
        messages.append({"id": 2 * n + 1, "parent_id": parent, "role": "user", "text": f"Question {n}?"})
        messages.append({"id": 2 * n + 2, "parent_id": 2 * n + 1, "role": "assistant", "text": f"Answer number {n}.",
                         "rating": 1 if n % 2 else -1, "shown": True,
                         "token_ratings": [{"token": 0, "value": 1, "start": 7, "end": 14}]})  # "number"
        parent = 2 * n + 2
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"format": "gpt2-desk conversation", "version": 2, "title": "Big",
                                "messages": messages}), encoding="utf-8")
    return str(path)


def test_the_import_runs_off_the_gui_thread_and_the_window_answers_meanwhile(make_window, qtbot, tmp_path,
                                                                              monkeypatch):
    """The import's work waits, inside the store lane, until the GUI thread has run a timer's tick and seen
    the window's busy state: were it run on the GUI thread, that tick could never come and the wait would
    give up (the import then fails the test)."""
    window = make_window()
    real, working, gui_ran, seen = conversation_import.import_conversation, threading.Event(), threading.Event(), {}

    def held(*args, **kwargs):
        seen["thread"] = threading.current_thread().name
        working.set()
        assert gui_ran.wait(WAIT_MS / 1000), "the GUI thread ran no event while the import worked"
        return real(*args, **kwargs)

    def tick() -> None:  # on the GUI thread, while the import holds
        # the lane's progress line is a queued signal: a tick can come before it, so wait for it
        status = window.statusBar().currentMessage()
        if working.is_set() and not gui_ran.is_set() and "messages" in status:
            seen["status"] = status
            seen["import enabled"] = window.import_conversation_action.isEnabled()
            gui_ran.set()

    monkeypatch.setattr(conversation_import, "import_conversation", held)
    timer = QTimer(window)
    timer.timeout.connect(tick)
    timer.start(0)
    with qtbot.waitSignal(window.conversation_files.imported, timeout=WAIT_MS) as blocker:
        assert conversation_actions.import_conversation(window, _big_file(tmp_path)) is not None
        assert not window.import_conversation_action.isEnabled()  # one import at a time
    timer.stop()
    done = blocker.args[0]
    assert seen["thread"] == "lane-store"
    assert seen["status"] == "Importing big.json: 120 messages\u2026" and seen["import enabled"] is False
    assert window.import_conversation_action.isEnabled()
    assert window.chat.conversation_id == done.conversation_id and len(window.chat.thread()) == 120
    assert done.tokens_by_index == 0  # placed by the characters rated, with the model's tokenizer
    answer = window.chat.thread()[1]
    [rated] = [r["token_index"] for r in window.chat.store.ratings(answer["id"]) if r["token_index"] is not None]
    tokenizer = window.chat.loaded.tokenizer
    pieces = layout_of(tokenizer, answer_ids(tokenizer, answer["text"])).pieces
    start = len("".join(pieces[:rated]))
    assert start <= 7 < start + len(pieces[rated])  # the token holding the "n" of "number"
    words = window.statusBar().currentMessage()
    assert words.startswith("Imported the conversation: 120 messages, 60 ratings, 0 better answers, 60 token ratings")


def test_a_bad_file_is_said_in_words_through_the_background_path(make_window, qtbot, tmp_path):
    window = make_window()
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "gpt2-desk conversation", "version": 2, "messages": [', encoding="utf-8")
    with qtbot.waitSignal(window.conversation_files.failed, timeout=WAIT_MS) as blocker:
        conversation_actions.import_conversation(window, str(broken))
    assert blocker.args[0].startswith(f"{broken} is not valid JSON") and "Nothing was imported." in blocker.args[0]
    assert window.error_banner.isVisibleTo(window) and window.import_conversation_action.isEnabled()
    assert window.chat.store.list_conversations() == []


def test_the_export_runs_on_the_store_lane_and_says_where_it_went(make_window, qtbot, tmp_path):
    window = make_window()
    done = import_conversation_file(window.chat.store, _file(tmp_path))
    window.open_conversation(done.conversation_id)
    target = tmp_path / "again.json"
    with qtbot.waitSignal(window.conversation_files.saved, timeout=WAIT_MS):
        assert conversation_actions.export_conversation(window, done.conversation_id, "json", str(target)) == str(target)
        assert window.statusBar().currentMessage() == "Exporting the conversation to again.json\u2026"
    assert window.statusBar().currentMessage() == f"Saved {target}"
    answer = json.loads(target.read_text(encoding="utf-8"))["messages"][1]
    assert answer["ending"] == "token_limit" and answer["token_ratings"] == [{"token": 1, "value": -1}]
    with qtbot.waitSignal(window.conversation_files.failed, timeout=WAIT_MS) as blocker:  # a folder: in words
        conversation_actions.export_conversation(window, done.conversation_id, "json", str(tmp_path))
    assert blocker.args[0].startswith("The export failed: Is a directory")
