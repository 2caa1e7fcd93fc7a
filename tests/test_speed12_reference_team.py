"""The reference pass, which comes before the first step, chooses its thread team by
measurement as the steps do, and what it found seeds the steps' choice."""

from __future__ import annotations

import pytest

import torch

from desktop_app.core import threads
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from desktop_app.core.train_data import build_training_data
from desktop_app.core.train_references import reference_logps
from desktop_app.core.train_settings import FineTuneSettings
from desktop_app.core.training import run_finetune
from test_training_data import add_answer

FAST = dict(max_steps=4, min_steps=4, lr=3e-3, reask_count=1, reask_unseen=1, reask_tokens=6, heldout_fraction=0.0)


class BusySecondCore(threads.TeamChooser):
    """Two cores, the second busy: the work on two threads takes five times as long as on one.
    Its clock is the work itself (``record``'s seconds are replaced), so the choice it makes
    does not depend on this machine's load."""

    def __init__(self, cores=None, explore_every=12, teams=None):
        super().__init__(2, explore_every, teams)

    def record(self, team: int, seconds: float, work: float) -> None:
        super().record(team, work * (0.05 if team == 2 else 0.01), work)


@pytest.fixture
def sibling_thumbs(tmp_path, tiny_model):
    """Ten questions, three answers to each (siblings, as "regenerate" stores them), the shortest
    liked and the longest disliked: twenty thumbs and ten sibling pairs, read in several batches."""
    paths = AppPaths.resolve(tmp_path / "data").ensure()
    store = Store.open(paths.db_path)
    for i in range(10):
        conv, user = None, None
        mids = []
        for length in range(3):
            conv, user, mid, _p = add_answer(store, tiny_model, f"Question number {i}?", conversation=conv,
                                             parent=user, text=f"Answer {i}" + " and more words" * (length + i % 3),
                                             finish_reason="stop")
            mids.append(mid)
        store.rate_message(mids[0], 1)
        store.rate_message(mids[-1], -1)
    yield store, paths
    store.close()


def test_the_reference_pass_tries_both_teams_then_keeps_the_faster_and_tells_the_steps(
        sibling_thumbs, tiny_model, monkeypatch):
    store, paths = sibling_thumbs
    monkeypatch.setattr(threads, "TeamChooser", BusySecondCore)
    result = run_finetune(store, tiny_model, paths, FineTuneSettings(**FAST))
    used = result.metrics["reference_teams"]
    # its first batch on both threads, its second on one, every later one on the faster: one thread
    assert used["2"] == 1 and used["1"] >= 2, used
    # the steps start on the team the reference pass found faster and do not try the slower for a step
    assert result.metrics["teams"] == {"1": result.metrics["steps"]} and result.metrics["steps"] >= 3


def test_a_seeded_chooser_starts_on_the_faster_team_and_infers_the_other():
    measured = threads.TeamChooser(cores=2)
    for seconds in (5.0, 2.0):  # two threads first, then one: on a busy machine two are the slower
        measured.record(measured.team(), seconds, 100)
    steps = threads.TeamChooser(cores=2, explore_every=4)
    steps.seed(measured)
    assert steps.team() == 1
    steps.record(1, 30.0, 1000)  # a step's work is in other units: only the proportion is carried over
    assert steps.rates == {1: 0.03, 2: pytest.approx(0.075)}
    picks = [steps.team() for _ in range(3)]
    for team in picks:
        steps.record(team, 30.0 if team == 1 else 75.0, 1000)
    assert picks == [1, 1, 1] and steps.team() == 2  # the 4th choice retries the other, as unseeded
    unmeasured = threads.TeamChooser(cores=2)
    unmeasured.seed(threads.TeamChooser(cores=2))  # nothing measured: nothing to start from
    assert unmeasured.team() == 2 and not unmeasured.relative


