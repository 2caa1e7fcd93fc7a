"""The scorings a person sets beside the Text tab's heatmap read each token in the very pass the
analysis reads it in (``scoring.window_plan``), so on Fast (bfloat16) weights they show its figures
exactly: the compare view's grouped re-scoring (``score_spans``), an imported answer's scoring in
parts (``score_ids_in_parts``) and "Why this token?" (``scoring.TokenPass``). And an edit reads only
the block it falls in on: the first window's cache of the blocks before it is kept between analyses
(``LoadedModel.kept_blocks``), with the figures of a fresh analysis (tiny random GPT-2, 128 tokens)."""

from __future__ import annotations

import dataclasses
import math
import threading

import pytest
import torch

from desktop_app.core import adapters
from desktop_app.core.explain import explain_layers
from desktop_app.core.generation import SamplingSettings
from desktop_app.core.models import open_model
from desktop_app.core.paths import AppPaths
from desktop_app.core.prompts import plain_text_start
from desktop_app.core.scoring import (ScoredPart, TokenPass, block_width, score_ids, score_ids_in_parts, score_spans,
                                      window_plan)
from desktop_app.core.session import analyse_text
from desktop_app.core.token_context import context_for_text
from test_left41_unwritten_resume import Fed

LONG = " ".join(f"Sentence {i} tells the model about the weather in town number {i}." for i in range(12))
SHORT = LONG[:len(LONG) // 5]  # within the window: all of it read in the first window's blocks


@pytest.fixture(scope="module")
def fast(tmp_path_factory, tiny_model_dir):
    """The tiny model on Fast weights: bfloat16 rounds a token's figures by the shape of its pass."""
    paths = AppPaths.resolve(tmp_path_factory.mktemp("data")).ensure()
    return open_model(str(tiny_model_dir), paths, device="cpu", precision="fast")


def _ids(loaded, text: str) -> list[int]:
    return plain_text_start(loaded.tokenizer) + loaded.tokenizer(text)["input_ids"]


def _figures(records) -> list[tuple]:
    return [(r.id, r.logprob, r.rank, r.entropy, r.top) for r in records]


@pytest.mark.parametrize("tokens", [100, 300], ids=["one window", "several"])
def test_grouped_spans_are_each_answers_own_scoring_exactly(fast, tokens):
    full = _ids(fast, LONG)[:tokens]
    spans = [(5, 40), (50, 70), (66, tokens - 1), (90, tokens)]
    for (a, b), records in zip(spans, score_spans(fast, full, spans)):
        alone = score_ids(fast, full[:a], full[a:b])
        assert _figures(records) == _figures(alone) and [r.text for r in records] == [r.text for r in alone]


def test_a_scoring_in_parts_stopped_and_gone_on_with_is_score_ids_exactly(fast):
    full = _ids(fast, LONG)[:fast.context_window]
    first, done, cancel = 9, ScoredPart(), threading.Event()
    passes = []

    def stop_after_one(p) -> None:
        passes.append(p.done)
        cancel.set()
    for _ in range(3):  # three stops, one pass each
        score_ids_in_parts(fast, full[:first], full[first:], done, cancel=cancel, progress=stop_after_one)
        cancel.clear()
    records = score_ids_in_parts(fast, full[:first], full[first:], done)
    assert passes == [w.stop - first for w in window_plan(len(full), first, fast.context_window)][:3]
    assert _figures(records) == _figures(score_ids(fast, full[:first], full[first:]))


def test_why_this_token_gives_the_heatmaps_figure(fast):
    scored, _summary = analyse_text(fast, LONG)  # longer than the window: later windows too
    assert len(scored.ids) > 2 * fast.context_window
    for index in range(0, len(scored.records), 7):
        context = context_for_text(fast, scored.ids, index, SamplingSettings(), by_model=False)
        first, _other = explain_layers(fast, context)
        # the same logits (softmax here, log_softmax in the record: float32 rounding apart)
        assert math.log(first.sampler.raw_prob) == pytest.approx(scored.records[index].logprob, abs=1e-5), index


def test_the_token_pass_is_the_analysis_pass(fast):
    """TokenPass's logits give the very record the analysis made, at a block's edges and past the window."""
    from desktop_app.core.decoding import records_from_logits, token_texts

    scored, _summary = analyse_text(fast, LONG)
    full = _ids(fast, LONG)
    starts = {w.start for w in window_plan(len(full), 1, fast.context_window)}
    for position in sorted(starts | {s - 1 for s in starts if s > 1} | {len(full) - 1}):
        w = window_plan(position + 1, position, fast.context_window)[0]
        seen = full[w.begin:position]
        with fast.lock, torch.inference_mode():
            logits = TokenPass.of(fast, seen, w.begin).logits()
        (record,) = records_from_logits(logits[None], torch.tensor([full[position]]), [""], token_texts(fast.tokenizer),
                                        10, fast.precision)
        assert _figures([record]) == _figures([scored.records[position - 1]]), position


def _edited_at_end(text: str) -> str:
    return text[:-6] + " rain."


def _fresh(loaded, text: str):
    loaded.kept_blocks.clear()
    return analyse_text(loaded, text)[0]


def test_an_edit_at_the_end_reads_only_its_block_with_a_fresh_analysis_figures(fast):
    text = SHORT
    full = _ids(fast, text)
    assert len(full) < fast.context_window
    edited = _edited_at_end(text)
    fresh = _fresh(fast, edited)
    before, _ = analyse_text(fast, text)
    fed = Fed(fast.model)
    try:
        after, _ = analyse_text(fast, edited, previous=before)
    finally:
        read = fed.close()
    last_block = max(w.fed for w in window_plan(len(_ids(fast, edited)), 1, fast.context_window))
    assert read == block_width(last_block, fast.context_window)  # that block alone, not the ones before it
    assert after.ids == fresh.ids and _figures(after.records) == _figures(fresh.records)


def _read_by(loaded, text: str, **kwargs):
    """(the analysis, the tokens the model read for it)."""
    fed = Fed(loaded.model)
    try:
        scored = analyse_text(loaded, text, **kwargs)[0]
    finally:
        read = fed.close()
    return scored, read


def _same_start(a: list[int], b: list[int]) -> int:
    same = 0
    for x, y in zip(a, b):
        if x != y:
            break
        same += 1
    return same


def test_an_edit_inside_keeps_the_blocks_before_it(fast):
    text = SHORT
    other = text[:120] + " Some more words."
    before, _ = analyse_text(fast, text)
    got, read = _read_by(fast, other, previous=before)  # the kept cache cut back to the blocks both begin with
    full = _ids(fast, other)
    changed = _same_start(_ids(fast, text), full)  # the first changed token's place
    plan = window_plan(len(full), 1, fast.context_window)
    assert len(full) < fast.context_window and plan[1].fed < changed and read == sum(w.width for w in plan if w.stop > changed)  # its block on, alone
    assert _figures(got.records) == _figures(_fresh(fast, other).records)


def test_the_kept_cache_is_the_models_adapters_and_precisions_own(fast):
    text = SHORT
    fast.kept_blocks.clear()
    analyse_text(fast, text)
    assert len(fast.kept_blocks) == 1
    everything = sum(w.width for w in window_plan(len(_ids(fast, text)), 1, fast.context_window))
    # the same weights said to wear another adapter: the base model's keys and values are not its
    assert _read_by(dataclasses.replace(fast, adapter_id=7), text)[1] == everything
    assert len(fast.kept_blocks) == 2  # one each
    analyse_text(dataclasses.replace(fast, adapter_id=8), text)
    assert len(fast.kept_blocks) == 2  # at most two kept: the oldest let go
    adapters.detach(fast)  # an adapter change drops them
    assert len(fast.kept_blocks) == 0


def test_the_kept_caches_fit_their_budget_and_still_give_a_fresh_analysis_figures(fast):
    text, edited = SHORT, _edited_at_end(SHORT)
    fast.kept_blocks.clear()
    before, _ = analyse_text(fast, text)
    whole = fast.kept_blocks.nbytes()
    budget = whole * 70 // 100  # room for the first block (64 of the text's ~100 tokens and padding), not the second
    fast.kept_blocks.trim(fast.context_window, budget)
    assert 0 < fast.kept_blocks.nbytes() <= budget
    got, read = _read_by(fast, edited, previous=before)
    assert read == block_width(64, fast.context_window)  # its block alone: the one before came from the cut cache
    assert _figures(got.records) == _figures(_fresh(fast, edited).records)
