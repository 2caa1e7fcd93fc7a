"""Text mode from the terminal: ``analyse FILE`` (GLTR's summary, the records in JSON,
exports) and ``continue FILE`` (the model writes on, coloured by probability)."""

from __future__ import annotations

import argparse
import json
import math
import sys
import threading
from pathlib import Path

from desktop_app.cli.common import (NEW_FILE_HELP, RECORD_FIELDS, CliError, load_model_for_cli, print_json,
                                    refuse_existing, stderr_bar)
from desktop_app.cli import model_cmds
from desktop_app.cli.model_cmds import add_sampling_options, generation_summary, sampling_from_args
from desktop_app.cli.out_option import add_hidden_alias, endings_words, fold_out_files, option_words
from desktop_app.cli.stdin_text import STDIN_ARGUMENT, STDIN_HELP, STDIN_NAME, stdin_bytes
from desktop_app.core.calibration import calibration_rows, calibration_words
from desktop_app.core.count_words import counted
from desktop_app.core.palette import MAX_ENTROPY_BITS  # no torch: the histogram's end
from desktop_app.core.recited import MIN_TOKENS  # (no model, no torch: the default in --help)
from desktop_app.core.records import RECORD_UNITS
from desktop_app.core.sentence_end import RUN_ON_FROM, RUN_ON_MOST

# the lists' token numbers count from 1, as the window's status bar does for the same token (they had counted from
# 0, the --json records' index: "token 7" here was the window's "token 8", cli52)
FROM_ONE = "tokens counted from 1, as the window counts them; --json's index is one less"
TOKEN_CSV_COLUMNS = ("index, text, id, prob, logprob, rank, entropy_nats, entropy_bits, surprisal_bits, "
                     "top_alternative, top_alternative_prob")
# `analyse --out FILE`: the file's ending -> (the option it stands for, what that file holds)
ANALYSE_OUT = {".json": ("export_json", "every token's record and the summary"),
               ".html": ("export_html", "the heatmap as a web page to share: hover a token for its figures"),
               ".png": ("export_png", "the heatmap as a picture; with --vs-base or --vs-adapter the change's"),
               ".summary.csv": ("export_csv", "GLTR's summary: buckets, histograms, figures"),
               ".tokens.csv": ("export_tokens_csv", "one row per token: " + TOKEN_CSV_COLUMNS)}
OLD_EXPORT_NAMES = (("--export-json", "export_json"), ("--export-csv", "export_csv"),
                    ("--export-tokens-csv", "export_tokens_csv"), ("--export-png", "export_png"),
                    ("--export-html", "export_html"))


def register(subparsers, common: argparse.ArgumentParser) -> None:
    _register_analyse(subparsers, common)
    _register_continue(subparsers, common)


