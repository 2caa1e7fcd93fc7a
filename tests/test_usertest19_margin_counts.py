"""Usertest 19: six answers rated in one conversation, and the fine-tune panel read "Training paused:
measuring your current model (part 1 of 3): scoring 15 of 17 rated answers". The margins count texts,
not rated answers: each better answer's pair is two, and a later turn's answer is read once in its
conversation and once asked alone. The count says "the N answers your examples compare", as the reference pass's does.
A real run on the tiny model, its reports as the panel gets them."""

from __future__ import annotations

import re

import pytest

from desktop_app.core import train_run_progress, training
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from desktop_app.core.train_settings import FineTuneSettings
from test_training import FAST  # noqa: E402
from test_training_data import add_answer  # noqa: E402

QUESTIONS = ("What is photosynthesis?", "Why is the sky blue?", "How many legs does a spider have?")


def _rate_in_one_conversation(store, loaded) -> int:
    """Three turns of one conversation: two answers disliked with a better one each, one liked."""
    conversation, answer = store.create_conversation("walk"), None
    for i, question in enumerate(QUESTIONS):
        asked = store.add_message(conversation, "user", question, parent_id=answer)
        _c, _u, answer, _p = add_answer(store, loaded, question, seed=30 + i, conversation=conversation, parent=asked)
        store.rate_message(answer, 1 if i == 2 else -1)
        if i < 2:
            store.set_correction(answer, "A short answer in one sentence.")
    return len(QUESTIONS)


def test_the_margin_counts_say_answer_texts_not_rated_answers(tmp_path, tiny_model, monkeypatch):
    monkeypatch.setattr(train_run_progress.Pace, "EVERY_S", 0.0)  # every count, however fast the tiny model is
    paths = AppPaths.resolve(tmp_path / "data").ensure()
    store = Store.open(paths.db_path)
    try:
        rated = _rate_in_one_conversation(store, tiny_model)
        seen = []
        result = training.run_finetune(store, tiny_model, paths, FineTuneSettings(**FAST), progress=seen.append)
    finally:
        store.close()
    assert result.status in ("kept", "discarded"), result.reason
    counted = [p.message for p in seen if p.phase == "evaluating" and p.total]
    margins = [m for m in counted if re.search(r"scoring the \d+ answers your examples compare", m)]
    assert margins, counted
    assert any(int(re.search(r"scoring the (\d+) answers", m).group(1)) > rated for m in margins)  # answers, not ratings
    assert not [m for m in counted if re.search(r"of \d+ rated answers", m)]
