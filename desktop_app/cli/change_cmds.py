"""``analyse FILE --vs-base``: what the active adapter changed on a text, from the terminal (the
Text tab's "Colour by your fine-tune's change"): the text scored under the adapter and under the
base model, the whole text's change, both perplexities and the tokens that moved most; with
--out FILE.png, the text drawn in the change's colours. ``--vs-adapter ID``: the same against an
earlier adapter of the model instead of the base model (what the runs after it changed), read as
the Text tab and the compare view read it (``session_compare.reading_as``).

Two passes, where the Text tab's change can cost one: there the text's analysis (made anyway) serves
as the adapter's pass (core.score_passes); here nothing was scored before. The passes share the text's
token ids and no computation: a LoRA on every linear layer (as a fine-tune makes it) changes the first
layer's keys and values already, so neither pass can read the other's cache. One batch of both (PEFT's
mixed-adapter batch, the base model as one row) measured slower on the bundled model (1,000 tokens, one
core: 2.35 CPU s against 1.26 + 0.78 for the two forwards), and on 16-bit weights the batch's shape moved
the logits as much as the adapter did (max 1.56 against 1.97): the change would be the rounding of two
pass plans, not the adapter's. ``bench/adapter_change.py`` measures what the terminal's change costs.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from desktop_app.cli.common import CliError, load_model_for_cli
from desktop_app.cli.out_option import option_words
from desktop_app.core.adapters import AdapterError, adapter_name, check_adapter_folder, label
from desktop_app.core.percent_words import percent

MOST_TIMES = 1e6  # past it a factor says nothing a person can use: the average per token instead


def analyse_vs_base(args, read) -> int:
    from desktop_app.core.adapter_change import NO_ADAPTER, can_compare, score_change

    option = _check_vs_options(args)
    text = read(args.file)
    if not text.strip():
        raise CliError(f"{args.file} is empty: there is nothing to compare.")
    source, against = _with_active_adapter(args, NO_ADAPTER)
    loaded = load_model_for_cli(args, source)
    if not can_compare(loaded):
        raise CliError(NO_ADAPTER)
    bars = PassBars()
    try:
        # no alternatives: nothing here prints them (their top-k and records were 3% of the two passes,
        # bench/adapter_change.py); the base pass reads the adapter pass's token ids (one tokenisation).
        # Nothing else can be shared (the module's docstring)
        change = score_change(loaded, text, progress=bars, alternatives=0, against=against)
    except AdapterError as exc:  # its folder went between the check and the pass
        raise CliError(f"{option}: {exc}") from exc
    except KeyboardInterrupt:  # main said a bare "interrupted", the first pass's minutes gone unsaid (cli102)
        raise KeyboardInterrupt(bars.stopped_words(args.file)) from None
    finally:
        bars.close()
    if not change.tokens:
        raise CliError(f"{args.file} is one token long: there is nothing to compare after it.")
    if args.export_png:
        _write_change_png(args, change)
    figures = dict(change.figures(), file=args.file, model=loaded.model_id)
    if args.json:
        json.dump(figures, sys.stdout, ensure_ascii=False)
        print()
    else:
        print(change_text(figures))
    return 0


def _check_vs_options(args) -> str:
    """The options --vs-base and --vs-adapter leave out, checked before the file is read; returns the
    one given, for the errors' words."""
    from desktop_app.cli.text_cmds import check_png_export

    option = "--vs-base" if args.vs_adapter is None else "--vs-adapter"
    if args.vs_base and args.vs_adapter is not None:
        raise CliError("--vs-base and --vs-adapter each say what the active adapter is compared with: give one.")
    if args.no_adapter:
        raise CliError(f"{option} compares the active adapter with {_compared_words(args)}: leave out --no-adapter.")
    for name in ("export_json", "export_csv", "export_tokens_csv", "export_html"):
        if getattr(args, name):
            raise CliError(f"{option} exports only the heatmap of the change (--out FILE.png): "
                           f"leave out {option_words(args, name)}.")
    check_png_export(args)
    return option


def _compared_words(args) -> str:
    return "the base model" if args.vs_adapter is None else f"adapter {args.vs_adapter}"


def _with_active_adapter(args, no_adapter: str) -> tuple:
    """(--model's source, the --vs-adapter's row or None) where the store holds an active adapter for the
    model; else ``no_adapter`` said before the model loads (it was said after: PyTorch's start and the
    load, a minute on a busy machine; cli62), as is anything wrong with --vs-adapter's ID."""
    from desktop_app.core.model_sources import resolve_spec
    from desktop_app.core.store import Store

    source = resolve_spec(args.model)
    if not Path(args.db).exists():
        raise CliError(no_adapter)
    with Store.open(args.db) as store:
        active = store.active_adapter(source.model_id)
        if active is None:
            raise CliError(no_adapter)
        against = None if args.vs_adapter is None else compared_adapter(store, args.vs_adapter, active, source.model_id)
    return source, against


def compared_adapter(store, adapter_id: int, active: dict, model_id: str) -> dict:
    """The row of the adapter --vs-adapter names, checked: it is in the store, not the one in use, made
    for this model before the one in use, and its folder whole (its weights are read beside the active adapter's)."""
    from desktop_app.core.errors import UserFacingError

    try:
        row = store.get_adapter(adapter_id)
    except UserFacingError:
        raise CliError(f"--vs-adapter {adapter_id}: there is no adapter {adapter_id} (`gpt2-desk adapters list` "
                       f"lists them).") from None
    if row["id"] == active["id"]:
        raise CliError(f"--vs-adapter {adapter_id}: {label(row)} is the active adapter, so there is nothing to "
                       f"compare it with: name an earlier one, or use --vs-base.")
    if row["base_model"] != model_id:
        raise CliError(f"--vs-adapter {adapter_id}: {label(row)} was made for {row['base_model']}, another model "
                       f"than --model's: name one of its own adapters (`gpt2-desk adapters list`).")
    if row["id"] > active["id"]:
        raise CliError(later_adapter_refusal(store, row, active))
    try:
        check_adapter_folder(Path(row["path"]))
    except AdapterError:
        raise CliError(f"--vs-adapter {adapter_id}: {label(row)}'s files are missing from {row['path']}, so it cannot "
                       f"be compared with.") from None
    return row