def _register_analyse(subparsers, common: argparse.ArgumentParser) -> None:
    """``analyse`` (``analyze``): a text file's tokens, how predictable each was, and what an adapter changed."""
    analyse = subparsers.add_parser("analyse", parents=[common], aliases=["analyze"], epilog=ANALYSE_CTRL_C,
                                    help="how predictable every token of a text file is (GLTR's summary)")
    analyse.add_argument("file", metavar="FILE", help=f"a UTF-8 text file (.txt, .md, ...); {STDIN_HELP}")
    analyse.add_argument("--json", action="store_true",
                         help=f"print the summary and every token's record as JSON ({RECORD_FIELDS})")
    analyse.add_argument("--out", action="append", metavar="FILE",
                         help=f"also write the analysis to FILE, what it holds read from its ending: "
                              f"{endings_words(ANALYSE_OUT)}; once for each file ({NEW_FILE_HELP})")
    for old_name, dest in OLD_EXPORT_NAMES:  # before --out (cli105): scripts still use them
        add_hidden_alias(analyse, old_name, dest)
    analyse.add_argument("--width", type=int, default=900, metavar="PX", help="the PNG's width (default 900)")
    analyse.add_argument("--measure", default="probability", choices=["probability", "rank", "entropy", "surprisal"],
                         help="what the PNG's and the HTML page's colours show (default probability)")
    analyse.add_argument("--no-adapter", action="store_true", help="use the base model, not the active adapter")
    analyse.add_argument("--surprises", type=int, metavar="N",
                         help="also list the text's N most surprising tokens (the Text tab's Surprises; with --json: "
                              "a \"surprises\" list)")
    analyse.add_argument("--order", default="least_likely", choices=["least_likely", "sure_and_wrong"],
                         help="the surprises' order: least_likely (lowest probability first) or sure_and_wrong "
                              "(surprisal minus entropy: where the model was sure of another token)")
    analyse.add_argument("--recited", action="store_true",
                         help="also list the passages the model knows by heart: 12 or more tokens nearly all of which "
                              "were its first choice, each with why (it repeats earlier text, or it was learnt in "
                              "training; the Text tab's Known by heart; with --json: a \"recited\" list)")
    analyse.add_argument("--recited-min", type=int, default=MIN_TOKENS, metavar="N",
                         help=f"with --recited: the shortest passage, in tokens (default {MIN_TOKENS}; 8 finds short "
                              "quotes, and fluent phrases with them)")
    analyse.add_argument("--vs-base", action="store_true",
                         help="what the active adapter changed: the text scored under it and under the base model, "
                              "per token and in sum (with --json: the figures as JSON; --out FILE.png draws the change)")
    analyse.add_argument("--vs-adapter", type=int, metavar="ID",
                         help="as --vs-base, against adapter ID (an earlier adapter of the model, as "
                              "`gpt2-desk adapters list` lists them) instead of the base model: what the runs after "
                              "it changed")
    analyse.set_defaults(func=cmd_analyse)


def _register_continue(subparsers, common: argparse.ArgumentParser) -> None:
    """``continue``: the model goes on from a text file's end."""
    cont = subparsers.add_parser("continue", parents=[common], epilog=f"{CONTINUE_RUN_ON} {CONTINUE_CTRL_C}",
                                 help="let the model continue a text file from its end, coloured by probability")
    cont.add_argument("file", metavar="FILE", help=CONTINUE_FILE_HELP)
    add_sampling_options(cont)
    cont.add_argument("--json", action="store_true",
                      help=f"print one JSON object instead of coloured text ({RECORD_FIELDS})")
    cont.add_argument("--no-adapter", action="store_true", help="use the base model, not the active adapter")
    cont.set_defaults(func=cmd_continue)


class ScoreBar:
    """core.scoring.ScoreProgress -> a tqdm bar on stderr per stage (reading a long text,
    then scoring it), only for texts of several windows; ``desc``: what the scoring bar says."""

    def __init__(self, desc: str = "analysing"):
        self.bar = None
        self.stage = None
        self.desc = desc

    def __call__(self, p) -> None:
        if p.stage != self.stage:
            self.close()
            self.bar, self.stage = None, p.stage
        if self.bar is None and p.done < p.total:
            unit, desc = ("char", "reading") if p.stage == "reading" else ("tok", self.desc)
            self.bar = stderr_bar(desc, p.total, unit=unit, unit_scale=True)
        if self.bar is not None:
            self.bar.update(p.done - self.bar.n)  # tqdm redraws at most ten times a second

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def input_name(path: str) -> str:
    """FILE in a sentence: "-" is standard input ("- is empty" read as a typo)."""
    return STDIN_NAME if path == STDIN_ARGUMENT else path


def _read(path: str) -> str:
    from desktop_app.core.documents import read_text_file, text_from_bytes

    if path == STDIN_ARGUMENT:  # `... | gpt2-desk analyse -` had said "There is no file -." (clitrial70)
        return text_from_bytes(stdin_bytes("text"), STDIN_NAME)

    # the whole path, in import's words: "essay.txt could not be read: No such file or directory" left out the
    # folder it looked in (usertest27)
    if not Path(path).exists():
        raise CliError(f"There is no file {path}.")
    if Path(path).is_dir():
        raise CliError(f"{path} is a folder: give a text file (.txt, .md, ...).")
    return read_text_file(path)  # a binary / non-UTF-8 / unreadable file: one sentence, exit code 2


