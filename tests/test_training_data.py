"""Ratings -> training examples: prompts formatted as generation formats them, answer ids as
generated, pairs from corrections and siblings, token weights at the rated positions only."""

from __future__ import annotations

import pytest
import torch

from desktop_app.core.generation import SamplingSettings, generate
from desktop_app.core.prompts import Turn, answer_ids, build_prompt
from desktop_app.core.train_data import build_training_data
from desktop_app.core.train_logps import pad_batch, per_token_logps
from desktop_app.core.training import NothingToTrainError, run_finetune, training_readiness


THREE_QUESTIONS = ["Hello, how are you?", "What is the capital of France?", "Tell me a joke"]


def rate_three_answers(store, loaded, *, first_seed: int) -> None:
    """Three stored answers rated up, down, up: the smallest set a fine-tune trains on."""
    for i, question in enumerate(THREE_QUESTIONS):
        _c, _u, mid, _p = add_answer(store, loaded, question, seed=first_seed + i)
        store.rate_message(mid, 1 if i != 1 else -1)


def add_answer(store, loaded, question, *, seed=0, text=None, conversation=None, parent=None, max_new_tokens=12,
               finish_reason=None):
    """A user prompt and a generated (or given) answer stored as the app stores them
    (``finish_reason``: stored instead of the generation's own, when given)."""
    conv = conversation or store.create_conversation(question[:30])
    user = parent or store.add_message(conv, "user", question)
    prompt = build_prompt(loaded.tokenizer, [Turn("user", question)], context_window=loaded.context_window,
                          max_new_tokens=max_new_tokens)
    if text is None:
        gen = generate(loaded, prompt.ids, SamplingSettings(max_new_tokens=max_new_tokens, seed=seed,
                                                            stop_sequences=prompt.stop_sequences))
        text, records = gen.text, gen.records
        finish_reason = finish_reason or gen.finish_reason
    else:
        records = None
    settings = {"max_new_tokens": max_new_tokens}
    if finish_reason:
        settings["finish_reason"] = finish_reason
    mid = store.add_message(conv, "assistant", text, parent_id=user, model_id=loaded.model_id, records=records,
                            settings=settings)
    return conv, user, mid, prompt.ids


def test_thumbs_become_unpaired_examples_with_generation_prompt(store, tiny_model):
    tok = tiny_model.tokenizer
    _c, _u, liked, prompt_ids = add_answer(store, tiny_model, "Hello, how are you?", seed=1, finish_reason="eos")
    _c, _u, disliked, _p = add_answer(store, tiny_model, "What is the capital of France?", seed=2)
    store.rate_message(liked, 1)
    store.rate_message(disliked, -1)
    data = build_training_data(store, tok, tiny_model.context_window)
    assert [e.label for e in data.unpaired] == [True, False]
    first = data.unpaired[0]
    assert first.prompt_ids == prompt_ids  # exactly what generation fed the model
    generated = [r.id for r in store.token_records(liked)]
    assert first.completion_ids == generated + [tok.eos_token_id]  # the ids it produced, then end of text
    assert data.pairs == [] and data.tokens == []
    no_eos = build_training_data(store, tok, tiny_model.context_window, end_with_eos=False)
    assert no_eos.unpaired[0].completion_ids == generated


