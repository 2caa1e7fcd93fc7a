"""An answer killed mid-stream (kill -9) survives as a draft, shown as interrupted with
Continue and Regenerate (user test 2, finding 8). Real child process, real SQLite, real window."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desktop_app.core.drafts import INTERRUPTED_WORDS, UNSTARTED_WORDS, AnswerDraft, is_interrupted, is_unstarted
from desktop_app.core.paths import AppPaths
from desktop_app.core.records import Alternative, TokenRecord
from desktop_app.core.store import Store
from app_dirs import isolate_app_dirs
from gui_windows import WAIT_MS, opened_window

ROOT = Path(__file__).resolve().parents[1]


def _records(n: int, start: int = 0) -> list[TokenRecord]:
    return [TokenRecord(i, f"w{i} ", -1.0, 1, 2.0, (Alternative(i, f"w{i} ", 0.3),)) for i in range(start, start + n)]


def test_a_draft_is_one_row_rewritten_then_finished_unmarked(tmp_path):
    store = Store.open(tmp_path / "d.sqlite3")
    conv = store.create_conversation("t")
    user = store.add_message(conv, "user", "go")
    draft = AnswerDraft(store, conv, user, model_id="m", adapter_id=None)
    first = draft.write(_records(3))
    assert draft.write(_records(7)) == first
    row = store.get_message(first)
    assert is_interrupted(row) and row["text"] == "".join(f"w{i} " for i in range(7))
    assert len(store.token_records(first)) == 7
    assert [m["id"] for m in store.messages(conv)] == [user, first]

    class Finished:  # the fields of core.session.Answer that finish() reads
        model_id, adapter_id = "m", None

        class generation:
            records = _records(9)
            text = "".join(r.text for r in records)

        @staticmethod
        def stored_settings():
            return {"finish_reason": "eos"}

    assert draft.finish(Finished) == first
    row = store.get_message(first)
    assert not is_interrupted(row) and row["settings"]["finish_reason"] == "eos"
    assert len(store.token_records(first)) == 9
    store.close()


def test_discard_removes_a_fresh_draft_but_never_the_interrupted_answer_it_continued(tmp_path):
    store = Store.open(tmp_path / "d.sqlite3")
    conv = store.create_conversation("t")
    user = store.add_message(conv, "user", "go")
    fresh = AnswerDraft(store, conv, user)
    mid = fresh.write(_records(2))
    continued = AnswerDraft(store, conv, user, message_id=mid)
    continued.write(_records(4))
    continued.discard()
    assert store.get_message(mid)["text"].startswith("w0 w1 w2")
    fresh.discard()
    assert [m["id"] for m in store.messages(conv)] == [user]
    store.close()


def _kill_mid_answer(model_dir) -> tuple[int, int]:
    """Run the child until a draft holds a few tokens, then SIGKILL it: (message id, tokens)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    child = subprocess.Popen([sys.executable, str(ROOT / "tests" / "answer_kill_child.py"), str(model_dir)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    line = ""
    try:
        deadline = time.monotonic() + 120
        while not line.startswith("DRAFT") and time.monotonic() < deadline:
            line = child.stdout.readline()
            if not line:
                break
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        err = child.stderr.read()
        child.stdout.close()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    assert line.startswith("DRAFT"), (line, err[-2000:])
    _, mid, tokens = line.split()
    return int(mid), int(tokens)


@pytest.fixture(scope="module")
def killed_answer_made(tmp_path_factory, tiny_model_dir):
    """An answer killed mid-stream, made once for the module (a child process that loads the model):
    (a copy of the data folder as the child left it, message id, tokens). Under load the child's answer
    can end and be stored on the store lane between its draft's callback and the kill (its GUI thread
    held does not hold that lane): that answer is whole, not killed, so the child runs again (CI once
    got a card with no Regenerate)."""
    folder = tmp_path_factory.mktemp("killed-answer")
    with pytest.MonkeyPatch.context() as mp:  # before any test's own folders are set
        data = isolate_app_dirs(mp, folder)
        for _attempt in range(3):
            mid, tokens = _kill_mid_answer(tiny_model_dir)
            store = Store.open(AppPaths.resolve().db_path)
            interrupted = is_interrupted(store.get_message(mid))
            store.close()
            if interrupted:
                break
    return data, mid, tokens


@pytest.fixture
def killed_answer(killed_answer_made):
    """The killed answer in this test's own data folder (a test continues or regenerates it)."""
    made, mid, tokens = killed_answer_made
    shutil.copytree(made, AppPaths.resolve().data_dir, dirs_exist_ok=True)
    store = Store.open(AppPaths.resolve().db_path)
    message, kept = store.get_message(mid), store.token_records(mid)
    store.close()
    return message, kept, tokens


def unstarted_answer() -> tuple[int, int, int]:
    """(conversation, prompt, answer) in the app's store: a prompt "a long paste" whose answer the
    app closed on before its first token (the empty row ``AnswerDraft.begin`` makes)."""
    store = Store.open(AppPaths.resolve().ensure().db_path)
    conversation = store.create_conversation("long paste")
    user = store.add_message(conversation, "user", "a long paste")
    row = AnswerDraft(store, conversation, user).begin()
    store.close()
    return conversation, user, row


def _interrupted_card(window, message):
    window.chat.open_conversation(message["conversation_id"])
    card = window.transcript.cards[-1]
    assert card.message_id == message["id"]
    return card


def test_an_answer_killed_mid_stream_is_kept_and_shown_as_interrupted(qtbot, qapp, tiny_model_dir, killed_answer):
    message, kept, tokens = killed_answer
    assert is_interrupted(message)
    assert message["settings"]["seed"] == 3, "its sampling settings were stored with the draft (usertest52)"
    assert len(kept) >= tokens >= 5
    assert message["text"] == "".join(r.text for r in kept)
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=20) as window:
        card = _interrupted_card(window, message)
        assert INTERRUPTED_WORDS in card.meta.text()
        assert INTERRUPTED_WORDS in card.interrupted_label.text()
        assert len(card.records) == len(kept)
        with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS) as finished:
            qtbot.mouseClick(card.continue_button, qtbot_left())
        assert finished.args[0]["message_id"] == message["id"]  # the same row goes on
        row = window.chat.store.get_message(message["id"])
        assert not is_interrupted(row)
        assert row["text"].startswith(message["text"])
        assert [r.id for r in window.chat.store.token_records(message["id"])[:len(kept)]] == [r.id for r in kept]
        last = window.transcript.cards[-1]
        assert last.message_id == message["id"] and INTERRUPTED_WORDS not in last.meta.text()