def test_in_float32_the_reference_pass_reads_nothing_twice_and_gets_the_same_sums(sibling_thumbs, tiny_model):
    """A liked and a disliked sibling are two thumbs and a pair, and share their prompt with KTO's
    mismatched answer: ``exact`` reads each prompt once and each answer once, to float rounding
    the figures of the reading that packs the pairs again."""
    store, _paths = sibling_thumbs
    data = build_training_data(store, tiny_model.tokenizer, tiny_model.context_window)
    assert len(data.pairs) == 10 and len(data.unpaired) == 20
    model, pad = tiny_model.model, tiny_model.tokenizer.eos_token_id
    tokens = []
    handle = model.register_forward_pre_hook(lambda _m, _a, kw: tokens.append(kw["input_ids"].numel()),
                                             with_kwargs=True)
    try:
        plain = reference_logps(model, data, pad, "cpu", 8, packed=True)
        read_plain, tokens[:] = sum(tokens), []
        exact = reference_logps(model, data, pad, "cpu", 8, packed=True, exact=True)
        read_exact = sum(tokens)
    finally:
        handle.remove()
    for name in ("unpaired", "kl", "chosen", "rejected"):
        assert torch.allclose(getattr(exact, name), getattr(plain, name), atol=1e-4), name
    assert read_exact < 0.7 * read_plain, (read_exact, read_plain)


def test_a_steps_rows_of_very_different_lengths_are_read_in_two_groups_with_the_batchs_figures(tiny_model):
    from desktop_app.core.train_logps import grouped_token_logps, length_groups, pad_batch, per_token_logps

    assert length_groups([30, 31, 32]) == [[0, 1, 2]]  # little padding: one batch
    assert length_groups([80, 20, 22, 81, 21]) == [[1, 4, 2], [0, 3]]
    model, pad = tiny_model.model, tiny_model.tokenizer.eos_token_id
    seqs = [([5 + i] * (4 + i), [7] * (40 if i % 2 else 3)) for i in range(5)]
    assert len(length_groups([len(p) + len(c) for p, c in seqs])) == 2
    # the session's shared model may have been frozen by an earlier test: a few weights of its
    # own take gradients here, and are frozen again after
    weights = list(model.parameters())[-2:]
    frozen = [w.requires_grad for w in weights]
    try:
        for w in weights:
            w.requires_grad_(True)
        with torch.enable_grad():
            grouped, grouped_mask = grouped_token_logps(model, seqs, pad, "cpu")
            whole, whole_mask = per_token_logps(model, pad_batch(seqs, pad, "cpu"))
            first = torch.autograd.grad(grouped.sum(), weights, allow_unused=True)
            second = torch.autograd.grad(whole.sum(), weights, allow_unused=True)
    finally:
        for w, was in zip(weights, frozen):
            w.requires_grad_(was)
    assert grouped.shape == whole.shape and torch.equal(grouped_mask, whole_mask)
    assert torch.allclose(grouped, whole, atol=1e-5)
    assert any(a is not None for a in first)
    assert all(a is None and b is None or torch.allclose(a, b, atol=1e-4) for a, b in zip(first, second))


def test_a_steps_pairs_of_very_different_lengths_are_read_in_two_groups_with_the_batchs_figures(tiny_model):
    from desktop_app.core.train_packing import grouped_pair_logps, packed_pair_logps

    model, pad = tiny_model.model, tiny_model.tokenizer.eos_token_id
    seqs = [([5 + i] * (4 + i), [7] * (30 if i % 2 else 2), [9] * (3 + 25 * (i % 2))) for i in range(5)]
    for (grouped, grouped_mask), (whole, whole_mask) in zip(grouped_pair_logps(model, seqs, pad, "cpu"),
                                                            packed_pair_logps(model, seqs, pad, "cpu")):
        assert grouped.shape == whole.shape and torch.equal(grouped_mask, whole_mask)
        assert torch.allclose(grouped, whole, atol=1e-5)
