"""Core parts of the second new-user test's fixes (usertest findings 5, 10, 11, 12)."""

from __future__ import annotations

import pytest

from desktop_app.core.store import Store
from desktop_app.core.train_counts import readiness


def _answer(store, text="Paris."):
    conv = store.create_conversation("q")
    user = store.add_message(conv, "user", "What is the capital of France?")
    return store.add_message(conv, "assistant", text, parent_id=user)


# ---------------------------------------------------------------- 10. "N examples ready": how many are new

def test_readiness_counts_what_is_new_since_the_last_finished_run(store):
    first, second = _answer(store), _answer(store, "Lyon.")
    store.rate_message(first, 1)
    counts = readiness(store)
    assert counts["last_run"] is None and counts["new_since_run"] is None, "no run yet: nothing to compare"
    run = store.create_run({}, "m")
    store.update_run(run, status="kept")
    counts = readiness(store)
    assert counts["total"] == 1 and counts["last_run"] == run and counts["new_since_run"] == 0
    store.rate_message(second, -1)
    store.set_correction(second, "The capital of France is Paris.")
    # counts59: two ratings, as the tiles count them
    assert readiness(store)["new_since_run"] == 2, "a thumbs-down and a better answer for one answer: two ratings"
    store.clear_rating(second)
    store.rate_message(second, 1)
    assert readiness(store)["new_since_run"] == 2, "a thumbs-up and a better answer pull apart: two ratings"
    cancelled = store.create_run({}, "m")
    store.update_run(cancelled, status="cancelled")
    assert readiness(store)["last_run"] == run, "a cancelled run trained nothing"
    later = store.create_run({}, "m")
    store.update_run(later, status="discarded")
    assert readiness(store)["last_run"] == later and readiness(store)["new_since_run"] == 0


# ---------------------------------------------------------------- 5. the repetition penalty

def test_penalise_repeats_is_hf_repetition_penalty(qapp=None):
    import torch
    from transformers.generation.logits_process import RepetitionPenaltyLogitsProcessor

    from desktop_app.core.generation import penalise_repeats

    logits = torch.tensor([2.0, -1.0, 0.5, -3.0, 1.0])
    seen_ids = [0, 1, 4]
    seen = torch.zeros(5, dtype=torch.bool)
    seen[seen_ids] = True
    ours = penalise_repeats(logits, seen, 1.3)
    hf = RepetitionPenaltyLogitsProcessor(1.3)(torch.tensor([seen_ids]), logits[None].clone())[0]
    assert torch.allclose(ours, hf)
    assert torch.equal(logits, torch.tensor([2.0, -1.0, 0.5, -3.0, 1.0])), "the model's logits are not touched"
    assert penalise_repeats(logits, seen, 1.0) is logits


def test_stored_settings_without_the_penalty_load_as_before_and_new_ones_keep_it():
    from desktop_app.core.generation import SamplingSettings, recommended_sampling

    old = {"max_new_tokens": 128, "temperature": 0.8, "top_k": 50, "top_p": 0.95, "seed": 7, "greedy": False,
           "alternatives": 10, "stop_sequences": []}
    assert SamplingSettings.from_dict(old).repetition_penalty == 1.0, "an old message meant no penalty"
    s = SamplingSettings(seed=3, repetition_penalty=1.2)
    assert SamplingSettings.from_dict(s.to_dict()) == s
    assert SamplingSettings().repetition_penalty == 1.0 and SamplingSettings().temperature == 0.8, \
        "explicit settings written against the old defaults still mean the same sampling"
    assert recommended_sampling(seed=5).seed == 5


