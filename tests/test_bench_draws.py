"""The learning benchmark's simulated people teach from answers the base model sampled. Those
draws must not depend on what else was asked, or in which order, or on which process filled the
cache first: before session 38 they did, and thumbs x 8 moved between runs of the same code."""

from __future__ import annotations

import json
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench"


def bench_answers(tiny_model, cache: Path):
    sys.path.insert(0, str(BENCH))
    try:
        import learning_effect
    finally:
        sys.path.remove(str(BENCH))
    cache.mkdir()
    return learning_effect.Answers(tiny_model, cache, max_new_tokens=6)


def test_a_questions_draws_do_not_depend_on_what_else_was_drawn_or_when(tiny_model, tmp_path):
    together = bench_answers(tiny_model, tmp_path / "together")
    both = together.sampled(["Why is the sky blue?", "How do bees fly?"], 3, seed=0)
    apart = bench_answers(tiny_model, tmp_path / "apart")
    second = apart.sampled(["How do bees fly?"], 3, seed=0)
    assert second == [both[1]]
    assert apart.sampled(["Why is the sky blue?"], 3, seed=0) == [both[0]]
    assert len({tuple(a) for a in both[0] + both[1]}) > 1  # sampled, not one answer repeated
    assert apart.sampled(["How do bees fly?"], 3, seed=1) != second  # the seed still chooses


def test_two_processes_saving_one_cache_keep_each_others_draws(tiny_model, tmp_path):
    first = bench_answers(tiny_model, tmp_path / "cache")
    second = type(first)(tiny_model, tmp_path / "cache", max_new_tokens=6)  # opened before either saved
    first.sampled(["Why is the sky blue?"], 2, seed=0)
    second.sampled(["How do bees fly?"], 2, seed=0)
    saved = json.loads(first.path.read_text())
    assert {k.split(":")[-1] for k in saved} == {"Why is the sky blue?", "How do bees fly?"}
    assert not list(first.path.parent.glob("*.tmp"))