def test_an_answer_cut_at_its_budget_gets_no_end_of_text(store, tiny_model):
    """Only the model's own ending is rated: a liked answer cut at the token budget must not
    teach stopping mid-sentence (nor a disliked one rambling on), whether the message says
    why it ended ("length") or, stored without a reason, it filled its budget."""
    tok = tiny_model.tokenizer
    _c, _u, cut, _p = add_answer(store, tiny_model, "Hello, how are you?", seed=1, finish_reason="length")
    _c, _u, old, _p = add_answer(store, tiny_model, "What is the capital of France?", seed=2, text="Paris " * 12)
    _c, _u, short, _p = add_answer(store, tiny_model, "What is two plus two?", seed=3, text="Four.")
    for mid in (cut, old, short):
        store.rate_message(mid, 1)
    store.set_correction(cut, "Fine, thanks.")
    data = build_training_data(store, tok, tiny_model.context_window)
    by_id = {e.message_id: e.completion_ids for e in data.unpaired}
    assert by_id[cut] == [r.id for r in store.token_records(cut)]
    assert len(answer_ids(tok, "Paris " * 12)) >= 12 and by_id[old][-1] != tok.eos_token_id
    assert by_id[short] == answer_ids(tok, "Four.") + [tok.eos_token_id]  # short, no reason stored: ended itself
    (pair,) = data.pairs
    assert pair.chosen_ids[-1] == tok.eos_token_id  # the person's correction ends where they ended it
    assert pair.rejected_ids == by_id[cut]


def test_answers_the_model_ended_itself_are_marked_for_the_end_token_term(store, tiny_model):
    """``ends`` / ``chosen_ends`` mark exactly the model's own answers that end with the
    end-of-text token appended (train_objectives.end_nll trains it on liked ones): not an answer
    cut at its budget, not a person's correction (its likelihood term already covers its end)."""
    tok = tiny_model.tokenizer
    conv = store.create_conversation("siblings")
    user = store.add_message(conv, "user", "What is two plus two?")
    _c, _u, short, _p = add_answer(store, tiny_model, "What is two plus two?", text="Four.", conversation=conv,
                                   parent=user)
    _c, _u, cut, _p = add_answer(store, tiny_model, "What is two plus two?", seed=1, conversation=conv, parent=user,
                                 finish_reason="length")
    store.rate_message(short, 1)
    store.rate_message(cut, -1)
    _c, _u, corrected, _p = add_answer(store, tiny_model, "Say hello.", seed=2, finish_reason="length")
    store.set_correction(corrected, "Hello.")
    data = build_training_data(store, tok, tiny_model.context_window)
    ends = {e.message_id: e.ends for e in data.unpaired}
    assert ends == {short: True, cut: False}
    by_source = {p.source: p for p in data.pairs}
    assert by_source["siblings"].chosen_ends and by_source["siblings"].chosen_ids[-1] == tok.eos_token_id
    assert not by_source["correction"].chosen_ends and by_source["correction"].chosen_ids[-1] == tok.eos_token_id
    plain = build_training_data(store, tok, tiny_model.context_window, end_with_eos=False)
    assert not any(e.ends for e in plain.unpaired) and not any(p.chosen_ends for p in plain.pairs)


def test_liked_answers_that_end_after_a_sentence_mark_are_marked_for_the_end_term(store, tiny_model):
    """``end_mark`` / ``chosen_end_mark``: the model ended the answer itself right after ".",
    "!" or "?" (train_objectives.end_nll then trains that mark with the end token); an answer
    that stopped after a word ("A tomato is a red") is not marked, nor one cut at its budget."""
    from desktop_app.core.train_data import ends_with_mark

    tok = tiny_model.tokenizer
    assert ends_with_mark(tok, answer_ids(tok, "The capital of Kenya is Nairobi."))
    assert ends_with_mark(tok, answer_ids(tok, "Four, I think!")) and ends_with_mark(tok, answer_ids(tok, "Why?"))
    assert not ends_with_mark(tok, answer_ids(tok, "The capital of Russia is Moscow"))
    assert not ends_with_mark(tok, answer_ids(tok, "A tomato is a red")) and not ends_with_mark(tok, [])
    conv = store.create_conversation("siblings")
    user = store.add_message(conv, "user", "What colour is a tomato?")
    _c, _u, whole, _p = add_answer(store, tiny_model, "What colour is a tomato?", text="A tomato is red.",
                                   conversation=conv, parent=user, finish_reason="eos")
    _c, _u, cut, _p = add_answer(store, tiny_model, "What colour is a tomato?", text="A tomato is a red",
                                 conversation=conv, parent=user, finish_reason="eos")
    _c, _u, budget, _p = add_answer(store, tiny_model, "What colour is a tomato?", text="Red. It is red.",
                                    conversation=conv, parent=user, finish_reason="length")
    for mid in (whole, cut):
        store.rate_message(mid, 1)
    store.rate_message(budget, -1)
    data = build_training_data(store, tok, tiny_model.context_window)
    marks = {e.message_id: (e.ends, e.end_mark) for e in data.unpaired}
    assert marks == {whole: (True, True), cut: (True, False), budget: (False, False)}
    pairs = {p.chosen_message_id: (p.chosen_ends, p.chosen_end_mark) for p in data.pairs if p.source == "siblings"}
    assert pairs.get(whole) == (True, True) and pairs.get(cut, (True, False)) == (True, False)


