"""A run newer than the one that made the adapter in use may already have trained on every rating
there is: the tab's counts name it (``newer_run``, ``new_since_newer``) so a click asks first (a real
store; the GUI's question: test_counts39_gui_counts.py)."""

from __future__ import annotations

import pytest

from desktop_app.core.train_counts import readiness


def _answer(store, i: int) -> int:
    conversation = store.create_conversation(f"q{i}")
    question = store.add_message(conversation, "user", f"Question {i}?")
    return store.add_message(conversation, "assistant", f"Answer {i}.", parent_id=question)


def _kept(store, tmp_path, n: int, parent: int | None = None) -> tuple[int, int]:
    run = store.create_run({}, "m", parent_adapter_id=parent)
    (tmp_path / f"a{n}").mkdir()
    adapter = store.add_adapter(tmp_path / f"a{n}", base_model="m", run_id=run, parent_id=parent)
    store.update_run(run, status="kept", adapter_id=adapter)
    store.set_active_adapter(adapter, "m")
    return run, adapter


def test_a_kept_run_whose_adapter_was_stepped_back_from_had_every_rating(store, tmp_path):
    pytest.importorskip("PySide6")
    from desktop_app.gui.ready_words import retrained_run, same_ratings_words

    store.rate_message(_answer(store, 1), 1)
    first, adapter = _kept(store, tmp_path, 1)
    store.rate_message(_answer(store, 2), -1)
    second, newer = _kept(store, tmp_path, 2, parent=adapter)
    store.set_active_adapter(adapter, "m")  # the person went back to run 1's adapter
    counts = {**readiness(store, "m"), "active_adapter_id": adapter}
    assert (counts["last_run"], counts["new_since_run"], counts["newer_run"], counts["new_since_newer"]) == (
        first, 1, second, 0)
    assert retrained_run(counts) == second
    question, detail = same_ratings_words(counts)
    assert question == (f"Run {second} already trained on these ratings; its adapter {newer} is in the history, "
                        "not in use. Train again on the same 2 examples?")
    assert "would most likely make the same adapter again" in detail


def test_no_newer_run_and_nothing_new_asks_as_before(store, tmp_path):
    pytest.importorskip("PySide6")
    from desktop_app.gui.ready_words import retrained_run, same_ratings_words

    store.rate_message(_answer(store, 1), 1)
    first, _adapter = _kept(store, tmp_path, 1)
    counts = readiness(store, "m")
    assert "newer_run" not in counts and retrained_run(counts) == first
    assert same_ratings_words(counts)[0] == f"Nothing is new since run {first}. Train again on the same 1 example?"
    store.rate_message(_answer(store, 2), 1)
    assert retrained_run(readiness(store, "m")) is None


def test_the_better_answers_tile_says_how_many_were_for_a_disliked_answer(store):
    pytest.importorskip("PySide6")
    from desktop_app.gui.ready_words import rating_count, tile_words

    answers = [_answer(store, i) for i in range(3)]
    for answer in answers:
        store.rate_message(answer, -1)
        store.set_correction(answer, "Better.")
    store.clear_rating(answers[2])
    counts = readiness(store)
    tiles = tile_words(counts)
    assert tiles["thumbs_down"][:2] == (2, "each with a better answer")
    assert tiles["corrections"][:2] == (3, "2 for disliked answers")
    # counts59: each rating once, the tiles add up to it
    assert sum(value for value, _note, _tip, _caption in tiles.values()) == rating_count(counts) == 5
    store.clear_correction(answers[2])
    assert tile_words(readiness(store))["corrections"][1] == "each for a disliked answer"
