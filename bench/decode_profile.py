"""Where one decode step's time goes, by part, on the bundled SmolLM2-135M (torch.profiler).

Parts, each in a ``record_function``: the sampling (the next token from the distribution),
the records (log-softmax over the vocabulary, rank, entropy, top-k: packed in one tensor),
the host copy (the one ``tolist`` per token) and the model's forward (which includes the
key/value cache update). Per precision (exact = float32, fast = bfloat16 where the CPU has
it, compact = int8 linear weights) and per path (plain: a growing cache; static: the preallocated one;
lean: core.lean_decode's step, the app's default on a CPU), on one thread.
The forward is split further into matrix products, cache writes and every other operator.
For the lean path it also times the step without the profiler (which inflates small operators),
and again with every product replaced by its stored output: what the step costs besides them.

    python bench/decode_profile.py [--precisions exact,fast,compact] [--paths plain,static,lean] [--top N]
        [--steps 10] [--cache-dir DIR]
"""

from __future__ import annotations

import argparse

from _common import add_cache_dir, bundled_folder, load_average

PRODUCTS = ("aten::mm", "aten::addmm", "aten::bmm", "mkldnn::_linear_pointwise", "aten::_weight_int8pack_mm")
CACHE_WRITES = ("aten::index_copy_", "aten::cat", "aten::copy_")  # copy_: the lean cache's writes (and casts)
PARTS = ("sampling", "records", "host copy", "forward")


def profile_steps(loaded, steps_class, settings, steps: int):
    import torch
    from torch.profiler import ProfilerActivity, profile, record_function

    from desktop_app.core.fast_decode import packed_record
    from desktop_app.core.generation import sample_token

    generator = torch.Generator().manual_seed(0)
    with torch.inference_mode():
        model_steps = steps_class(loaded, 300)
        logits = model_steps.prefill(list(range(100, 160)), 1)[-1]

        def one(logits):
            with record_function("sampling"):
                token = sample_token(logits, settings, generator)
            with record_function("records"):
                values = packed_record(logits, token, settings.alternatives)
            with record_function("host copy"):
                values.tolist()
            with record_function("forward"):
                return model_steps.step(token)

        for _ in range(3):  # warm-up
            logits = one(logits)
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            for _ in range(steps):
                logits = one(logits)
    return prof.key_averages()


def report(name: str, events, steps: int) -> None:
    by_key = {e.key: e for e in events}
    ms = {part: by_key[part].cpu_time_total / steps / 1e3 for part in PARTS if part in by_key}
    ops = [e for e in events if e.key.startswith(("aten::", "mkldnn::"))]
    products = sum(e.self_cpu_time_total for e in ops if e.key in PRODUCTS) / steps / 1e3
    writes = sum(e.self_cpu_time_total for e in ops if e.key in CACHE_WRITES) / steps / 1e3
    other = sum(e.self_cpu_time_total for e in ops) / steps / 1e3 - products - writes
    python = ms.get("forward", 0.0) - products - writes - other
    print(f"{name}: {sum(ms.values()):.1f} ms per token: " + ", ".join(f"{p} {v:.2f}" for p, v in ms.items()))
    print(f"    forward: matrix products {products:.1f} ms, cache writes {writes:.2f} ms, other operators "
          f"{other:.1f} ms, outside operators (Python, dispatch) {python:.1f} ms")


def lean_without_products(loaded, steps: int = 30) -> tuple[float, float]:
    """ms per lean step, as it is and with every product replaced by its stored output (no profiler)."""
    import time

    import torch

    from desktop_app.core import lean_decode

    def timed(model_steps, token):
        best = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(steps):
                model_steps.step(token)
            best = min(best, (time.perf_counter() - start) / steps * 1e3)
            model_steps.pos -= steps
        return best

    real = lean_decode.Projection.__call__
    stored: dict = {}
    with torch.inference_mode():
        model_steps = lean_decode.lean_steps(loaded, 300)
        model_steps.prefill(list(range(100, 160)), 1)
        token = torch.tensor(5)
        whole = timed(model_steps, token)
        lean_decode.Projection.__call__ = lambda self, x: stored.get(id(self)) if id(self) in stored else \
            stored.setdefault(id(self), real(self, x))
        try:
            timed(model_steps, token)
            rest = timed(model_steps, token)
        finally:
            lean_decode.Projection.__call__ = real
    return whole, rest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--precisions", default="exact,fast,compact")
    parser.add_argument("--top", type=int, default=0, help="also list the N operators with the most own time")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--paths", default="plain,static,lean")
    add_cache_dir(parser)
    args = parser.parse_args()

    import torch

    from desktop_app.core.fast_decode import PlainSteps, StaticSteps
    from desktop_app.core.lean_decode import lean_steps
    from desktop_app.core.generation import SamplingSettings
    from desktop_app.core.models import open_model
    from desktop_app.core.paths import AppPaths

    torch.set_num_threads(1)  # as an answer decodes on 2 cores (core/threads.py)
    folder = bundled_folder(args.cache_dir)
    settings = SamplingSettings(seed=0, temperature=1.0, top_k=0, top_p=1.0, alternatives=10)
    for precision in args.precisions.split(","):
        loaded = open_model(str(folder), AppPaths.resolve(args.cache_dir), device="cpu", precision=precision)
        classes = {"plain": PlainSteps, "static": StaticSteps, "lean": lean_steps}
        for path in args.paths.split(","):
            events = profile_steps(loaded, classes[path], settings, args.steps)
            report(f"{precision} ({loaded.precision}) {path}", events, args.steps)
            for e in sorted(events, key=lambda e: -e.self_cpu_time_total)[:args.top]:
                print(f"      {e.key:40s} {e.self_cpu_time_total / args.steps / 1e3:6.2f} ms  x{e.count // args.steps}")
            if path == "lean":
                whole, rest = lean_without_products(loaded)
                print(f"    lean step without the profiler: {whole:.1f} ms; with every product's output stored: "
                      f"{rest:.1f} ms (the rest of the step)")
    print(load_average())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