def cmd_analyse(args) -> int:
    fold_out_files(args, ANALYSE_OUT, "analyse", also={".htm": "export_html"})  # as --export-html took it
    if args.vs_base or args.vs_adapter is not None:
        from desktop_app.cli.change_cmds import analyse_vs_base

        return analyse_vs_base(args, _read)
    _check_analyse_options(args)
    text = _read(args.file)
    if len(text.strip()) == 0:
        raise CliError(f"{input_name(args.file)} is empty: there is nothing to analyse.")
    loaded = load_model_for_cli(args)
    scored, summary = _score_until_ctrl_c(loaded, text)
    if not scored.records and not scored.complete:
        raise KeyboardInterrupt(ANALYSE_STOPPED_EARLY)
    if not scored.records:
        raise CliError(f"{input_name(args.file)} is one token long: there is nothing to analyse after it.")
    if not scored.complete:
        print(_stopped_words(scored), file=sys.stderr)
    about = {"file": args.file, "model": loaded.model_id, "device": str(loaded.device),
             "adapter_id": loaded.adapter_id}
    _exports(args, scored, summary, about)
    if args.json:
        _print_analysis_json(args, scored, summary, about, loaded)
    else:
        _print_analysis(args, scored, summary, loaded)
    return 0


ANALYSE_CTRL_C = ("Ctrl+C stops the analysis after the block of text being scored and keeps what was scored: the "
                  "summary, --json (with \"complete\": false) and the exports cover the tokens scored so far; exit "
                  "code 0, as `continue`'s Ctrl+C. A second Ctrl+C before it stops ends at once: exit code 130.")
ANALYSE_STOPPED_EARLY = "stopped before the first block of text was scored: nothing to show"


def _score_until_ctrl_c(loaded, text: str):
    """(ScoredText, summary) of ``text``; Ctrl+C stops it between blocks and keeps the blocks scored (it had
    ended with a bare "interrupted", exit 130, and every scored token lost: usertest53)."""
    from desktop_app.core import session

    cancel = threading.Event()
    bar = ScoreBar()
    try:
        with model_cmds.ctrl_c_stops(cancel):
            return session.analyse_text(loaded, text, cancel=cancel, progress=bar)
    finally:
        bar.close()


def _stopped_words(scored) -> str:
    """The line on stderr for an analysis Ctrl+C stopped: how much of the text the figures cover."""
    total = len(scored.ids) - scored.first
    return (f"stopped by Ctrl+C: {len(scored.records):,} of {total:,} tokens scored; the summary and any export "
            "cover those (--json: \"complete\": false)")


def _check_analyse_options(args) -> None:
    """The options' faults, before the file is read or the model loaded."""
    _check_export_folders(args)
    if args.surprises is not None and args.surprises < 1:
        raise CliError("--surprises lists at least 1 token: give a number from 1 up.")
    if args.recited_min < 2:
        raise CliError(f"--recited-min is a passage's least length: give a number of tokens from 2 up "
                       f"(default {MIN_TOKENS}).")


def _print_analysis_json(args, scored, summary, about: dict, loaded) -> None:
    from desktop_app.core.text_export import analysis_json

    result = analysis_json(scored, summary, **about)
    if args.surprises:
        result["surprises"] = [_surprise_json(s) for s in _surprises(args, scored.records)]
    if args.recited:
        result["recited"] = [_recited_json(s) for s in _recited(args, scored.records, loaded)]
    print_json(result)


def _print_analysis(args, scored, summary, loaded) -> None:
    print(summary_text(summary))
    if args.surprises:
        print(surprises_text(scored.records, _surprises(args, scored.records), args.order))
    if args.recited:
        print(recited_text(scored.records, _recited(args, scored.records, loaded), args.recited_min))


def _surprises(args, records) -> list:
    from desktop_app.core.surprises import text_surprises

    return text_surprises(records, args.order, count=args.surprises)


