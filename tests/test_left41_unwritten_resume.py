"""A very long imported answer's scoring (core/unwritten.py) restarted from scratch after every answer
the person asked for (the answer's task stops it), so while chatting fast it might never finish. It is
scored in parts, and a stopped scoring goes on from where it was: the next asking reads only what is
left, and ends with the records an unbroken scoring gives."""

from __future__ import annotations

import dataclasses
import threading

import pytest

from helpers import passes_of
from desktop_app.core import exchange
from desktop_app.core.scoring import score_ids, window_plan
from desktop_app.core.store import Store
from desktop_app.core.train_data import scored_answer_ids
from desktop_app.core.unwritten import ScoringStopped, StoppedScorings, score_unwritten

LONG = " ".join(f"The river number {i} runs past the old mill and into the sea." for i in range(60))
ROW = {"prompt": [{"role": "user", "content": "Tell me about the rivers."}],
       "completion": [{"role": "assistant", "content": LONG}], "label": True}
PART = 16


@pytest.fixture
def long_answer(tmp_path, monkeypatch):
    """A store holding an imported answer longer than the tiny model's window; scorings in parts of 16."""
    passes_of(monkeypatch, PART)
    store = Store.open(tmp_path / "store.sqlite3")
    (conversation,) = exchange.import_examples(store, [exchange.parse_example(ROW, "line 1")]).conversation_ids
    answer = next(m for m in store.messages(conversation) if m["role"] == "assistant")
    yield store, answer["id"]
    store.close()


class Fed:
    """Counts the tokens the model reads, pass by pass (the work a scoring does)."""

    def __init__(self, model):
        self.tokens = 0
        self.handle = model.register_forward_pre_hook(self._count, with_kwargs=True)

    def _count(self, _module, args, kwargs):
        ids = kwargs.get("input_ids", args[0] if args else None)
        self.tokens += ids.shape[-1]

    def close(self) -> int:
        self.handle.remove()
        return self.tokens


def scored_counting(tiny_model, store, mid, **kwargs):
    fed = Fed(tiny_model.model)
    try:
        return score_unwritten(store, tiny_model, mid, **kwargs), fed
    finally:
        fed.close()


def stop_after(tokens: int):
    """A cancel, and the progress that sets it once ``tokens`` are scored."""
    cancel = threading.Event()

    def progress(p) -> None:
        if p.done >= tokens:
            cancel.set()
    return cancel, progress


def test_a_stopped_scoring_goes_on_from_where_it_was(tiny_model, long_answer):
    store, mid = long_answer
    (whole, kept), unbroken = scored_counting(tiny_model, store, mid)
    assert len(kept) > 3 * PART  # several parts, so a stop can fall in the middle

    stopped = StoppedScorings()
    cancel, progress = stop_after(2 * PART)
    with pytest.raises(ScoringStopped):
        scored_counting(tiny_model, store, mid, cancel=cancel, progress=progress, stopped=stopped)
    at = len(stopped.kept.part.records)
    assert 2 * PART <= at < 3 * PART  # the end of the pass that reached 2 * PART (a part is a pass of PART tokens)

    fed = Fed(tiny_model.model)
    try:
        again, again_kept = score_unwritten(store, tiny_model, mid, stopped=stopped)
    finally:
        second = fed.close()
    assert again_kept == kept and again.records == whole.records  # the very records of an unbroken scoring
    assert second < unbroken.tokens  # it read only what the stop left
    prompt_ids, ids, _ended = scored_answer_ids(store, tiny_model.tokenizer, mid, tiny_model.context_window)
    first = len(prompt_ids)
    left = [w for w in window_plan(first + len(ids), first, tiny_model.context_window) if w.stop > first + at]
    assert second == sum(w.width for w in left)  # only the passes left (the earlier ones were in the kept cache)
    assert stopped.kept is None  # done: nothing held any more


def test_the_parts_give_what_one_pass_gives(tiny_model, long_answer):
    store, mid = long_answer
    _shown, kept = score_unwritten(store, tiny_model, mid)
    prompt_ids, ids, _ended = scored_answer_ids(store, tiny_model.tokenizer, mid, tiny_model.context_window)
    one_pass = score_ids(tiny_model, prompt_ids, ids)
    assert [r.id for r in kept] == [r.id for r in one_pass]
    assert [r.logprob for r in kept] == pytest.approx([r.logprob for r in one_pass], abs=1e-4)
    assert [r.rank for r in kept] == [r.rank for r in one_pass]


def test_another_adapter_starts_over(tiny_model, long_answer):
    store, mid = long_answer
    stopped = StoppedScorings()
    cancel, progress = stop_after(PART)
    with pytest.raises(ScoringStopped):
        score_unwritten(store, tiny_model, mid, cancel=cancel, progress=progress, stopped=stopped)
    other = dataclasses.replace(tiny_model, adapter_id=7)  # the same weights wearing another adapter
    (_shown, _kept), fed = scored_counting(other, store, mid, stopped=stopped)
    (_shown, _kept), unbroken = scored_counting(tiny_model, store, mid)
    assert fed.tokens == unbroken.tokens  # what the other model scored is not this one's
