"""Whether one text gets the same figures however its analysis came about.

A text is analysed (``session.analyse_text``, as the Text tab and ``gpt2-desk analyse`` run it)
along the paths a person takes to it, and each path's records are compared with a fresh analysis
of the text alone (what a restart of the app, or the CLI, shows):

    typed          analysed as it was written, a few words at a time, each analysis going on from
                   the one before (the Text tab analyses after each pause in the typing)
    continued      the person's words analysed, then the text with a continuation after them
    edit_undo      analysed, a word near the start changed and analysed, the change undone and
                   analysed again
    window         the Text tab's own call (alternatives kept for the heatmap's first tokens)
    streamed       a continuation's records as generation made them (sampled token by token from
                   the model's cache) against the same tokens scored in the analysis (not a path
                   to the analysis: the branch list's percentage is generation's)

and the other scorings whose figures a person can set beside the heatmap's:

    spans          the compare view's re-scoring of a conversation's answers read together
                   (``scoring.score_spans``): three spans of the text, each its own target
    in_parts       an imported answer's scoring in parts (``scoring.score_ids_in_parts``), stopped
                   after its first part and gone on with
    continuation   the compare view's scoring of a Text continuation: its tokens after the text
                   before them (``scoring.score_ids``, as ``session.score_branch_with_and_without_adapter``)
    explain        "Why this token?" on the text's tokens (every third): log of its model's chance
                   (``explain_layers``' sampler facts) against the token's log-probability

Prints, per path, the largest |log-probability difference| of a token (nats) and the perplexity
(the fresh analysis's first), then the analysis time:

    same_figures_<path>_max_diff: D
    same_figures_<path>_perplexity: P
    analyse_cpu_s_<N>: S               a fresh analysis of the text made N tokens long (median of
                                       --rounds, this process's CPU seconds: steadier on a shared
                                       machine than the wall time)
    analyse_vs_plain_pass_ratio_<N>: R that / plain forward passes over the same ids, as the
                                       analysis read them before its passes had fixed places (one
                                       pass of the whole text per window of the model), in the same
                                       process, rounds interleaved
    edit_kept_cpu_s_<N>: S             the analysis after the last word of an N-token text is changed,
                                       going on from the analysis before it, with the first window's
                                       cache of the blocks before the change kept (LoadedModel.kept_blocks)
    edit_reread_cpu_s_<N>: S           the same with that cache dropped first: the blocks before the
                                       change read again to rebuild it (the way before)
    edit_kept_vs_reread_ratio_<N>: R   the two, rounds interleaved (medians)
    same_figures_edit_kept_<N>_max_diff: D   its records against a fresh analysis of the edited text

    taskset -c 0 nice -n 5 python bench/same_figures.py [--model tiny|bundled] [--precision auto|exact|fast|compact]
        [--rounds 3] [--tokens 90 600 2000] [--edit-tokens 600 2000]
"""

from __future__ import annotations

import argparse
import math
import tempfile
from pathlib import Path

import _common
from _common import Clock, figure, load_average, median

PERSON = ("The lighthouse keeper counted the ships every evening. He wrote their names in a small book, "
          "and when the fog came in he lit the lamp early and listened for the horns. Nobody had asked "
          "him to keep the book, but he kept it all the same, year after year, until the pages were full.")
CONTINUATION = (" One winter a ship came in that was not in any of his books, and he sat up all night "
                "wondering where it had come from.")


def load(args, tmp: Path):
    from desktop_app.core.models import open_model
    from desktop_app.core.paths import AppPaths

    if args.model == "tiny":
        from tiny_model import build_tiny_model

        folder = build_tiny_model(tmp / "tiny")  # the tests' fixture: a 128-token window
    else:
        folder = _common.bundled_folder(args.cache_dir)
    return open_model(str(folder), AppPaths.resolve(tmp / "data").ensure(), device="cpu", precision=args.precision)


def fitting(loaded, text: str, tokens: int) -> str:
    """The text's first words that make at most ``tokens`` tokens (the tiny model's words are many:
    the text, its continuation and a streamed one fit its 128-token window)."""
    words = text.split(" ")
    while len(words) > 1 and len(loaded.tokenizer(" ".join(words))["input_ids"]) > tokens:
        words.pop()
    return " ".join(words)


def perplexity(records) -> float:
    return math.exp(-math.fsum(r.logprob for r in records) / len(records))


def max_diff(records, reference) -> float:
    assert len(records) == len(reference), (len(records), len(reference))
    return max(abs(a.logprob - b.logprob) for a, b in zip(records, reference))


