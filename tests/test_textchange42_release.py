"""A stopped imported-answer scoring's key/value cache (core.unwritten.StoppedScorings, up to ~180 MB)
goes as soon as nothing will ask for it soon: its conversation deleted, its conversation left for
a while (coming back sooner goes on from it), a model load, a fine-tune's start. The cache itself is
freed (a weak reference to it dies), not only the slot emptied."""

from __future__ import annotations

import gc
import weakref

import pytest

from helpers import passes_of
from desktop_app.core import exchange
from desktop_app.core.unwritten import ScoringStopped, StoppedScorings, score_unwritten
from test_left41_unwritten_resume import PART, ROW, stop_after


_ASKED = iter(range(1_000_000))


def _imported(store) -> tuple[int, int]:
    """A new imported conversation (an import skips a row it already holds: each asks another question)."""
    row = dict(ROW, prompt=[{"role": "user", "content": f"Tell me about the rivers, part {next(_ASKED)}."}])
    (conversation,) = exchange.import_examples(store, [exchange.parse_example(row, "line 1")]).conversation_ids
    answer = next(m for m in store.messages(conversation) if m["role"] == "assistant")
    return conversation, answer["id"]


def _stop(store, loaded, mid, stopped: StoppedScorings):
    cancel, progress = stop_after(PART)
    with pytest.raises(ScoringStopped):
        score_unwritten(store, loaded, mid, cancel=cancel, progress=progress, stopped=stopped)
    return weakref.ref(stopped.kept.part.cache)


def _freed(cache_ref) -> bool:
    gc.collect()
    return cache_ref() is None


def test_the_kept_part_knows_its_conversation_and_goes_with_it(tiny_model, tmp_path, monkeypatch):
    from desktop_app.core.store import Store

    passes_of(monkeypatch, PART)
    store = Store.open(tmp_path / "store.sqlite3")
    conversation, mid = _imported(store)
    stopped = StoppedScorings()
    cache = _stop(store, tiny_model, mid, stopped)
    assert stopped.conversation_id == conversation and cache() is not None
    assert not stopped.forget_conversation(conversation + 1) and stopped.kept is not None  # another's: kept
    assert stopped.forget_conversation(conversation) and stopped.kept is None and stopped.conversation_id is None
    assert _freed(cache)
    store.close()


@pytest.fixture
def window(qtbot, qapp, tiny_model_dir, monkeypatch):
    from gui_windows import opened_window

    passes_of(monkeypatch, PART)
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=6) as w:
        yield w


def _stopped_in_window(window):
    """A stopped scoring of an imported answer, kept where the window keeps it."""
    chat = window.chat
    conversation, mid = _imported(chat.store)
    return conversation, _stop(chat.store, chat.loaded, mid, chat.unwritten_stopped)


def test_leaving_its_conversation_lets_it_go_after_a_while_and_coming_back_keeps_it(window, qtbot):
    chat = window.chat
    conversation, mid = _imported(chat.store)
    chat.open_conversation(conversation)  # shown: its scoring runs and is stored, so coming back asks nothing
    qtbot.waitUntil(lambda: not chat.lane.busy and not chat.unwritten_asked, timeout=60_000)
    cache = _stop(chat.store, chat.loaded, mid, chat.unwritten_stopped)  # as an answer asked for stops it
    other = chat.store.create_conversation("another")
    chat.open_conversation(other)
    assert chat.unshown_release.isActive() and chat.unwritten_stopped.kept is not None  # not at once
    chat.open_conversation(conversation)  # back before the while ends: the person may ask again
    chat.unshown_release.timeout.emit()
    assert chat.unwritten_stopped.conversation_id == conversation and cache() is not None
    chat.open_conversation(None)  # a new conversation: the answer is not shown
    assert chat.unshown_release.isActive()
    chat.unshown_release.timeout.emit()
    assert chat.unwritten_stopped.kept is None and _freed(cache)


def test_deleting_its_conversation_lets_it_go_at_once_and_another_deletion_does_not(window, qtbot):
    chat = window.chat
    conversation, cache = _stopped_in_window(window)
    other = chat.store.create_conversation("another")
    chat.delete(other)
    assert chat.unwritten_stopped.conversation_id == conversation
    chat.delete(conversation)
    assert chat.unwritten_stopped.kept is None and _freed(cache)


def test_a_fine_tune_or_a_load_lets_it_go(window, qtbot, tiny_model_dir):
    chat = window.chat
    _conversation, cache = _stopped_in_window(window)
    window.finetune.start()
    assert chat.unwritten_stopped.kept is None and _freed(cache)
    qtbot.waitUntil(lambda: not window.finetune.running, timeout=60_000)
    _conversation, cache = _stopped_in_window(window)
    with qtbot.waitSignal(chat.model_loaded, timeout=60_000):
        chat.load_model(str(tiny_model_dir))
        assert chat.unwritten_stopped.kept is None  # at once: before the new model is read
    assert _freed(cache)
