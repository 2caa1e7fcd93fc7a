"""The one-row matrix products of a decode step, per matrix: float32 ``F.linear`` (Exact),
oneDNN's prepacked bfloat16 product (Fast before core.bf16_gemv) and the bf16 matrix-vector
kernel (core.bf16_gemv), interleaved in one process.

Each round runs one token's worth of products in the model's order (every layer's matrices,
then the output head), so every weight comes from memory as in a real step, not from a cache
warmed by repeating one matrix. Each call is timed alone. Prints, per model shape and matrix
kind, the median microseconds per call and the GB/s of weights read, and the totals:
    gemv_gbps_<model>: X       the kernel's weight bytes per second over the whole step
    onednn_bf16_gbps_<model>: X
    f32_gbps_<model>: X
    gemv_vs_onednn_products: X   the slower model's ratio of step product time, oneDNN / kernel
    gemv_vs_f32_products: X      the same against float32

    python bench/gemv_kernel.py [--rounds 15] [--models gpt2,smollm2] [--threads 1]
"""

from __future__ import annotations

import argparse
import time

import torch
import torch.nn.functional as F
from _common import figure, load_average, median

# (kind, [out, in]) per layer, then the head; biases where the model has them
SHAPES = {
    "gpt2": ([("c_attn", 2304, 768), ("attn c_proj", 768, 768), ("c_fc", 3072, 768), ("mlp c_proj", 768, 3072)],
             12, ("lm_head", 50257, 768), True),
    "smollm2": ([("qkv", 960, 576), ("o_proj", 576, 576), ("gate+up", 3072, 576), ("down", 576, 1536)],
                30, ("lm_head", 49152, 576), False),
}


def matrices(model: str) -> list[tuple[str, torch.Tensor, torch.Tensor | None]]:
    layer, count, head, biased = SHAPES[model]
    gen = torch.Generator().manual_seed(0)
    out = []
    for kind, rows, cols in [*layer * count, head]:
        bias = torch.randn(rows, generator=gen) * 0.01 if biased and kind != "lm_head" else None
        out.append((kind, torch.randn(rows, cols, generator=gen) * 0.02, bias))
    return out


def products(model: str, lib) -> dict:
    """{way: [(kind, bytes, call)]} for one token's products in the model's order."""
    from desktop_app.core import bf16_gemv

    ways = {"f32": [], "onednn-bf16": [], "gemv": []}
    for kind, w, b in matrices(model):
        x = torch.randn(1, w.shape[1])
        w16, b16, x16 = w.bfloat16(), (b.bfloat16() if b is not None else None), x.bfloat16()
        packed = torch.ops.mkldnn._reorder_linear_weight(w16, None)
        blocked = bf16_gemv.Blocked(lib, w16, b16)
        ways["f32"].append((kind, w.numel() * 4, lambda x=x, w=w, b=b: F.linear(x, w, b)))
        ways["onednn-bf16"].append((kind, w.numel() * 2, lambda x=x16, p=packed, b=b16:
                                    torch.ops.mkldnn._linear_pointwise(x, p, b, "none", [], "")))
        ways["gemv"].append((kind, w.numel() * 2, lambda x=x16, k=blocked: k(x)))
    return ways


def run(model: str, lib, rounds: int) -> dict:
    ways = products(model, lib)
    times = {way: [[] for _ in calls] for way, calls in ways.items()}
    for round_ in range(rounds + 1):  # round 0 warms up
        for way, calls in ways.items():
            for i, (_kind, _bytes, call) in enumerate(calls):
                start = time.perf_counter()
                call()
                if round_:
                    times[way][i].append(time.perf_counter() - start)
    step = {}
    print(f"{model}: one token's {len(ways['gemv'])} products, median of {rounds} rounds")
    for way, calls in ways.items():
        per_kind: dict = {}
        for (kind, size, _call), spent in zip(calls, times[way]):
            entry = per_kind.setdefault(kind, [0, 0.0, 0])
            entry[0] += size
            entry[1] += median(spent)
            entry[2] += 1
        total_bytes, total_s = sum(e[0] for e in per_kind.values()), sum(e[1] for e in per_kind.values())
        step[way] = (total_s, total_bytes / total_s / 1e9)
        parts = "  ".join(f"{kind} {s / n * 1e6:.0f} µs {size / s / 1e9:.1f} GB/s" for kind, (size, s, n) in per_kind.items())
        print(f"  {way:12s} step {total_s * 1e3:6.2f} ms  {step[way][1]:5.1f} GB/s   {parts}", flush=True)
    return step


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--models", default="gpt2,smollm2")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    from desktop_app.core import bf16_gemv

    lib = bf16_gemv.library(build=True)
    if lib is None:
        print("the bf16 matrix-vector kernel does not build or run here (see the log)")
        return 1
    torch.set_num_threads(args.threads)
    ratios = {"onednn": [], "f32": []}
    with torch.inference_mode():
        for model in args.models.split(","):
            step = run(model, lib, args.rounds)
            figure(f"gemv_gbps_{model}", step["gemv"][1], 1)
            figure(f"onednn_bf16_gbps_{model}", step["onednn-bf16"][1], 1)
            figure(f"f32_gbps_{model}", step["f32"][1], 1)
            ratios["onednn"].append(step["onednn-bf16"][0] / step["gemv"][0])
            ratios["f32"].append(step["f32"][0] / step["gemv"][0])
    print(load_average())
    figure("gemv_vs_onednn_products", min(ratios["onednn"]))
    figure("gemv_vs_f32_products", min(ratios["f32"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
