"""Store throughput: save 200 answers of 500 tokens (10 alternatives each) and read them back.

Compared in the same run, on the same data, against plain ``sqlite3`` writing the same
rows (same tables, same packed values, same WAL journal and synchronous setting) with
``executemany`` in one transaction and reading them back with one SELECT. Both sides
start from the same TokenRecord lists and end with equal TokenRecord lists, so both pay
for packing and unpacking; the ratio is what the Store adds on top (one transaction per
answer, the conversation's ``updated``, checks, per-thread connections).

For reference it also times plain ``executemany`` of the obvious one-row-per-token /
one-row-per-alternative layout, which the packed layout replaces.

    .venv/bin/python bench/store_throughput.py [--messages 200] [--tokens 500] [--alternatives 10]

Prints ``store_ratio: X`` last (target <= 1.5).
"""

from __future__ import annotations

import argparse
import gc
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop_app.core import store_codec  # noqa: E402
from desktop_app.core.records import Alternative, TokenRecord  # noqa: E402
from desktop_app.core.store import Store, now  # noqa: E402
from desktop_app.core.store_schema import MIGRATIONS  # noqa: E402


def make_data(n_messages, n_tokens, n_alts, seed=0):
    rng = random.Random(seed)
    data = []
    for _ in range(n_messages):
        records = []
        for _ in range(n_tokens):
            alts = tuple(Alternative(rng.randrange(50257), f" alt{rng.randrange(5000)}", rng.random() / 2)
                         for _ in range(n_alts))
            records.append(TokenRecord(rng.randrange(50257), f" word{rng.randrange(5000)}", -rng.random() * 6,
                                       rng.randrange(1, 500), rng.random() * 5, alts))
        data.append(records)
    return data


def plain_connect(path):
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def run_store(folder, data):
    store = Store.open(Path(folder) / "store.sqlite3")
    conv = store.create_conversation("bench")
    prompt = store.add_message(conv, "user", "Tell me a story.")
    t0 = time.perf_counter()
    ids = [store.add_message(conv, "assistant", "".join(r.text for r in records), parent_id=prompt,
                             model_id="gpt2", settings={"temperature": 1.0}, records=records)
           for records in data]
    t1 = time.perf_counter()
    back = [store.token_records(mid) for mid in ids]
    t2 = time.perf_counter()
    store.close()
    return t1 - t0, t2 - t1, back


def run_plain_same_rows(folder, data):
    conn = plain_connect(str(Path(folder) / "plain.sqlite3"))
    conn.execute("BEGIN")
    for step in MIGRATIONS:
        for statement in step:
            conn.execute(statement)
    stamp = now()
    conn.execute("INSERT INTO conversations (id, title, created, updated) VALUES (1, 'bench', ?, ?)", (stamp, stamp))
    conn.execute("INSERT INTO messages (id, conversation_id, role, text, created) VALUES (1, 1, 'user', 'x', ?)",
                 (stamp,))
    conn.execute("COMMIT")
    t0 = time.perf_counter()
    stamp = now()
    message_rows = [(i + 2, 1, 1, "assistant", "".join(r.text for r in records), "gpt2", '{"temperature": 1.0}', stamp)
                    for i, records in enumerate(data)]
    record_rows = [(i + 2, "generated", None, *store_codec.encode(records), stamp) for i, records in enumerate(data)]
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO messages (id, conversation_id, parent_id, role, text, model_id, settings, created) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", message_rows)
    conn.executemany("INSERT INTO token_records (message_id, kind, adapter_id, n, ids, logprobs, ranks, entropies, "
                     "texts, top_counts, top_ids, top_probs, top_texts, created) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", record_rows)
    conn.execute("COMMIT")
    t1 = time.perf_counter()
    rows = conn.execute(f"SELECT {', '.join(store_codec.COLUMNS)} FROM token_records "
                        "WHERE kind = 'generated' ORDER BY message_id").fetchall()
    back = [store_codec.decode(*row) for row in rows]
    t2 = time.perf_counter()
    conn.close()
    return t1 - t0, t2 - t1, back