def typed(loaded, text: str, words: int = 6):
    """Analysed as written, ``words`` words at a time, each analysis going on from the one before."""
    from desktop_app.core.session import analyse_text

    pieces, previous = text.split(" "), None
    for end in list(range(words, len(pieces), words)) + [len(pieces)]:
        previous, _ = analyse_text(loaded, " ".join(pieces[:end]), previous=previous)
    return previous


def edit_undo(loaded, text: str):
    from desktop_app.core.session import analyse_text

    first, _ = analyse_text(loaded, text)
    edited, _ = analyse_text(loaded, text.replace("ships", "big grey ships", 1), previous=first)
    return analyse_text(loaded, text, previous=edited)[0]


def continued(loaded, person: str, text: str):
    from desktop_app.core.session import analyse_text

    return analyse_text(loaded, text, previous=analyse_text(loaded, person)[0])[0]


def streamed(loaded, person: str):
    """(generation's records of a continuation, the analysis of the person's words with it)."""
    from desktop_app.core.documents import continue_text
    from desktop_app.core.generation import SamplingSettings
    from desktop_app.core.scoring import encode_long
    from desktop_app.core.session import score_whole_text

    generation = continue_text(loaded, person, SamplingSettings(max_new_tokens=loaded.context_window // 5, seed=3))
    made = [r.id for r in generation.records]
    # the very tokens generation made (a random model's may read back as others from their text)
    ids = encode_long(loaded.tokenizer, person) + made
    whole = score_whole_text(loaded, person + generation.text, ids=ids)
    return generation.records, whole.records[len(whole.records) - len(made):]


def report(name: str, records, reference) -> None:
    print(f"same_figures_{name}_max_diff: {max_diff(records, reference):.3g}")
    figure(f"same_figures_{name}_perplexity", perplexity(records), 4)


def text_ids(loaded, scored):
    """(the ids the analysis read: the start token, then the text's; where its first record's token is)."""
    from desktop_app.core.prompts import plain_text_start
    from desktop_app.core.scoring import first_scored

    full = plain_text_start(loaded.tokenizer) + list(scored.ids)
    return full, len(full) - len(scored.ids) + first_scored(loaded.tokenizer)


def spans(loaded, scored):
    """score_spans over three spans of the analysed text, against the analysis's records there."""
    from desktop_app.core.scoring import score_spans

    full, first = text_ids(loaded, scored)
    n = len(full) - first
    cuts = [(first + 2, first + n // 3), (first + n // 3 + 3, first + 2 * n // 3), (first + 2 * n // 3, len(full))]
    together = score_spans(loaded, full, cuts)
    records = [r for part in together for r in part]
    reference = [r for a, b in cuts for r in scored.records[a - first:b - first]]
    return records, reference


def in_parts(loaded, scored):
    """score_ids_in_parts of the text's scored tokens, stopped after its first part and gone on with."""
    import threading

    from desktop_app.core.scoring import ScoredPart, score_ids_in_parts

    full, first = text_ids(loaded, scored)
    done, cancel = ScoredPart(), threading.Event()
    score_ids_in_parts(loaded, full[:first], full[first:], done, cancel=cancel, progress=lambda _p: cancel.set())
    assert done.records  # (a text of one part is done in one)
    return score_ids_in_parts(loaded, full[:first], full[first:], done), scored.records


def continuation(loaded, scored, person_tokens: int):
    """The continuation's tokens scored after the text before them, as the compare view scores it."""
    from desktop_app.core.scoring import score_ids

    full, first = text_ids(loaded, scored)
    at = first + person_tokens
    return score_ids(loaded, full[:at], full[at:]), scored.records[person_tokens:]


def explained(loaded, scored, every: int = 3):
    """(log of "Why this token?"'s model chance of every ``every``-th token, its analysis's log-probability)."""
    from types import SimpleNamespace

    from desktop_app.core.explain import explain_layers
    from desktop_app.core.generation import SamplingSettings
    from desktop_app.core.token_context import context_for_text

    got, want = [], []
    for index in range(0, len(scored.records), every):
        context = context_for_text(loaded, scored.ids, index, SamplingSettings(), by_model=False)
        first, _other = explain_layers(loaded, context)
        got.append(SimpleNamespace(logprob=math.log(first.sampler.raw_prob)))
        want.append(scored.records[index])
    return got, want


def plain_windows(length: int, window: int) -> list[tuple[int, int]]:
    """(begin, stop) of the passes the analysis read a text in before they had fixed places: the
    first window whole, then each next half window after the full window before it."""
    stride, plan, start = max(1, window // 2), [], 1
    while start < length:
        stop = min(length, max(window, start + stride))
        plan.append((max(0, stop - window), stop))
        start = stop
    return plan


def timing(loaded, text: str, rounds: int, tokens: int) -> None:
    """A fresh analysis against plain forward passes over the same ids (one a window, as the
    analysis read them before its passes had fixed places), rounds interleaved."""
    import torch

    from desktop_app.core.prompts import plain_text_start
    from desktop_app.core.session import analyse_text

    while len(loaded.tokenizer(text)["input_ids"]) < tokens:
        text += " " + text
    ids = loaded.tokenizer(text)["input_ids"][:tokens]
    text = loaded.tokenizer.decode(ids)
    ids = plain_text_start(loaded.tokenizer) + loaded.tokenizer(text)["input_ids"]
    windows = plain_windows(len(ids), loaded.context_window)
    plain, analysed = [], []
    for _ in range(rounds):
        with Clock() as clock, torch.inference_mode():
            for begin, stop in windows:
                loaded.model(input_ids=torch.tensor([ids[begin:stop]]), use_cache=False)
        plain.append(clock.cpu)
        with Clock() as clock:
            analyse_text(loaded, text, detailed=20_000)
        analysed.append(clock.cpu)
    figure(f"analyse_cpu_s_{tokens}", median(analysed), 4)
    figure(f"analyse_vs_plain_pass_ratio_{tokens}", median(analysed) / median(plain), 2)


def sized(loaded, text: str, tokens: int) -> str:
    """The text repeated and cut to ``tokens`` tokens (decoded back)."""
    while len(loaded.tokenizer(text)["input_ids"]) < tokens:
        text += " " + text
    return loaded.tokenizer.decode(loaded.tokenizer(text)["input_ids"][:tokens])


def edit_timing(loaded, text: str, rounds: int, tokens: int) -> None:
    """An edit at the end of a ``tokens``-token text analysed on from the analysis before it, with
    the first window's kept cache and with it dropped (the blocks before the change read again),
    rounds interleaved; each leaves the cache of the edited text, and the text is then put back
    (an edit at the end again) so the next round starts from the same place."""
    from desktop_app.core.session import analyse_text

    text = sized(loaded, text, tokens)
    edited = text.rsplit(" ", 1)[0] + " lighthouse."
    loaded.kept_blocks.clear()
    fresh = analyse_text(loaded, edited)[0]
    loaded.kept_blocks.clear()
    original = analyse_text(loaded, text)[0]
    kept, reread, worst = [], [], 0.0
    for _ in range(rounds):
        for times, drop in ((kept, False), (reread, True)):
            if drop:
                loaded.kept_blocks.clear()
            with Clock() as clock:
                after = analyse_text(loaded, edited, previous=original)[0]
            times.append(clock.cpu)
            worst = max(worst, max_diff(after.records, fresh.records))
            original = analyse_text(loaded, text, previous=after)[0]
    figure(f"edit_kept_cpu_s_{tokens}", median(kept), 4)
    figure(f"edit_reread_cpu_s_{tokens}", median(reread), 4)
    figure(f"edit_kept_vs_reread_ratio_{tokens}", median(kept) / median(reread), 3)
    print(f"same_figures_edit_kept_{tokens}_max_diff: {worst:.3g}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=["tiny", "bundled"], default="bundled")
    parser.add_argument("--precision", default="auto")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tokens", type=int, nargs="+", default=[90, 600, 2000],
                        help="the lengths of the texts timed (default: 90 600 2000)")
    parser.add_argument("--edit-tokens", type=int, nargs="*", default=[600, 2000],
                        help="the lengths of the texts an edit at the end is timed on (default: 600 2000)")
    _common.add_cache_dir(parser)
    args = parser.parse_args()
    from desktop_app.core.session import analyse_text

    with tempfile.TemporaryDirectory() as tmp:
        loaded = load(args, Path(tmp))
        person = fitting(loaded, PERSON, loaded.context_window // 2)
        text = person + fitting(loaded, CONTINUATION, loaded.context_window // 4)
        fresh, _ = analyse_text(loaded, text)
        print(f"{args.model} ({loaded.precision}), {len(fresh.records)} tokens; {load_average()}")
        report("fresh", fresh.records, fresh.records)
        report("window", analyse_text(loaded, text, detailed=20_000)[0].records, fresh.records)
        report("typed", typed(loaded, text).records, fresh.records)
        report("continued", continued(loaded, person, text).records, fresh.records)
        report("edit_undo", edit_undo(loaded, text).records, fresh.records)
        report("streamed", *streamed(loaded, person))
        report("spans", *spans(loaded, fresh))
        report("in_parts", *in_parts(loaded, fresh))
        report("continuation", *continuation(loaded, fresh, len(analyse_text(loaded, person)[0].records)))
        report("explain", *explained(loaded, fresh))
        for tokens in args.tokens:
            timing(loaded, text, args.rounds, tokens)
        for tokens in args.edit_tokens:
            edit_timing(loaded, text, args.rounds, tokens)


if __name__ == "__main__":
    main()
