"""Start-up: process start to a usable window, and to the first token of the first answer on
a cached model, against the bare ``python -c "import torch, PySide6"`` in the same run.

Each round starts fresh processes, interleaved: the bare imports, then the app (offscreen):
the real main window with the model loading as the app loads it; "window" is the first turn
of the event loop after the window is shown (it paints and takes input from then on), then
the app sends a prompt as soon as the model is ready, and "first token" is when the first
token reaches the window. Prints per round and the last lines
    window_vs_bare_imports: X       (window usable / bare imports; target <= 1.5)
    first_token_after_send_s: Y     (target <= 3 s on a cached model)

    QT_QPA_PLATFORM=offscreen python bench/startup.py [--rounds 3] [--model bundled|FOLDER]
        [--cache-dir DIR]
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

BARE = "import sys, time\nimport torch, PySide6\nprint(f'imports {time.time() - float(sys.argv[1]):.3f}', flush=True)\n"


def run(code: str, *args: str) -> dict[str, float]:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
               TOKENIZERS_PARALLELISM="false", HF_HUB_OFFLINE="1")
    start = time.time()
    out = subprocess.run([sys.executable, "-c", code, str(start), *args], cwd=ROOT, env=env, text=True,
                         capture_output=True, timeout=600)
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--model", default="bundled")
    add_cache_dir(parser)
    args = parser.parse_args()
    # the bundled model's converted folder (converted once, as a person's first run does)
    model = str(bundled_folder(args.cache_dir)) if args.model == "bundled" else args.model
    bare, window, first, after = [], [], [], []
    for round_ in range(args.rounds):
        b = run(BARE)["imports"]
        m = run(APP, model, tempfile.mkdtemp(prefix="startup-"))
        bare.append(b)
        window.append(m.get("window", float("nan")))
        first.append(m.get("first_token", float("nan")))
        after.append(m.get("after_send", float("nan")))
        print(f"  round {round_ + 1}: bare imports {b:.2f} s; app: window {window[-1]:.2f} s, "
              f"model ready {m.get('model', float('nan')):.2f} s, first token {first[-1]:.2f} s "
              f"({after[-1]:.2f} s after send)")
    print(load_average())
    figure("bare_imports_s", median(bare))
    figure("window_usable_s", median(window))
    figure("first_token_s", median(first))
    figure("window_vs_bare_imports", median(w / b for w, b in zip(window, bare)))
    figure("first_token_after_send_s", median(after))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
