"""Where the memory of a fine-tune of the bundled model goes, phase by phase.

The app's own path: the bundled SmolLM2-135M-Instruct loaded as the window loads it (the GGUF
converted once, Fast precision where the CPU has bfloat16), 8 corrected answers rated as
bench/learning_effect.py's "answer" scenario rates them, then one fine-tune through
``core.session.fine_tune`` (the call the window's training lane makes) with that chat model.

For every phase it prints the resident size at its end and its peak (VmHWM, reset at each
phase's start through /proc/self/clear_refs), then ``peak_rss_mb: N`` for the whole process.

    python bench/memory.py [--fresh-conversion] [--trim] [--precision exact] [--runs 2] [--set reask_count=0]
                           [--explain] [--chat-only]

--fresh-conversion converts the GGUF again into a new cache folder (the first start's cost);
--trim calls glibc's malloc_trim(0) at every phase change and prints what it gave back.
--explain adds "Why this token?" on the answer's first content token (the lens and the attribution,
as the window's model lane runs them) after the answer, and a phase after it; --chat-only stops
before the ratings and the fine-tune.
Try MALLOC_ARENA_MAX=2 in the environment for the arenas' share.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import re
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


class Phases:
    """Peak and resident size per phase; a phase ends where the next one starts."""

    def __init__(self, trim: bool):
        self.trim = trim
        self.libc = ctypes.CDLL("libc.so.6")
        self.label: str | None = None
        self.started = time.perf_counter()
        self.rows: list[tuple[str, float, float, float, float]] = []
        self.overall = 0.0

    def enter(self, label: str | None) -> None:
        if label == self.label:
            return
        peak, rss = _status_mb("VmHWM"), _status_mb("VmRSS")
        anon, files = _status_mb("RssAnon"), _status_mb("RssFile")
        self.overall = max(self.overall, peak)
        trimmed = rss
        if self.trim:
            self.libc.malloc_trim(0)
            trimmed = _status_mb("VmRSS")
        if self.label is not None:
            row = (self.label, peak, rss, trimmed, time.perf_counter() - self.started)
            self.rows.append(row)
            extra = f"  after trim {trimmed:6.0f}" if self.trim else ""
            print(f"{row[0]:<46} peak {peak:6.0f} MB  end {rss:6.0f} MB (anon {anon:5.0f}, files {files:4.0f})"
                  f"{extra}  ({row[4]:.0f} s)", flush=True)
        try:
            with open("/proc/self/clear_refs", "w") as fh:
                fh.write("5")  # resets VmHWM to the present resident size
        except OSError:
            pass
        self.label, self.started = label, time.perf_counter()


def progress_label(p) -> str:
    """A fine-tune report's phase without its counts: 'measuring the new adapter: re-asking 12
    questions, token 40 of at most 64' -> 'evaluating: measuring the new adapter: re-asking'."""
    parts = [re.sub(r"\s*\d.*$", "", part.strip()) for part in (p.message or "").split(":")]
    return ": ".join([p.phase] + [part for part in parts if part])[:60]


def on_lane(name: str, work):
    """``work()`` on a thread of its own, as the window runs it on a lane (core work allocates in
    that thread's malloc arena); returns its result."""
    out: dict = {}

    def run() -> None:
        try:
            out["value"] = work()
        except BaseException as exc:  # handed to the caller
            out["error"] = exc
    thread = threading.Thread(target=run, name=name)
    thread.start()
    thread.join()
    if "error" in out:
        raise out["error"]
    return out["value"]


