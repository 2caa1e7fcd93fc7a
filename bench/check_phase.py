"""How long a person waits after a fine-tune's last step (usertest 9, B9), the model in use
measured after the steps (as it was: ``--before-at`` past the last step) and between two early
steps (now: core.train_step_loop.BEFORE_AT_STEP), side by side in one process, alternating, each run
on a fresh data folder (an empty before-cache, as a person's first run) with the same ratings.

Printed per run: the wait after the last step's report until the verdict (wall and CPU s), the
whole run, and the estimate the steps gave of the check (``check_s`` at the first step with a
time left) against the check's real seconds. Summary lines: ``wait_after_steps_ratio`` (old /
new, wall) and ``wait_after_steps_cpu_ratio`` (CPU), ``run_cpu_ratio`` (whole runs, CPU).

    taskset -c 0 env OMP_NUM_THREADS=1 GPT2_DESK_THREADS=1 nice -n 5 \\
        .venv/bin/python -u bench/check_phase.py [--ratings 4] [--rounds 1] [--model bundled|tiny]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common  # noqa: E402  (the repository and tests/ on the path)

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def one_run(folder: str, ratings: int, before_at: int | None) -> dict:
    """A fine-tune on a fresh data folder; ``before_at``: core.train_step_loop.BEFORE_AT_STEP for it."""
    from desktop_app.core import train_step_loop
    from desktop_app.core.training import run_finetune
    from desktop_app.core.models import open_model
    from desktop_app.core.paths import AppPaths
    from desktop_app.core.train_settings import FineTuneSettings
    from finetune_time import rated_store

    paths = AppPaths.resolve(tempfile.mkdtemp(prefix="check-phase-")).ensure()
    loaded = open_model(folder, paths, device="cpu")
    if ratings:
        store = rated_store(loaded, paths, ratings)
    else:  # the tests' three rated answers (the tiny model's 128-token window takes no longer ones)
        from desktop_app.core.store import Store
        from test_training_data import rate_three_answers

        store = Store.open(paths.db_path)
        rate_three_answers(store, loaded, first_seed=10)
    marks: dict = {}

    def heard(p) -> None:
        now = (time.perf_counter(), time.process_time())
        if p.phase == "training" and p.step:
            marks["last_step"] = now
            if p.eta_s is not None and "check_s" not in marks:
                marks["check_s"] = p.check_s
        if p.message == "Measuring the new adapter":
            marks["after_start"] = now

    def verdict(_result) -> None:
        marks["verdict"] = (time.perf_counter(), time.process_time())

    saved = train_step_loop.BEFORE_AT_STEP
    train_step_loop.BEFORE_AT_STEP = before_at if before_at is not None else saved
    try:
        with _common.Clock() as whole:
            result = run_finetune(store, loaded, paths, FineTuneSettings(), progress=heard, verdict=verdict)
    finally:
        train_step_loop.BEFORE_AT_STEP = saved
        store.close()
    end = marks.get("verdict") or (time.perf_counter(), time.process_time())
    m = result.metrics
    return {"status": result.status, "reason": result.reason, "steps": m.get("steps"),
            "wait": end[0] - marks["last_step"][0], "wait_cpu": end[1] - marks["last_step"][1],
            "check": end[0] - marks["after_start"][0], "check_s": marks.get("check_s"),
            "run": whole.wall, "run_cpu": whole.cpu,
            "figures": {k: m.get(k) for k in ("margin_all_before", "margin_heldout_before", "probe_ppl_before",
                                              "reask_answers_before")}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ratings", type=int, default=4, help="0: the tests' three rated answers (for --model tiny)")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--model", default="bundled", help="'bundled', 'tiny' (the tests' tiny GPT-2) or a model folder")
    _common.add_cache_dir(parser)
    args = parser.parse_args()

    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    if args.model == "tiny":
        from tiny_model import build_tiny_model

        folder = str(build_tiny_model(Path(tempfile.mkdtemp(prefix="tiny-gpt2-"))))
    else:
        folder = str(_common.bundled_folder(args.cache_dir)) if args.model == "bundled" else args.model
    print(_common.load_average(), flush=True)
    rows = {"old": [], "new": []}
    for r in range(args.rounds):
        for name, before_at in (("old", 10 ** 6), ("new", None)):  # 10**6: due only at the last step
            row = one_run(folder, args.ratings, before_at)
            rows[name].append(row)
            print(f"round {r} {name}: {row['status']} ({row['reason'][:80]}), {row['steps']} steps; wait after the "
                  f"last step {row['wait']:.1f} s ({row['wait_cpu']:.1f} CPU-s), of it the new adapter's check "
                  f"{row['check']:.1f} s, estimated at the first timed step {row['check_s']}; whole run "
                  f"{row['run']:.1f} s ({row['run_cpu']:.1f} CPU-s); {_common.load_average()}", flush=True)
    same = all(a["figures"] == b["figures"] and a["status"] == b["status"] for a, b in zip(rows["old"], rows["new"]))
    print(f"the same 'before' figures and verdicts: {same}")
    med = {k: {n: _common.median([row[k] for row in rows[n]]) for n in rows} for k in ("wait", "wait_cpu", "run_cpu")}
    _common.figure("wait_after_steps_ratio", med["wait"]["old"] / med["wait"]["new"])
    _common.figure("wait_after_steps_cpu_ratio", med["wait_cpu"]["old"] / med["wait_cpu"]["new"])
    _common.figure("run_cpu_ratio", med["run_cpu"]["old"] / med["run_cpu"]["new"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
