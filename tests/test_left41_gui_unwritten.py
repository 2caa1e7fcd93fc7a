"""The window's side of an imported answer's scoring: an answer asked for stops it, and once the answer
is written the scoring goes on from where it was (it started over, and while chatting fast a long one
might never finish); a model switch shows the new model's scoring, never the model before's."""

from __future__ import annotations

import dataclasses
import threading

import pytest

pytest.importorskip("PySide6")

from helpers import passes_of  # noqa: E402
from desktop_app.core.unwritten import score_unwritten  # noqa: E402
from desktop_app.gui.tasks import Task  # noqa: E402
from gui_windows import WAIT_MS, opened_window  # noqa: E402
from test_import40_unwritten_answers import KTO, LONG, answer_card, chat_mode, import_rows, scored  # noqa: E402,F401

PART = 8


class HeldPass:
    """Holds the model's ``n``-th pass from now until released (the scoring, mid-way)."""

    def __init__(self, model, n: int):
        self.calls, self.n = 0, n
        self.reached, self.release = threading.Event(), threading.Event()
        self.handle = model.register_forward_pre_hook(self._before)

    def _before(self, _module, _args):
        self.calls += 1
        if self.calls == self.n:
            self.reached.set()
            self.release.wait(WAIT_MS / 1000)

    def close(self) -> None:
        self.release.set()
        self.handle.remove()


def test_an_answer_asked_for_stops_the_scoring_which_then_goes_on_from_there(qtbot, qapp, tiny_model_dir, tmp_path,
                                                                              chat_mode, monkeypatch):
    passes_of(monkeypatch, PART)
    (conversation,) = import_rows(tmp_path, dict(KTO, completion=[{"role": "assistant", "content": LONG}]))
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4, seed=3) as window:
        chat = window.chat
        done = []
        chat.answer_scoring_progress.connect(lambda _mid, p: done.append(p.done))
        idle = threading.Event()
        chat.lane.submit(Task(lambda _r, _c: idle.wait(WAIT_MS / 1000), "busy", "busy"))
        held = HeldPass(chat.loaded.model, 3)
        try:
            chat.open_conversation(conversation)
            idle.set()
            qtbot.waitUntil(held.reached.is_set, timeout=WAIT_MS)  # its third part is being scored
            (task,) = chat.lane.find("score answer")
            window.prompt.setPlainText("And of Chile?")
            window.send()
            qtbot.waitUntil(task.cancel.is_set, timeout=WAIT_MS)  # the answer asked for stops it
        finally:
            held.close()
        with qtbot.waitSignal(chat.answer_finished, timeout=WAIT_MS):
            pass
        card = answer_card(window)
        scored(qtbot, window, card)
        assert done[0] <= PART and [b - a for a, b in zip(done[:2], done[1:3])] == [PART, PART]  # a pass a part
        assert done == sorted(set(done)), "after the answer it went on from the third part, not from the start"
        fresh, _kept = score_unwritten(chat.store, chat.loaded, card.message_id)
        assert [r.id for r in card.records] == [r.id for r in fresh.records]
        assert [r.logprob for r in card.records] == pytest.approx([r.logprob for r in fresh.records], abs=1e-3)


def test_after_a_model_switch_the_card_shows_the_new_models_scoring(qtbot, qapp, tiny_model_dir, tmp_path,
                                                                    chat_mode):
    (conversation,) = import_rows(tmp_path, KTO)
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        chat = window.chat
        chat.open_conversation(conversation)
        card = answer_card(window)
        scored(qtbot, window, card)
        first = chat.model_id
        assert card.unwritten.scoring.model_id == first
        other = dataclasses.replace(chat.loaded, source=dataclasses.replace(chat.loaded.source,
                                                                            model_id="folder:another-gpt2"))
        chat.use_model(other)  # another model (here: the same weights under another name)
        card = answer_card(window)
        qtbot.waitUntil(lambda: card.unwritten.scoring is not None
                        and card.unwritten.scoring.model_id == "folder:another-gpt2", timeout=WAIT_MS)
        sets = chat.store.record_sets(card.message_id)
        assert sorted(s["model_id"] for s in sets) == sorted([first, "folder:another-gpt2"])  # each its own
