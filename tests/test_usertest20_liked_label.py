"""usertest 20: the fine-tune card put "your answer: Hamlet, a timeless masterpiece of literature…"
above the pair of a question whose answer the person had only liked: the model's words, not theirs.
It says "the answer you liked" there now, and "your answer" only over an answer the person wrote
(real store, tiny GPT-2, real TaughtView offscreen)."""

from __future__ import annotations

import pytest

from desktop_app.core import answer_checks, reasking
from desktop_app.core import finetune_effect as fe
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from desktop_app.core.train_data import build_training_data
from test_training_data import add_answer

pytest.importorskip("PySide6")

LIKED = ("Who wrote Hamlet?", "Hamlet, a timeless masterpiece, written by William Shakespeare.")
CORRECTED = ("How do I boil an egg?", "The way to boil an egg is a simple recipe.",
             "Put the egg in boiling water for 8 minutes.")


def _pairs(store, loaded) -> list[dict]:
    _c, _u, liked, _ids = add_answer(store, loaded, LIKED[0], text=LIKED[1])
    store.rate_message(liked, 1)
    _c, _u, disliked, _ids = add_answer(store, loaded, CORRECTED[0], text=CORRECTED[1])
    store.rate_message(disliked, -1)
    store.set_correction(disliked, CORRECTED[2])
    data = build_training_data(store, loaded.tokenizer, loaded.context_window)
    plan = fe.plan_reasks(store, data, data, data.split(0.0)[1], loaded.tokenizer, loaded.context_window,
                          count=4, unseen=0, tokens=6)
    answers = [reasking.Reask(q, "An answer.", answer_checks.degenerate(q, "An answer."),
                              answer_checks.restates(q, "An answer.")) for _ids, q in plan.prompts]
    return fe.taught(["Before."] * len(answers), answers, plan.unseen_from, plan.open_from, plan.held_count,
                     plan.rights, plan.news, (), plan.texts, plan.written)


def test_the_card_calls_a_liked_answer_liked_and_a_written_one_yours(qtbot, tmp_path, tiny_model):
    from desktop_app.gui.taught_view import TaughtView

    store = Store.open(AppPaths.resolve(tmp_path / "data").ensure().db_path)
    try:
        pairs = _pairs(store, tiny_model)
    finally:
        store.close()
    by_question = {p["question"]: p for p in pairs}
    assert by_question[LIKED[0]]["right_written"] is False
    assert by_question[CORRECTED[0]]["right_written"] is True
    view = TaughtView()
    qtbot.addWidget(view)
    view.set_pairs(pairs)
    yours = {w.text() for w in view.body.findChildren(type(view.title)) if w.objectName() == "TaughtYours"}
    assert f"the answer you liked: {LIKED[1]}" in yours, yours
    assert f"your answer: {CORRECTED[2]}" in yours, yours


def test_a_run_recorded_before_the_card_knew_keeps_your_answer():
    from desktop_app.core.taught_words import yours_label

    assert yours_label({"right": "x"}) == "your answer"  # metrics stored by an older version
    assert yours_label({"right": "x", "right_written": False, "continuation": True}) == "the continuation you liked"
    assert yours_label({"right": "x", "right_written": True, "continuation": True}) == "your continuation"
