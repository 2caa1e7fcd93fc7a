"""The window's "Import conversation…" (beside its export, in the toolbar's export menu) brings back a
conversation exported as JSON into another database: its branches, thumbs and better answer, shown on
the branch that was on screen, its answers as imported answers (no token records of the tiny model that
wrote them). A newer-format file says so and adds nothing. pytest-qt, the tiny model, real SQLite."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("PySide6")

from desktop_app.gui import conversation_actions  # noqa: E402
from test_gui import WAIT_MS, ask, make_window  # noqa: E402,F401


def _exported(window, qtbot, tmp_path) -> tuple[str, list[dict]]:
    ask(qtbot, window, "First question")
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
        window.regenerate()  # a second answer: a branch
    store = window.chat.store
    answers = [m for m in store.messages(window.chat.conversation_id) if m["role"] == "assistant"]
    store.rate_message(answers[0]["id"], -1)
    store.set_correction(answers[0]["id"], "A better answer.")
    store.rate_message(answers[1]["id"], 1)
    window.chat.choice = {answers[0]["parent_id"]: answers[0]["id"]}  # the older answer on screen, not the newest
    window.chat.reload()
    with qtbot.waitSignal(window.conversation_files.saved, timeout=WAIT_MS):  # written on the store lane
        path = conversation_actions.export_conversation(window, window.chat.conversation_id, "json",
                                                        str(tmp_path / "chat.json"))
    return path, window.chat.thread()


def test_import_a_conversation_into_a_fresh_database_and_show_it(make_window, qtbot, tmp_path, monkeypatch):
    first = make_window()
    path, shown = _exported(first, qtbot, tmp_path)
    monkeypatch.setenv("GPT2_DESK_DATA_DIR", str(tmp_path / "fresh"))  # the second window: another database
    window = make_window()
    store = window.chat.store
    assert store.list_conversations() == []
    action = window.import_conversation_action
    assert action.text() == conversation_actions.IMPORT_LABEL and action in window.export_json_action.parent().actions()
    with qtbot.waitSignal(window.conversation_files.imported, timeout=WAIT_MS) as blocker:  # on the store lane
        assert conversation_actions.import_conversation(window, path) is not None
    cid = blocker.args[0].conversation_id
    assert window.chat.conversation_id == cid
    thread = window.chat.thread()
    assert [(m["role"], m["text"]) for m in thread] == [(m["role"], m["text"]) for m in shown]  # the same branch
    assert store.message_rating(thread[-1]["id"]) == -1, "the branch on screen when exported, not the newest"
    imported = store.messages(cid)
    answers = [m for m in imported if m["role"] == "assistant"]
    assert len(answers) == 2
    assert [store.message_rating(m["id"]) for m in answers] == [-1, 1]
    assert store.correction(answers[0]["id"]) == "A better answer."
    assert all(store.token_records(m["id"]) == [] and m["model_id"] is None for m in answers)
    assert "Imported the conversation: 3 messages, 2 ratings, 1 better answer " in window.statusBar().currentMessage()
    assert [row["id"] for row in store.list_conversations()] == [cid]


def test_a_newer_file_says_so_and_adds_nothing(make_window, qtbot, tmp_path):
    window = make_window()
    path = tmp_path / "newer.json"
    path.write_text(json.dumps({"format": "gpt2-desk conversation", "version": 99, "title": "x",
                                "messages": [{"id": 1, "parent_id": None, "role": "user", "text": "Hi"}]}),
                    encoding="utf-8")
    with qtbot.waitSignal(window.conversation_files.failed, timeout=WAIT_MS) as blocker:
        assert conversation_actions.import_conversation(window, str(path)) is not None
    assert "written by a newer GPT-2 Desk" in blocker.args[0]
    assert window.error_banner.isVisibleTo(window)
    assert window.chat.store.list_conversations() == []