def _surprise_json(surprise) -> dict:
    expected = surprise.expected
    return {"index": surprise.index, "text": surprise.text, "prob": surprise.prob, "rank": surprise.rank,
            "surprisal_bits": surprise.surprisal_bits, "entropy_bits": surprise.entropy_bits,
            "expected": {"text": expected.text, "prob": expected.prob} if expected else None}


def surprises_text(records, found, order: str) -> str:
    """The surprises as the Text tab lists them, one a line: the token's place among the scored tokens, counted
    from 1 as the window's status bar counts (its record's index in ``analyse --json`` is one less, cli52), the
    token, its probability, what the model expected, surprisal / uncertainty, the words around."""
    from desktop_app.core.percent_words import percent
    from desktop_app.core.surprises import context
    from desktop_app.core.token_words import piece_said
    from desktop_app.gui.surprise_words import cold_words, in_text  # Qt-free: the tab's "every ‹banana› year"

    heading = ("least likely first" + cold_words(order, len(records)) if order == "least_likely"
               else "where the model was sure of something else first")
    # the figures' two numbers had no names: "12.1 / 11.1 bits" (cli62)
    lines = [f"{len(found)} most surprising tokens of {len(records):,}, {heading} ({FROM_ONE}; bits: the token's "
             "surprisal / the model's uncertainty there, its entropy):"]
    for s in found:
        expected = f"{json.dumps(piece_said(s.expected.text), ensure_ascii=False)} {percent(s.expected.prob)}" \
            if s.expected else "-"
        before, token, after = context(records, s.index, before=24, after=16)
        lines.append(f"  token {s.index + 1:<6} {json.dumps(s.text, ensure_ascii=False):<14} {percent(s.prob):>9}  "
                     f"expected {expected:<22} {s.surprisal_bits:5.1f} / {s.entropy_bits:4.1f} bits  "
                     f"{in_text(before, token, after)}")
    return "\n".join(lines)


def _recited(args, records, loaded) -> list:
    from desktop_app.core.recited import find_recited

    return find_recited(records, min_tokens=args.recited_min, window=loaded.context_window)


def _recited_json(span) -> dict:
    return {"start": span.start, "stop": span.stop, "tokens": span.tokens, "line": span.line,
            "mean_prob": span.mean_prob, "first_choice_share": span.first_choice_share, "why": span.why,
            "copied_share": span.copied_share, "earlier": span.earlier, "earlier_line": span.earlier_line,
            "text": span.text}


def recited_text(records, spans, min_tokens: int) -> str:
    """The passages as the Text tab lists them under Known by heart, one a line: their tokens' places among
    the scored tokens (counted from 1, as ``surprises_text``), length, mean probability, first choices, why, words."""
    from desktop_app.core.percent_words import percent
    from desktop_app.gui import recited_words  # Qt-free: the tab's words

    what = (f"the model predicted nearly every token of ({min_tokens} or more tokens, over 3 in 4 of them its first "
            f"choice) among {len(records):,} tokens")
    if not spans:  # no list follows: its heading had ended in a colon over nothing (cli62)
        return f"No passage {what}."
    lines = [f"{counted(len(spans), 'passage')} {what} ({FROM_ONE}):"]
    for span in spans:
        where = f"tokens {span.start + 1}-{span.stop}"
        lines.append(f"  {where:<17} {span.tokens:>5} tokens  mean {percent(span.mean_prob):>6}  first choice "
                     f"{percent(span.first_choice_share):>5}  {_recited_why(span, recited_words.why(span)):<32} "
                     f"{json.dumps(recited_words.passage_words(records, span, 60), ensure_ascii=False)}")
    return "\n".join(lines)


def _recited_why(span, cell: str) -> str:
    """The Text tab's Why ``cell`` (``recited_words.why``) in a line's lower case, with the earlier copy's token."""
    said = cell[0].lower() + cell[1:]
    return f"{said} (token {span.earlier + 1})" if span.earlier is not None else said


