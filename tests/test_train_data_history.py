"""A training prompt keeps only the last exchanges before the rated question
(``history``, train_data.recent_turns): a rating made in the 8th turn of a chat no longer
carries the 7 exchanges before it into every phase of a run. Ratings made each in a
conversation of their own have no history: their examples are the same either way."""

from __future__ import annotations

from desktop_app.core.prompts import Turn, build_prompt
from desktop_app.core.train_data import build_training_data, recent_turns
from test_training_data import add_answer

QUESTIONS = ["What is the capital of France?", "What is the capital of Italy?", "What is the capital of Spain?"]
ANSWERS = ["Paris is the capital.", "It is Rome.", "Madrid, I think."]


def one_chat(store, loaded) -> tuple[int, list[int]]:
    """The three questions asked one after another in one conversation; their answers' ids."""
    conv, parent, mids = None, None, []
    for question, text in zip(QUESTIONS, ANSWERS):
        user = store.add_message(conv, "user", question, parent_id=parent) if conv else None
        conv, _u, parent, _p = add_answer(store, loaded, question, text=text, conversation=conv, parent=user)
        mids.append(parent)
    return conv, mids


def prompt_of(loaded, turns: list[Turn]) -> list[int]:
    return build_prompt(loaded.tokenizer, turns, context_window=loaded.context_window, max_new_tokens=12).ids


def test_recent_turns_keeps_whole_exchanges_before_the_question():
    turns = [Turn("user", "q1"), Turn("assistant", "a1"), Turn("user", "q2"), Turn("assistant", "a2"),
             Turn("user", "q3")]
    assert recent_turns(turns, 0) == turns[-1:]
    assert recent_turns(turns, 1) == turns[2:]
    assert recent_turns(turns, 2) == turns == recent_turns(turns, 5)


def test_a_third_turn_trains_with_the_exchange_before_it_only(store, tiny_model):
    _conv, mids = one_chat(store, tiny_model)
    for mid in mids:
        store.set_correction(mid, "Answer: X.")
    tok, window = tiny_model.tokenizer, tiny_model.context_window
    whole, last, alone = (build_training_data(store, tok, window, history=h) for h in (None, 1, 0))
    third = [Turn("user", QUESTIONS[0]), Turn("assistant", ANSWERS[0]), Turn("user", QUESTIONS[1]),
             Turn("assistant", ANSWERS[1]), Turn("user", QUESTIONS[2])]
    by_answer = {h: {p.rejected_message_id: p for p in d.pairs} for h, d in ((None, whole), (1, last), (0, alone))}
    assert by_answer[None][mids[2]].prompt_ids == prompt_of(tiny_model, third)  # as generation saw it
    assert by_answer[1][mids[2]].prompt_ids == prompt_of(tiny_model, third[2:])
    assert by_answer[0][mids[2]].prompt_ids == prompt_of(tiny_model, third[4:])
    # the 2nd turn has one exchange before it: kept whole at history 1; the 1st has none
    for mid in mids[:2]:
        assert by_answer[1][mid].prompt_ids == by_answer[None][mid].prompt_ids
    assert by_answer[0][mids[0]].prompt_ids == by_answer[None][mids[0]].prompt_ids
    for h in (1, 0):  # only the prompt changes: what was rated trains as before
        for mid in mids:
            a, b = by_answer[h][mid], by_answer[None][mid]
            assert (a.chosen_ids, a.rejected_ids, a.group) == (b.chosen_ids, b.rejected_ids, b.group)


def test_the_system_text_stays_when_old_turns_go(store, tiny_model):
    conv, mids = one_chat(store, tiny_model)
    user = store.add_message(conv, "user", "What is the capital of Peru?", parent_id=mids[2])
    later = store.add_message(conv, "assistant", "Lima.", parent_id=user, model_id=tiny_model.model_id,
                              settings={"max_new_tokens": 12, "system": "Be brief."})
    store.rate_message(later, 1)
    data = build_training_data(store, tiny_model.tokenizer, tiny_model.context_window, history=1)
    expected = build_prompt(tiny_model.tokenizer, [Turn("user", QUESTIONS[2]), Turn("assistant", ANSWERS[2]),
                                                   Turn("user", "What is the capital of Peru?")], system="Be brief.",
                            context_window=tiny_model.context_window, max_new_tokens=12).ids
    assert data.unpaired[0].prompt_ids == expected


def test_ratings_made_apart_train_the_same_with_any_history(store, tiny_model):
    for i, question in enumerate(QUESTIONS):
        _c, _u, mid, _p = add_answer(store, tiny_model, question, text=ANSWERS[i])
        store.set_correction(mid, "Answer: X.") if i else store.rate_message(mid, 1)
    tok, window = tiny_model.tokenizer, tiny_model.context_window
    whole = build_training_data(store, tok, window, alone_views=True)
    for h in (0, 1, 2):
        assert build_training_data(store, tok, window, alone_views=True, history=h) == whole