def test_penalty_changes_the_draw_but_not_the_records(tiny_model):
    from desktop_app.core.generation import SamplingSettings, generate

    prompt = tiny_model.tokenizer("the the the the the")["input_ids"]
    plain = generate(tiny_model, prompt, SamplingSettings(max_new_tokens=24, greedy=True))
    strict = generate(tiny_model, prompt, SamplingSettings(max_new_tokens=24, greedy=True, repetition_penalty=1e4))
    ids = [r.id for r in strict.records]
    assert len(set(ids)) == len(ids), "a huge penalty never writes a token twice"
    assert ids != [r.id for r in plain.records], "the tiny model repeats itself without it"
    # the records are the model's own figures: the same as scoring those tokens as a forced answer
    forced = generate(tiny_model, prompt, SamplingSettings(max_new_tokens=0, greedy=True), prefix_ids=ids)
    for got, want in zip(strict.records, forced.records, strict=True):
        assert got.id == want.id and abs(got.logprob - want.logprob) < 1e-4 and got.rank == want.rank
    again = generate(tiny_model, prompt, SamplingSettings(max_new_tokens=24, seed=11, repetition_penalty=1.3))
    assert [r.id for r in again.records] == [r.id for r in generate(
        tiny_model, prompt, SamplingSettings(max_new_tokens=24, seed=11, repetition_penalty=1.3)).records], \
        "a seeded answer with a penalty is reproducible"


# ---------------------------------------------------------------- 12. the database file is a real backup

def test_checkpoint_puts_the_conversations_into_the_database_file_itself(store, tmp_path):
    import shutil

    _answer(store, "Paris is the capital.")
    copy = tmp_path / "backup.sqlite3"
    shutil.copy(store.path, copy)  # what a person's backup of the .sqlite3 file alone gets
    before = Store.open(copy)
    assert before.list_conversations() == [], "before a checkpoint the file itself holds nothing yet"
    before.close()
    assert store.checkpoint() is True
    shutil.copy(store.path, tmp_path / "backup2.sqlite3")
    after = Store.open(tmp_path / "backup2.sqlite3")
    assert [c["title"] for c in after.list_conversations()] == ["q"]
    after.close()


def test_cli_takes_a_repetition_penalty_and_saves_it_with_the_answer(cli_saved_answer, tiny_model_dir, capsys):
    from desktop_app.cli import main
    from desktop_app.core.generation import RECOMMENDED_SAMPLING

    assert cli_saved_answer("--repetition-penalty", "1.3")["repetition_penalty"] == 1.3
    assert main(["generate", "--model", str(tiny_model_dir), "--repetition-penalty", "0.5", "Hi"]) == 2
    assert "--repetition-penalty" in capsys.readouterr().err
    assert RECOMMENDED_SAMPLING["repetition_penalty"] > 1.0, "a new user's answers get the measured default"


def test_same_again_reason_names_greedy_and_a_fixed_seed():
    from desktop_app.core.generation import SamplingSettings, same_again_reason

    assert same_again_reason(SamplingSettings(temperature=0.7)) is None
    assert "temperature 0" in same_again_reason(SamplingSettings(temperature=0.0))
    assert "Greedy" in same_again_reason(SamplingSettings(greedy=True, seed=3))
    assert "fixed seed (3)" in same_again_reason(SamplingSettings(temperature=0.7, seed=3))


# ---------------------------------------------------------------- usertest5 F2: "12 examples" after 6 corrections

def test_readiness_says_how_many_thumbs_sit_on_corrected_answers(store):
    pytest.importorskip("PySide6")
    from desktop_app.gui.ready_words import ready_details, ready_words

    corrected = [_answer(store, f"Wrong {i}.") for i in range(3)]
    liked = _answer(store, "Paris.")
    for mid in corrected:
        store.rate_message(mid, -1)
        store.set_correction(mid, "Answer: Paris.")
    store.rate_message(liked, 1)
    counts = readiness(store)
    assert counts["total"] == 7 and counts["corrections"] == 3 and counts["thumbs_on_corrected"] == 3
    # each kind once, so the counts add up to the total; what is used twice is in the tooltip (usertest 11)
    # a dislike goes with its better answer (usertest 13: "16 examples" for 8 corrections)
    # counts59: each rating once, the dislikes too, as the tiles count them
    assert ready_words(counts) == ("<b>7 ratings ready to train on</b>: 1 answer you liked, 3 you disliked and 3 "
                                   "better answers you wrote (for the ones you disliked).")
    assert "3 thumbs are on answers you also corrected: those answers teach twice" in ready_details(counts)
    store.clear_rating(corrected[0])
    store.clear_rating(corrected[1])
    counts = readiness(store)
    assert "1 thumb is on an answer you also corrected: that answer teaches twice" in ready_details(counts)
    assert ready_words(counts).startswith("<b>5 ratings") and "example" not in ready_words(counts)  # counts59
