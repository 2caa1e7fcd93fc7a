"""The Text tab's "Known by heart" passages (core.recited.find_recited) against its Surprises ranking
(core.surprises.find_surprises, the list's 50), on the same records in one run, and how its time grows (CPU time of
this process: the machine may be shared).

Records made up from a fixed seed: prose (the model's first choice at 40% of its tokens, as on a page
of new prose scored by the bundled model), with a passage known by heart (every token a first choice)
every 500 tokens and each tenth of the text pasted again further on (in-context repeats), so both of
its passes run: --tokens of them (default 20,000, the heatmap's most). Rounds interleaved; medians.

Prints:
    recited_20000_ms: X               find_recited (the store lane's work when the list asks)
    surprises_20000_ms: Y             find_surprises, least likely first, the list's 50
    recited_vs_surprises_ratio: X/Y
    recited_200000_vs_20000_ratio: Z  the same over ten times the tokens (about 10: linear; 100: quadratic)
    alternating_200000_vs_20000_ratio: W  first choice and miss in turn (the worst case for the
                                          segments' search back, quadratic without its links)

    python bench/recited.py [--tokens 20000] [--rounds 5]
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
from desktop_app.core.recited import find_recited  # noqa: E402
from desktop_app.core.surprises import find_surprises  # noqa: E402


def made_up_records(count: int, seed: int = 47) -> list[TokenRecord]:
    rng = random.Random(seed)
    ids = [rng.randrange(50_000) for _ in range(count)]
    for start in range(count // 10, count - count // 10, count // 5):  # tenths pasted again further on
        ids[start + count // 20:start + count // 10] = ids[start - count // 20:start]
    records = []
    for i, token in enumerate(ids):
        by_heart = i % 500 < 40
        first = by_heart or rng.random() < 0.4
        prob = rng.uniform(0.6, 1.0) if by_heart else rng.uniform(0.2, 0.9) if first else rng.uniform(0.0, 0.2)
        records.append(TokenRecord(id=token, text=f" w{token}", logprob=math.log(prob),
                                   rank=1 if first else 2 + int(rng.expovariate(0.05)), entropy=rng.uniform(0.0, 6.0)))
    return records


def alternating(count: int) -> list[TokenRecord]:
    return [TokenRecord(id=i, text=" w", logprob=math.log(0.5), rank=1 + i % 2, entropy=1.0) for i in range(count)]


def timed_ms(work) -> float:
    """CPU milliseconds of ``work``: on a shared machine steadier than the wall's (the work is one thread)."""
    start = time.process_time()
    work()
    return (time.process_time() - start) * 1000


def median_ms(work, rounds: int) -> float:
    return statistics.median(timed_ms(work) for _ in range(rounds))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokens", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    records = made_up_records(args.tokens)
    ours, theirs = [], []
    for _round in range(args.rounds):
        ours.append(timed_ms(lambda: find_recited(records, window=8192)))
        theirs.append(timed_ms(lambda: find_surprises(records, "least_likely", count=50)))
    recited, surprises = statistics.median(ours), statistics.median(theirs)
    found = find_recited(records, window=8192)
    print(f"passages found: {len(found)} ({sum(s.why == 'repeat' for s in found)} repeats)")
    print(f"recited_{args.tokens}_ms: {recited:.1f}")
    print(f"surprises_{args.tokens}_ms: {surprises:.1f}")
    print(f"recited_vs_surprises_ratio: {recited / surprises:.2f}")
    many = made_up_records(args.tokens * 10)
    print(f"recited_{args.tokens * 10}_vs_{args.tokens}_ratio: "
          f"{median_ms(lambda: find_recited(many, window=8192), 3) / recited:.1f}")
    small, large = alternating(args.tokens), alternating(args.tokens * 10)
    print(f"alternating_{args.tokens * 10}_vs_{args.tokens}_ratio: "
          f"{median_ms(lambda: find_recited(large), 3) / median_ms(lambda: find_recited(small), 3):.1f}")


if __name__ == "__main__":
    main()
