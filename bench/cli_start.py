"""The wall time of CLI commands that need no model, each as a fresh `gpt2-desk` process: `rate --token`
and `export` (they read only the tokenizer), and two refusals (`adapters export 99`, `finetune --epochs -1`).

"before" runs the same command as the code did before cli102: the tokenizer read by transformers
(core/file_tokenizer.read_file_tokenizer made to find no tokenizer.json, so open_tokenizer falls back to
it) and, for the refusals, transformers' logging imported first (quiet_libraries ran before the checks).
"after" runs it as it ships. Both in this one run, alternating, on the tiny fixture model; prints the
median seconds of each and after/before.

    python bench/cli_start.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _common

# one interpreter per run, as a person's shell starts one; "before" puts back what the old code did
RUNNER = """
import sys
if sys.argv[1] == "before":
    from desktop_app.core import file_tokenizer, logs
    file_tokenizer.read_file_tokenizer = lambda folder: None
    if sys.argv[2] in ("adapters", "finetune"):
        logs.quiet_libraries()
from desktop_app.cli import main
sys.exit(main(sys.argv[2:]))
"""


def _rated_answer(model_dir: Path) -> int:
    """One stored answer of the tiny model's tokens, thumbed down: `export` has an example to write."""
    from desktop_app.core.file_tokenizer import read_file_tokenizer
    from desktop_app.core.paths import AppPaths
    from desktop_app.core.prompts import encode
    from desktop_app.core.records import TokenRecord
    from desktop_app.core.store import Store
    from desktop_app.core.text_pieces import piece_texts

    tokenizer = read_file_tokenizer(model_dir)
    ids = encode(tokenizer, "I am fine, thank you.")
    records = [TokenRecord(i, piece, -1.0, 1, 1.0) for i, piece in zip(ids, piece_texts(tokenizer, ids))]
    with Store.open(AppPaths.resolve().db_path) as store:
        conv = store.create_conversation()
        user = store.add_message(conv, "user", "Hi")
        answer = store.add_message(conv, "assistant", "I am fine, thank you.", parent_id=user, records=records,
                                   model_id=f"folder:{model_dir}")
        store.rate_message(answer, -1, None)
        return answer


def _seconds(when: str, argv: list[str], expect: int) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", RUNNER, when, *argv], capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=str(_common.ROOT)))
    took = time.perf_counter() - start
    if done.returncode != expect:
        raise SystemExit(f"{' '.join(argv)} ({when}) exited {done.returncode}: {done.stderr.strip()}")
    return took


def _commands(model_dir: Path, answer: int, scratch: Path) -> dict[str, tuple[list[str], int]]:
    """name -> (argv, the exit code it should give). Each export writes a new file (none is overwritten)."""
    counter = iter(range(10**6))
    model = ["--model", str(model_dir)]
    return {
        "rate --token": (lambda: ["rate", str(answer), "down", "--token", "1", *model], 0),
        "export": (lambda: ["export", "--format", "kto", "--out", str(scratch / f"kto{next(counter)}.jsonl"), *model], 0),
        "adapters export 99": (lambda: ["adapters", "export", "99", "--format", "peft", "--out",
                                        str(scratch / "none")], 2),
        "finetune --epochs -1": (lambda: ["finetune", "--epochs", "-1"], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    from tiny_model import build_tiny_model

    scratch = Path(tempfile.mkdtemp(prefix="cli-start-"))
    os.environ.update(GPT2_DESK_DATA_DIR=str(scratch / "data"), HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    model_dir = build_tiny_model(scratch / "tiny")
    answer = _rated_answer(model_dir)
    print(_common.load_average())
    results = {}
    for name, (argv, expect) in _commands(model_dir, answer, scratch).items():
        times = {"before": [], "after": []}
        for _ in range(args.repeats):
            for when in times:
                times[when].append(_seconds(when, argv(), expect))
        before, after = _common.median(times["before"]), _common.median(times["after"])
        results[name] = {"before_s": round(before, 2), "after_s": round(after, 2), "ratio": round(after / before, 2)}
        print(f"{name:22s} before {before:5.2f} s  after {after:5.2f} s  after/before {after / before:.2f}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
