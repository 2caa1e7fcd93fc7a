"""A run from an adapter in use keeps that adapter's run's split: its held-out questions stay held out, the ones
it trained on stay in training, and only new questions are drawn. A random split of all the ratings held out
questions the adapter in use had trained on, and the gate read its margin there (memorised) as what it had
learned (bench/second_run.py, thumbs 4 + 2)."""

from __future__ import annotations

from desktop_app.core import adapters
from desktop_app.core import finetune_effect as fe
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from desktop_app.core.train_data import EarlierSplit, TrainingData, Unpaired, build_training_data
from desktop_app.core.train_settings import FineTuneSettings
from desktop_app.core.training import run_finetune
from test_training import FAST
from test_training_data import add_answer
from tiny_model import random_lora


def _data(groups) -> TrainingData:
    return TrainingData([Unpaired([1], [2], True, g, g) for g in groups], [], [])


def _split(groups, earlier=None, fraction=0.5, seed=3):
    train, held = _data(groups).split(fraction, seed=seed, min_total=1, earlier=earlier)
    return set(train.groups()), set(held.groups())


def test_without_an_earlier_split_nothing_changes():
    groups = list(range(1, 11))
    assert _split(groups, EarlierSplit(frozenset(), frozenset())) == _split(groups)


def test_held_out_stays_held_out_and_trained_stays_trained():
    earlier = EarlierSplit(trained=frozenset({1, 2, 3, 4, 5, 6}), held=frozenset({7, 8}))
    for seed in range(20):
        train, held = _split(list(range(1, 13)), earlier, seed=seed)  # 9-12 are new
        assert {7, 8} <= held and not held & {1, 2, 3, 4, 5, 6}
        assert len(held) == 5 and len(train & {9, 10, 11, 12}) == 1  # up to half, one new question trains


def test_new_questions_too_few_to_hold_one_out_all_train():
    earlier = EarlierSplit(trained=frozenset({1, 2, 3, 4}), held=frozenset())
    train, held = _split([1, 2, 3, 4, 5], earlier)
    assert held == set() and train == {1, 2, 3, 4, 5}  # the lone new question trains: else nothing new is learned
    train, held = _split([1, 2, 3, 4, 5, 6], earlier)
    assert len(held) == 1 and held < {5, 6}


def _rate(store, loaded, questions, seed):
    for i, question in enumerate(questions):
        _c, _u, mid, _p = add_answer(store, loaded, question, seed=seed + i)
        store.rate_message(mid, 1 if i % 2 == 0 else -1)


FIRST = ["Name a fruit.", "Name a colour.", "Name an animal.", "Name a tree.", "Name a river."]
MORE = ["Name a city.", "Name a tool.", "Name a planet."]


def test_a_second_run_keeps_the_first_runs_split(tmp_path, tiny_model, tiny_model_dir):
    paths = AppPaths.resolve(tmp_path / "d").ensure()
    store = Store.open(paths.db_path)
    try:
        settings = FineTuneSettings(**{**FAST, "rescore": False, "reask_canaries": 1, "heldout_fraction": 0.4})
        _rate(store, tiny_model, FIRST, seed=20)
        first = run_finetune(store, tiny_model, paths, settings)  # the tiny model's verdict is chance: its split is kept
        m1 = store.get_run(first.run_id)["metrics"]
        assert len(m1["heldout_groups"]) == 2 and len(m1["trained_groups"]) == 3
        data = build_training_data(store, tiny_model.tokenizer, tiny_model.context_window)
        assert set(m1["heldout_groups"]) | set(m1["trained_groups"]) == set(data.groups())
        # run 1's adapter, in use (random weights: what is read here is its run's split, not what it learned)
        in_use = adapters.save_adapter(store, random_lora(tiny_model_dir, 3), paths, base_model=tiny_model.model_id,
                                       run_id=first.run_id, parent_id=None, settings={}, metrics={})
        adapters.activate(store, in_use, tiny_model.model_id)
        earlier = fe.parent_split(store, store.active_adapter(tiny_model.model_id))
        assert earlier == EarlierSplit(frozenset(m1["trained_groups"]), frozenset(m1["heldout_groups"]))
        _rate(store, tiny_model, MORE, seed=40)
        m2 = run_finetune(store, tiny_model, paths, settings).metrics
        assert m2["started_from_adapter"] == in_use
        assert set(m1["heldout_groups"]) <= set(m2["heldout_groups"])
        assert set(m1["trained_groups"]) <= set(m2["trained_groups"])
        assert len(m2["heldout_groups"]) == 3 and not m2["heldout_trained_by_parent"]
        assert m2["split_kept"] and not m1["split_kept"]
        assert fe.parent_split(store, None) is None
        store.update_run(first.run_id, metrics={"heldout_size": 2})  # a run from before splits were kept
        assert fe.parent_split(store, store.active_adapter(tiny_model.model_id)) is None  # drawn at random
    finally:
        store.close()


def test_a_run_that_held_nothing_out_says_why():
    from desktop_app.core.gate import Verdict
    from desktop_app.gui.finetune_words import _figure_lines

    assert "too few to hold some back" in Verdict(True, margin_on="all").reason
    assert "too few new questions to hold one back" in Verdict(True, margin_on="all", split_kept=True).reason
    figures = {"margin_before": 0.5, "margin_after": 1.3, "gate_margin_on": "all", "heldout_size": 0}
    assert "too few to hold some back" in " ".join(_figure_lines(figures))
    assert "too few new questions" in " ".join(_figure_lines({**figures, "split_kept": True}))
