"""Peak memory of a fine-tune of the GPT-2 124M shape on the CPU (issue target: under 3 GB).

The whole process is measured: the chat model, the separate training copy, 16 thumbs-rated
answers of ~100 tokens, batch 8. Prints the resident size per phase and `peak_rss_mb: N`.

    python bench/finetune_memory.py [--steps 3] [--batch-size 8]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=8)
    args = parser.parse_args()

    from transformers import GPT2Config, GPT2LMHeadModel
    from transformers.utils import logging as hf_logging

    from desktop_app.core.models import open_model
    from desktop_app.core.paths import AppPaths
    from desktop_app.core.store import Store
    from desktop_app.core.train_settings import FineTuneSettings
    from desktop_app.core.training import run_finetune
    from test_training_data import add_answer
    from tiny_model import build_tiny_model

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    tmp = Path(tempfile.mkdtemp(prefix="ft-mem-"))
    folder = build_tiny_model(tmp / "model")  # a real tokenizer; weights replaced below
    GPT2LMHeadModel(GPT2Config(vocab_size=50257, n_positions=1024)).save_pretrained(folder)
    paths = AppPaths.resolve(tmp / "data").ensure()
    loaded = open_model(str(folder), paths, device="cpu")
    store = Store.open(paths.db_path)
    for i in range(16):
        _c, _u, mid, _p = add_answer(store, loaded, f"Question number {i} about something?", seed=i,
                                     max_new_tokens=100)
        store.rate_message(mid, 1 if i % 2 else -1)
    seen = set()

    def progress(p) -> None:
        key = (p.phase, p.step)
        if key not in seen:
            seen.add(key)
            print(f"{p.phase:<10} step {p.step}/{p.total}  rss {rss_mb():6.0f} MB  peak {peak_mb():6.0f} MB", flush=True)

    settings = FineTuneSettings(max_steps=args.steps, min_steps=args.steps, batch_size=args.batch_size,
                                reask_count=0, rescore=False)
    result = run_finetune(store, loaded, paths, settings, progress=progress)
    print(f"run: {result.status}")
    print(f"peak_rss_mb: {peak_mb():.0f}")


if __name__ == "__main__":
    main()