def test_loss_mask_boundary_matches_generation(store, tiny_model):
    """The first answer token is predicted by the last prompt position, and its training
    log-prob equals the log-prob generation recorded for it (no off-by-one)."""
    _c, _u, mid, prompt_ids = add_answer(store, tiny_model, "Hello, how are you?", seed=3)
    store.rate_message(mid, 1)
    ex = build_training_data(store, tiny_model.tokenizer, tiny_model.context_window, end_with_eos=False).unpaired[0]
    batch = pad_batch([(ex.prompt_ids, ex.completion_ids)], 0, "cpu")
    mask = batch["completion_mask"][0]
    assert mask[:len(prompt_ids)].sum() == 0 and mask[len(prompt_ids):].sum() == len(ex.completion_ids)
    with torch.no_grad():
        logps, shifted = per_token_logps(tiny_model.model, batch)
    assert shifted[0, len(prompt_ids) - 2] == 0 and shifted[0, len(prompt_ids) - 1] == 1
    records = store.token_records(mid)
    for i, record in enumerate(records):
        assert float(logps[0, len(prompt_ids) - 1 + i]) == pytest.approx(record.logprob, abs=1e-4)


def test_correction_and_siblings_become_pairs(store, tiny_model):
    conv, user, a1, prompt_ids = add_answer(store, tiny_model, "Tell me a joke", seed=4)
    _c, _u, a2, _p = add_answer(store, tiny_model, "Tell me a joke", seed=5, conversation=conv, parent=user)
    _c, _u, a3, p3 = add_answer(store, tiny_model, "What is the capital of France?", seed=6, finish_reason="eos")
    store.rate_message(a1, 1)
    store.rate_message(a2, -1)
    store.set_correction(a3, "The capital of France is Paris.")
    data = build_training_data(store, tiny_model.tokenizer, tiny_model.context_window)
    eos = [tiny_model.tokenizer.eos_token_id]
    by_source = {p.source: p for p in data.pairs}
    assert set(by_source) == {"correction", "siblings"}
    corr = by_source["correction"]
    assert corr.prompt_ids == p3
    assert corr.chosen_ids == answer_ids(tiny_model.tokenizer, "The capital of France is Paris.") + eos
    assert corr.rejected_ids == [r.id for r in store.token_records(a3)] + eos
    sib = by_source["siblings"]
    assert (sib.chosen_message_id, sib.rejected_message_id) == (a1, a2) and sib.prompt_ids == prompt_ids
    assert len(data.unpaired) == 2  # the thumbs stay unpaired examples too; the correction does not
    paired_only = build_training_data(store, tiny_model.tokenizer, tiny_model.context_window, paired_thumbs_kto=False)
    assert paired_only.unpaired == [] and len(paired_only.pairs) == 2  # ... unless told to train them as pairs only
    counts = training_readiness(store)
    assert counts["pairs"] == 2 and counts["corrections"] == 1 and counts["ready"]


