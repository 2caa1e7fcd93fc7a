"""User test 13, findings 8, 10, 11 and 12: the counts and words of the Fine-tune tab, the compare
view and a stopped run's card, and the adapter history's buttons with no adapters."""

from __future__ import annotations

import pytest

from desktop_app.core.store import Store
from desktop_app.core.train_data import build_training_data, readiness


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "db.sqlite3")
    yield s
    s.close()


def _disliked_and_corrected(store, n: int) -> list[int]:
    """``n`` answers, each with a thumbs-down and a better answer (the user test's 8 questions)."""
    answers = []
    for i in range(n):
        conversation = store.create_conversation(f"q{i}")
        question = store.add_message(conversation, "user", f"What is the capital of country number {i}?")
        answer = store.add_message(conversation, "assistant", f"It is a city called Town{i}.", parent_id=question)
        store.rate_message(answer, -1)
        store.set_correction(answer, f"Answer: City{i}.")
        answers.append(answer)
    return answers


# ---------------------------------------------------------------- 8. one correction counted as two

def test_a_dislike_on_a_corrected_answer_is_counted_with_its_better_answer(store, tiny_model):
    pytest.importorskip("PySide6")
    from desktop_app.gui.finetune_words import ready_words, tab_count_words

    _disliked_and_corrected(store, 8)
    data = build_training_data(store, tiny_model.tokenizer, tiny_model.context_window)
    # what a run trains on, so the words below are true: each answer in a pair and as a dislike of its own
    assert len(data.pairs) == 8 and len(data.unpaired) == 8 and not any(e.label for e in data.unpaired)
    counts = readiness(store)
    assert counts["total"] == len(data) == 16 and counts["disliked_and_corrected"] == 8
    assert tab_count_words(counts) == "Fine-tune (8)"
    assert ready_words(counts) == ("<b>8 ratings ready to train on</b>: 8 better answers you wrote (each for an "
                                   "answer you also disliked). Those dislikes also train on their own: 16 examples "
                                   "in all.")


def test_only_some_dislikes_on_corrected_answers_and_other_thumbs_are_named_apart(store):
    pytest.importorskip("PySide6")
    from desktop_app.gui.finetune_words import ready_words, tab_count_words

    answers = _disliked_and_corrected(store, 3)
    store.clear_rating(answers[0])
    store.rate_message(answers[0], 1)  # liked and corrected: mixed signals, two ratings
    other = _disliked_and_corrected(store, 1)[0]
    store.clear_correction(other)  # a plain dislike
    counts = readiness(store)
    assert counts["total"] == 7 and counts["disliked_and_corrected"] == 2
    assert tab_count_words(counts) == "Fine-tune (5)"
    assert ready_words(counts) == ("<b>5 ratings ready to train on</b>: 3 better answers you wrote (2 for answers you "
                                   "also disliked), 1 answer you liked and 1 you disliked. Those dislikes also train "
                                   "on their own: 7 examples in all.")


def test_after_a_run_a_dislike_and_a_better_answer_given_together_are_one_new_rating(store):
    pytest.importorskip("PySide6")
    from desktop_app.gui.finetune_words import tab_count_words

    _disliked_and_corrected(store, 1)
    run = store.create_run({}, "m")
    store.update_run(run, status="kept")
    _disliked_and_corrected(store, 2)
    counts = readiness(store)
    assert counts["new_since_run"] == 2
    assert tab_count_words(counts) == "Fine-tune (2 new)"


# ---------------------------------------------------------------- 10. the compare view's counts and legend

def _records(logprobs: list[float]):
    from types import SimpleNamespace
    import math

    return [SimpleNamespace(logprob=lp, prob=math.exp(lp)) for lp in logprobs]


def test_the_compare_summary_counts_the_end_token_in_the_average_and_in_the_rose_and_fell():
    pytest.importorskip("PySide6")
    from desktop_app.gui.compare_words import summary_words

    # the user test's disliked France answer: 15 tokens and its end, much less likely after the run
    before = _records([-1.0] * 16)
    after = _records([-0.5] * 3 + [-8.0] * 9 + [-1.0] * 3 + [-0.2])
    text = summary_words(before, after, ended=True)
    assert "each of its 16 tokens" in text
    assert "4 of 16 tokens (the end included) rose, 9 fell." in text
    cut = summary_words(before[:-1], after[:-1], ended=False)  # an answer cut at its budget has no end token
    assert "each of its 15 tokens" in cut and "3 of 15 tokens rose, 9 fell." in cut


def test_the_legend_says_or_more_at_an_end_that_cells_go_past():
    pytest.importorskip("PySide6")
    from desktop_app.gui.compare_words import legend_words, nice_scale

    values = [9.37, -15.27] + [0.5] * 40
    scale = nice_scale(values + [7.5, -7.9])
    assert scale == 8.0
    assert legend_words(scale, values) == ("about 3,000\u00d7 less likely, or more",
                                           "about 3,000\u00d7 more likely, or more")
    assert legend_words(scale, [7.5, -15.27]) == ("about 3,000\u00d7 less likely, or more",
                                                  "about 3,000\u00d7 more likely")
    assert legend_words(1.0, [0.5, -0.9]) == ("2.7\u00d7 less likely", "2.7\u00d7 more likely")
