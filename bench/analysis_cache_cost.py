"""The kept analyses' file (core/analysis_cache.py): what keeping a large analysis costs against the analysis
it saves, and what the start's pruning of deleted documents' rows costs.

1. A real analysis: a GPT-2-124M-shaped model (random weights, the test suite's byte-level tokenizer) loaded
   by the app's loader scores an --analysis-tokens text as the Text tab does (10 alternatives, the first
   20,000 tokens detailed); the write of its row (``analysis_cache.write``: encoding, the row, the budget's
   pass) is timed against it: ``keep_vs_analysis_ratio``.
2. Large rows: --large-tokens texts' analyses (made-up figures of the same shape: the first 20,000 tokens with
   10 alternatives, the rest without, as the app keeps them) written and read back; their write against
   the analysis extrapolated from 1. at the same tokens a second (``keep_vs_analysis_ratio_N``, an estimate:
   the analysis is not run at that length).
4. A write into a full file: a file of about --full-file-mb MB (rows of a 100,000-token analysis copied), and a
   1,000-token analysis written into it as each completed analysis is: the file checked whole before every
   write (as before textdocs62: ``_CHECKED`` emptied before each) against checked once a process (now), in
   one process, alternating, the median of --repeats each: ``full_file_write_before_over_after``.
3. Pruning at start: a file of --rows rows over as many documents, half of them deleted from the store:
   ``documents.forget_analyses_of_deleted_documents`` (the set difference, the delete, the file shrunk),
   then again with nothing to drop (what every later start pays).

    python bench/analysis_cache_cost.py [--analysis-tokens 1000] [--large-tokens 100000 1000000] [--rows 1000]
        [--full-file-mb 200] [--repeats 5] [--skip-analysis]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common  # noqa: E402,F401  (the repository and tests/ on the path)

DETAILED = 20_000  # gui/text_analysis.py HEATMAP_MAX_TOKENS


def timed(work):
    begin = time.perf_counter()
    result = work()
    return result, time.perf_counter() - begin


def kept_of(scored):
    from desktop_app.core import analysis_cache

    return analysis_cache.KeptAnalysis(list(scored.ids), scored.unscored_prefix, list(scored.records),
                                       scored.first, scored.passes)


def real_analysis(tokens: int, folder: Path, out: dict) -> float:
    """Score a text of ``tokens`` and keep it; the analysis's seconds a token."""
    from kept_analysis import model_folder, text_of

    from desktop_app.core import analysis_cache, session
    from desktop_app.core.models import open_model
    from desktop_app.core.paths import AppPaths

    model = model_folder()
    loaded = open_model(str(model), AppPaths.resolve(folder / "data").ensure(), device="cpu")
    text = text_of(model, tokens)
    scored, analysis_s = timed(lambda: session.score_whole_text(loaded, text, detailed=DETAILED))
    identity = analysis_cache.model_identity(loaded, 10, DETAILED)
    kept, keep_s = timed(lambda: analysis_cache.write(folder / "real.sqlite3", text, identity, kept_of(scored)))
    out.update(analysis_tokens=len(scored.ids), analysis_s=round(analysis_s, 2), keep_s=round(keep_s, 4),
               keep_vs_analysis_ratio=round(keep_s / analysis_s, 5),
               row_bytes_per_token=round((folder / "real.sqlite3").stat().st_size / len(scored.ids), 1))
    return analysis_s / len(scored.ids)


def made_up_analysis(tokens: int, seed: int = 0):
    """An analysis of ``tokens`` with the shape the app keeps (figures random, texts of 1-6 characters)."""
    from desktop_app.core.records import Alternative, TokenRecord
    from desktop_app.core.score_passes import Pass

    from desktop_app.core import analysis_cache

    rng = random.Random(seed)
    words = ["the", " a", " harbour", "ing", ",", " gulls", " over", "."]

    def record(i: int) -> TokenRecord:
        top = tuple(Alternative(rng.randrange(50257), rng.choice(words), rng.random()) for _ in range(10)) \
            if i < DETAILED else ()
        return TokenRecord(rng.randrange(50257), rng.choice(words), -rng.random() * 8, rng.randrange(1, 500),
                           rng.random() * 6, top, precision="float32")

    ids = [rng.randrange(50257) for _ in range(tokens)]
    return analysis_cache.KeptAnalysis(ids, "", [record(i) for i in range(tokens - 1)], 1,
                                       (Pass(tokens, 0, tokens),))


