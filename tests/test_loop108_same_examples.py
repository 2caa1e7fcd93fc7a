"""loop108 (usertest57): after a run was discarded, the person wrote a better answer for the very answer it had kept
aside to test it and pressed Fine-tune. The split is drawn with a fixed seed, so the same question was kept aside
again and the run trained on exactly the examples of the discarded one (the same loss curve, 8 minutes, discarded
again). Before such a run, the Fine-tune tab and `gpt2-desk finetune` now say so; the run still goes on."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from test_training_data import add_answer

from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from desktop_app.core.train_repeat import same_examples_as, same_examples_words
from desktop_app.core.train_settings import FineTuneSettings
from desktop_app.core.training import run_finetune, training_readiness
from desktop_app.gui.ready_words import news_words

QUESTIONS = ("What colour is the sky?", "What is the capital of France?", "Name a fruit.", "What is two plus two?",
             "Say hello.")
# a run the gate always discards (its probe may not change at all), with a fifth of the questions kept aside
DISCARDED = FineTuneSettings(max_steps=2, min_steps=2, lr=3e-3, reask_count=1, reask_tokens=6, rescore=False,
                             max_ppl_rise=-0.99)


@pytest.fixture
def discarded(tmp_path, tiny_model):
    """Five rated answers and a run on them the gate discarded: (store, paths, run result, answer ids)."""
    paths = AppPaths.resolve(tmp_path / "data").ensure()
    store = Store.open(paths.db_path)
    answers = []
    for i, question in enumerate(QUESTIONS):
        _conv, _user, mid, _prompt = add_answer(store, tiny_model, question, seed=20 + i)
        store.rate_message(mid, -1 if i % 2 else 1)
        answers.append(mid)
    result = run_finetune(store, tiny_model, paths, DISCARDED)
    assert result.status == "discarded", result.reason
    yield store, paths, result, answers
    store.close()


def _held_answer(store, result, answers) -> int:
    held = store.get_run(result.run_id)["metrics"]["heldout_groups"]
    assert len(held) == 1
    return next(mid for mid in answers if store.get_message(mid)["parent_id"] == held[0])


def test_a_better_answer_for_the_kept_aside_answer_is_said_to_repeat_the_discarded_run(discarded, tiny_model):
    store, paths, result, answers = discarded
    model = tiny_model.model_id
    assert same_examples_as(store, model) is None  # nothing new: the "nothing new since" words say that
    store.set_correction(_held_answer(store, result, answers), "Blue.")
    assert same_examples_as(store, model, DISCARDED) == result.run_id
    counts = training_readiness(store, model)
    assert counts["same_examples_as"] == result.run_id
    words = news_words(counts, DISCARDED)
    assert same_examples_words(result.run_id) in words and f"as run {result.run_id}, which was discarded" in words
    # other settings split or build otherwise: no such words
    assert news_words(counts, replace(DISCARDED, heldout_fraction=0.4)).find("kept aside") == -1
    # the words hold: the run trains on the very ratings the discarded one did
    again = run_finetune(store, tiny_model, paths, DISCARDED)
    first, second = (store.get_run(r.run_id)["metrics"] for r in (result, again))
    assert second["trained_ratings_key"] == first["trained_ratings_key"]
    assert second["trained_groups"] == first["trained_groups"]


def test_a_rating_on_a_trained_question_or_a_new_one_is_no_repeat(discarded, tiny_model):
    store, _paths, result, answers = discarded
    model = tiny_model.model_id
    trained = next(mid for mid in answers if mid != _held_answer(store, result, answers))
    store.set_correction(trained, "Something better.")
    assert same_examples_as(store, model, DISCARDED) is None
    store.clear_correction(trained)
    held = _held_answer(store, result, answers)
    store.set_correction(held, "Blue.")
    assert same_examples_as(store, model, DISCARDED) == result.run_id
    _conv, _user, mid, _prompt = add_answer(store, tiny_model, "A new question?", seed=40)
    store.rate_message(mid, 1)
    assert same_examples_as(store, model, DISCARDED) is None


def test_finetune_says_it_on_stderr_and_in_json_and_runs_anyway(discarded, tiny_model, tiny_model_dir, capsys):
    from desktop_app.cli import main

    store, paths, result, answers = discarded
    store.set_correction(_held_answer(store, result, answers), "Blue.")
    capsys.readouterr()
    argv = ["finetune", "--json", "--data-dir", str(paths.data_dir), "--model", str(tiny_model_dir),
            "--device", "cpu", "--max-steps", "2", "--lr", "0.003"]
    assert main(argv) == 0
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert f"note: {same_examples_words(result.run_id)}." in err
    assert report["same_examples_as_run"] == result.run_id and report["run_id"] == result.run_id + 1
    assert report["same_examples_note"] == same_examples_words(result.run_id)
