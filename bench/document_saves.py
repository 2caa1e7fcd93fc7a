"""What a Text document's save costs with the kept analyses' file beside the store: ``documents.save_document``
looks in that file for an analysis made before the text was stored (``analysis_cache.attach_to_document``). It
had opened the file, read its format and run an UPDATE at every save (every pause in typing); it now reads it
only when the file changed since its last look (the file's signature: device, inode, size, modification time).

A real store and a real analyses' file of --rows analyses (made-up figures of --tokens tokens each, the
app's row format), one document saved --saves times with a new text each time (as typing does): the old way
(the memo emptied before each save, which is what the code did before) against the new, alternating, in one
process; the median of --repeats rounds each. Printed: the attach step alone and the whole save, old/new.

    python bench/document_saves.py [--rows 200] [--tokens 500] [--saves 50] [--repeats 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common  # noqa: E402,F401  (the repository on the path)

from desktop_app.core import analysis_cache, documents  # noqa: E402
from desktop_app.core.records import Alternative, TokenRecord  # noqa: E402
from desktop_app.core.store import Store  # noqa: E402


def made_up_analysis(tokens: int, rng: random.Random) -> analysis_cache.KeptAnalysis:
    """An analysis of the app's shape (ids, records with 10 alternatives), figures made up."""
    records = [TokenRecord(rng.randrange(50_000), f" w{i}", -2.3, 3, 2.8,
                           tuple(Alternative(rng.randrange(50_000), f" a{j}", 0.05) for j in range(10)))
               for i in range(tokens)]
    return analysis_cache.KeptAnalysis(list(range(tokens + 1)), "", records, 1, ())


def filled(folder: Path, rows: int, tokens: int) -> Store:
    """A store with ``rows`` documents, each with its analysis kept."""
    store = Store.open(folder / "db.sqlite3")
    cache, rng = analysis_cache.cache_file(store.path), random.Random(3)
    for n in range(rows):
        text = f"Text {n} about the harbour."
        document_id = documents.create_document(store, text)
        analysis_cache.write(cache, text, "bench identity", made_up_analysis(tokens, rng), document_id)
    return store


def timed_saves(store: Store, document_id: int, saves: int, old: bool, start: int) -> tuple[float, float]:
    """Seconds a save, and of it the attach step, over ``saves`` saves of new texts; ``old``: the memo emptied
    before each save, as the code read the file every time."""
    cache, whole, attach = analysis_cache.cache_file(store.path), 0.0, 0.0
    for n in range(saves):
        text = f"Draft {start + n}: the keeper counted the waves."
        if old:
            analysis_cache._UNATTACHED.clear()
        begin = time.perf_counter()
        documents.save_document(store, document_id, text)
        whole += time.perf_counter() - begin
        begin = time.perf_counter()
        if old:
            analysis_cache._UNATTACHED.clear()
        analysis_cache.attach_to_document(cache, text, document_id)  # the step alone, timed apart
        attach += time.perf_counter() - begin
    return whole / saves, attach / saves


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--tokens", type=int, default=500)
    parser.add_argument("--saves", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = filled(Path(tmp), args.rows, args.tokens)
        size = analysis_cache.cache_file(store.path).stat().st_size
        document_id = documents.create_document(store, "")
        figures: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
        for round_ in range(args.repeats):
            for old in (True, False):
                figures[old].append(timed_saves(store, document_id, args.saves, old, round_ * 10_000))
        store.close()
    old_save, old_attach = (statistics.median(f[i] for f in figures[True]) for i in (0, 1))
    new_save, new_attach = (statistics.median(f[i] for f in figures[False]) for i in (0, 1))
    print(f"analyses' file: {args.rows} analyses of {args.tokens} tokens, {size / 1e6:.1f} MB")
    print(f"attach step: old {old_attach * 1e3:.3f} ms, new {new_attach * 1e3:.3f} ms, "
          f"old/new {old_attach / new_attach:.1f}")
    print(f"whole save:  old {old_save * 1e3:.3f} ms, new {new_save * 1e3:.3f} ms, old/new {old_save / new_save:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
