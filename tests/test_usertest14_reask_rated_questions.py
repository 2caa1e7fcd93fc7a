"""The questions a run re-asks as "rated" are distinct questions (usertest 14, finding 2): with a
better answer on a later turn of a conversation, that question's question-alone view (a pair, made
by train_data.add_alone_views) took a re-ask slot of its own, so the same question was re-asked twice
("A spider has 8 legs." and the in-place answer) and a liked answer elsewhere in the conversation
was never re-asked; the card said "2 rated questions" for five ratings. A rating new since the
previous run comes first, its alone view still last (run 2 of the test re-asked a new one twice)."""

from __future__ import annotations

from desktop_app.core import finetune_effect as fe
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from desktop_app.core.train_data import build_training_data
from test_training_data import add_answer

TURNS = [("What is the capital of France?", "Lyon, on the Rhone.", "The capital of France is Paris."),
         ("How many legs does a spider have?", "Ten, with a pair on each leg.", "A spider has eight legs."),
         ("What is the chemical symbol for gold?", "The chemical symbol for gold is Au.", None)]


def _one_conversation(store, loaded) -> list[int]:
    """Three turns of one conversation: the first two disliked, each with a better answer; the
    third liked. The answers' message ids."""
    conversation, parent, answers = None, None, []
    for question, answer, better in TURNS:
        user = None if parent is None else store.add_message(conversation, "user", question, parent_id=parent)
        conversation, _user, mid, _ids = add_answer(store, loaded, question, text=answer, conversation=conversation,
                                                    parent=user)
        store.rate_message(mid, -1 if better else 1)
        if better:
            store.set_correction(mid, better)
        parent = mid
        answers.append(mid)
    return answers


def test_rated_reasks_are_distinct_questions_alone_views_last(tmp_path, tiny_model):
    store = Store.open(AppPaths.resolve(tmp_path / "data").ensure().db_path)
    try:
        answers = _one_conversation(store, tiny_model)
        data = build_training_data(store, tiny_model.tokenizer, tiny_model.context_window, alone_views=True)
        assert any(p.alone for p in data.pairs)  # the spider's correction also trains asked alone
        questions = fe.question_texts(store, data)
        asked = [q for _ids, q in fe.distinct_prompts(data, questions, 3)]
        assert asked == [question for question, _a, _b in TURNS]
        plan = fe.plan_reasks(store, data, data, data.split(0.0)[1], tiny_model.tokenizer,
                              tiny_model.context_window, count=3, unseen=0, tokens=6)
        assert [q for _ids, q in plan.prompts] == asked and plan.unseen_from == 3
        assert plan.rights[:2] == ("The capital of France is Paris.", "A spider has eight legs.")
        assert plan.rights[2].startswith("The chemical")  # the liked answer: what its new answer is held to
        # rated since the previous run: the spider's question first, still once (its alone view comes last)
        first = [q for _ids, q in fe.distinct_prompts(data, questions, 3, frozenset({answers[1]}))]
        assert first == [TURNS[1][0], TURNS[0][0], TURNS[2][0]]
    finally:
        store.close()
