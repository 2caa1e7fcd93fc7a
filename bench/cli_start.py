"""The wall and CPU time of CLI commands, each as a fresh `gpt2-desk` process: `rate --token` and `export`
(they read only the tokenizer), two refusals (`adapters export 99`, `finetune --epochs -1`), `adapters list`
(no model loaded), and the start of `ask` and `score` on the bundled model (its first token: `--max-new-tokens 1`).

"before" runs the same command as the code did before cli102: the tokenizer read by transformers
(core/file_tokenizer.read_file_tokenizer made to find no tokenizer.json, so open_tokenizer falls back to
it) and, for the refusals, transformers' logging imported first (quiet_libraries ran before the checks);
for `ask` and `score`, as before cli105: the bf16 kernel's copies of the weights laid out two bytes at a time
and oneDNN's copies checked whole before a layout that differs at its first block was passed over (the
functions of then, put back), and the fine-tune's verdict imported with the CLI; for `adapters list`, as before
robust108: huggingface_hub's snapshot_download imported to learn that the default model is not cached.
"after" runs it as it ships. Both in this one run, alternating, on the tiny fixture model (ask and score: the
bundled model); prints the median seconds of each and after/before, of the wall time and of the child's CPU
time (on a shared machine the CPU time is the steadier). One core, as the cli105 figures were taken:

    taskset -c 0 python bench/cli_start.py [--repeats 3] [--no-bundled]"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _common

BENCH = Path(__file__).resolve().parent  # cli_start_before.py, which "before" imports

# one interpreter per run, as a person's shell starts one; "before" puts back what the old code did
RUNNER = """
import sys
if sys.argv[1] == "before":
    from desktop_app.core import file_tokenizer, logs
    file_tokenizer.read_file_tokenizer = lambda folder: None
    if sys.argv[2:4] == ["adapters", "export"] or sys.argv[2] == "finetune":
        logs.quiet_libraries()
    if sys.argv[2:4] == ["adapters", "list"]:  # before robust108: snapshot_download asked even with no ref cached
        from desktop_app.core import model_sources
        model_sources._hub_cache_names = lambda repo_id: True
    if sys.argv[2] in ("ask", "score"):
        import cli_start_before
        cli_start_before.put_back()
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


def _seconds(when: str, argv: list[str], expect: int) -> tuple[float, float]:
    """(wall seconds, the child's CPU seconds: user and system) of one run."""
    start, used = time.perf_counter(), _children_cpu()
    done = subprocess.run([sys.executable, "-c", RUNNER, when, *argv], capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=os.pathsep.join([str(_common.ROOT), str(BENCH)])))
    took, cpu = time.perf_counter() - start, _children_cpu() - used
    if done.returncode != expect:
        raise SystemExit(f"{' '.join(argv)} ({when}) exited {done.returncode}: {done.stderr.strip()}")
    return took, cpu


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _commands(model_dir: Path, answer: int, scratch: Path, bundled: Path | None) -> dict[str, tuple[list[str], int]]:
    """name -> (argv, the exit code it should give). Each export writes a new file (none is overwritten)."""
    counter = iter(range(10**6))
    model = ["--model", str(model_dir)]
    starts = {} if bundled is None else {
        "ask (bundled)": (lambda: ["ask", "Hi", "--model", str(bundled), "--max-new-tokens", "1", "--seed", "1"], 0),
        "score (bundled)": (lambda: ["score", "The cat sat on the mat.", "--model", str(bundled)], 0),
    }
    return {**starts, 
        "rate --token": (lambda: ["rate", str(answer), "down", "--token", "1", *model], 0),
        "export": (lambda: ["export", "--format", "kto", "--out", str(scratch / f"kto{next(counter)}.jsonl"), *model], 0),
        "adapters export 99": (lambda: ["adapters", "export", "99", "--format", "peft", "--out",
                                        str(scratch / "none")], 2),
        "finetune --epochs -1": (lambda: ["finetune", "--epochs", "-1"], 2),
        "adapters list": (lambda: ["adapters", "list"], 0),  # the default model, never downloaded here
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-bundled", action="store_true", help="leave out ask and score on the bundled model")
    parser.add_argument("--only", metavar="WORD", help="only the commands whose name holds WORD (e.g. score)")
    _common.add_cache_dir(parser)
    args = parser.parse_args()
    from tiny_model import build_tiny_model

    scratch = Path(tempfile.mkdtemp(prefix="cli-start-"))
    os.environ.update(GPT2_DESK_DATA_DIR=str(scratch / "data"), HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    model_dir = build_tiny_model(scratch / "tiny")
    answer = _rated_answer(model_dir)
    bundled = None if args.no_bundled else _common.bundled_folder(args.cache_dir)
    print(_common.load_average())
    results = {}
    for name, (argv, expect) in _commands(model_dir, answer, scratch, bundled).items():
        if args.only and args.only not in name:
            continue
        _seconds("after", argv(), expect)  # not counted: the first run reads the files from disk
        times = {"before": [], "after": []}
        for _ in range(args.repeats):
            for when in times:
                times[when].append(_seconds(when, argv(), expect))
        results[name] = _ratios(times)
        print(f"{name:22s} " + "  ".join(f"{kind} before {r['before_s']:5.2f} s after {r['after_s']:5.2f} s "
                                         f"after/before {r['ratio']:.2f}" for kind, r in results[name].items()))
    print(json.dumps(results))


def _ratios(times: dict) -> dict:
    """{"wall"|"cpu": {before_s, after_s, ratio}} from the runs' (wall, cpu) pairs: medians of each."""
    out = {}
    for i, kind in enumerate(("wall", "cpu")):
        before = _common.median([t[i] for t in times["before"]])
        after = _common.median([t[i] for t in times["after"]])
        out[kind] = {"before_s": round(before, 2), "after_s": round(after, 2), "ratio": round(after / before, 2),
                     "runs": {when: [round(t[i], 2) for t in times[when]] for when in times}}
    return out


if __name__ == "__main__":
    main()