def later_adapter_refusal(store, row: dict, active: dict) -> str:
    """A --vs-adapter made after the active adapter, refused in one sentence naming those that may be chosen:
    the window's "Compared with" offers only earlier ones (what the runs after them changed), and the two agree."""
    from desktop_app.core.session_compare import earlier_adapters

    earlier = [f"--vs-adapter {r['id']} ({label(r)})" for r in earlier_adapters(store, active)]
    choices = (f": {', '.join(earlier)}, or --vs-base for the base model" if earlier
               else ", and it has none: use --vs-base")
    return (f"--vs-adapter {row['id']}: {label(row)} was made after {label(active)}, the active adapter, which is "
            f"compared only with an earlier one, as in the window{choices}.")


def _write_change_png(args, change) -> None:
    """The heatmap in the change's colours with its key and caption, as the Text tab exports it
    while "Fine-tune's change" is on."""
    from desktop_app.gui.text_export import change_drawing, write_heatmap_png  # Qt only for this export, offscreen

    name = named_adapter(args, change.adapter_id)
    scored, colorizer, key = change_drawing(change, f"your adapter ({name})", name)
    path, size = write_heatmap_png(args.export_png, scored, width=args.width, colorizer=colorizer, key=key)
    print(f"wrote the heatmap of the change ({size[0]}x{size[1]} px) to {path}", file=sys.stderr)


def named_adapter(args, adapter_id: int) -> str:
    """"adapter 3 “terse”", as the Text tab says it; its number alone when the store cannot say
    its name."""
    from desktop_app.cli.common import open_store
    from desktop_app.core.errors import UserFacingError

    try:
        with open_store(args) as store:
            row = store.get_adapter(adapter_id)
    except UserFacingError:
        row = {"id": adapter_id}
    return label(row)


class PassBars:
    """core.adapter_change.ChangeProgress -> one stderr bar per pass, named after its model
    (a long text only, as the analysis's)."""

    def __init__(self):
        self.bar = None
        self.pass_begun = None  # the ChangeProgress that began the pass under way, for Ctrl+C's words

    def __call__(self, progress) -> None:
        from desktop_app.cli.text_cmds import ScoreBar

        if progress.scoring is None:  # a pass begins
            self.pass_begun = progress
            self.close()
            self.bar = ScoreBar(f"pass {progress.part}/{progress.parts}: {progress.under}")
        elif self.bar is not None:
            self.bar(progress.scoring)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()

    def stopped_words(self, file: str) -> str:
        """One sentence for Ctrl+C: which pass it stopped, that nothing was kept, and the command that keeps
        what it scored. A comparison needs both passes whole, so a part of one is no answer."""
        begun = self.pass_begun
        where = (f"in pass {begun.part} of {begun.parts} (scoring under {begun.under})" if begun is not None
                 else "before its first pass")
        return (f"stopped comparing {file} {where}: a comparison needs both passes whole, so nothing was "
                f"printed or saved (`gpt2-desk analyse {file}` alone keeps the tokens it scored when stopped)")


def times_words(change: float, tokens: int) -> str:
    """"2.4× more likely", "about 3,100× less likely"; past a million times the average per token."""
    word = "more" if change > 0 else "less"
    ratio = math.exp(min(abs(change), 700))
    if abs(change) < 0.005:
        return "about as likely"
    if ratio >= MOST_TIMES and tokens > 1:
        each = math.exp(abs(change) / tokens)
        return f"over a million times {word} likely (on average each token {each:.2f}\u00d7 {word} likely)"
    return f"{ratio:.2f}\u00d7 {word} likely" if ratio < 10 else f"about {ratio:,.0f}\u00d7 {word} likely"


def _mover(m: dict) -> str:
    return f"{m['text']!r} {m['delta_logprob']:+.2f} ({percent(m['base_prob'])} \u2192 {percent(m['adapter_prob'])})"


def _perplexity(value) -> str:
    return "inf" if value is None else f"{value:,.2f}"


def change_text(figures: dict) -> str:
    """The figures in a few lines."""
    change, tokens = figures["total_change_nats"], figures["tokens"]
    against = figures.get("compared_with", "the base model")  # ("base" below: what it is compared with)
    lines = [f"This text is {times_words(change, tokens)} under your adapter ({adapter_name(figures['adapter_id'])}) "
             f"than under {against}.",
             f"log-probability {figures['logprob_base']:.1f} \u2192 {figures['logprob_adapter']:.1f} "
             f"({change:+.2f} nats over {tokens:,} tokens)",
             f"perplexity {_perplexity(figures['perplexity_base'])} ({against.removeprefix('the ')}) \u2192 "
             f"{_perplexity(figures['perplexity_adapter'])} (your adapter)",
             "Rose most: " + (" · ".join(_mover(m) for m in figures["rose_most"]) or "none"),
             "Fell most: " + (" · ".join(_mover(m) for m in figures["fell_most"]) or "none")]
    return "\n".join(lines)
