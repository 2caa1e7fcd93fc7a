"""Text mode counts a thumbs-down on a continuation with a better continuation written for it as
one rating, as the chat counts a thumbs-down on an answer with its better answer (the ready line, the
tab's count, what is new since a run), while the "N examples in all" stays what a run trains on
(build_training_data on the same real store)."""

from __future__ import annotations

import pytest

from desktop_app.core import documents
from desktop_app.core import text_branches as tb
from desktop_app.core.train_counts import readiness
from desktop_app.core.train_data import build_training_data

STORY = "The keeper climbed the stairs of the lighthouse every evening"


def _continuation(store, document: int, text: str, thumbs: int | None, better: str | None = None) -> int:
    branch = tb.add_branch(store, document, None, len(STORY), text)
    if thumbs is not None:
        tb.rate_branch(store, branch, thumbs)
    if better:
        tb.set_correction(store, branch, better)
    return branch


def test_a_disliked_and_corrected_continuation_is_one_rating_of_two_examples(store, tiny_model):
    pytest.importorskip("PySide6")
    from desktop_app.gui.ready_words import ready_words, tab_count_words

    document = documents.create_document(store, STORY)
    _continuation(store, document, " and fell asleep on the sofa.", -1, " to light the great lamp.")
    _continuation(store, document, " and sang to the gulls.", -1)  # a plain dislike at the same place
    data = build_training_data(store, tiny_model.tokenizer, tiny_model.context_window)
    # what a run trains on: the corrected one in a pair and as a dislike of its own, the other dislike
    assert len(data.pairs) == 1 and [e.label for e in data.unpaired] == [False, False]
    counts = readiness(store)
    assert counts["total"] == len(data) == 3
    # counts59: each rating once, as the tiles count them
    assert counts["ratings"] == 3 and counts["text_disliked_and_corrected"] == 1
    assert tab_count_words(counts) == "Fine-tune (3)"
    assert ready_words(counts) == ("<b>3 ratings ready to train on</b>: 2 continuations you disliked and 1 better "
                                   "continuation you wrote (for a continuation you disliked).")


def test_chat_and_text_dislikes_with_better_ones_are_each_named_with_their_kind(store, tiny_model):
    pytest.importorskip("PySide6")
    from desktop_app.gui.ready_words import ready_words

    document = documents.create_document(store, STORY)
    _continuation(store, document, " and fell asleep on the sofa.", -1, " to light the great lamp.")
    conversation = store.create_conversation("q")
    question = store.add_message(conversation, "user", "What is the capital of France?")
    answer = store.add_message(conversation, "assistant", "It is Lyon.", parent_id=question)
    store.rate_message(answer, -1)
    store.set_correction(answer, "Paris.")
    data = build_training_data(store, tiny_model.tokenizer, tiny_model.context_window)
    counts = readiness(store)
    assert counts["total"] == len(data) == 4 and counts["ratings"] == 4
    assert ready_words(counts) == ("<b>4 ratings ready to train on</b>: 1 answer you disliked, 1 continuation you "
                                   "disliked, 1 better answer you wrote (for the one you disliked) and 1 better "
                                   "continuation you wrote (for the one you disliked).")


def test_after_a_run_a_continuation_disliked_and_corrected_is_two_new_ratings(store):
    document = documents.create_document(store, STORY)
    _continuation(store, document, " and sang to the gulls.", 1)
    run = store.create_run({}, "m")
    store.update_run(run, status="kept")
    _continuation(store, document, " and fell asleep on the sofa.", -1, " to light the great lamp.")
    counts = readiness(store, "m")
    assert (counts["last_run"], counts["new_since_run"]) == (run, 2)  # counts59: the dislike and the better one
