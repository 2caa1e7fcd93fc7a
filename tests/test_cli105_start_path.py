"""cli105: the start of `ask` and `score` does less. The bf16 kernel's copy of a weight is laid out a pair of inputs
(one 4-byte word) at a time, the same bytes as before; oneDNN's copy laid out otherwise is passed over at its first
block instead of laid out again whole for every matrix; the CLI no longer imports the fine-tune's verdict.
bench/cli_start.py measures it."""

from __future__ import annotations

import torch

from desktop_app.core import bf16_gemv

from tests.test_startup_imports import modules_after

ROWS = bf16_gemv.ROWS


def two_bytes_at_a_time(weight: torch.Tensor) -> torch.Tensor:
    """The kernel's layout as it was made before cli105: [out / 32, in / 2, 32, 2], rows padded with zeros."""
    out, inp = weight.shape
    padded = -(-out // ROWS) * ROWS
    w = torch.zeros(padded, inp, dtype=torch.bfloat16)
    w[:out] = weight
    return w.view(padded // ROWS, ROWS, inp // 2, 2).transpose(1, 2).contiguous()


def test_the_kernels_copy_holds_the_same_bytes():
    torch.manual_seed(0)
    for shape in ((64, 16), (70, 10), (33, 8), (1, 4)):  # whole blocks, a part block, one row
        weight = torch.randn(*shape).to(torch.bfloat16)
        made = bf16_gemv.kernel_layout(weight)
        expected = two_bytes_at_a_time(weight)
        assert made.shape == expected.shape and made.dtype == torch.bfloat16
        assert torch.equal(made.view(torch.int16), expected.view(torch.int16)), shape


def test_a_copy_laid_out_otherwise_is_passed_over_at_its_first_block():
    torch.manual_seed(1)
    weight = torch.randn(70, 10).to(torch.bfloat16)
    laid = bf16_gemv.kernel_layout(weight).reshape(-1).view(torch.int16)
    assert bf16_gemv.holds_in_kernel_layout(laid, weight)
    last_differs = weight.clone()
    last_differs[-1, -1] += 1
    assert not bf16_gemv.holds_in_kernel_layout(laid, last_differs)  # the whole copy is still compared
    first_differs = weight.clone()
    first_differs[0, 0] += 1
    # only the first block given: a check that laid the whole copy out again would fail on it, not say False
    assert not bf16_gemv.holds_in_kernel_layout(laid[:ROWS * 10], first_differs)


def test_the_cli_starts_without_the_fine_tunes_verdict():
    loaded = modules_after("import desktop_app.cli")
    assert "desktop_app.cli.finetune_cmds" in loaded and "desktop_app.core.progress_words" in loaded
    assert "desktop_app.core.train_verdict" not in loaded and "desktop_app.core.finetune_effect" not in loaded
