"""textdocs62: a later window's pass stopped between its layers (a chat answer came first) keeps the
output of the layers it ran, and the same pass run again starts after them, with the very records of a
scoring never stopped (the tiny model, 2 layers, 128-token window; its windows made stoppable by layer)."""

from __future__ import annotations

import threading

import pytest
import torch

from desktop_app.core import scoring
from desktop_app.core.cancel_hooks import blocks
from test_longtext60_kept_analysis import LONG


@pytest.fixture
def stoppable_windows(monkeypatch):
    monkeypatch.setattr(scoring, "LAYER_PROGRESS_MIN", 1)  # the tiny model's windows predict 65 tokens


def counted(module) -> list:
    """Counts the real runs of ``module`` (a part inside a layer: it does not run when the layer is skipped)."""
    runs: list = []
    module.register_forward_hook(lambda *_a: runs.append(1))
    return runs


def test_a_pass_stopped_between_layers_goes_on_from_the_layer_after(tiny_model, stoppable_windows):
    whole_ids, whole = scoring.score_text(tiny_model, LONG)
    layers = blocks(tiny_model.model)
    assert len(layers) == 2 and len(whole) > 300  # several later windows
    cancel, cache = threading.Event(), scoring.BlockCache()
    calls = [0]

    def stop_in_the_third_later_window(_module, _args):
        calls[0] += 1
        if calls[0] == 6 + 3:  # (the first window's six blocks, then later windows one call each)
            cancel.set()  # heard before layer 1: layer 0 of this pass has run

    hook = layers[1].register_forward_pre_hook(stop_in_the_third_later_window)
    passes: list = []
    try:
        with torch.inference_mode():
            ids, part = scoring.score_text(tiny_model, LONG, cancel=cancel, blocks=cache, passes=passes)
    finally:
        hook.remove()
    assert 0 < len(part) < len(whole) and cache.stopped is not None and cache.stopped.layer == 0
    first_layer_runs = counted(layers[0].attn)
    again, passes_again = [], []
    with torch.inference_mode():
        _ids, again = scoring.score_text(tiny_model, LONG, previous=(ids, part, tuple(passes)), blocks=cache,
                                         passes=passes_again)
    assert again == whole, "the same records as a scoring never stopped"
    windows_run = len(passes_again) - len(passes)
    assert len(first_layer_runs) == windows_run - 1, "the stopped pass did not run its first layer again"
    assert cache.stopped is None


def test_a_stopped_pass_is_not_used_for_another_text(tiny_model, stoppable_windows):
    cancel, cache = threading.Event(), scoring.BlockCache()
    layers = blocks(tiny_model.model)
    calls = [0]

    def stop(_module, _args):
        calls[0] += 1
        if calls[0] == 8:
            cancel.set()

    hook = layers[1].register_forward_pre_hook(stop)
    try:
        with torch.inference_mode():
            scoring.score_text(tiny_model, LONG, cancel=cancel, blocks=cache)
    finally:
        hook.remove()
    assert cache.stopped is not None
    other = LONG.replace("weather", "harbour")
    with torch.inference_mode():
        _ids, records = scoring.score_text(tiny_model, other, blocks=cache)
    assert records == scoring.score_text(tiny_model, other)[1]
    assert cache.stopped is not None, "kept for the pass it is of"
