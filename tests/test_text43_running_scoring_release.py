"""An imported answer's scoring still running when its conversation is deleted keeps nothing when it
stops (as an answer asked for stops it): its key/value cache is let go then, not at the next model
load or fine-tune. A scoring of another conversation's answer is still kept; one that stops after its
conversation was left (not deleted) goes after the while that leaving a conversation gives."""

from __future__ import annotations

import threading

import pytest

from helpers import passes_of
from desktop_app.core import scoring
from desktop_app.core.unwritten import ScoringStopped, StoppedScorings, score_unwritten
from test_textchange42_release import _freed, _imported

PART = 16


class Gate:
    """``scoring.score_ids_in_parts`` as it is, held after its first part until ``go`` (what the test
    does meanwhile happens while the scoring runs, as a person's click would); ``entered``: it is held."""

    def __init__(self, monkeypatch):
        self.entered, self.go, self.parts = threading.Event(), threading.Event(), []
        real = scoring.score_ids_in_parts

        def held(loaded, context_ids, target_ids, done, **kwargs):
            told = kwargs.pop("progress", None)

            def progress(p) -> None:
                self.parts.append(done)
                if not self.entered.is_set():
                    self.entered.set()
                    assert self.go.wait(30)
                if told is not None:
                    told(p)
            return real(loaded, context_ids, target_ids, done, progress=progress, **kwargs)

        monkeypatch.setattr(scoring, "score_ids_in_parts", held)


@pytest.fixture
def store(tmp_path, monkeypatch):
    from desktop_app.core.store import Store

    passes_of(monkeypatch, PART)
    store = Store.open(tmp_path / "store.sqlite3")
    yield store
    store.close()


def _running(store, loaded, mid, stopped, gate):
    """The scoring on a thread of its own, held after its first part; (thread, cancel, what it raised)."""
    cancel, raised = threading.Event(), []

    def run() -> None:
        try:
            score_unwritten(store, loaded, mid, cancel=cancel, stopped=stopped)
        except ScoringStopped as exc:
            raised.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    assert gate.entered.wait(30)
    return thread, cancel, raised


def test_a_scoring_running_when_its_conversation_goes_keeps_nothing_when_it_stops(tiny_model, store, monkeypatch):
    gate = Gate(monkeypatch)
    conversation, mid = _imported(store)
    stopped = StoppedScorings()
    thread, cancel, raised = _running(store, tiny_model, mid, stopped, gate)
    assert stopped.running is not None and stopped.running.conversation_id == conversation
    assert not stopped.forget_conversation(conversation)  # nothing kept yet: the running one is marked
    cache = gate.parts[0]  # the part whose cache the scoring holds
    cancel.set()  # as an answer asked for stops it
    gate.go.set()
    thread.join(30)
    assert raised and stopped.kept is None and stopped.running is None
    assert cache.cache is not None  # it had read a part: what would have been kept
    del cache
    gate.parts.clear()


def test_another_conversations_deletion_leaves_it_kept(tiny_model, store, monkeypatch):
    gate = Gate(monkeypatch)
    conversation, mid = _imported(store)
    stopped = StoppedScorings()
    thread, cancel, raised = _running(store, tiny_model, mid, stopped, gate)
    assert not stopped.forget_conversation(conversation + 1)
    cancel.set()
    gate.go.set()
    thread.join(30)
    assert raised and stopped.kept is not None and stopped.conversation_id == conversation
    # and asked again, it goes on from there and ends holding nothing
    score_unwritten(store, tiny_model, mid, stopped=stopped)
    assert stopped.kept is None and stopped.running is None


@pytest.fixture
def window(qtbot, qapp, tiny_model_dir, monkeypatch):
    from gui_windows import opened_window

    passes_of(monkeypatch, PART)
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=6) as w:
        yield w


def _scoring_held(window, qtbot, monkeypatch):
    """An imported conversation shown, its answer's scoring (asked by its card) held on the model
    lane after its first part: (the conversation, the gate, a weak reference to the part's cache)."""
    import weakref

    chat = window.chat
    gate = Gate(monkeypatch)
    conversation, _mid = _imported(chat.store)
    chat.open_conversation(conversation)
    qtbot.waitUntil(gate.entered.is_set, timeout=30_000)
    return conversation, gate, weakref.ref(gate.parts[0])


def _stop_and_go_on(window, qtbot, gate) -> None:
    from desktop_app.gui.chat_reads import UNWRITTEN_KIND

    chat = window.chat
    chat.lane.cancel_all(UNWRITTEN_KIND)  # as an answer asked for stops it
    gate.go.set()
    gate.parts.clear()
    qtbot.waitUntil(lambda: not chat.lane.busy and not chat.unwritten_asked, timeout=30_000)


def test_in_the_window_deleting_the_conversation_of_a_running_scoring_lets_its_cache_go(window, qtbot,
                                                                                      monkeypatch):
    chat = window.chat
    conversation, gate, part = _scoring_held(window, qtbot, monkeypatch)
    chat.delete(conversation)
    _stop_and_go_on(window, qtbot, gate)
    assert chat.unwritten_stopped.kept is None and chat.unwritten_stopped.running is None
    assert _freed(part)  # the part, and its key/value cache with it


def test_in_the_window_a_scoring_stopped_after_its_conversation_was_left_goes_after_a_while(window, qtbot,
                                                                                          monkeypatch):
    chat = window.chat
    conversation, gate, part = _scoring_held(window, qtbot, monkeypatch)
    chat.open_conversation(chat.store.create_conversation("another"))
    assert not chat.unshown_release.isActive()  # nothing kept yet: it runs
    _stop_and_go_on(window, qtbot, gate)
    assert chat.unwritten_stopped.conversation_id == conversation  # left, not deleted: coming back goes on
    assert chat.unshown_release.isActive()
    chat.unshown_release.timeout.emit()
    assert chat.unwritten_stopped.kept is None and _freed(part)