def check_png_export(args) -> None:
    """--width and the PNG's name, before the analysis (minutes for a long text)."""
    if args.width < 100:
        raise CliError("--width must be at least 100 pixels.")
    if args.export_png and Path(args.export_png).suffix.lower() != ".png":
        raise CliError(f"--export-png writes a PNG picture: give a name ending in .png, not {Path(args.export_png).name}.")
    _check_folders(args, ("export_png",))


def _check_export_folders(args) -> None:
    """Before the analysis (minutes for a long text): a mistyped folder would otherwise fail after
    it, with the exports before it already written."""
    check_png_export(args)
    if args.export_html and Path(args.export_html).suffix.lower() not in (".html", ".htm"):
        raise CliError(f"--export-html writes a web page: give a name ending in .html, not {Path(args.export_html).name}.")
    _check_folders(args, ("export_json", "export_csv", "export_tokens_csv", "export_html"))
    _refuse_one_file_twice(args, ("export_png", "export_json", "export_csv", "export_tokens_csv", "export_html"))


def _refuse_one_file_twice(args, options) -> None:
    """Two exports named the same file: the second would write over the first."""
    named = [(o, Path(getattr(args, o)).expanduser().resolve()) for o in options if getattr(args, o, None)]
    for i, (option, path) in enumerate(named):
        for other, same in named[i + 1:]:
            if path == same:
                raise CliError(f"{option_words(args, option)} and {option_words(args, other)} name the same file, "
                               f"{path.name}: give each export a name of its own.")


def _check_folders(args, options) -> None:
    """Each export's folder is there and its file is not: an --export-* wrote over a file in silence where
    `history ID --export` and `adapters export` refuse one (cliwords74)."""
    for option in options:
        target = getattr(args, option)
        if not target:
            continue
        if not Path(target).expanduser().parent.is_dir():
            raise CliError(f"There is no folder {Path(target).expanduser().parent} for {option_words(args, option)}: "
                           "create it first, or pick another path.")
        refuse_existing(target)


def _exports(args, scored, summary, about: dict) -> None:
    from desktop_app.core import text_export

    if args.export_json:
        path = text_export.write_analysis_json(args.export_json, scored, summary, **about)
        print(f"wrote {len(scored.records)} token records to {path}", file=sys.stderr)
    if args.export_csv:
        path = text_export.write_summary_csv(args.export_csv, summary)
        print(f"wrote the summary to {path}", file=sys.stderr)
    if args.export_tokens_csv:
        path = text_export.write_tokens_csv(args.export_tokens_csv, scored.records)
        print(f"wrote {len(scored.records):,} token rows to {path}", file=sys.stderr)
    if args.export_png:
        from desktop_app.gui.text_export import write_heatmap_png  # Qt only for this export, offscreen

        path, size = write_heatmap_png(args.export_png, scored, width=args.width, measure=args.measure)
        print(f"wrote the heatmap ({size[0]}x{size[1]} px) to {path}", file=sys.stderr)
    if args.export_html:
        _export_html(args, scored, about, summary)


def _export_html(args, scored, about: dict, summary) -> None:
    """The heatmap as a web page, titled by the file's name, saying which model and adapter scored it, with the
    summary under it (GLTR's ranks, the surprise, the first guesses)."""
    from desktop_app.cli.change_cmds import named_adapter  # with the name the person gave it, as the window says it
    from desktop_app.core.heatmap_html import write_heatmap_html

    adapter = named_adapter(args, about["adapter_id"]) if about["adapter_id"] is not None else None
    path = write_heatmap_html(args.export_html, scored.records, args.measure, title=Path(input_name(args.file)).name,
                              model=about["model"], adapter=adapter, prefix=scored.unscored_prefix, summary=summary)
    print(f"wrote the heatmap page ({path.stat().st_size:,} bytes) to {path}", file=sys.stderr)


