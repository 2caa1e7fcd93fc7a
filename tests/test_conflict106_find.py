"""conflict106: ratings that contradict each other found in a real store (core/rating_conflicts.py) and
said in words (core/conflict_words.py)."""

from __future__ import annotations

from conflict106_helpers import answer, conversation_of

from desktop_app.core.conflict_words import conflicts_line
from desktop_app.core.rating_conflicts import conflicts_of, find_conflicts


def test_the_same_text_liked_and_disliked_is_a_conflict_whatever_its_white_space(store):
    liked = answer(store, "Capital of France?", "Paris.")
    disliked = answer(store, "Capital of France?", ["  Paris.", "\n"])
    store.rate_message(liked, 1)
    store.rate_message(disliked, -1)
    [conflict] = find_conflicts(store)
    assert conflict.kind == "answer" and conflict.text == "Paris."
    assert (conflict.up.message_id, conflict.up.how) == (liked, "liked")
    assert (conflict.down.message_id, conflict.down.how) == (disliked, "disliked")
    assert conflict.up.conversation_id == conversation_of(store, liked)
    assert conflict.same_question


def test_different_texts_or_one_side_only_are_no_conflict(store):
    a = answer(store, "Capital of France?", "Paris.")
    b = answer(store, "Capital of France?", "Lyon.")
    c = answer(store, "Capital of France?", "Paris.")
    store.rate_message(a, 1)
    store.rate_message(b, -1)
    store.rate_message(c, 1)
    assert find_conflicts(store) == []


def test_a_conflict_under_two_questions_is_told_apart_from_one_under_the_same(store):
    liked = answer(store, "Capital of France?", "Paris.")
    disliked = answer(store, "Capital of Italy?", "Paris.")
    store.rate_message(liked, 1)
    store.rate_message(disliked, -1)
    [conflict] = find_conflicts(store)
    assert not conflict.same_question
    line = conflicts_line([conflict])
    assert "answering different questions" in line and "learns neither" not in line


def test_a_better_answer_in_place_of_a_text_liked_elsewhere_is_a_conflict(store):
    liked = answer(store, "Capital of France?", "It is Paris.")
    corrected = answer(store, "Capital of France?", "It is Paris. ")
    store.rate_message(liked, 1)
    store.set_correction(corrected, "Paris.")
    [conflict] = find_conflicts(store)
    assert conflict.kind == "correction" and conflict.text == "It is Paris."
    assert (conflict.up.message_id, conflict.down.message_id, conflict.down.how) == (liked, corrected, "corrected")


def test_a_thumbs_down_with_a_better_answer_is_one_conflict_not_two(store):
    liked = answer(store, "Capital of France?", "It is Paris.")
    corrected = answer(store, "Capital of France?", "It is Paris.")
    store.rate_message(liked, 1)
    store.rate_message(corrected, -1)
    store.set_correction(corrected, "Paris.")
    assert [c.kind for c in find_conflicts(store)] == ["answer"]


def test_an_answers_own_thumbs_up_and_better_answer_are_left_to_the_mixed_signals_note(store):
    both = answer(store, "Capital of France?", "It is Paris.")
    store.rate_message(both, 1)
    store.set_correction(both, "Paris.")
    assert find_conflicts(store) == []


def test_a_token_rated_both_ways_after_the_same_words_is_a_conflict(store):
    up = answer(store, "Capital of France?", ["The", " capital", " is", " Paris", "."])
    down = answer(store, "Capital of France?", ["The", " capital", " is", " Paris", "!"])
    elsewhere = answer(store, "Capital of France?", ["It", " is", " Paris", "."])
    store.rate_token(up, 3, 1)
    store.rate_token(down, 3, -1)
    store.rate_token(elsewhere, 2, -1)  # the same token after other words: no conflict
    [conflict] = find_conflicts(store)
    assert conflict.kind == "token" and conflict.text == " Paris" and conflict.before == "The capital is"
    assert (conflict.up.message_id, conflict.up.token_index) == (up, 3)
    assert (conflict.down.message_id, conflict.down.token_index, conflict.down.how) == (down, 3, "bad")
    assert conflicts_of(find_conflicts(store), elsewhere) == []
    assert conflicts_of(find_conflicts(store), down) == [conflict]


def test_a_token_after_the_same_words_to_another_question_is_no_conflict(store):
    up = answer(store, "Capital of France?", ["It", " is", " Paris"])
    down = answer(store, "Capital of Italy?", ["It", " is", " Paris"])
    store.rate_token(up, 2, 1)
    store.rate_token(down, 2, -1)
    assert find_conflicts(store) == []


def test_the_line_counts_the_ratings_and_names_both_places(store):
    liked = answer(store, "Capital of France?", "Paris.")
    disliked = answer(store, "Capital of France?", "Paris.")
    store.rate_message(liked, 1)
    store.rate_message(disliked, -1)
    line = conflicts_line(find_conflicts(store))
    assert line.startswith("2 ratings disagree: \u201cParis.\u201d is liked in conversation "
                           f"{conversation_of(store, liked)} and disliked in conversation {conversation_of(store, disliked)}")
    assert "learns neither" in line
    assert conflicts_line([]) == ""


def test_the_line_tells_three_pairs_and_counts_the_rest(store):
    ups = [answer(store, "Capital of France?", "Paris.") for _ in range(2)]
    downs = [answer(store, "Capital of France?", "Paris.") for _ in range(2)]
    for m in ups:
        store.rate_message(m, 1)
    for m in downs:
        store.rate_message(m, -1)
    conflicts = find_conflicts(store)
    assert len(conflicts) == 4
    line = conflicts_line(conflicts)
    assert line.startswith("4 ratings disagree:") and line.endswith("; and 1 more pair.")
    assert conflicts[0].as_dict()["liked"]["message_id"] == ups[0]
