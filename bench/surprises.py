"""The Text tab's Surprises ranking (core.surprises.find_surprises) against sorting every token, in one run.

Records made up with the figures of a real text's spread (log-probabilities and entropies drawn from a
fixed seed): --tokens of them (default 20,000, the heatmap's most), ranked in both orders, against
the plain way, ``sorted`` over every token by the same score. Rounds are interleaved; medians compared.

Prints:
    rank_20000_ms: X            find_surprises, the list's 50, wall ms (the store lane's work per analysis)
    sort_20000_ms: Y            sorting every token by the same score
    rank_vs_sort_ratio: X/Y     (target <= 1: never slower than the sort)
    rank_1000000_ms: Z          the same ranking over a million tokens (--million)

    python bench/surprises.py [--tokens 20000] [--rounds 5] [--million]
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop_app.core.records import TokenRecord  # noqa: E402
from desktop_app.core.surprises import find_surprises  # noqa: E402


def made_up_records(count: int, seed: int = 46) -> list[TokenRecord]:
    rng = random.Random(seed)
    return [TokenRecord(id=i, text=f" w{i}", logprob=-rng.expovariate(1 / 3.0), rank=1 + int(rng.expovariate(0.01)),
                        entropy=rng.uniform(0.0, 6.0)) for i in range(count)]


def sort_all(records, order: str) -> list:
    def score(r):
        surprisal = -r.logprob / math.log(2)
        return surprisal - r.entropy / math.log(2) if order == "sure_and_wrong" else surprisal

    return sorted(range(len(records)), key=lambda i: score(records[i]), reverse=True)[:50]


def timed_ms(work) -> float:
    start = time.perf_counter()
    work()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokens", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--million", action="store_true")
    args = parser.parse_args()
    records = made_up_records(args.tokens)
    ours, plain = [], []
    for _round in range(args.rounds):
        for order in ("least_likely", "sure_and_wrong"):
            ours.append(timed_ms(lambda: find_surprises(records, order, count=50)))
            plain.append(timed_ms(lambda: sort_all(records, order)))
    rank, sort = statistics.median(ours), statistics.median(plain)
    print(f"rank_{args.tokens}_ms: {rank:.1f}")
    print(f"sort_{args.tokens}_ms: {sort:.1f}")
    print(f"rank_vs_sort_ratio: {rank / sort:.2f}")
    if args.million:
        many = made_up_records(1_000_000)
        print(f"rank_1000000_ms: {timed_ms(lambda: find_surprises(many, 'sure_and_wrong', count=50)):.0f}")


if __name__ == "__main__":
    main()
