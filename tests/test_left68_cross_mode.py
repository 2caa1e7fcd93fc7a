"""left68: a chat answer and a Text continuation with the same text, liked in one and disliked in the other, are no
conflict (core/rating_conflicts.py says why: never one prompt, each trains where it was rated); the same pair
within one mode still is. Real store, no model."""

from __future__ import annotations

from conflict106_helpers import answer

from desktop_app.core import documents
from desktop_app.core import text_branches as tb
from desktop_app.core.rating_conflicts import find_conflicts

STORY = "The capital of France is"


def test_an_answer_and_a_continuation_of_the_same_text_rated_both_ways_are_no_conflict(store):
    liked = answer(store, "Capital of France?", " Paris.")
    store.rate_message(liked, 1)
    document = documents.create_document(store, STORY, "Geography")
    disliked = tb.add_branch(store, document, None, len(STORY), " Paris.")
    tb.rate_branch(store, disliked, -1)
    assert find_conflicts(store) == []
    other = answer(store, "Capital of France?", " Paris.")
    store.rate_message(other, -1)
    assert [(c.kind, c.message_ids()) for c in find_conflicts(store)] == [("answer", (liked, other))]