def test_regenerate_on_an_interrupted_answer_adds_a_sibling_and_keeps_it(qtbot, qapp, tiny_model_dir, killed_answer):
    message, _kept, _tokens = killed_answer
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=10) as window:
        card = _interrupted_card(window, message)
        with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS) as finished:
            qtbot.mouseClick(card.regenerate_button, qtbot_left())
        new_id = finished.args[0]["message_id"]
        assert new_id not in (None, message["id"])
        siblings = window.chat.store.siblings(new_id)
        assert [m["id"] for m in siblings] == [message["id"], new_id]
        assert is_interrupted(siblings[0])


def qtbot_left():
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


def test_begin_makes_an_empty_interrupted_row_that_discard_removes(tmp_path):
    store = Store.open(tmp_path / "d.sqlite3")
    conv = store.create_conversation("t")
    user = store.add_message(conv, "user", "a long paste")
    draft = AnswerDraft(store, conv, user, model_id="m")
    mid = draft.begin()
    row = store.get_message(mid)
    assert is_unstarted(row) and store.token_records(mid) == []
    assert draft.write(_records(3)) == mid and not is_unstarted(store.get_message(mid))
    draft.discard()
    assert [m["id"] for m in store.messages(conv)] == [user]
    store.close()


def test_a_long_prompt_gets_its_answer_row_while_it_is_read(qtbot, qapp, tiny_model_dir, monkeypatch):
    """Closed while the model still reads a long prompt, the app comes back with an answer card
    (user test 8, C4): the row is there before the first token, and the finished answer fills it."""
    from desktop_app.core import fast_decode

    monkeypatch.setattr(fast_decode, "PREFILL_CHUNK", 4)  # the tiny model reads this prompt in chunks
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=5) as window:
        store = window.chat.store
        begun = []

        def saved(message_id, tokens):
            if tokens == 0:
                begun.append((message_id, dict(store.get_message(message_id))))

        window.chat.draft_saved.connect(saved)
        with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS) as finished:
            window.chat.send("one two three four five six seven eight nine ten eleven twelve thirteen")
        assert len(begun) == 1
        mid, row = begun[0]
        assert is_unstarted(row)
        assert finished.args[0]["message_id"] == mid
        assert not is_interrupted(store.get_message(mid))


def test_an_answer_interrupted_before_its_first_token_shows_a_card_with_regenerate(qtbot, qapp, tiny_model_dir):
    conv, user, mid = unstarted_answer()
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=5) as window:
        card = _interrupted_card(window, window.chat.store.get_message(mid))
        assert card.interrupted_label.text() == UNSTARTED_WORDS
        assert card.continue_button.isHidden() and not card.regenerate_button.isHidden()
        assert card.rating.up.isHidden() and card.rating.down.isHidden()  # an empty answer is not thumbed
        with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS) as finished:
            qtbot.mouseClick(card.regenerate_button, qtbot_left())
        assert finished.args[0]["message_id"] == mid  # its own row gets the answer: no empty sibling stays
        row = window.chat.store.get_message(mid)
        assert row["text"] and not is_interrupted(row)
        assert [m["id"] for m in window.chat.store.messages(conv)] == [user, mid]
        shown = window.transcript.cards[-1]
        assert shown.message_id == mid and not shown.rating.up.isHidden()  # the answer now there can be thumbed
