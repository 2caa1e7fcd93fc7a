"""A rating of a later turn also trains with its question asked alone (usertest6: corrections
made in one long conversation did not carry to new conversations): the view's prompt is the
question as a conversation's first message, the split keeps the two views together, and
training visits them in turn."""

from __future__ import annotations

from desktop_app.core.prompts import Turn, build_prompt
from desktop_app.core.store import Store
from desktop_app.core.train_data import build_training_data, stands_alone
from desktop_app.core.train_steps import batch_order
from test_training_data import add_answer


def two_turns(store, loaded, second: str, *, first_text="Paris is the capital.", second_text="It is Rome."):
    """One conversation: a first question and answer, then ``second`` after that answer."""
    conv, _u, first, _p = add_answer(store, loaded, "What is the capital of France?", text=first_text)
    user = store.add_message(conv, "user", second, parent_id=first)
    _c, _u, later, _p = add_answer(store, loaded, second, text=second_text, conversation=conv, parent=user)
    return conv, first, later


def alone_prompt(loaded, question: str) -> list[int]:
    return build_prompt(loaded.tokenizer, [Turn("user", question)], context_window=1024, max_new_tokens=12).ids


def test_a_rated_second_answer_trains_in_place_and_alone_the_first_only_in_place(store, tiny_model):
    conv, first, later = two_turns(store, tiny_model, "What is the capital of Italy?")
    store.set_correction(first, "Answer: Paris.")
    store.set_correction(later, "Answer: Rome.")
    store.rate_message(later, -1)
    tok, window = tiny_model.tokenizer, tiny_model.context_window
    data = build_training_data(store, tok, window, alone_views=True)
    by_answer = {}
    for p in data.pairs:
        by_answer.setdefault(p.rejected_message_id, []).append(p)
    assert [p.alone for p in by_answer[first]] == [False]  # turn 1 has no history: one view
    in_place, alone = by_answer[later]
    assert (in_place.alone, alone.alone) == (False, True)
    assert alone.prompt_ids == alone_prompt(tiny_model, "What is the capital of Italy?")
    assert len(in_place.prompt_ids) > len(alone.prompt_ids)  # the first exchange is in the other view
    question = store.get_message(later)["parent_id"]  # the group: the rated exchange (train_data.rating_group)
    assert store.get_message(question)["conversation_id"] == conv
    assert (alone.chosen_ids, alone.rejected_ids, alone.group) == (in_place.chosen_ids, in_place.rejected_ids, question)
    assert [e.alone for e in data.unpaired] == [False, True]  # the thumb gets its alone view too
    # views add no rating: the counts, and the schedule sized from them, are those without it
    without = build_training_data(store, tok, window)
    assert data.rated() == len(without) == len(data) - 2
    assert {k: v for k, v in data.counts().items() if k != "alone_views"} == {
        k: v for k, v in without.counts().items() if k != "alone_views"}
    assert data.counts()["alone_views"] == 2 and "alone_views" not in without.counts()


def test_a_follow_up_gets_no_alone_view(store, tiny_model):
    _conv, _first, later = two_turns(store, tiny_model, "And of Italy?")
    store.set_correction(later, "Answer: Rome.")
    data = build_training_data(store, tiny_model.tokenizer, tiny_model.context_window, alone_views=True)
    assert [p.alone for p in data.pairs] == [False]
    assert not stands_alone("What about Spain?") and not stands_alone("Make it shorter.")
    assert stands_alone("Why do cats purr?") and stands_alone("How many legs does a spider have?")


def test_the_split_keeps_both_views_of_a_rating_together(store, tiny_model):
    for i in range(3):
        _conv, first, later = two_turns(store, tiny_model, f"What is the capital of country {i}?")
        store.set_correction(later, f"Answer: City {i}.")
        store.rate_message(first, 1)
    data = build_training_data(store, tiny_model.tokenizer, tiny_model.context_window, alone_views=True)
    assert sum(p.alone for p in data.pairs) == 3
    for seed in range(4):
        train, held = data.split(0.34, seed=seed)
        assert held.rated() == 2 and train.rated() == 4  # 2 of the 6 rated exchanges held out, whole
        for part in (train, held):  # a correction's view alone goes where its view in place goes
            assert {p.group for p in part.pairs if p.alone} == {p.group for p in part.pairs if not p.alone}
        assert not set(train.groups()) & set(held.groups())


def test_training_visits_the_two_views_in_turn(store, tiny_model):
    _c, first, later = two_turns(store, tiny_model, "What is the capital of Italy?")
    store.set_correction(first, "Answer: Paris.")
    store.set_correction(later, "Answer: Rome.")
    data = build_training_data(store, tiny_model.tokenizer, tiny_model.context_window, alone_views=True)
    alone = next(i for i, p in enumerate(data.pairs) if p.alone)
    in_place = next(i for i, p in enumerate(data.pairs) if p.rejected_message_id == later and not p.alone)
    batches = batch_order(data, 2, seed=0)
    passes = [sorted(next(batches)) for _ in range(4)]  # a pass is one batch of the two ratings
    assert all(len(b) == 2 for b in passes)
    seen = [("p", alone) in b for b in passes]
    assert seen == [False, True, False, True]
    assert [("p", in_place) in b for b in passes] == [True, False, True, False]


def test_a_run_with_alone_views_trains_and_counts_ratings_not_views(tmp_path, tiny_model):
    from desktop_app.core.paths import AppPaths
    from desktop_app.core.train_settings import FineTuneSettings
    from desktop_app.core.training import run_finetune

    paths = AppPaths.resolve(tmp_path / "data").ensure()
    store = Store.open(paths.db_path)
    for i in range(2):
        _c, first, later = two_turns(store, tiny_model, f"What is the capital of country {i}?")
        store.set_correction(later, f"Answer: City {i}.")
        store.rate_message(first, 1)
    settings = FineTuneSettings(alone_views=True, max_steps=4, min_steps=4, reask_count=1, reask_tokens=4,
                                reask_unseen=0, reask_canaries=0, reask_open=0, heldout_fraction=0.0,
                                guard_ppl_rise=0.0, rescore=False)
    result = run_finetune(store, tiny_model, paths, settings)
    m = result.metrics
    assert m["steps"] == 4
    assert m["data_alone_views"] == 2 and m["data_corrections"] == 2 and m["data_thumbs_up"] == 2
    assert m["train_size"] == 4 and m["schedule"]["examples"] == 4  # the ratings, not the 6 examples
    store.close()


def test_a_token_rated_later_answer_trains_in_place_only(store, tiny_model):
    _conv, _first, later = two_turns(store, tiny_model, "What is the capital of Italy?", second_text=None)
    assert store.token_records(later)  # a generated answer: its tokens can be rated
    store.rate_token(later, 0, -1)
    data = build_training_data(store, tiny_model.tokenizer, tiny_model.context_window, alone_views=True)
    assert [t.alone for t in data.tokens] == [False] and data.tokens[0].message_id == later
