"""``analyse FILE --vs-base``: what the active adapter changed on a text, from the terminal (the
Text tab's "Colour by your fine-tune's change"): the text scored under the adapter and under the
base model, the whole text's change, both perplexities and the tokens that moved most; with
--export-png, the text drawn in the change's colours.

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
from desktop_app.core.adapters import adapter_name, label
from desktop_app.core.percent_words import percent

MOST_TIMES = 1e6  # past it a factor says nothing a person can use: the average per token instead


def analyse_vs_base(args, read) -> int:
    from desktop_app.core.adapter_change import NO_ADAPTER, can_compare, score_change

    from desktop_app.cli.text_cmds import check_png_export

    if args.no_adapter:
        raise CliError("--vs-base compares the active adapter with the base model: leave out --no-adapter.")
    for option in ("export_json", "export_csv"):
        if getattr(args, option):
            raise CliError(f"--vs-base exports only the heatmap of the change (--export-png): "
                           f"leave out --{option.replace('_', '-')}.")
    check_png_export(args)
    text = read(args.file)
    if not text.strip():
        raise CliError(f"{args.file} is empty: there is nothing to compare")
    source = _with_active_adapter(args, NO_ADAPTER)
    loaded = load_model_for_cli(args, source)
    if not can_compare(loaded):
        raise CliError(NO_ADAPTER)
    bars = PassBars()
    try:
        # no alternatives: nothing here prints them (their top-k and records were 3% of the two passes,
        # bench/adapter_change.py); the base pass reads the adapter pass's token ids (one tokenisation).
        # Nothing else can be shared (the module's docstring)
        change = score_change(loaded, text, progress=bars, alternatives=0)
    finally:
        bars.close()
    if not change.tokens:
        raise CliError(f"{args.file} is one token long: there is nothing to compare after it")
    if args.export_png:
        _write_change_png(args, change)
    figures = dict(change.figures(), file=args.file, model=loaded.model_id)
    if args.json:
        json.dump(figures, sys.stdout, ensure_ascii=False)
        print()
    else:
        print(change_text(figures))
    return 0


def _with_active_adapter(args, no_adapter: str):
    """--model's source where the store holds an active adapter for it; else ``no_adapter`` said before the
    model loads (it was said after: PyTorch's start and the load, a minute on a busy machine; cli62)."""
    from desktop_app.core.model_sources import resolve_spec
    from desktop_app.core.store import Store

    source = resolve_spec(args.model)
    if not Path(args.db).exists():
        raise CliError(no_adapter)
    with Store.open(args.db) as store:
        if store.active_adapter(source.model_id) is None:
            raise CliError(no_adapter)
    return source


def _write_change_png(args, change) -> None:
    """The heatmap in the change's colours with its key and caption, as the Text tab exports it
    while "Fine-tune's change" is on."""
    from desktop_app.gui.text_export import change_drawing, write_heatmap_png  # Qt only for this export, offscreen

    scored, colorizer, key = change_drawing(change, _adapter_name(args, change.adapter_id))
    path, size = write_heatmap_png(args.export_png, scored, width=args.width, colorizer=colorizer, key=key)
    print(f"wrote the heatmap of the change ({size[0]}x{size[1]} px) to {path}", file=sys.stderr)


def _adapter_name(args, adapter_id: int) -> str:
    """"your adapter (adapter 3 “terse”)", as the Text tab says it; its number alone when the
    store cannot say its name."""
    from desktop_app.cli.common import open_store
    from desktop_app.core.errors import UserFacingError

    try:
        with open_store(args) as store:
            row = store.get_adapter(adapter_id)
    except UserFacingError:
        row = {"id": adapter_id}
    return f"your adapter ({label(row)})"


class PassBars:
    """core.adapter_change.ChangeProgress -> one stderr bar per pass, named after its model
    (a long text only, as the analysis's)."""

    def __init__(self):
        self.bar = None

    def __call__(self, progress) -> None:
        from desktop_app.cli.text_cmds import ScoreBar

        if progress.scoring is None:  # a pass begins
            self.close()
            self.bar = ScoreBar(f"pass {progress.part}/{progress.parts}: {progress.under}")
        elif self.bar is not None:
            self.bar(progress.scoring)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


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
    lines = [f"This text is {times_words(change, tokens)} under your adapter ({adapter_name(figures['adapter_id'])}) "
             f"than under the base model.",
             f"log-probability {figures['logprob_base']:.1f} \u2192 {figures['logprob_adapter']:.1f} "
             f"({change:+.2f} nats over {tokens:,} tokens)",
             f"perplexity {_perplexity(figures['perplexity_base'])} (base model) \u2192 "
             f"{_perplexity(figures['perplexity_adapter'])} (your adapter)",
             "Rose most: " + (" · ".join(_mover(m) for m in figures["rose_most"]) or "none"),
             "Fell most: " + (" · ".join(_mover(m) for m in figures["fell_most"]) or "none")]
    return "\n".join(lines)
