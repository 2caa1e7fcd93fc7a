"""The output layer's logits in float32 on Fast (bfloat16 weights on a CPU).

A bfloat16 product sums in float32 and rounds the sums once, to 8 bits of mantissa. For the
output layer that rounding is what a person sees: logits near 15 come in steps of 1/16, so
two alternatives whose float32 logits differ by less than that showed the same chance ("Le"
and "Al" both 5.6%) and their order was the rounding's, not the model's. Every layer before
it keeps its bfloat16 output (the model's Fast numbers); only the logits stay unrounded:

- the lean decode step's one row (core.lean_decode) asks core.bf16_gemv's kernel for its float32
  sums as they are (no extra work);
- the model's own forward (a prompt, the analysis, scoring) runs oneDNN's prepacked product twice:
  once rounded to bfloat16, then with a "subtract" applied to its float32 sums before their
  rounding, which gives what the first rounding lost; the two added are the float32 sums within
  ~2^-9 of a bfloat16 step (1e-4 of a logit near 15). A float32 product instead took 8x as long
  on 256 rows here (AMX runs bfloat16 only); the second pass and the float32 sum made an analysis
  1.23x the CPU time, an answer none (docs/benchmarks.md, "Fast logits in float32").

``GPT2_DESK_FLOAT_LOGITS=0`` keeps the rounded logits (bench/float_logits.py times both ways).
"""

from __future__ import annotations

import os

import torch

ENV = "GPT2_DESK_FLOAT_LOGITS"
enabled = os.environ.get(ENV, "").strip() != "0"  # a module flag read at each call, so the bench can flip it in-process


def unrounded_product(x: torch.Tensor, packed: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
    """``x`` (bfloat16) times oneDNN's prepacked bfloat16 weight (+ ``bias``), in float32."""
    rounded = torch.ops.mkldnn._linear_pointwise(x, packed, bias, "none", [], "")
    lost = torch.ops.mkldnn._linear_pointwise.binary(x, rounded, packed, bias, "sub")
    return rounded.float().add_(lost.float())


def keep_float32_logits(model) -> bool:
    """Make ``model``'s output layer (prepacked by fast_decode.pack_cpu_weights) return float32
    logits; False where it was not prepacked (nothing changed)."""
    head = model.get_output_embeddings()
    if head is None or not hasattr(head, "_gpt2desk_packed") or hasattr(head, "_gpt2desk_rounded_forward"):
        return False
    head._gpt2desk_rounded_forward = head.forward
    head.forward = _float_forward.__get__(head)
    return True


def _float_forward(self, x: torch.Tensor) -> torch.Tensor:
    weight, packed, _plain = self._gpt2desk_packed
    if not enabled or torch.is_grad_enabled() or x.dtype != torch.bfloat16 or self.weight is not weight \
            or torch.compiler.is_compiling():  # the same cases as the packed product's own way around
        return self._gpt2desk_rounded_forward(x)
    return unrounded_product(x, packed, self.bias)
