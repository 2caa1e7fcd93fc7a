"""Compact's full pass gives float32 logits (fast108): rounded to bfloat16 they came in steps of 1/16
near 15, so a re-read showed alternatives the model told apart as a tie."""

from __future__ import annotations

import pytest
import torch

from desktop_app.core import float_logits
from desktop_app.core import precision as P
from desktop_app.core.models import open_model
from tiny_model import build_tiny_llama

needs_compact = pytest.mark.skipif(P.compact_unsupported(torch.device("cpu")) is not None,
                                   reason="Compact needs native bfloat16 and torch's int8 weight kernel")


@pytest.fixture(scope="module")
def tiny_llama_dir(tmp_path_factory, tiny_model_dir):
    return build_tiny_llama(tmp_path_factory.mktemp("tiny-llama"), tiny_model_dir)


def full_pass_logits(loaded, count: int) -> torch.Tensor:
    ids = torch.tensor([list(range(5, 5 + count))])
    with torch.inference_mode():
        return loaded.model(ids).logits[0]


@needs_compact
def test_a_full_pass_under_compact_keeps_its_logits_unrounded(tiny_llama_dir, session_paths, monkeypatch):
    small = open_model(str(tiny_llama_dir), session_paths, device="cpu", precision="compact")
    assert small.model.get_output_embeddings()._gpt2desk_int8.float_out  # the output layer alone
    logits = full_pass_logits(small, 40)  # more rows than the int8 kernel takes: a re-read
    assert logits.dtype == torch.float32
    assert not torch.equal(logits, logits.bfloat16().float())  # finer than bfloat16's steps
    monkeypatch.setattr(float_logits, "enabled", False)  # GPT2_DESK_FLOAT_LOGITS=0: rounded, as before
    rounded = full_pass_logits(small, 40)
    assert torch.equal(rounded.float(), rounded.bfloat16().float())
    assert (logits - rounded.float()).abs().max() < 0.1  # the same numbers, unrounded
