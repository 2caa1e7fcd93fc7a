"""Start-up: process start to a usable window, and to the first token of the first answer on
a cached model, against the bare ``python -c "import torch, PySide6"`` in the same run.

Each round starts fresh processes, interleaved: the bare imports, then the app (offscreen):
the real main window with the model loading as the app loads it; "window" is the first turn
of the event loop after the window is shown (it paints and takes input from then on), then
the app sends a prompt as soon as the model is ready, and "first token" is when the first
token reaches the window. Each is a second start (a data folder started once before), and
beside it the same start with the weights' check made again (as before session 34). Prints per round and the last lines
    window_vs_bare_imports: X       (window usable / bare imports; target <= 1.5)
    first_token_after_send_s: Y     (target <= 3 s on a cached model)
    second_start_cpu_ratio: Z       (CPU-s to the model ready, weights check remembered / made at each start)

    QT_QPA_PLATFORM=offscreen python bench/startup.py [--rounds 3] [--model bundled|FOLDER]
        [--cache-dir DIR]

``--first-start``: instead, the bundled GGUF's first conversion into an empty cache, each round
once with the header read once (as the app does) and once read as transformers reads it (a
reader per call), in fresh processes; prints the CPU seconds of the conversion and its stages
and ``first_conversion_cpu_ratio`` (read once / per call). Pin it to compare:
    taskset -c 0 env OMP_NUM_THREADS=1 python bench/startup.py --first-start --rounds 2
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

from _common import ROOT, add_cache_dir, bundled_folder, figure, load_average, median

APP = r"""
import sys, time
T0 = float(sys.argv[1])
def mark(name):
    print(f"{name} {time.time() - T0:.3f}", flush=True)
mark("interpreter")
from desktop_app.core.paths import AppPaths
from desktop_app.gui.app import make_app
from desktop_app.core.store import Store
from desktop_app.gui.main_window import MainWindow
from PySide6.QtCore import QTimer
if sys.argv[4] == "each-start":  # as before session 34: the weights checked at every start
    from desktop_app.core import checks_passed
    checks_passed.passed = lambda record, key: False
app = make_app(dark=False)
paths = AppPaths.resolve(sys.argv[3]).ensure()
store = Store.open(paths.db_path)
window = MainWindow(store, paths, model_spec=sys.argv[2], device="cpu")
window.resize(1280, 800)
window.show()
QTimer.singleShot(0, lambda: mark("window"))
state = {}
def loaded(_l):
    mark("model")
    print(f"model_cpu {time.process_time():.3f}", flush=True)  # all threads' CPU-s to the model ready
    window.popover.max_new.setValue(4)
    window.prompt.setPlainText("Hello!")
    state["sent"] = time.time()
    window.send()
def first(_batch):
    if "first" not in state:
        state["first"] = time.time()
        mark("first_token")
        print(f"after_send {state['first'] - state['sent']:.3f}", flush=True)
def done(_r):
    window.chat.shutdown()
    window.close()
    app.quit()
window.chat.model_loaded.connect(loaded)
window.chat.tokens.connect(first)
window.chat.answer_finished.connect(done)
window.chat.model_failed.connect(lambda m: (print("failed", m), app.quit()))
app.exec()
store.close()
"""

FIRST = r"""
import sys, tempfile, time
from contextlib import contextmanager
from pathlib import Path
from desktop_app.core import gguf_conversion, gguf_once, model_sources
from desktop_app.core.paths import AppPaths
import transformers  # imported before the clock starts, as the app's load does
if sys.argv[2] == "per-call":  # what transformers does alone: a reader per call
    gguf_once.read_once = contextmanager(lambda path, reader: (yield))
import dataclasses
paths = AppPaths.resolve(tempfile.mkdtemp(prefix="first-start-")).ensure()
paths = dataclasses.replace(paths, shared_cache_dir=paths.cache_dir)  # empty: not the user's cache
start, last = time.process_time(), {}
def progress(stage, done, total):
    if total:  # the tensors, counted
        last.setdefault("first_tensor", time.process_time() - start)
        last["tensors"] = time.process_time() - start
