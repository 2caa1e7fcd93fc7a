"""Expert user test: on the bundled model at Fast, the Text tab's " happy" vs " a" in "The cat sat on
the mat. It was happy." gave figures that missed their sum by 807% after 128 steps, and the app offered
Exact weights. Not the 16-bit weights: the attribution already computes in float32 on them
(core.attribution.float32_arithmetic), and Exact missed by 57% there too. The path from the blank
input swings by a nat within 0.0005 of its length, and 128 steps did not reach that far in; the cap
is higher now, and this path adds up (240 steps, halving every interval)."""

from __future__ import annotations

import pytest
import torch

from desktop_app.core import attribution
from desktop_app.core.models import open_model
from desktop_app.core.paths import AppPaths
from desktop_app.core.precision import cpu_has_native_bf16
from desktop_app.core.prompts import plain_text_start


@pytest.mark.skipif(not cpu_has_native_bf16(), reason="this CPU has no native bfloat16: Fast falls back to Exact")
def test_the_text_tabs_happy_adds_up_on_fast_weights(bundled_model_dir, tmp_path):
    fast = open_model(str(bundled_model_dir), AppPaths.resolve(tmp_path / "fast").ensure(), device="cpu",
                      precision="fast")
    encode = lambda text: list(fast.tokenizer(text)["input_ids"])  # noqa: E731
    seen = plain_text_start(fast.tokenizer) + encode("The cat sat on the mat. It was")  # as the Text tab reads it
    happy, other = encode(" happy")[0], encode(" a")[0]
    result = attribution.integrated_gradients(fast, seen, happy, other)
    assert result.complete, f"the figures miss their sum by {result.gap * 100:.0f}% after {result.steps} steps"
    assert result.gap <= attribution.IG_TOLERANCE
    assert all(t.dtype == torch.bfloat16 for t in fast.model.parameters())  # still Fast, no reload
