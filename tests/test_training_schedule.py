"""The schedule follows the data: 1, 8, 100 and 1,000 ratings each get a sane number of
updates, batch size and learning rate, few ratings more updates than the earlier fixed
3-epochs-at-batch-8 rule; and a real run (tiny model) trains with the planned schedule."""

from __future__ import annotations

import pytest

from desktop_app.core import reasking
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from desktop_app.core.train_data import TrainingData
from desktop_app.core.train_schedule import MAX_ANSWERS, auto_updates, fixed_batch8_updates, kto_weights, plan
from desktop_app.core.train_settings import FineTuneSettings
from desktop_app.core.training import run_finetune
from helpers import watch_calls
from test_training_data import add_answer


def train_examples(ratings: int, heldout_fraction: float = 0.2) -> int:
    """How many of ``ratings`` (one conversation each) train after the held-out split."""
    if ratings < 4:
        return ratings
    return ratings - int(round(ratings * heldout_fraction))


@pytest.mark.parametrize("ratings", [1, 8, 100, 1000])
def test_each_size_gets_a_sane_schedule(ratings):
    n = train_examples(ratings)
    s = plan(n)
    assert 1 <= s.batch_size <= min(n, 16)
    assert 16 <= s.updates <= 200
    assert 1e-4 <= s.lr <= 1e-3
    # every example is seen at least once and nothing is hammered without end
    assert 1.0 <= s.epochs <= 20
    # compute (answers through the model) grows no faster than the data (x 20 at most)
    assert s.updates * s.batch_size <= 20 * n + 16


def test_few_ratings_get_more_updates_than_fixed_batch8():
    for ratings in (1, 4, 8, 16, 32):
        n = train_examples(ratings)
        assert plan(n).updates > fixed_batch8_updates(n), ratings
    # and the passes over the data fall as the data grows
    epochs = [plan(train_examples(r)).epochs for r in (1, 8, 100, 1000)]
    assert epochs == sorted(epochs, reverse=True) and epochs[-1] < 3


def test_many_ratings_train_within_the_answer_budget_and_few_keep_the_rule():
    """A hundred ratings put at most ~MAX_ANSWERS answers through the model (the time target),
    a thousand one pass; 8 and 32 ratings are far under the cap and keep ceil(16 + 3 sqrt(n))."""
    for ratings in (1, 4, 8, 16, 32):
        n = train_examples(ratings)
        assert plan(n).updates == auto_updates(n), ratings  # the cap does not touch them
    hundred = plan(train_examples(100))
    assert hundred.updates < auto_updates(train_examples(100))  # 43 before the cap
    assert hundred.updates * hundred.batch_size <= MAX_ANSWERS + hundred.batch_size
    assert hundred.updates >= 16
    thousand = plan(train_examples(1000))
    assert thousand.updates * thousand.batch_size >= thousand.examples  # every example seen once
    assert thousand.updates * thousand.batch_size < thousand.examples + thousand.batch_size
    assert plan(80, epochs=4).updates == 40  # hand-set epochs are not capped


def test_batches_grow_with_data_and_hand_set_figures_win():
    sizes = [plan(train_examples(r)).batch_size for r in (1, 8, 100, 1000)]
    assert sizes == sorted(sizes) and sizes[0] == 1 and sizes[-1] > sizes[1]
    manual = plan(80, epochs=2, batch_size=8, lr=1e-4)
    assert (manual.updates, manual.batch_size, manual.lr, manual.rule) == (20, 8, 1e-4, "manual")
    assert plan(6, min_steps=50).updates == 50 and plan(800, max_steps=30).updates == 30


def test_token_only_runs_get_the_token_learning_rate():
    """Every example a token-rated answer: the rule's rate x ``token_lr_scale``; a run with other
    kinds of ratings too, or a hand-set rate, is left as it was."""
    for n in (1, 6, 80):
        plain = plan(n)
        assert plan(n, tokens=n, token_lr_scale=2.0).lr == pytest.approx(2 * plain.lr)
        assert plan(n, tokens=n - 1, token_lr_scale=2.0).lr == plain.lr
    assert plan(6, tokens=6, token_lr_scale=2.0, lr=1e-4).lr == 1e-4
    assert plan(6, tokens=6).lr == plan(6).lr  # the scale is the caller's (FineTuneSettings.token_lr_scale)


