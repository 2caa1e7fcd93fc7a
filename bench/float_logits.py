"""What float32 logits on Fast cost and what they fix (core.float_logits).

Loads the bundled model once at Fast (bfloat16 on this CPU) and runs every measure twice in the
same process, rounds interleaved: with the output layer's logits rounded to bfloat16 (as before,
``float_logits.enabled = False``) and kept in float32 (now). A text of a few hundred tokens is
analysed both ways and once at Exact (float32 weights), the reference for ties:

    generate_tok_s_rounded / _float: S   tokens per second of an answer (--tokens, sampled, one seed)
    generate_float_vs_rounded_ratio: R   the two times (median of --rounds), float / rounded
    analyse_cpu_s_rounded / _float: S    this process's CPU seconds of one analysis of the text
    analyse_float_vs_rounded_ratio: R
    tied_pairs_rounded / _float: N       next-to-each-other pairs of a token's top-10 alternatives
                                         with the same probability, bit for bit
    false_ties_rounded / _float: N       those shown with the same chance (core.percent_words) where
                                         Exact shows the two tokens' chances apart
    alternatives_pairs: N                the pairs looked at (9 per token)

    taskset -c 0 nice -n 5 python bench/float_logits.py [--rounds 5] [--tokens 128] [--precision compact]

``--precision compact``: the same for Compact, whose output layer's int8 product gives float32 logits
in a full pass (core.compact.Int8Weights.float_product; its one-token steps stay as they are).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

import _common

TEXT = ("The lighthouse keeper counted the ships every evening. He wrote their names in a small book, with "
        "the hour each one passed and the colour of its flag. In summer there were many: fishing boats going "
        "out before dawn, ferries to the islands, now and then a tall ship with white sails that the children "
        "from the village ran down to the harbour to see. In winter there were few, and some weeks none at all. "
        "Then he read the old books again, the ones his father had kept before him, and compared the names. "
        "Some ships came back year after year, with new paint and new crews. Others stopped coming, and he "
        "never learned why. One night in March a storm came in from the west. The lamp turned as it always "
        "did, but the rain was so thick that he could not see the beam reach the water. Near midnight he "
        "heard a horn, very low, and then another. He went out on the gallery with his coat over his head and "
        "waited. A light moved on the sea, too close to the rocks, and he rang the bell until his arms ached. "
        "In the morning the harbour master told him that a cargo ship had turned just in time, and that its "
        "captain wanted to thank the man who rang the bell. The keeper wrote its name in the book, and under "
        "it, for the first time in thirty years, a word of his own: friends.")


def load(tmp: Path, precision: str):
    from desktop_app.core.models import open_model
    from desktop_app.core.paths import AppPaths

    folder = _common.bundled_folder(_common.DEFAULT_CACHE)
    return open_model(str(folder), AppPaths.resolve(tmp / precision).ensure(), device="cpu", precision=precision)


def analyse(loaded):
    from desktop_app.core.scoring import score_text

    with _common.Clock() as clock:
        _ids, records = score_text(loaded, TEXT)
    return clock.cpu, records


def generate_seconds(loaded, tokens: int) -> float:
    from desktop_app.core.generation import SamplingSettings, generate

    prompt = loaded.tokenizer("Write a short story about a lighthouse keeper.")["input_ids"]
    settings = SamplingSettings(max_new_tokens=tokens, seed=3, temperature=1.0, top_k=0, top_p=1.0, alternatives=10)
    with _common.Clock() as clock:
        done = generate(loaded, prompt, settings, stop_sequences=())
    return clock.wall / max(1, len(done.records))


def ties(records, exact_records) -> tuple[int, int, int]:
    """(pairs with bit-equal probabilities, of those the false ties, pairs looked at)."""
    from desktop_app.core.percent_words import percent

    equal = false = pairs = 0
    for record, exact in zip(records, exact_records):
        exact_prob = {alt.id: alt.prob for alt in exact.top}
        for a, b in zip(record.top, record.top[1:]):
            pairs += 1
            if a.prob != b.prob:
                continue
            equal += 1
            if a.id in exact_prob and b.id in exact_prob and percent(a.prob) == percent(b.prob) \
                    and percent(exact_prob[a.id]) != percent(exact_prob[b.id]):
                false += 1
    return equal, false, pairs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--tokens", type=int, default=128)
    parser.add_argument("--precision", default="fast", choices=["fast", "compact"])
    args = parser.parse_args()
    from desktop_app.core import float_logits

    with tempfile.TemporaryDirectory() as tmp:
        fast = load(Path(tmp), args.precision)
        exact_records = analyse(load(Path(tmp), "exact"))[1]
        print(f"precision: {fast.precision}; text: {len(exact_records)} tokens; {_common.load_average()}")
        times = {True: {"gen": [], "analyse": []}, False: {"gen": [], "analyse": []}}
        records = {}
        for _ in range(args.rounds + 1):  # the first round warms up (kernels, caches): not counted
            for unrounded in (False, True):
                float_logits.enabled = unrounded
                times[unrounded]["gen"].append(generate_seconds(fast, args.tokens))
                cpu, records[unrounded] = analyse(fast)
                times[unrounded]["analyse"].append(cpu)
        float_logits.enabled = True
    for unrounded, name in ((False, "rounded"), (True, "float")):
        gen = statistics.median(times[unrounded]["gen"][1:])
        _common.figure(f"generate_tok_s_{name}", 1 / gen, 1)
        _common.figure(f"analyse_cpu_s_{name}", statistics.median(times[unrounded]["analyse"][1:]), 3)
        equal, false, pairs = ties(records[unrounded], exact_records)
        _common.figure(f"tied_pairs_{name}", equal, 0)
        _common.figure(f"false_ties_{name}", false, 0)
    _common.figure("alternatives_pairs", pairs, 0)
    ratio = {k: statistics.median(times[True][k][1:]) / statistics.median(times[False][k][1:]) for k in ("gen", "analyse")}
    _common.figure("generate_float_vs_rounded_ratio", ratio["gen"], 3)
    _common.figure("analyse_float_vs_rounded_ratio", ratio["analyse"], 3)


if __name__ == "__main__":
    main()
