"""counts59: after a thumbs-up, a thumbs-down, a token rating and a better answer for the disliked answer the tab,
the count tiles, the ready line and a run's pair count each counted those ratings their own way. One rating
counts one everywhere; where a run makes more examples than ratings the ready line says how many and why."""

from __future__ import annotations

import pytest

from desktop_app.core.generation import SamplingSettings
from desktop_app.core.store import Store
from desktop_app.core.train_counts import readiness
from desktop_app.gui.ready_words import rating_count, ready_words, tab_count_words, tile_words


@pytest.fixture
def four_ratings(tiny_model, tmp_path):
    """The new user's four ratings on three stored answers of the tiny model: their readiness counts."""
    from helpers import stored_answer

    db, ids = str(tmp_path / "db.sqlite3"), []
    for question in ("Hello?", "What is France?", "Tell me a joke"):
        ids.append(stored_answer(tiny_model, db, SamplingSettings(max_new_tokens=6, seed=5), question)[1])
    with Store.open(db) as store:
        store.rate_message(ids[0], 1)
        store.rate_message(ids[1], -1)
        store.rate_token(ids[2], 1, 1)
        store.set_correction(ids[1], "A better answer here.")
        yield readiness(store, tiny_model.model_id, tiny_model.tokenizer)


def test_the_tab_the_tiles_and_the_ready_line_count_four_ratings(four_ratings):
    counts = four_ratings
    tiles = tile_words(counts)
    assert tab_count_words(counts) == "Fine-tune (4)"
    assert sum(number for number, *_rest in tiles.values()) == rating_count(counts) == 4
    line = ready_words(counts)
    assert line.startswith("<b>4 ratings ready to train on</b>: "), line
    assert ("1 answer you liked, 1 you disliked, 1 better answer you wrote (for the one you disliked) "
            "and 1 rated token.") in line, line
    assert "example" not in line, line  # 4 ratings make 4 examples: nothing to explain
    assert "one rating" not in tiles["thumbs_down"][2], tiles["thumbs_down"]


def test_more_examples_than_ratings_are_said_with_why():
    """A liked and a disliked answer to one question also train as a pair: 2 ratings make 3 examples."""
    counts = {"thumbs_up": 1, "thumbs_down": 1, "pairs": 1, "sibling_pairs": 1, "total": 3, "ratings": 2}
    line = ready_words(counts)
    assert line.startswith("<b>2 ratings ready to train on</b>"), line
    assert line.endswith(" 2 ratings make 3 training examples: the liked and the disliked answer to the same "
                         "question also train as a pair."), line


def test_the_run_counts_the_pairs_the_person_made(tiny_model, tmp_path):
    """A better answer to a later turn also trains with its question asked alone: one pair read twice was
    "scoring your preferred answers against the ones they beat: 0 of 2 pairs"."""
    import torch

    from desktop_app.core import work_meter
    from desktop_app.core.train_data import build_training_data
    from desktop_app.core.train_references import reference_logps

    with Store.open(str(tmp_path / "db.sqlite3")) as store:
        conversation = store.create_conversation("two turns")
        parent = None
        for question, answer in (("Hello?", "Hi there."), ("What is France?", "A cheese.")):
            user = store.add_message(conversation, "user", question, parent_id=parent)
            parent = store.add_message(conversation, "assistant", answer, parent_id=user,
                                       model_id=tiny_model.model_id)
        store.set_correction(parent, "A country in Europe.")
        data = build_training_data(store, tiny_model.tokenizer, tiny_model.context_window, alone_views=True)
    assert len(data.pairs) == 2 and data.counts()["corrections"] == 1  # the pair and its question-alone view
    heard = []
    with torch.no_grad(), work_meter.listening(lambda *a: heard.append(work_meter.words(*a))):
        reference_logps(tiny_model.model, data, tiny_model.tokenizer.eos_token_id, "cpu", packed=True)
    pairs = [line for line in heard if line.startswith("scoring your preferred answers")]
    assert pairs and all(line.endswith(" of 1 pair") for line in pairs), heard
