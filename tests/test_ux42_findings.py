"""A new user's test of the window (ux42), each finding fixed and held here with the real store, the
tiny GPT-2 and real widgets (pytest-qt, offscreen)."""

from __future__ import annotations

import pytest

from desktop_app.core import answer_checks, reasking
from desktop_app.core import finetune_effect as fe
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from desktop_app.core.train_data import build_training_data
from test_training_data import add_answer

pytest.importorskip("PySide6")

# ---------------------------------------------------------------- 1: the card shows the better answer the person wrote

HAMLET = "Who wrote Hamlet?"
BETTER = "William Shakespeare wrote Hamlet."


def _hamlet_pairs(store, loaded, after: str) -> list[dict]:
    """A run's before/after pairs, as core.finetune_effect makes them from a real store where the person
    disliked the answer to "Who wrote Hamlet?" and wrote a better one (their correction)."""
    _conv, _user, mid, _ids = add_answer(store, loaded, HAMLET, text="Hamlet was written by a man.")
    store.rate_message(mid, -1)
    store.set_correction(mid, BETTER)
    data = build_training_data(store, loaded.tokenizer, loaded.context_window)
    plan = fe.plan_reasks(store, data, data, data.split(0.0)[1], loaded.tokenizer, loaded.context_window,
                          count=3, unseen=0, tokens=6)
    assert [q for _ids, q in plan.prompts] == [HAMLET] and plan.rights == (BETTER,)
    answers = [reasking.Reask(q, after, answer_checks.degenerate(q, after), answer_checks.restates(q, after))
               for _ids, q in plan.prompts]
    return fe.taught(["Hamlet was written by a man."], answers, plan.unseen_from, plan.open_from,
                     plan.held_count, plan.rights, plan.news)


@pytest.mark.parametrize("after", ["William Shakespeare wrote it.", "Christopher Marlowe wrote it."])
def test_the_cards_pair_of_a_corrected_question_shows_the_better_answer_written(qtbot, tmp_path, tiny_model, after):
    """ux42: the pair of "Who wrote Hamlet?", which the person corrected, showed the model's before and
    after, tagged "you rated this" (or "misses your answer"), and never the answer the person wrote:
    the card showed it only for questions the check could not read."""
    from desktop_app.gui.taught_view import TaughtView

    store = Store.open(AppPaths.resolve(tmp_path / "data").ensure().db_path)
    try:
        pairs = _hamlet_pairs(store, tiny_model, after)
    finally:
        store.close()
    assert pairs[0]["checked"]  # a short fact: the check reads it
    view = TaughtView()
    qtbot.addWidget(view)
    view.set_pairs(pairs)
    yours = [w.text() for w in view.body.findChildren(type(view.title)) if w.objectName() == "TaughtYours"]
    assert yours == [f"your answer: {BETTER}"], yours