def test_token_ratings_weight_only_their_positions(store, tiny_model):
    _c, _u, mid, prompt_ids = add_answer(store, tiny_model, "Numbers please", seed=7, max_new_tokens=10)
    n = len(store.token_records(mid))
    assert n >= 3
    store.rate_token(mid, 0, 1)
    store.rate_token(mid, n - 1, -1)
    data = build_training_data(store, tiny_model.tokenizer, tiny_model.context_window)
    assert data.unpaired == [] and len(data.tokens) == 1
    ex = data.tokens[0]
    assert ex.ratings == {0: 1, n - 1: -1}
    assert ex.prompt_ids == prompt_ids and ex.completion_ids == [r.id for r in store.token_records(mid)]


def test_held_out_split_is_by_conversation(store, tiny_model):
    for i in range(6):
        _c, _u, mid, _p = add_answer(store, tiny_model, f"Question number {i}", text=f"Answer {i}.")
        store.rate_message(mid, 1 if i % 2 else -1)
    data = build_training_data(store, tiny_model.tokenizer, tiny_model.context_window)
    train, held = data.split(0.34, seed=0)
    assert len(train) + len(held) == 6 and len(held) == 2
    assert not set(train.groups()) & set(held.groups())
    one = build_training_data(store, tiny_model.tokenizer, tiny_model.context_window)
    one.unpaired = one.unpaired[:1]
    train, held = one.split(0.5)
    assert len(train) == 1 and len(held) == 0  # too few to hold any out: the gate uses all ratings


def test_nothing_to_train_says_so(store, tiny_model, session_paths):
    add_answer(store, tiny_model, "Hello", text="Hi.")
    with pytest.raises(NothingToTrainError, match="No ratings yet"):
        run_finetune(store, tiny_model, session_paths)
    assert store.list_runs() == []


def test_a_rating_on_an_answer_to_a_very_long_prompt_trains_on_a_bounded_example(store, tiny_model):
    """A pasted 8,000-token text must not make an 8,000-token training example (that ran a
    24 GB machine out of memory): the answer is kept, the prompt's oldest part is cut."""
    from desktop_app.core.train_data import TRAINING_WINDOW

    long_text = "Summarize this: " + " ".join(f"word{i}" for i in range(6000))
    conv = store.create_conversation("long")
    user = store.add_message(conv, "user", long_text)
    answer = store.add_message(conv, "assistant", "It is a list of words.", parent_id=user,
                               model_id=tiny_model.model_id, settings={"max_new_tokens": 32, "finish_reason": "eos"})
    store.rate_message(answer, -1)
    data = build_training_data(store, tiny_model.tokenizer, 8192)
    [example] = data.unpaired
    assert len(example.prompt_ids) + len(example.completion_ids) <= TRAINING_WINDOW
    assert len(tiny_model.tokenizer(long_text)["input_ids"]) > 2 * TRAINING_WINDOW  # the cap did cut something
    assert tiny_model.tokenizer.decode(example.completion_ids).startswith("It is a list of words.")


def test_a_large_held_out_share_stops_at_max_items_and_small_splits_are_unchanged():
    """``max_items``: held-out conversations (3 examples each here) stop once they hold that many
    examples, the rest train; they are a prefix of the same draw, and a split that holds fewer
    is exactly the split without the cap (8 and 32 ratings keep theirs)."""
    from desktop_app.core.train_data import TrainingData, Unpaired

    def data(conversations: int) -> TrainingData:
        return TrainingData(unpaired=[Unpaired([1], [2], k % 2 == 0, 3 * g + k, g)
                                      for g in range(conversations) for k in range(3)])

    big = data(50)
    train, held = big.split(0.2, 0, max_items=16)
    _train_all, held_all = big.split(0.2, 0)
    assert len(held_all) == 30 and 16 <= len(held) < 16 + 3
    assert {e.group for e in held.unpaired} < {e.group for e in held_all.unpaired}
    assert len(train) + len(held) == len(big) and not {e.group for e in train.unpaired} & {e.group for e in held.unpaired}
    small = data(12)
    capped, uncapped = small.split(0.2, 0, max_items=16), small.split(0.2, 0)
    assert [[e.message_id for e in part.unpaired] for part in capped] == \
        [[e.message_id for e in part.unpaired] for part in uncapped]