def test_thumbs_only_runs_that_compare_siblings_get_the_thumbs_learning_rate():
    """Every example a thumb or a pair of rated siblings, one in four or more a pair: the rule's rate x
    ``thumbs_lr_scale``; thumbs on lone answers, one correction or token-rated answer among them, or a hand-set
    rate, leave the rule's rate."""
    for n in (4, 8, 80):
        plain = plan(n)
        assert plan(n, thumbs=n, sibling_pairs=n // 4, thumbs_lr_scale=2.0).lr == pytest.approx(2 * plain.lr)
        assert plan(n, thumbs=n, sibling_pairs=n // 4 - 1, thumbs_lr_scale=2.0).lr == plain.lr  # mostly lone thumbs
        assert plan(n, thumbs=n - 1, sibling_pairs=n // 2, thumbs_lr_scale=2.0).lr == plain.lr
    assert plan(6, thumbs=5, sibling_pairs=2, tokens=1, thumbs_lr_scale=2.0, token_lr_scale=3.0).lr == plan(6).lr
    assert plan(6, thumbs=6, sibling_pairs=2, thumbs_lr_scale=2.0, lr=1e-4).lr == 1e-4
    assert FineTuneSettings().thumbs_lr_scale == 2.0


def test_kto_weights_balance_liked_and_disliked():
    assert kto_weights(3, 9) == (3.0, 1.0)
    assert kto_weights(9, 3) == (1.0, 3.0)
    assert kto_weights(5, 40) == (4.0, 1.0)  # capped
    assert kto_weights(5, 0) == (1.0, 1.0)
    assert kto_weights(4, 4) == (1.0, 1.0)  # the learning bench's thumbs: a liked and a disliked sibling each
    s = plan(12, liked=3, disliked=9)
    assert s.desirable_weight * 3 == pytest.approx(s.undesirable_weight * 9)


def test_a_lone_liked_answer_is_not_made_to_count_as_four():
    """Liked answers are up-weighted at most as many times as there are of them: one liked
    answer among five disliked keeps weight 1 (at 4x the bench's run looped and was discarded),
    two get at most 2; a lone disliked answer is still balanced (the picky person's 4 thumbs)."""
    assert kto_weights(1, 5) == (1.0, 1.0)
    assert kto_weights(2, 6) == (2.0, 1.0)
    assert kto_weights(2, 1) == (1.0, 2.0)
    assert kto_weights(7, 1) == (1.0, 4.0)
    assert kto_weights(1, 40) == (1.0, 1.0)
    s = plan(6, liked=1, disliked=5)
    assert (s.desirable_weight, s.undesirable_weight) == (1.0, 1.0)
    assert plan(6, liked=1, disliked=5, desirable_weight=4.0).desirable_weight == 4.0  # a hand-set weight wins


def test_a_run_trains_with_the_planned_schedule(tmp_path, tiny_model):
    paths = AppPaths.resolve(tmp_path / "data").ensure()
    store = Store.open(paths.db_path)
    for i, q in enumerate(["Hello there", "What is two and two?", "Name a colour"]):
        _c, _u, mid, _p = add_answer(store, tiny_model, q, seed=i)
        store.rate_message(mid, 1 if i else -1)
    seen = []
    settings = FineTuneSettings(heldout_fraction=0.0, reask_count=1, reask_unseen=1, reask_tokens=8, rescore=False)
    result = run_finetune(store, tiny_model, paths, settings, progress=seen.append)
    expected = plan(3, liked=2, disliked=1)
    sched = result.metrics["schedule"]
    assert (sched["updates"], sched["batch_size"], sched["lr"]) == (expected.updates, expected.batch_size, expected.lr)
    assert sched["lr"] == plan(3).lr  # thumbs on lone answers: the rule's rate
    assert sched["updates"] > fixed_batch8_updates(3)
    # two liked, one disliked: the disliked answer balances them (x2), as the run used
    assert (sched["desirable_weight"], sched["undesirable_weight"]) == (1.0, 2.0)
    steps = [p for p in seen if p.phase == "training" and p.step]
    assert steps[-1].step == steps[-1].total == expected.updates == result.metrics["steps"]
    taught = result.metrics["taught"]
    # the rated question, one never seen, the canaries, then the open request
    assert [t["seen"] for t in taught] == [True] + [False] * (2 + len(reasking.CANARY_QUESTIONS))
    assert [t["open"] for t in taught] == [False] * (2 + len(reasking.CANARY_QUESTIONS)) + [True]
    assert taught[0]["question"] in ("Hello there", "What is two and two?", "Name a colour")
    assert all(t["before"] is not None and t["after"] is not None for t in taught)
    store.close()


def test_split_of_few_ratings_keeps_the_rule_meaningful():
    assert len(TrainingData()) == 0
    assert plan(0).examples == 1  # nothing to train never divides by zero


def test_a_second_run_reuses_the_before_measurements(tmp_path, tiny_model, monkeypatch):
    """A discarded run leaves the model in use as it was: the next run takes the probe
    perplexity and the re-asks of the same prompts from the cache, with the same values."""
    paths = AppPaths.resolve(tmp_path / "data").ensure()
    store = Store.open(paths.db_path)
    for i, q in enumerate(["Hello there", "Name a colour"]):
        _c, _u, mid, _p = add_answer(store, tiny_model, q, seed=i)
        store.rate_message(mid, 1 if i else -1)
    settings = FineTuneSettings(heldout_fraction=0.0, reask_count=1, reask_unseen=1, reask_tokens=8,
                                max_steps=2, lr=0.0, rescore=False, guard_ppl_rise=0.0)
    first = run_finetune(store, tiny_model, paths, settings)
    assert first.status == "discarded"  # lr 0: the margin cannot move
    cache = paths.cache_dir / "finetune-before.json"
    assert cache.exists()
    import desktop_app.core.gate as gate

    calls = watch_calls(monkeypatch, gate, "probe_perplexity")  # the real one, counted
    second = run_finetune(store, tiny_model, paths, settings)
    assert len(calls) == 1  # only after training; before came from the cache
    for key in ("probe_ppl_before", "reask_answers_before"):
        assert second.metrics[key] == first.metrics[key]
    store.close()
