"""The ready line and the tab count what the person did: a liked and a disliked answer to one
question are two ratings, though training makes three examples of them (the two thumbs and their
pair); the line said "3 examples: 1 answer you liked, 1 you disliked and 1 pair of answers to one
question", three items for two ratings. The counts come from a real store, the examples from
``build_training_data`` on it, and a real run on the tiny model shows what the card counts."""

from __future__ import annotations

from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from desktop_app.core.train_counts import readiness
from desktop_app.core.train_data import build_training_data
from desktop_app.gui.ready_words import ready_words, tab_count_words
from test_training_data import add_answer

QUESTION = "What is the capital of France?"


def _two_answers(store, liked_text="Paris.", disliked_text="Lyon, I think.") -> tuple[int, int]:
    """Two answers to one question (the second a regenerated sibling), one liked, one disliked."""
    conversation = store.create_conversation("France")
    question = store.add_message(conversation, "user", QUESTION)
    liked = store.add_message(conversation, "assistant", liked_text, parent_id=question)
    disliked = store.add_message(conversation, "assistant", disliked_text, parent_id=question)
    store.rate_message(liked, 1)
    store.rate_message(disliked, -1)
    return liked, disliked


def test_a_liked_and_a_disliked_answer_to_one_question_are_two_ratings_of_three_examples(store, tiny_model):
    _two_answers(store)
    data = build_training_data(store, tiny_model.tokenizer, tiny_model.context_window)
    # what a run trains on: each thumb alone and the two as a pair, the liked one preferred
    assert [e.label for e in data.unpaired] == [True, False] and [p.source for p in data.pairs] == ["siblings"]
    counts = readiness(store)
    assert counts["total"] == len(data) == 3 and counts["sibling_pairs"] == 1 and counts["ratings"] == 2
    assert tab_count_words(counts) == "Fine-tune (2)"
    assert ready_words(counts) == ("<b>2 ratings ready to train on</b>: 1 answer you liked and 1 you disliked. "
                                   "2 ratings make 3 training examples: the liked and the disliked answer to the "
                                   "same question also train as a pair.")


def test_a_liked_answer_and_a_disliked_corrected_sibling_are_two_ratings(store, tiny_model):
    _liked, disliked = _two_answers(store)
    store.set_correction(disliked, "Paris is the capital of France.")
    data = build_training_data(store, tiny_model.tokenizer, tiny_model.context_window)
    assert len(data.unpaired) == 2 and sorted(p.source for p in data.pairs) == ["correction", "siblings"]
    counts = readiness(store)
    # counts59: the thumbs-down and the better answer are two ratings, as the tiles count them
    assert counts["total"] == len(data) == 4 and counts["ratings"] == 3
    assert tab_count_words(counts) == "Fine-tune (3)"
    assert ready_words(counts) == ("<b>3 ratings ready to train on</b>: 1 answer you liked, 1 you disliked and 1 "
                                   "better answer you wrote (for the one you disliked). 3 ratings make 4 training "
                                   "examples: the liked and the disliked answer to the same question also train "
                                   "as a pair.")


def test_several_siblings_count_their_thumbs_and_name_their_pairs(store, tiny_model):
    _liked, _disliked = _two_answers(store)
    another = store.add_message(store.get_message(_liked)["conversation_id"], "assistant", "Marseille.",
                                parent_id=store.get_message(_liked)["parent_id"])
    store.rate_message(another, -1)
    data = build_training_data(store, tiny_model.tokenizer, tiny_model.context_window)
    counts = readiness(store)
    assert len(data.pairs) == counts["sibling_pairs"] == 2 and counts["total"] == len(data) == 5
    assert counts["ratings"] == 3 and tab_count_words(counts) == "Fine-tune (3)"
    assert ready_words(counts) == ("<b>3 ratings ready to train on</b>: 1 answer you liked and 2 you disliked. "
                                   "3 ratings make 5 training examples: liked and disliked answers to the same "
                                   "question also train in pairs (2 pairs).")


def test_after_a_run_the_two_thumbs_are_two_new_ratings(store):
    run = store.create_run({}, "m")
    store.update_run(run, status="kept")
    _two_answers(store)
    counts = readiness(store)
    assert counts["new_since_run"] == 2 and tab_count_words(counts) == "Fine-tune (2 new)"
    assert ready_words(counts).startswith("<b>2 new ratings or better answers since run 1</b>; 2 ratings in all: ")


def test_a_run_on_siblings_learns_from_every_example_and_its_card_counts_the_question_once(tmp_path, tiny_model):
    from desktop_app.core.taught_words import rated_questions
    from desktop_app.core.train_settings import FineTuneSettings
    from desktop_app.core.training import run_finetune
    from desktop_app.gui.finetune_words import describe_run
    from test_training import FAST

    paths = AppPaths.resolve(tmp_path / "data").ensure()
    store = Store.open(paths.db_path)
    try:
        conversation, question, liked, _ids = add_answer(store, tiny_model, QUESTION, seed=1)
        _c, _q, disliked, _ids = add_answer(store, tiny_model, QUESTION, seed=2, conversation=conversation,
                                            parent=question)
        store.rate_message(liked, 1)
        store.rate_message(disliked, -1)
        _c, _q, other, _ids = add_answer(store, tiny_model, "Who wrote Hamlet?", seed=3)
        store.rate_message(other, 1)
        counts = readiness(store)
        assert counts["ratings"] == 3 and counts["total"] == 4 and "make 4 training examples" in ready_words(counts)
        result = run_finetune(store, tiny_model, paths, FineTuneSettings(**FAST))
    finally:
        store.close()
    assert result.status in ("kept", "discarded"), result.reason
    m = result.metrics
    # training used the examples the line names: three thumbs alone and the siblings' pair
    assert m["train_size"] + m["heldout_size"] == 4 and m["data_sibling_pairs"] == 1 and m["data_thumbs_down"] == 1
    # the card counts questions: the two rated answers to one question are one question to the person
    assert sorted(p["question"] for p in rated_questions(m["taught"])) == [QUESTION, "Who wrote Hamlet?"]
    _title, body = describe_run(result.status, result.reason, m, result.adapter_id)
    assert "2 rated questions" in body and "3 rated questions" not in body