def explain_answer(phases: Phases, loaded, answer) -> None:
    """"Why this token?" on the answer's second token, then a phase that shows what it left."""
    from desktop_app.core.explain import explain
    from desktop_app.core.token_context import TokenContext

    g = answer.generation
    prompt = list(g.prompt_ids)
    context = TokenContext(ids=prompt + [r.id for r in g.records[:2]], prompt_len=len(prompt), settings=g.settings)
    phases.enter("why this token: lens + attribution")
    result = on_lane("model", lambda: explain(loaded, context))
    a = result.attribution
    print(f"explained {result.token_text!r}: steps {a.steps}, gap {a.gap:.4f}, "
          f"top {[a.token_texts[i] for i in a.top(3)]}, scores[:4] {a.scores[:4]}")
    phases.enter("after why this token")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh-conversion", action="store_true")
    parser.add_argument("--trim", action="store_true")
    parser.add_argument("--precision", default="auto", help="the chat model's: auto, exact, fast, compact")
    parser.add_argument("--scenario", default="answer")
    parser.add_argument("--size", type=int, default=8)
    parser.add_argument("--runs", type=int, default=1, help="fine-tunes one after another (what each leaves behind)")
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "gpt2desk-learning-cache"),
                        help="bench/learning_effect.py's cache of the base model's sampled answers")
    parser.add_argument("--explain", action="store_true", help='"Why this token?" after the answer')
    parser.add_argument("--chat-only", action="store_true", help="no ratings, no fine-tune")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a FineTuneSettings field, e.g. --set reask_count=0")
    args = parser.parse_args()
    phases = Phases(args.trim)
    phases.enter("start")
    print(f"MALLOC_ARENA_MAX={os.environ.get('MALLOC_ARENA_MAX', '(glibc default)')}  trim={args.trim}")

    phases.enter("import torch, transformers")
    import json

    import torch  # noqa: F401
    from transformers.utils import logging as hf_logging

    from desktop_app.core import session
    from desktop_app.core.models import open_model
    from desktop_app.core.paths import AppPaths
    from desktop_app.core.store import Store
    from desktop_app.core.train_settings import FineTuneSettings
    from learning_effect import Answers
    from learning_scenarios import question_pools, teach

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    work = Path(tempfile.mkdtemp(prefix="gpt2desk-memory-"))
    if args.fresh_conversion:
        os.environ["GPT2_DESK_SHARED_CACHE"] = str(work / "shared-cache")
    paths = AppPaths.resolve(work / "data").ensure()

    phases.enter("chat model: load bundled" + (" (converting GGUF)" if args.fresh_conversion else ""))
    loaded = on_lane("model", lambda: open_model("bundled", paths, precision=args.precision))
    loaded.training_tokenizer()  # the window makes it while the model loads
    print(f"model: {loaded.describe()}")

    phases.enter("chat: one answer of 48 tokens")
    from desktop_app.core.generation import SamplingSettings

    store = Store.open(paths.db_path)
    _conv, user_id = session.add_prompt(store, None, "What is the capital of France?")
    chat_settings = SamplingSettings(max_new_tokens=48, seed=0)  # the same answer every run (--explain explains it)
    answer = on_lane("model", lambda: session.answer_prompt(store, loaded, user_id, chat_settings))
    if args.explain:
        explain_answer(phases, loaded, answer)
    if args.chat_only:
        phases.enter(None)
        print(f"peak_rss_mb: {phases.overall:.0f}")
        return

    phases.enter(f"ratings: {args.scenario} x {args.size}")
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    answers = Answers(loaded, cache, max_new_tokens=48)
    given, _checks = teach(store, loaded, answers, args.scenario, args.size, 0, question_pools(16), "that")
    print(f"ratings given: {given}")

    settings = FineTuneSettings(**{k: json.loads(v) for k, v in (s.partition("=")[::2] for s in args.set)})
    from desktop_app.core import adapters, train_steps

    plain_optimizer = train_steps.optimizer

    def optimizer(*a, **k):  # the steps' phase starts as the optimizer is made, after the reference passes
        phases.enter("training: steps")
        return plain_optimizer(*a, **k)
    train_steps.optimizer = optimizer
    for run in range(1, args.runs + 1):
        print(f"-- fine-tune {run} of {args.runs}")
        result = on_lane("training", lambda: session.fine_tune(store, loaded, paths, settings,
                                                                progress=lambda p: phases.enter(progress_label(p))))
        phases.enter(f"after run {run} (adapter not yet attached)")
        on_lane("model", lambda: adapters.attach_active(loaded, store))
        phases.enter(f"adapter attached after run {run}")
    phases.enter(None)
    m = result.metrics
    print(f"run: {result.status}; steps {m.get('steps')}; final_loss {m.get('final_loss')}; "
          f"grad_norms {m.get('grad_norms')}; margin {m.get('margin_before')} -> {m.get('margin_after')}")
    print(f"resident after the run, adapter attached: {_status_mb('VmRSS'):.0f} MB")
    print(f"peak_rss_mb: {phases.overall:.0f}")


if __name__ == "__main__":
    main()
