"""A token the person rated down is left out where it stands in the probe and the guard's text:
its getting less likely there is what was taught, not harm to general text (gate.probe_perplexity).
Tiny real model, real store, a real run."""

from __future__ import annotations

import math

import torch

from desktop_app.core import gate
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from desktop_app.core.train_data import TokenRated, TrainingData
from desktop_app.core.train_settings import FineTuneSettings
from desktop_app.core.training import run_finetune
from test_training_data import add_answer


def per_position_nll(loaded, text: str) -> tuple[list[int], list[float]]:
    """The text's tokens after the first and the model's NLL of each (one chunk: the tiny window)."""
    ids = loaded.tokenizer(text, add_special_tokens=False)["input_ids"][:loaded.context_window]
    with torch.no_grad():
        logits = loaded.model(input_ids=torch.tensor([ids]), use_cache=False).logits[0, :-1].float()
    nll = torch.nn.functional.cross_entropy(logits, torch.tensor(ids[1:]), reduction="none")
    return ids[1:], nll.tolist()


def test_the_perplexity_leaves_out_exactly_the_positions_of_the_tokens_rated_down(tiny_model):
    text = "the cat sat on the mat and the dog saw that the cat sat"
    targets, nll = per_position_nll(tiny_model, text)
    the = tiny_model.tokenizer(" the", add_special_tokens=False)["input_ids"]
    assert len(the) == 1 and targets.count(the[0]) >= 3
    read = [v for t, v in zip(targets, nll) if t != the[0]]
    whole = gate.probe_perplexity(tiny_model.model, tiny_model.tokenizer, "cpu", tiny_model.context_window, text=text)
    without = gate.probe_perplexity(tiny_model.model, tiny_model.tokenizer, "cpu", tiny_model.context_window,
                                    text=text, skip=frozenset(the))
    assert math.isclose(whole, math.exp(sum(nll) / len(nll)), rel_tol=1e-5)
    assert math.isclose(without, math.exp(sum(read) / len(read)), rel_tol=1e-5)
    assert not math.isclose(without, whole, rel_tol=1e-4)


def test_only_tokens_rated_down_are_left_out():
    data = TrainingData(tokens=[TokenRated([1, 2], [7, 8, 9], {0: -1, 2: 1}, message_id=1, group=1),
                                TokenRated([1, 2], [9, 10], {1: -1}, message_id=2, group=2)])
    assert gate.rated_down_ids(data) == {7, 10}  # 9 was rated up
    assert gate.rated_down_ids(TrainingData()) == frozenset() and gate.skip_key(frozenset()) == ""
    assert gate.skip_key(frozenset({10, 7})) == ":skip7,10"


def test_a_token_rated_run_reads_the_probe_and_the_guards_text_without_its_rated_down_tokens(tmp_path, tiny_model):
    """The run's figures before training are those of the base model read without the rated-down
    token, which stands in both texts; a second run with the same ratings takes them from the cache."""
    probe_ids = set(tiny_model.tokenizer(gate.probe_text(), add_special_tokens=False)["input_ids"])
    guard_ids = set(tiny_model.tokenizer(gate.guard_text(), add_special_tokens=False)["input_ids"])
    paths = AppPaths.resolve(tmp_path / "data").ensure()
    store = Store.open(paths.db_path)
    rated = set()
    for seed, question in enumerate(["Hello there", "What is two and two?", "Name a colour", "Say something"]):
        _c, _u, mid, _p = add_answer(store, tiny_model, question, seed=seed, max_new_tokens=24)
        records = store.token_records(mid)
        index = next((i for i, r in enumerate(records) if r.id in probe_ids & guard_ids), 0)
        store.rate_token(mid, index, -1)
        rated.add(records[index].id)
    assert rated & probe_ids & guard_ids  # a rated-down token stands in both texts: leaving it out matters
    settings = FineTuneSettings(max_steps=4, min_steps=4, heldout_fraction=0.0, reask_count=1, reask_unseen=1,
                                reask_canaries=1, reask_open=0, reask_tokens=6, guard_checks=2, rescore=False)
    result = run_finetune(store, tiny_model, paths, settings)
    store.close()
    skip = frozenset(rated)
    read = dict(model=tiny_model.model, tokenizer=tiny_model.tokenizer, device="cpu",
                context_window=tiny_model.context_window)
    probe = gate.probe_perplexity(**read, skip=skip)
    guard = gate.probe_perplexity(**read, text=gate.guard_text(), skip=skip)
    assert math.isclose(result.metrics["probe_ppl_before"], probe, rel_tol=1e-4)
    assert math.isclose(result.metrics["guard"]["ppl_before"], guard, rel_tol=1e-4)
    assert not math.isclose(probe, gate.probe_perplexity(**read), rel_tol=1e-4)
