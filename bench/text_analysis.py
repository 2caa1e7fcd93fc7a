"""Text mode's analysis of a long text against plain forward passes, in one run.

GPT-2 124M shape (random weights from GPT2Config, a real byte-level tokenizer), a text of
--tokens tokens (default 10,000), scored window by window as Text mode does (records with
probability, rank, entropy and top-10 alternatives for every token) against the bare
minimum: one plain forward pass per window of the same plan over the same ids
(``model(input_ids).logits``, nothing else). Rounds are interleaved so machine noise hits
both alike; medians are compared. Then an edit near the end is re-scored from the earlier
scoring (only the windows from the edit on run again), and the heatmap of the scored text
is laid out by the real TokenView offscreen (QT_QPA_PLATFORM=offscreen).

Prints:
    analyse_ratio: X               Text mode's scoring / plain passes, the whole text in turn
                                   (target <= 1.2); analyse_ratio_whole_text: the whole text in
                                   one call again, after them, against the same plain passes
    rescore_after_edit_ratio: Y    re-scoring after an edit near the end / a full analysis
                                   (target well under 0.2)
    text_layout_10000: N ms        set_records + full layout of the heatmap (target < 300 ms),
                                   wall time; ..._cpu: the same in this process's CPU time

    python bench/text_analysis.py [--tokens 10000] [--rounds 1] [--device cpu|cuda] [--width 900]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

WORDS = ("the model reads every word of a long text and says how likely each token was , while the "
         "person writes on . some sentences are plain , others surprise it : café , naïve , 2026 !").split()


def long_ids(tokenizer, n: int) -> list[int]:
    """At least ``n`` token ids of a text made of common words (cut to ``n``)."""
    import random

    rng = random.Random(0)
    ids: list[int] = []
    while len(ids) < n:
        ids += tokenizer.encode(" ".join(rng.choice(WORDS) for _ in range(2000)) + "\n")
    return ids[:n]


def made_up_records(n: int) -> list:
    """Records of common words with random figures and ten alternatives each."""
    import math
    import random

    from desktop_app.core.records import Alternative, TokenRecord

    rng = random.Random(0)
    words = [" " + w for w in WORDS]
    return [TokenRecord(i % len(words), rng.choice(words), math.log(rng.random() + 1e-9), rng.randint(1, 5000),
                        rng.random() * 8, tuple(Alternative(j, words[j], rng.random() / 10) for j in range(10)))
            for i in range(n)]


def timed(fn, sync) -> tuple[float, object]:
    sync()
    start = time.perf_counter()
    result = fn()
    sync()
    return time.perf_counter() - start, result


def interleaved(loaded, ids, sync, rounds: int) -> tuple[float, float]:
    """Seconds of plain passes (one per window, as the text was read before the passes had fixed
    places: same_figures.plain_windows) and of Text mode's scoring of the whole text, in turn
    round by round (the shared machine's load hits both alike). A window is no longer scored
    alone: the first window's blocks read on from the cache of those before them."""
    from same_figures import plain_windows

    from desktop_app.core.scoring import score_ids

    plain = ours = 0.0
    for _ in range(rounds):
        for begin, stop in plain_windows(len(ids), loaded.context_window):
            chunk = torch.tensor([ids[begin:stop]], device=loaded.device)
            with torch.inference_mode():
                plain += timed(lambda: loaded.model(input_ids=chunk).logits, sync)[0]
        ours += timed(lambda: score_ids(loaded, ids[:1], ids[1:], 10), sync)[0]
    return plain / rounds, ours / rounds


def layout_ms(records, width: int) -> tuple[float, float]:
    """Median wall and CPU milliseconds (this process) of setting and laying out the heatmap."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from desktop_app.gui.token_view import TokenView

    app = QApplication.instance() or QApplication([])
    view = TokenView(lazy_tooltips=True)  # as Text mode's heatmap
    view.setFixedWidth(width)
    view.set_records(records[:50])  # warm-up: fonts, styles
    app.processEvents()
    wall, cpu = [], []
    for _ in range(3):  # the median of three: the shared machine's noise
        view.set_records([], prefix="")
        app.processEvents()
        start, start_cpu = time.perf_counter(), time.process_time()
        view.set_records(records, prefix="")
        view.document().size()  # the whole document laid out (the view's height follows it)
        app.processEvents()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokens", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--width", type=int, default=900, help="the heatmap's width in pixels")
    parser.add_argument("--layout-only", action="store_true",
                        help="only the heatmap's layout, of records with made-up figures (seconds, not minutes)")
    args = parser.parse_args()
    if args.layout_only:
        wall, cpu = layout_ms(made_up_records(args.tokens - 1), args.width)
        print(f"text_layout_{args.tokens}: {wall:.0f} ms\ntext_layout_{args.tokens}_cpu: {cpu:.0f} ms  "
              f"(load average: {os.getloadavg()[0]:.1f})")
        return 0

    from generation_overhead import build

    from desktop_app.core.scoring import score_ids

    loaded = build(args.device, False)
    ids = long_ids(loaded.tokenizer, args.tokens)

    def sync():
        if args.device == "cuda":
            torch.cuda.synchronize()

    def analyse(previous=None, of=ids):
        return score_ids(loaded, of[:1], of[1:], 10, previous=previous)

    analyse(of=ids[:loaded.context_window])  # warm-up
    plain, per_window = interleaved(loaded, ids, sync, args.rounds)
    whole, records = timed(analyse, sync)  # the real thing: the whole text at once
    edited = ids[:-40] + ids[5:10] + ids[-40:]  # five tokens inserted 40 before the end
    rescore_s, rescored = timed(lambda: analyse(previous=(ids, records), of=edited), sync)
    assert len(rescored) == len(edited) - 1
    from desktop_app.core.scoring import window_plan

    windows = len(window_plan(len(ids), 1, loaded.context_window))
    print(f"device: {args.device}  tokens: {len(ids)}  windows: {windows}  rounds: {args.rounds}  "
          f"torch threads: {torch.get_num_threads()}  load average: {os.getloadavg()[0]:.1f}")
    print(f"plain_forward_passes_s: {plain:.2f}  (one per window, interleaved with Text mode's)")
    print(f"text_mode_windows_s: {per_window:.2f}  (the whole text scored as Text mode scores it, in turn)")
    print(f"text_mode_whole_text_s: {whole:.2f}  (the whole text in one call, after them)")
    print(f"rescore_after_edit_s: {rescore_s:.2f}")
    print(f"analyse_ratio: {per_window / plain:.3f}")
    print(f"analyse_ratio_whole_text: {whole / plain:.3f}  (not interleaved: load changes show here)")
    print(f"rescore_after_edit_ratio: {rescore_s / whole:.3f}")
    wall, cpu = layout_ms(records, args.width)
    print(f"text_layout_{len(records) + 1}: {wall:.0f} ms")
    print(f"text_layout_{len(records) + 1}_cpu: {cpu:.0f} ms  (CPU time of this process: steadier on a shared machine)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
