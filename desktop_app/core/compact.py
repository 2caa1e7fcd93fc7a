"""Compact precision: the linear layers' weights kept as 8-bit integers for decoding on a CPU.

A one-token decode step reads every weight once. On the CPUs measured here PyTorch's
float32 and bfloat16 matrix-vector products read memory at about a third of what one core
streams, while its own weight-only quantized kernel (``torch._weight_int8pack_mm``: int8
weights with one scale per output row, bfloat16 activations) ran all 211 linear layers of
SmolLM2-135M's one-token step in 25 ms against 34 ms for prepacked bfloat16 and 50 ms for
float32 (one thread; bench/generation_speed.py measures whole answers). The layers keep
their bfloat16 weight and module, so a LoRA adapter (PEFT) still applies on top, training
(which runs with gradients on) uses the plain product, and tied embeddings stay shared:
the int8 copy is a plain attribute beside the weight, as fast_decode.pack_cpu_weights does
for Fast.

The kernel is fast for one row (a decode step) and slow for many (a prompt, a scored
text: 5x slower than bfloat16 at 64 rows; the two cross near 16-32 rows), so more than
KERNEL_ROWS rows multiply the same int8 weights converted to bfloat16 on the fly: every
product uses the quantized weights, the records of a prompt and of its answer alike.
"""

from __future__ import annotations

import functools
import logging
import threading
from contextlib import contextmanager

import torch

from desktop_app.core import float_logits

from desktop_app.core.fast_decode import cpu_linear_layers

log = logging.getLogger(__name__)

INT8 = "int8"
KERNEL_ROWS = 16  # up to this many rows use the int8 kernel; more are dequantized (see the docstring)
ALIGN = 32  # the bfloat16 kernel gives wrong sums when the input width is not a multiple of 16 (torch 2.13)


def kernel() -> object | None:
    """torch's weight-only int8 product, or None in a torch without it."""
    return getattr(torch, "_weight_int8pack_mm", None)


