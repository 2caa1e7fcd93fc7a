"""What writing the streaming answer as a draft (core/drafts.py) costs the decoding.

The window's real ChatController answers the same prompt with the bundled model, rounds
alternating between drafts off and drafts on (every 1 s, the default, and after every
batch, the worst case), in one process; prints tokens per second of each and their ratios,
and the time one draft write of a long answer takes on the store lane.

    taskset -c 1 env OMP_NUM_THREADS=1 .venv/bin/python bench/answer_drafts.py --tokens 128 --rounds 3
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
from pathlib import Path
import time
from dataclasses import replace

import _common

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

MODES = {"off": math.inf, "every_1s": 1.0, "every_batch": 0.0}


def answer_once(app, chat, interval: float, prompt: str) -> tuple[float, int]:
    """One answer with drafts every ``interval`` s: (tokens per second, draft writes)."""
    writes, done = [], []
    chat.draft_interval_s = interval
    chat.draft_saved.connect(lambda _mid, n: writes.append(n))
    chat.answer_finished.connect(done.append)
    chat.new_conversation()
    chat.send(prompt)
    while not done:
        app.processEvents()
        time.sleep(0.001)
    chat.draft_saved.disconnect()
    chat.answer_finished.disconnect()
    result = done[0] or {}
    return result.get("tokens_per_s", float("nan")), len(writes)


def write_cost(store, tokens: int, repeats: int = 20) -> float:
    """Milliseconds of one draft write holding ``tokens`` records (the store lane's work)."""
    from desktop_app.core.drafts import AnswerDraft
    from desktop_app.core.records import Alternative, TokenRecord

    records = [TokenRecord(i, f"w{i} ", -1.0, 1, 2.0, tuple(Alternative(j, f"a{j}", 0.05) for j in range(10)))
               for i in range(tokens)]
    conv = store.create_conversation("bench")
    draft = AnswerDraft(store, conv, store.add_message(conv, "user", "go"))
    start = time.perf_counter()
    for _ in range(repeats):
        draft.write(records)
    return (time.perf_counter() - start) / repeats * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tokens", type=int, default=128)
    parser.add_argument("--rounds", type=int, default=3)
    _common.add_cache_dir(parser)
    args = parser.parse_args()
    from PySide6.QtWidgets import QApplication

    from desktop_app.core.models import open_model
    from desktop_app.core.paths import AppPaths
    from desktop_app.core.store import Store
    from desktop_app.gui.chat import ChatController
    from desktop_app.gui.tasks import TaskManager

    app = QApplication(sys.argv[:1])
    folder = _common.bundled_folder(args.cache_dir)
    data = AppPaths.resolve(Path(tempfile.mkdtemp(prefix="drafts-bench-"))).ensure()
    store = Store.open(data.db_path)
    tasks = TaskManager()
    chat = ChatController(store, data, tasks, device="cpu")
    chat.use_model(open_model(str(folder), data, device="cpu"))
    chat.settings = replace(chat.settings, max_new_tokens=args.tokens, seed=0, temperature=0.0)
    print(_common.load_average(), flush=True)
    speeds = {mode: [] for mode in MODES}
    for round_ in range(args.rounds):
        for mode, interval in MODES.items():
            speed, writes = answer_once(app, chat, interval, "Write a long story about a lighthouse keeper.")
            speeds[mode].append(speed)
            print(f"round {round_ + 1} {mode}: {speed:.2f} tok/s, {writes} draft writes", flush=True)
    for mode in MODES:
        _common.figure(f"tokens_per_s_{mode}", _common.median(speeds[mode]))
    _common.figure("ratio_every_1s_vs_off", _common.median(speeds["every_1s"]) / _common.median(speeds["off"]), 3)
    _common.figure("ratio_every_batch_vs_off", _common.median(speeds["every_batch"]) / _common.median(speeds["off"]), 3)
    _common.figure("draft_write_ms_512_tokens", write_cost(store, 512))
    _common.figure("draft_write_ms_2000_tokens", write_cost(store, 2000))
    print(_common.load_average(), flush=True)
    tasks.shutdown()
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