gguf_conversion.convert_gguf(model_sources.bundled_gguf_path(), paths, progress)
total = time.process_time() - start
print(f"before_tensors {last.get('first_tensor', 0):.3f}")  # the check, tokenizer and configs: no count
print(f"tensors_done {last.get('tensors', 0):.3f}")
print(f"conversion {total:.3f}", flush=True)
import shutil
shutil.rmtree(paths.data_dir, ignore_errors=True)  # 0.5 GB a round
"""

BARE = "import sys, time\nimport torch, PySide6\nprint(f'imports {time.time() - float(sys.argv[1]):.3f}', flush=True)\n"


def run(code: str, *args: str, timeout: float = 600) -> dict[str, float]:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
               TOKENIZERS_PARALLELISM="false", HF_HUB_OFFLINE="1")
    start = time.time()
    out = subprocess.run([sys.executable, "-c", code, str(start), *args], cwd=ROOT, env=env, text=True,
                         capture_output=True, timeout=timeout)
    marks = {}
    for line in out.stdout.splitlines():
        name, _, value = line.partition(" ")
        try:
            marks[name] = float(value)
        except ValueError:
            print("   ", line)
    if out.returncode:
        print(out.stderr[-2000:])
    return marks


def first_start(rounds: int) -> int:
    """CPU seconds of the bundled GGUF's first conversion, read once vs a reader per call."""
    cpu: dict[str, list[float]] = {"once": [], "per-call": []}
    for round_ in range(rounds):
        for variant in cpu:
            marks = run(FIRST, variant, timeout=3600)  # ~40 CPU-s: long minutes on a shared core
            cpu[variant].append(marks.get("conversion", float("nan")))
            print(f"  round {round_ + 1}, header read {variant}: conversion {cpu[variant][-1]:.1f} CPU-s "
                  f"(no count until {marks.get('before_tensors', float('nan')):.1f} CPU-s, "
                  f"tensors counted until {marks.get('tensors_done', float('nan')):.1f})", flush=True)
    print(load_average())
    figure("first_conversion_cpu_s", median(cpu["once"]))
    figure("first_conversion_per_call_cpu_s", median(cpu["per-call"]))
    figure("first_conversion_cpu_ratio", median(a / b for a, b in zip(cpu["once"], cpu["per-call"])))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--model", default="bundled")
    parser.add_argument("--first-start", action="store_true", help="time the bundled GGUF's first conversion")
    add_cache_dir(parser)
    args = parser.parse_args()
    if args.first_start:
        return first_start(args.rounds)
    # the bundled model's converted folder (converted once, as a person's first run does)
    model = str(bundled_folder(args.cache_dir)) if args.model == "bundled" else args.model
    # a second start: each variant keeps its data folder; one start before the rounds (not
    # counted) is the first, which checks the weights and remembers that they passed
    data = {variant: tempfile.mkdtemp(prefix="startup-") for variant in ("remembered", "each-start")}
    run(APP, model, data["remembered"], "remembered")
    bare, window, first, after = [], [], [], []
    cpu: dict[str, list[float]] = {variant: [] for variant in data}
    for round_ in range(args.rounds):
        b = run(BARE)["imports"]
        m = run(APP, model, data["remembered"], "remembered")
        cpu["remembered"].append(m.get("model_cpu", float("nan")))
        cpu["each-start"].append(run(APP, model, data["each-start"], "each-start").get("model_cpu", float("nan")))
        bare.append(b)
        window.append(m.get("window", float("nan")))
        first.append(m.get("first_token", float("nan")))
        after.append(m.get("after_send", float("nan")))
        print(f"  round {round_ + 1}: bare imports {b:.2f} s; app: window {window[-1]:.2f} s, "
              f"model ready {m.get('model', float('nan')):.2f} s, first token {first[-1]:.2f} s "
              f"({after[-1]:.2f} s after send); CPU-s to the model ready: {cpu['remembered'][-1]:.2f} "
              f"(weights check remembered), {cpu['each-start'][-1]:.2f} (checked at each start)", flush=True)
    print(load_average())
    figure("model_ready_cpu_s", median(cpu["remembered"]))
    figure("model_ready_cpu_s_check_each_start", median(cpu["each-start"]))
    figure("second_start_cpu_ratio", median(a / b for a, b in zip(cpu["remembered"], cpu["each-start"])))
    figure("bare_imports_s", median(bare))
    figure("window_usable_s", median(window))
    figure("first_token_s", median(first))
    figure("window_vs_bare_imports", median(w / b for w, b in zip(window, bare)))
    figure("first_token_after_send_s", median(after))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