def quantize_int8(weight: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """[out, in] float weights -> (int8 [out, in], float32 scale per row), symmetric: w ~ q * scale."""
    w = weight.detach().float()
    scales = w.abs().amax(dim=1).clamp(min=1e-12) / 127.0
    q = torch.round(w / scales[:, None]).clamp(-127, 127).to(torch.int8)
    return q.contiguous(), scales


def layer_fits(out_features: int, in_features: int) -> str | None:
    """Why a layer of this shape cannot use the kernel, or None when it can."""
    if in_features % ALIGN:
        return f"its input width {in_features} is not a multiple of {ALIGN}"
    if out_features < 1:
        return "it has no outputs"
    return None


@functools.lru_cache(maxsize=None)
def kernel_works(dtype_name: str = "bfloat16") -> bool:
    """The kernel exists in this torch and gives the dequantized product on a small matrix."""
    product = kernel()
    if product is None:
        return False
    dtype = getattr(torch, dtype_name)
    gen = torch.Generator().manual_seed(0)
    w, x = torch.randn(64, 2 * ALIGN, generator=gen), torch.randn(1, 2 * ALIGN, generator=gen)
    q, scales = quantize_int8(w)
    try:
        got = product(x.to(dtype), q, scales.to(dtype)).float()
    except (RuntimeError, TypeError, NotImplementedError) as exc:
        log.info("int8 weight kernel unavailable: %s", exc)
        return False
    want = x.to(dtype).float() @ (q.float() * scales[:, None]).t()
    return bool(torch.allclose(got, want, rtol=0.05, atol=0.05 * float(want.abs().max())))


class Int8Weights:
    """One layer's int8 copy: the weight it was made from (and that tensor's version, to see
    an in-place change such as a merged adapter), the int8 matrix, its scales in the
    activations' dtype, and the layer's own forward (the fallback)."""

    def __init__(self, weight, q, scales, plain):
        self.weight, self.version = weight, weight._version
        self.q, self.scales, self.plain = q, scales, plain
        self.float_out = False  # the output layer's: a full pass's logits in float32 (``float_product``)

    def current(self, module, x) -> bool:
        return module.weight is self.weight and self.weight._version == self.version and x.dtype == self.scales.dtype

    def product(self, rows: torch.Tensor) -> torch.Tensor:
        if rows.shape[0] <= KERNEL_ROWS:
            return torch._weight_int8pack_mm(rows.contiguous(), self.q, self.scales)
        # x @ (q * s)^T = (x @ q^T) * s: small integers are exact in bfloat16, and the scales
        # multiply the [rows, out] result instead of the whole matrix
        if self.float_out and float_logits.enabled:
            return self.float_product(rows)
        return torch.nn.functional.linear(rows, self.q.to(rows.dtype)) * self.scales

    def float_product(self, rows: torch.Tensor) -> torch.Tensor:
        """The product in float32: the output layer's logits rounded to bfloat16 came in steps of 1/16
        near 15, so a re-read (the analysis, Explain, "Show 40 more") showed alternatives the model told
        apart as a "tie" (bundled model, 256 tokens: a tie in the top 10 of 202 rows, none in float32).
        It costs 1.24x a 256-token pass with the int8 matrix widened per call (0.62 -> 0.76 CPU-s); a
        float32 copy kept would cost 1.05x but hold 113 MB, against Compact's point. A one-token step
        (the kernel's rows) stays as it is: its rounding is what wrote the answer."""
        return torch.nn.functional.linear(rows.float(), self.q.float()).mul_(self.scales.float())


def quantize_cpu_weights(model, dtype=torch.bfloat16) -> tuple[int, list[str]]:
    """Give ``model``'s Linear (and GPT-2 Conv1D) layers an int8 copy of their weights and a
    forward that uses it, then cast the model to ``dtype`` (the activations' dtype). Call it on
    the float32 model: the int8 weights are made from float32. Returns how many layers were
    quantized and, for each left as it was, why."""
    plans, skipped = [], []
    for name, module, weight in cpu_linear_layers(model):
        reason = layer_fits(*weight.shape)
        if reason:
            skipped.append(f"{name}: {reason}")
            continue
        plans.append((module, *quantize_int8(weight)))
    model.to(dtype)  # the Parameter objects stay the same: the copies below know their weight
    for module, q, scales in plans:
        module._gpt2desk_int8 = Int8Weights(module.weight, q, scales.to(dtype), module.forward)
        module.forward = _int8_forward.__get__(module)
    head = model.get_output_embeddings() if hasattr(model, "get_output_embeddings") else None
    if head is not None and hasattr(head, "_gpt2desk_int8"):
        head._gpt2desk_int8.float_out = True
    if skipped:
        log.info("left %d layers unquantized: %s", len(skipped), "; ".join(skipped[:5]))
    return len(plans), skipped


_with_gradients = threading.local()


@contextmanager
def int8_with_gradients():
    """On this thread, inside: the int8 copies serve gradient-taking passes too (dequantized,
    which is differentiable in the input), so an explanation's attribution of an answer made
    under Compact follows the weights that made it. Training (other threads) still steps aside."""
    before = getattr(_with_gradients, "on", False)
    _with_gradients.on = True
    try:
        yield
    finally:
        _with_gradients.on = before


def _int8_forward(self, x: torch.Tensor) -> torch.Tensor:
    pack = self._gpt2desk_int8
    grads = torch.is_grad_enabled()
    if (grads and not getattr(_with_gradients, "on", False)) or not pack.current(self, x) \
            or torch.compiler.is_compiling():
        return pack.plain(x)  # training, a changed weight or another dtype: the layer as it is
    rows = x.reshape(-1, x.shape[-1])
    # the int8 kernel has no gradient: with gradients on, the same weights dequantized
    out = torch.nn.functional.linear(rows, pack.q.to(rows.dtype)) * pack.scales if grads else pack.product(rows)
    if self.bias is not None:
        out = out + self.bias
    return out.view(*x.shape[:-1], out.shape[-1])


def quantized_layers(model) -> int:
    """How many of ``model``'s layers carry an int8 copy."""
    return sum(1 for m in model.modules() if hasattr(m, "_gpt2desk_int8"))