def run_plain_row_per_token(folder, data):
    conn = plain_connect(str(Path(folder) / "rows.sqlite3"))
    conn.execute("CREATE TABLE tokens (message_id INTEGER, idx INTEGER, id INTEGER, text TEXT, logprob REAL, "
                 "rank INTEGER, entropy REAL, PRIMARY KEY (message_id, idx)) WITHOUT ROWID")
    conn.execute("CREATE TABLE alternatives (message_id INTEGER, idx INTEGER, j INTEGER, id INTEGER, text TEXT, "
                 "prob REAL, PRIMARY KEY (message_id, idx, j)) WITHOUT ROWID")
    t0 = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO tokens VALUES (?, ?, ?, ?, ?, ?, ?)",
                     ((m, i, r.id, r.text, r.logprob, r.rank, r.entropy)
                      for m, records in enumerate(data) for i, r in enumerate(records)))
    conn.executemany("INSERT INTO alternatives VALUES (?, ?, ?, ?, ?, ?)",
                     ((m, i, j, a.id, a.text, a.prob)
                      for m, records in enumerate(data) for i, r in enumerate(records) for j, a in enumerate(r.top)))
    conn.execute("COMMIT")
    t1 = time.perf_counter()
    back = []
    for m in range(len(data)):
        alts: dict[int, list] = {}
        for idx, aid, text, prob in conn.execute(
                "SELECT idx, id, text, prob FROM alternatives WHERE message_id = ? ORDER BY idx, j", (m,)):
            alts.setdefault(idx, []).append(Alternative(aid, text, prob))
        back.append([TokenRecord(tid, text, lp, rank, ent, tuple(alts.get(idx, ())))
                     for idx, tid, text, lp, rank, ent in conn.execute(
                         "SELECT idx, id, text, logprob, rank, entropy FROM tokens WHERE message_id = ? "
                         "ORDER BY idx", (m,))])
    t2 = time.perf_counter()
    conn.close()
    return t1 - t0, t2 - t1, back


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--tokens", type=int, default=500)
    parser.add_argument("--alternatives", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=2, help="alternate the runs this often, keep the best")
    parser.add_argument("--skip-row-layout", action="store_true", help="skip the one-row-per-token reference")
    args = parser.parse_args(argv)

    data = make_data(args.messages, args.tokens, args.alternatives)
    gc.collect()
    gc.freeze()  # the input data is a fixture: keep it out of both sides' garbage collections
    n_tok = args.messages * args.tokens
    print(f"data: {args.messages} messages x {args.tokens} tokens x {args.alternatives} alternatives "
          f"({n_tok} records, {n_tok * args.alternatives} alternatives); sqlite {sqlite3.sqlite_version}, "
          "WAL, synchronous=FULL")

    best: dict[str, tuple[float, float]] = {}
    runners = [("plain", run_plain_same_rows), ("store", run_store)]
    if not args.skip_row_layout:
        runners.append(("rows", run_plain_row_per_token))
    for _ in range(args.repeat):
        for name, fn in runners:
            with tempfile.TemporaryDirectory() as folder:
                write, read, back = fn(folder, data)
            assert back == data, f"{name}: records did not read back equal"
            del back
            gc.collect()
            if name not in best or write + read < sum(best[name]):
                best[name] = (write, read)

    labels = {"store": "Store.add_message / token_records (1 transaction per answer)",
              "plain": "plain sqlite3 executemany, same rows (1 transaction)",
              "rows": "plain sqlite3 executemany, 1 row per token + per alternative"}
    for name in [n for n, _ in runners]:
        write, read = best[name]
        print(f"{name:>5}: write {write:7.3f} s  read {read:7.3f} s  total {write + read:7.3f} s  "
              f"({n_tok / (write + read):,.0f} records/s)  {labels[name]}")
    if "rows" in best:
        print(f"row_layout_ratio: {sum(best['store']) / sum(best['rows']):.2f}  (store vs one row per token)")
    print(f"store_ratio: {sum(best['store']) / sum(best['plain']):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
