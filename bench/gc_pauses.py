"""Garbage-collection pauses: how long the cycle collector holds the GIL (and so stalls the
window) while a model loads and afterwards, with the app's habits (core.memory) against
plain Python, side by side in one process.

1. ``load``: load the model twice (after one warm-up load) through ``load_model`` (a GGUF file is converted each time,
   into a fresh cache): once with the collector left as it is (baseline), once as the app
   does it (collection paused, the result settled with gc.freeze). Counts full (generation 2)
   passes and their longest and total time.
2. ``full_pass``: the time of one full collection with the chat model loaded and one answer
   generated, over the whole heap (baseline) and over what is left after settle_heap (ours);
   median of 5 each.

    python bench/gc_pauses.py [--model bundled]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


class FullPasses:
    """gc.callbacks recorder of generation-2 passes."""

    def __init__(self):
        self.times: list[float] = []
        self._start = 0.0

    def __call__(self, phase, info):
        if info["generation"] != 2:
            return
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.times.append((time.perf_counter() - self._start) * 1000)

    def __enter__(self):
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc):
        gc.callbacks.remove(self)

    def summary(self) -> str:
        longest = max(self.times, default=0.0)
        return f"{len(self.times)} full passes, longest {longest:.0f} ms, total {sum(self.times):.0f} ms"


def load(spec: str, *, app_habits: bool):
    from desktop_app.core import models
    from desktop_app.core.paths import AppPaths

    paths = AppPaths.resolve(tempfile.mkdtemp(prefix="gc-bench-")).ensure()  # a fresh conversion
    if app_habits:
        return models.open_model(spec, paths, "cpu")
    # baseline: the same load_model with the pause (and the settling) taken out
    original = models.collection_paused
    models.collection_paused = lambda **_kwargs: contextlib.nullcontext()
    try:
        return models.open_model(spec, paths, "cpu")
    finally:
        models.collection_paused = original


def timed_load(spec: str, label: str, *, app_habits: bool):
    """One load from a clean heap: (the model, seconds, its FullPasses)."""
    gc.unfreeze()
    gc.collect()
    start = time.perf_counter()
    with FullPasses() as passes:
        model = load(spec, app_habits=app_habits)
    seconds = time.perf_counter() - start
    print(f"  load, {label}: {seconds:.1f} s, {passes.summary()}")
    return model, seconds, passes


def full_pass_ms(rounds: int = 5) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        gc.collect()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="bundled", help="a model spec (default: the bundled GGUF model)")
    args = parser.parse_args()

    import torch  # noqa: F401  (imports are not what is measured)
    import transformers  # noqa: F401

    load(args.model, app_habits=True)  # warm-up: imports and the file cache serve both sides alike
    plain_s, baseline = timed_load(args.model, "plain collector", app_habits=False)[1:]  # model dropped
    model, ours_s, ours = timed_load(args.model, "app habits     ", app_habits=True)

    # what a session adds after the load: one 64-token answer with its records
    from desktop_app.core.generation import SamplingSettings, generate

    prompt = model.tokenizer("Tell me about the sea.")["input_ids"]
    records = list(generate(model, prompt, SamplingSettings(max_new_tokens=64, seed=0), stop_sequences=()))
    settled = full_pass_ms()  # the load settled its objects; the answer's are in sight
    in_sight, set_aside = len(gc.get_objects()), gc.get_freeze_count()
    gc.unfreeze()
    whole = full_pass_ms()
    print(f"  one full pass with the model loaded: whole heap {whole:.1f} ms, after settle_heap {settled:.1f} ms "
          f"({in_sight} objects in sight, {set_aside} set aside)")
    print(f"load_time_ratio: {ours_s / plain_s:.3f}")
    print(f"load_longest_pause_ratio: {max(ours.times, default=0.0) / max(max(baseline.times, default=1.0), 1e-9):.3f}")
    print(f"load_total_pause_ratio: {sum(ours.times) / max(sum(baseline.times), 1e-9):.3f}")
    print(f"full_pass_ratio: {settled / whole:.3f}")
    del model, records
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