def large_rows(sizes, seconds_a_token: float, folder: Path, out: dict) -> None:
    from desktop_app.core import analysis_cache

    for tokens in sizes:
        kept = made_up_analysis(tokens)
        path, text = folder / f"large-{tokens}.sqlite3", f"text {tokens}"
        _, keep_s = timed(lambda: analysis_cache.write(path, text, "identity", kept))
        back, read_s = timed(lambda: analysis_cache.read(path, text, "identity"))
        assert back == kept
        analysis_s = seconds_a_token * tokens
        out[f"row_mb_{tokens}"] = round(path.stat().st_size / 1e6, 1)
        out[f"keep_s_{tokens}"], out[f"read_s_{tokens}"] = round(keep_s, 2), round(read_s, 2)
        out[f"analysis_s_estimated_{tokens}"] = round(analysis_s, 1)
        out[f"keep_vs_analysis_ratio_{tokens}"] = round(keep_s / analysis_s, 5)
        del kept, back


def pruning(rows: int, folder: Path, out: dict) -> None:
    """``rows`` rows of 200-token analyses over ``rows`` documents, half of them then deleted from the store."""
    from desktop_app.core import analysis_cache, documents
    from desktop_app.core.store import Store

    store = Store.open(folder / "prune" / "db.sqlite3")
    cache = analysis_cache.cache_file(store.path)
    kept = made_up_analysis(200)
    ids = [documents.create_document(store, f"text {i}") for i in range(rows)]
    for document_id in ids:
        analysis_cache.write(cache, f"text {document_id}", "identity", kept, document_id)
    with store.transaction() as conn:  # deleted as an older version did: the rows stay behind
        conn.executemany("DELETE FROM documents WHERE id = ?", [(i,) for i in ids[::2]])
    peak = cache.stat().st_size
    gone, prune_s = timed(lambda: documents.forget_analyses_of_deleted_documents(store))
    again, noop_s = timed(lambda: documents.forget_analyses_of_deleted_documents(store))
    out.update(prune_rows=rows, prune_dropped=gone, prune_ms=round(prune_s * 1000, 1),
               prune_file_mb_before=round(peak / 1e6, 2), prune_file_mb_after=round(cache.stat().st_size / 1e6, 2),
               prune_nothing_to_drop_ms=round(noop_s * 1000, 2), prune_dropped_again=again)
    store.close()


def filled_file(path: Path, megabytes: int) -> int:
    """A kept analyses' file of about ``megabytes`` MB: one 100,000-token row, copied under other keys; its rows."""
    import sqlite3
    from contextlib import closing

    from desktop_app.core import analysis_cache

    analysis_cache.write(path, "text 0", "identity", made_up_analysis(100_000), 1, budget=2**40)
    copies = max(0, int(megabytes * 1e6 / path.stat().st_size) - 1)
    columns = ", ".join(c for c in analysis_cache._ROW_COLUMNS if c != "text_sha")
    with closing(sqlite3.connect(path)) as conn, conn:
        for i in range(copies):
            conn.execute(f"INSERT INTO analyses (text_sha, {columns}) SELECT text_sha || ?, {columns} FROM analyses "
                         "WHERE text_sha = ?", (f"-{i}", analysis_cache.text_key("text 0")))
    return copies + 1


def full_file_write(megabytes: int, repeats: int, folder: Path, out: dict) -> None:
    """The write of a 1,000-token analysis into a file of ``megabytes`` MB: checked whole each time (before)
    against checked once a process (after), alternating in this process."""
    import statistics

    from desktop_app.core import analysis_cache

    path = folder / "full.sqlite3"
    rows = filled_file(path, megabytes)
    kept = made_up_analysis(1000)
    analysis_cache.write(path, "warm-up", "identity", kept, 2)  # the file checked once, in the page cache
    before, after = [], []
    for i in range(repeats):
        analysis_cache._CHECKED.clear()  # as every write was before: the file checked whole first
        before.append(timed(lambda: analysis_cache.write(path, f"before {i}", "identity", kept, 2))[1])
        after.append(timed(lambda: analysis_cache.write(path, f"after {i}", "identity", kept, 2))[1])
    b, a = statistics.median(before), statistics.median(after)
    out.update(full_file_mb=round(path.stat().st_size / 1e6, 1), full_file_rows=rows,
               full_file_write_checked_each_time_ms=round(b * 1000, 1),
               full_file_write_checked_once_ms=round(a * 1000, 1),
               full_file_write_before_over_after=round(b / a, 1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--analysis-tokens", type=int, default=1000)
    parser.add_argument("--large-tokens", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--skip-analysis", action="store_true", help="no real analysis (no ratios)")
    parser.add_argument("--full-file-mb", type=int, default=200, help="0: no write into a full file")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json")
    args = parser.parse_args()
    folder, out = Path(tempfile.mkdtemp(prefix="analysis-cache-cost-")), {}
    pruning(args.rows, folder, out)
    print(json.dumps(out), flush=True)
    if args.full_file_mb:
        full_file_write(args.full_file_mb, args.repeats, folder, out)
        print(json.dumps(out), flush=True)
    if not args.skip_analysis:
        seconds_a_token = real_analysis(args.analysis_tokens, folder, out)
        large_rows(args.large_tokens, seconds_a_token, folder, out)
    print(json.dumps(out, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
