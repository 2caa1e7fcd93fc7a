"""One decode step at a long context: the lean step (the app's default on a CPU) against the
model's own forward (the plain path), on the bundled SmolLM2-135M (8,192-token window).

The user test saw 1.4 tokens/s after a 12,000-word paste (cut to the window). Reading such a
prompt takes minutes on a CPU, so this bench skips it: both caches are filled with random
keys and values of the given length (the step's cost does not depend on their values), then
both paths decode from there, interleaved, one thread. Also times the lean step's attention
alone (30 ``scaled_dot_product_attention`` calls over the cache), the part that grows with
the context. Prints per context length ms per step (CPU time of this process, steadier on a
shared machine than the wall clock) and, for the longest one:
    lean_decode_tokens_per_cpu_s_long: X    1000 / lean ms
    plain_decode_tokens_per_cpu_s_long: X   1000 / plain ms
    lean_vs_plain_long: X                   plain ms / lean ms

    python bench/long_context.py [--contexts 100,2000,8000] [--precision exact|fast] [--steps 5]
        [--rounds 3] [--cache-dir DIR]
"""

from __future__ import annotations

import argparse
import time

from _common import add_cache_dir, bundled_folder, figure, load_average, median


def lean_at(loaded, length: int):
    """Lean steps whose cache holds ``length`` random positions."""
    from desktop_app.core.lean_decode import lean_steps

    steps = lean_steps(loaded, length + 1)
    steps.prefill([100, 101], 1)
    steps.cache.keys.normal_()
    steps.cache.values.normal_()
    steps.pos = length
    return steps, lambda token: _undo(steps, steps.step(token))


def _undo(steps, logits):
    steps.pos -= 1  # every timed step decodes at the same position
    return logits


def plain_at(loaded, length: int):
    """The plain path's steps with a DynamicCache of ``length`` random positions (a copy per
    step, so every step starts from the same length: the cache grows in place otherwise)."""
    import torch

    from desktop_app.core.fast_decode import PlainSteps

    steps = PlainSteps(loaded, length + 1)
    steps.prefill([100, 101], 1)
    shapes = [(layer.keys.shape[1], layer.keys.shape[3]) for layer in steps.cache.layers]
    full = [(torch.randn(1, h, length, d, dtype=loaded.dtype), torch.randn(1, h, length, d, dtype=loaded.dtype))
            for h, d in shapes]

    def step(token):
        for layer, (k, v) in zip(steps.cache.layers, full):
            layer.keys, layer.values = k, v
        return steps.step(token)
    return steps, step


def attention_only(steps, length: int) -> None:
    """The lean step's 30 attention calls at this length, nothing else."""
    import torch

    plan, cache = steps.plan, steps.cache
    q = torch.randn(plan.heads, plan.head_dim, dtype=plan.dtype)
    for i in range(len(plan.layers)):
        cache.attend(i, q, length, plan.scaling)


def cpu_ms(run, steps: int) -> float:
    start = time.process_time()
    for _ in range(steps):
        run()
    return (time.process_time() - start) / steps * 1e3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contexts", default="100,2000,8000")
    parser.add_argument("--precision", default="exact")
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    add_cache_dir(parser)
    args = parser.parse_args()

    import torch

    from desktop_app.core.models import open_model
    from desktop_app.core.paths import AppPaths

    torch.set_num_threads(1)
    loaded = open_model(str(bundled_folder(args.cache_dir)), AppPaths.resolve(args.cache_dir), device="cpu",
                        precision=args.precision)
    token = torch.tensor(5)
    results = {}
    with torch.inference_mode():
        for length in (int(n) for n in args.contexts.split(",")):
            lean, lean_step = lean_at(loaded, length)
            _plain, plain_step = plain_at(loaded, length)
            ways = {"lean": lambda: lean_step(token), "plain": lambda: plain_step(token),
                    "lean attention": lambda: attention_only(lean, length)}
            times = {name: [] for name in ways}
            for round_ in range(args.rounds + 1):  # round 0 warms up
                for name, run in ways.items():
                    ms = cpu_ms(run, args.steps)
                    if round_:
                        times[name].append(ms)
            results[length] = {name: median(v) for name, v in times.items()}
            print(f"context {length}: " + ", ".join(f"{name} {ms:.1f} ms" for name, ms in results[length].items())
                  + " (CPU ms per step)", flush=True)
            del lean, _plain
    print(load_average())
    longest = results[max(results)]
    figure("lean_decode_tokens_per_cpu_s_long", 1e3 / longest["lean"], 1)
    figure("plain_decode_tokens_per_cpu_s_long", 1e3 / longest["plain"], 1)
    figure("lean_vs_plain_long", longest["plain"] / longest["lean"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
