"""bench/cli_start.py's "before" for `ask` and `score`: the start path as it was before cli105, put back in the
process it runs in. The bf16 kernel's copy of a weight laid out two bytes at a time, and oneDNN's prepacked copy
laid out again whole before it was compared (core/bf16_gemv.py had these bodies), and the fine-tune's verdict
imported with the CLI (core/progress_words.py imported it at its top)."""

from __future__ import annotations

import torch

from desktop_app.core import bf16_gemv


def kernel_layout_before(weight: torch.Tensor) -> torch.Tensor:
    rows = bf16_gemv.ROWS
    out, inp = weight.shape
    padded = -(-out // rows) * rows
    w = torch.zeros(padded, inp, dtype=torch.bfloat16)
    w[:out] = weight.detach()
    return w.view(padded // rows, rows, inp // 2, 2).transpose(1, 2).contiguous()


def holds_in_kernel_layout_before(raw: torch.Tensor, weight: torch.Tensor) -> bool:
    rows = bf16_gemv.ROWS
    out, inp = weight.shape
    blocks = -(-out // rows)
    laid = raw.view(blocks, inp // 2, rows, 2).transpose(1, 2).reshape(blocks * rows, inp)[:out]
    return torch.equal(laid, weight.detach().view(torch.int16))


def put_back() -> None:
    bf16_gemv.kernel_layout = kernel_layout_before
    bf16_gemv.holds_in_kernel_layout = holds_in_kernel_layout_before
    import desktop_app.core.train_verdict  # noqa: F401  (imported with the CLI before cli105)