def summary_text(summary) -> str:
    """GLTR's summary in a few lines: the buckets as a bar of shares, the figures, histograms."""
    lines = [f"{summary.tokens:,} tokens scored"]
    for label, count, share in zip(summary.bucket_labels, summary.bucket_counts, summary.bucket_shares):
        lines.append(f"  {label:<13} {share * 100:5.1f}%  {'#' * round(share * 40):<40} {count:,}")
    perplexity = f"{summary.perplexity:,.2f}" if math.isfinite(summary.perplexity) else "inf"
    lines.append(f"mean surprisal {summary.mean_surprisal_bits:.2f} bits per token, perplexity {perplexity}")
    lines.append("probability histogram (0..1):  " + _sparkline(summary.probability_histogram))
    lines.append(f"entropy histogram (0..{MAX_ENTROPY_BITS:g} bits): " + _sparkline(summary.entropy_histogram))
    if summary.calibration is not None and summary.calibration.tokens:
        lines += first_guess_lines(summary.calibration)
    return "\n".join(lines)


def first_guess_lines(result) -> list[str]:
    """How sure the model was of its first guesses against how often they were right, bin by bin."""
    lines = [calibration_words(result)]
    for row in calibration_rows(result):
        sure = f"{row['low'] * 100:.0f}-{row['high'] * 100:.0f}% sure"
        right = "-" if row["share_right"] is None else f"right {row['share_right'] * 100:.0f}%"
        few = " (few tokens: rough)" if row["few"] and row["tokens"] else ""
        lines.append(f"  {sure:<13} {row['tokens']:>6,} tokens  {right}{few}")
    return lines


def _sparkline(counts) -> str:
    blocks = " \u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588"
    top = max(counts, default=0) or 1
    return "".join(blocks[math.ceil(c / top * 8)] for c in counts) + "  " + " ".join(str(c) for c in counts)


CONTINUE_FILE_HELP = f"a UTF-8 text file (empty: start from the start token); {STDIN_HELP}"
CONTINUE_CTRL_C = ("Ctrl+C stops the continuation at its next token and keeps what was written: the text shows it, "
                   "--json prints it with finish_reason \"cancelled\"; exit code 0, as `chat`'s Ctrl+C. A second "
                   "Ctrl+C before it stops ends at once: exit code 130.")
CONTINUE_RUN_ON = (f"Where --max-new-tokens (of {RUN_ON_FROM} or more) is reached mid-sentence, the continuation "
                   f"runs on up to a quarter more, at most {RUN_ON_MOST} tokens, to the sentence's end (. ! ? or a line "
                   "break; finish_reason \"sentence\"), never past the model's window.")
STOPPED_WORDS = "stopped by Ctrl+C: the words written so far are above, kept as they are"


def cmd_continue(args) -> int:
    """The continuation streamed; Ctrl+C stops it and keeps what was written (CONTINUE_CTRL_C): it had ended with
    exit code 130 and "[stopped]" where `chat` kept a stopped answer and ended with 0 (leftovers56)."""
    from desktop_app.core import session

    settings = sampling_from_args(args)
    text = _read(args.file)
    loaded = load_model_for_cli(args)
    cancel = threading.Event()
    if not args.json and model_cmds.use_colour(sys.stdout) and text:
        sys.stdout.write(f"\x1b[2m{text[-400:]}\x1b[0m")  # the end of the text, dim, then the new words
    with model_cmds.ctrl_c_stops(cancel), model_cmds.StreamedTokens() as writer:
        generation = session.continue_text(loaded, text, settings, cancel=cancel,
                                           on_token=None if args.json else writer)
    if args.json:
        print_json({"file": args.file, "model": loaded.model_id, "text": generation.text,
                    "finish_reason": generation.finish_reason, "seed": generation.seed,
                    "units": RECORD_UNITS, "tokens": [r.to_json() for r in generation.records]})
    else:
        print()
        print(generation_summary(generation, args.max_new_tokens), file=sys.stderr)
    if generation.finish_reason == "cancelled":
        print(STOPPED_WORDS if not args.json else STOPPED_WORDS.replace("above", "in the JSON"), file=sys.stderr)
    return 0
