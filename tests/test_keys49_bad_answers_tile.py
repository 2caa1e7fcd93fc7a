"""The 👎 tile counts every answer the person disliked: after two thumbs-down, each with a better answer
written, it read "0 bad answers" (usertest26), the dislikes folded into the better answers' tile with
nothing on the tile saying so. A real store; the panel's own tiles: test_counts39_gui_counts.py."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.core.train_counts import readiness  # noqa: E402
from desktop_app.gui.ready_words import rating_count, ready_words, tile_words  # noqa: E402


def disliked_with_better(store, i: int) -> int:
    conversation = store.create_conversation(f"q{i}")
    question = store.add_message(conversation, "user", f"Question {i}?")
    answer = store.add_message(conversation, "assistant", f"Answer {i}.", parent_id=question)
    store.rate_message(answer, -1)
    store.set_correction(answer, f"A better answer {i}.")
    return answer


def test_two_dislikes_with_better_answers_read_two_bad_answers(store):
    for i in range(2):
        disliked_with_better(store, i)
    counts = readiness(store)
    tiles = tile_words(counts)
    number, note, tip, caption = tiles["thumbs_down"]
    assert (number, caption, note) == (2, "bad answers", "each with a better answer"), "it read '0 bad answers'"
    assert "2 of them also have better answers you wrote, which the model learns to prefer over them" in tip
    assert tiles["corrections"][:2] == (2, "each for a disliked answer")
    # counts59: each rating once, as the tiles count them (2 + 2)
    assert rating_count(counts) == 4 and "2 better answers you wrote (for the ones you disliked)" \
        in ready_words(counts)


def test_a_dislike_alone_has_no_note(store):
    answer = disliked_with_better(store, 0)
    store.clear_correction(answer)
    number, note, _tip, caption = tile_words(readiness(store))["thumbs_down"]
    assert (number, caption, note) == (1, "bad answer", "")


def test_a_text_token_rating_counts_on_the_rated_tokens_tile_and_leaves_the_answers_tiles_words(store, tiny_model):
    """leftovers66: a liked answer and a token rated in a Text continuation made the empty tiles "0 bad ones" and
    "0 better ones", as if the token rating were one of them; it counts as a rated token, of a continuation."""
    from desktop_app.core import documents
    from desktop_app.core import text_branches as tb
    from desktop_app.core.prompts import answer_ids
    from desktop_app.core.text_pieces import layout_of
    from helpers import piece_records

    answer = disliked_with_better(store, 0)
    store.clear_correction(answer)
    store.rate_message(answer, 1)
    ids = answer_ids(tiny_model.tokenizer, " the waves came in")
    branch = tb.add_branch(store, documents.create_document(store, "Once"), None, 4, " the waves came in",
                           records=piece_records(ids, layout_of(tiny_model.tokenizer, ids).pieces))
    tb.rate_branch(store, branch, -1, 1)
    tiles = tile_words(readiness(store))
    assert {key: (number, caption) for key, (number, _note, _tip, caption) in tiles.items()} == {
        "thumbs_up": (1, "good answer"), "thumbs_down": (0, "bad answers"), "token_ratings": (1, "rated token"),
        "corrections": (0, "better answers")}
    assert tiles["token_ratings"][2] == "Tokens you rated good or bad in Text continuations"
