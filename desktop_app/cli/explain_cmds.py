"""explain: why the model wrote one token of a stored answer, in the terminal."""

from __future__ import annotations

import argparse
import shutil
import sys

from desktop_app.cli.common import (WINDOW_TOKEN_WORDS, CliError, load_model_for_cli, open_store, print_json,
                                   record_id, token_words)
from desktop_app.core.adapters import adapter_name, label
from desktop_app.core.count_words import counted
from desktop_app.core.explain_progress_words import WORKING_WORDS, progress_line
from desktop_app.core.explain_errors import not_an_answer
from desktop_app.core.lens_words import last_leader_words
from desktop_app.core.palette import attribution_color, sequential_color, text_color_on, visible_whitespace
from desktop_app.core.percent_words import percent
from desktop_app.core.sampler_words import (GREEDY_MEANT, GREEDY_WORDS, STAGES_HEAD, chance_words, movers_words,
                                              stage_steps, together)

CELL = 10  # characters per grid cell
TOP_CONTRIBUTORS = 8


def register(subparsers, common: argparse.ArgumentParser) -> None:
    p = subparsers.add_parser("explain", parents=[common],
                              help="why a token of an answer: layer by layer, which earlier tokens, the sampler")
    p.add_argument("message_id", type=record_id, metavar="MESSAGE_ID", help="the answer's id (see `history ID`)")
    p.add_argument("--token", type=record_id, required=True, metavar="I",
                   help=f"the token's index in the answer (0-based: {WINDOW_TOKEN_WORDS})")
    p.add_argument("--vs", metavar="TOKEN", help="compare with this token (its text, or #ID); default: the runner-up")
    p.add_argument("--steps", type=int, default=16, metavar="N",
                   help="integrated-gradients steps to start with (doubled until the sums agree within 5%%)")
    # the attribution takes minutes on a busy CPU (a student's ran past 10 min, usertest69); the grid and the
    # sampler are one forward pass
    p.add_argument("--no-attribution", action="store_true",
                   help="only the layer grid and the sampler (seconds): leave out which earlier tokens led to it "
                        "(integrated gradients, minutes on a CPU)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--color", action="store_true", help="colour the output even when it is not a terminal")
    p.add_argument("--no-adapter", action="store_true", help="use the base model, not the active adapter")
    p.set_defaults(func=cmd_explain)


def spec_for_model_id(model_id: str | None) -> str | None:
    """The --model spec that opens the model a message was written with."""
    if not model_id:
        return None
    kind, _, rest = model_id.partition(":")
    if kind == "bundled":
        return "bundled"
    if kind in ("folder", "gguf") and rest:
        return rest
    return model_id  # a hub id


def token_id_for(tokenizer, text: str) -> int:
    """``#123`` is a token id; anything else must be exactly one token of this model."""
    if text.startswith("#") and text[1:].isdigit():
        return int(text[1:])
    from desktop_app.core.prompts import encode

    ids = encode(tokenizer, text)
    if len(ids) != 1:
        pieces = ", ".join(repr(tokenizer.decode([i])) for i in ids) or "nothing"
        raise CliError(f"--vs {text!r} is {len(ids)} tokens for this model ({pieces}); give one token, or #ID.")
    return ids[0]


# what explain --json's figures are in, as score's and generate's "units" say theirs: the attribution's figures had
# no unit in the JSON, only in the text ("nats", cli62) (cli63)
EXPLAIN_UNITS = {"recorded_prob": "probability, 0 to 1", "lens.probs": "probability, 0 to 1",
                 "lens.ranks": "1 = the likeliest token",
                 "attribution": "difference, baseline_difference, sum and each token's score: nats (natural log "
                                "of the target's probability over the other's); gap: a share of the difference"}


def cmd_explain(args) -> int:
    """The fast part (the layer grid and the sampler, one forward pass) printed first, as the window shows it
    first; then the attribution, its passes said on stderr. It had printed everything at the end, and a student
    on a busy machine saw nothing useful for 10 minutes (usertest69)."""
    from desktop_app.core.token_context import context_for_message

    if args.steps < 1:
        raise CliError("--steps must be at least 1.")
    store = open_store(args)
    try:
        loaded, written_by, set_aside = load_for_answer_token(store, args)
        # another model's answer is explained as the window explains it: at the token of its text as
        # this model reads it (core.token_context), said in one line (it was refused)
        context = context_for_message(store, loaded, args.message_id, args.token)
    finally:
        store.close()
    from desktop_app.core.explain import explain_layers  # (PyTorch: not before a wrong id is refused, usertest53)

    vs = token_id_for(loaded.tokenizer, args.vs) if args.vs is not None else None
    first, other = explain_layers(loaded, context, vs=vs)
    colour = args.color or sys.stdout.isatty()
    if not args.json:
        print("\n".join(head_lines(first, loaded.model_id, colour, written_by, set_aside, args.token)), flush=True)
    if args.no_attribution:
        return _finish(args, first, loaded.model_id, written_by, set_aside, colour)
    result, stopped = _attributed(loaded, first, other, args.steps)
    if stopped is not None:
        return _stopped(args, result, stopped, loaded.model_id, written_by, set_aside, colour)
    return _finish(args, result, loaded.model_id, written_by, set_aside, colour)


def _attributed(loaded, first, other: int, steps: int):
    """The explanation with its attribution, and None; on Ctrl+C, the one with the figures worked out so far
    (None: not even the path's two ends) and the progress it stopped at."""
    from dataclasses import replace

    from desktop_app.core.explain import explain_attribution

    progress = AttributionProgress()
    try:
        return explain_attribution(loaded, first, other, steps=steps, report=progress), None
    except KeyboardInterrupt:
        last = progress.last
        return replace(first, attribution=last.estimate if last else None), last
    finally:
        progress.close()


def _json_document(args, result, model_id: str, written_by, set_aside) -> dict:
    # adapter_on: the active adapter, set aside, as when it was put on and the core set it aside
    on = {"adapter_on": set_aside["id"]} if set_aside else {}
    left_out = {"attribution_left_out": "--no-attribution"} if args.no_attribution else {}
    return {"model": model_id, "written_by": written_by, "asked_token_index": args.token,
            "units": EXPLAIN_UNITS, **result.to_json(), **on, **left_out}


def _finish(args, result, model_id: str, written_by, set_aside, colour: bool) -> int:
    """What follows the fast part: the attribution (or a line that it was left out); under --json, the one
    document."""
    if args.json:
        print_json(_json_document(args, result, model_id, written_by, set_aside))
    elif args.no_attribution:
        print("\nWhich earlier tokens led to it: left out (--no-attribution).")
    else:
        print("\n".join([""] + attribution_lines(result.attribution, colour)))
    return 0


def _stopped(args, result, progress, model_id: str, written_by, set_aside, colour: bool) -> int:
    """Ctrl+C during the attribution: the figures worked out so far kept and printed, said to be rough; exit
    130 as any Ctrl+C. It had dropped them, and the grid with them, for a bare "interrupted"."""
    from desktop_app.cli.model_cmds import interrupted_json

    passes = counted(progress.done, "pass") if progress else "no pass"
    kept = "in the JSON" if args.json else "above"
    words = (f"stopped working out which earlier tokens led to it after {passes}"
             + (f"; the rough figures so far are {kept}" if result.attribution is not None else ""))
    if args.json:
        document = _json_document(args, result, model_id, written_by, set_aside)
        return interrupted_json(dict(document, attribution_stopped=True), words)
    if result.attribution is None:
        print("\nWhich earlier tokens led to it: stopped before the first figures.")
    else:
        print("\n".join(["", f"Stopped after {passes}: the rough figures so far (they can be far from the "
                                "finished ones; read them loosely)."]
                         + attribution_lines(result.attribution, colour, stopped=True)))
    raise KeyboardInterrupt(words)


def head_lines(first, model_id: str, colour: bool, written_by, set_aside, asked: int) -> list[str]:
    """The fast part's lines: the header and its notes, the layer grid, the sampler."""
    lines = report_lines(first, model_id, colour)
    other = written_by if written_by and written_by != model_id else None
    if other is not None:
        lines.insert(1, other_writer_line(first.context, other, model_id, asked))
    if set_aside is not None:
        lines.insert(1, set_aside_line(set_aside))
    return lines


class AttributionProgress:
    """explain's passes on stderr: on a terminal, what runs in one line and under it one redrawn after every batch,
    in the window's words ("5 of 17 passes · about 3 min to the first check, ..."); in a
    pipe or a log, one line that it runs (redraws would fill it). A bar with a pass count alone told a student
    nothing of when the first figures would come (usertest69). ``last``: the latest report (what Ctrl+C keeps)."""

    def __init__(self, stream=None):
        self.stream = stream if stream is not None else sys.stderr
        self.terminal = self.stream.isatty()
        self.last = None
        self.drawn = False
        if not self.terminal:  # said as it starts, not after its first passes
            print("which earlier tokens led to it (integrated gradients)...", file=self.stream, flush=True)

    def __call__(self, report) -> None:
        from desktop_app.core.attribution import ExplainProgress

        if not isinstance(report, ExplainProgress):
            return
        self.last = report
        if not self.terminal:
            return
        if not self.drawn:  # what runs, once; the line below it redrawn (the whole line lost its time at 80 columns)
            self.stream.write(f"{WORKING_WORDS} (integrated gradients; Ctrl+C stops it and keeps the figures so far)\n")
        width = shutil.get_terminal_size().columns - 1
        line = progress_line(report).removeprefix(f"{WORKING_WORDS}: ")
        self.stream.write("\r\x1b[K" + shown_progress(line, width))
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.terminal and self.drawn:  # the figures start on a clean line
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def shown_progress(line: str, width: int) -> str:
    """A progress line cut to the terminal's width: a wrapped one is not redrawn by a carriage return."""
    return line if len(line) <= width else line[:max(1, width - 1)] + "\u2026"


def load_for_answer_token(store, args, use: str = "explain"):
    """The model an answer's token is read with (``use``: "explain", "probe"): the answer's writer unless --model
    names another, the token's index checked before the minutes of a load. Returns it, the answer's writer, and
    the active adapter left off for a token the base model wrote (``set_aside_line`` says it), else None.
    The caller's ``args`` stay as given: what it decides (the model, the adapter left off) goes to the load in a
    copy of them."""
    written_by = _answer_writer(store, args.message_id, use)
    model = args.model if args.model is not None else spec_for_model_id(written_by)
    by_its_writer = bool(written_by) and model == spec_for_model_id(written_by)
    _check_token_before_loading(store, args.message_id, args.token, by_its_writer)
    set_aside = not args.no_adapter and _base_wrote_it(store, args)
    decided = argparse.Namespace(**{**vars(args), "model": model, "no_adapter": args.no_adapter or set_aside})
    loaded = load_model_for_cli(decided)
    return loaded, written_by, store.active_adapter(loaded.model_id) if set_aside else None


def _base_wrote_it(store, args) -> bool:
    """A token the base model wrote is read with the base model (core.explain.as_written sets an adapter aside):
    the active adapter is not put on for it, whose "Putting on your fine-tuned adapter..." told of weights the
    token was not read with (probe: cliwords71, explain: cliwords74). The header's "base model" says which are."""
    from desktop_app.core.token_context import writer_of

    return writer_of(store.get_message(args.message_id), args.token) is None


def set_aside_line(active: dict) -> str:
    """Under the header of `explain` and `probe`: which weights read a base-model token, and why."""
    return (f"note: this token was written without an adapter, so it is read without one; {label(active)}, "
            "the active one, was not put on.")


def _answer_writer(store, message_id: int, use: str) -> str | None:
    """The model that wrote the answer; a question is refused before PyTorch starts, in the core's words (cli63)."""
    message = store.get_message(message_id)
    if message.get("role") != "assistant":
        raise CliError(str(not_an_answer(message_id, message.get("role"), use)))
    return message.get("model_id")


def _check_token_before_loading(store, message_id: int, token: int, by_its_writer: bool) -> None:
    """A --token outside the answer, said before the model loads (seconds, a minute on a busy machine) rather
    than after it (cli62). Another model counts the text in its own tokens: only its writer's count is known."""
    if token < 0:
        raise CliError(f"--token counts the answer's tokens from 0; there is no token {token}.")
    count = len(store.token_records(message_id))
    if by_its_writer and count and token >= count:
        raise CliError(f"Message {message_id} has {count} tokens (0 to {count - 1}); there is no token {token}.")


def other_writer_line(context, writer: str, model_id: str, asked: int) -> str:
    """One line for an answer another model wrote: which token of it this explains, and with what."""
    if context.other_writer:  # another tokenizer's tokens: this model's token at the same place
        return (f"note: {writer} wrote this answer in its own tokens; this explains this model's token "
                f"{context.index + 1}, at the place of its {token_words(asked)} in the text (this model did not "
                "sample it).")
    return f"note: {writer} wrote this answer; this explains it with {model_id}, which did not write it."


# ---------------------------------------------------------------- rendering

def paint(text: str, rgb, colour: bool) -> str:
    if not colour:
        return text
    fg = text_color_on(rgb)
    return f"\x1b[48;2;{rgb[0]};{rgb[1]};{rgb[2]}m\x1b[38;2;{fg[0]};{fg[1]};{fg[2]}m{text}\x1b[0m"


def shown(text: str, width: int = CELL - 1) -> str:
    label = visible_whitespace(text).replace("\n", "") or "\u00b7"
    return label if len(label) <= width else label[:width - 1] + "\u2026"


def report_lines(result, model_id: str, colour: bool) -> list[str]:
    c = result.context
    adapter = "base model" if result.adapter_id is None else adapter_name(result.adapter_id)
    # another tokenizer's answer: this model's token, which no --token names (other_writer_line says which)
    named = f"token {c.index + 1}" if c.other_writer else token_words(c.index)
    lines = [f"T{named[1:]} of message {c.message_id}: \u201c{shown(result.token_text, 40)}\u201d "
             f"({model_id}, {adapter})"]
    if c.written_with_adapter != result.adapter_id and not (c.unwritten or c.other_writer):
        written = adapter_name(c.written_with_adapter)
        lines.append(f"note: it was written with {written}; this explains the model as it is now.")
    if result.precision_note:
        lines.append(f"note: {result.precision_note}")
    # the attribution comes after the sampler: it is printed when it is worked out (explain prints the rest first)
    return lines + [""] + lens_lines(result, colour) + [""] + sampler_lines(result)


def lens_lines(result, colour: bool) -> list[str]:
    lens = result.lens
    if lens is None:
        return [f"Layer by layer: {result.lens_error}"]
    head = "".join(shown(t).ljust(CELL) for t in lens.token_texts)
    lines = ["Layer by layer (each layer read through the final norm and output layer; "
             "probability, then rank when not first; the first column is the chosen token):", " " * 13 + head + "  layer's own top guess"]
    for row, name in enumerate(lens.layer_names):
        cells = []
        for prob, rank in zip(lens.probs[row], lens.ranks[row]):  # a cell's 9 characters: tenths, as the window's grid
            text = f"{prob * 100:.1f}%" + ("" if rank == 1 else f" #{rank}" if rank < 1000 else " #1k+")
            cells.append(paint(text[:CELL - 1].ljust(CELL - 1), sequential_color(prob), colour) + " ")
        mark = "  \u25c0 first top-1" if row == lens.first_top1 else ""
        _top_id, top_text, top_prob = lens.layer_top[row]
        lines.append(f"{name:<12} " + "".join(cells) + f" {shown(top_text)} {percent(top_prob)}" + mark)
    if lens.first_top1 is None:
        lines.append("The chosen token is not the top-1 at any layer (it was sampled, not the most likely): "
                     f"{last_leader_words(lens)}.")
    return lines


def gap_note(a, stopped: bool) -> str:
    if stopped:
        return " (stopped before the last pass)"
    return "" if a.complete else " (over 5%: raise --steps)"


def attribution_lines(a, colour: bool, stopped: bool = False) -> list[str]:
    """The attribution's header and its top contributors; a run stopped by Ctrl+C says so where a finished one
    with a wide gap would ask for more steps (more steps cannot help a run that did not finish its own)."""
    scale = max((abs(s) for s in a.scores), default=1.0) or 1.0
    lines = [f"Which earlier tokens led to \u201c{shown(a.target_text, 30)}\u201d rather than "
             f"\u201c{shown(a.other_text, 30)}\u201d (integrated gradients, {a.steps} steps):",
             # in nats, as the contributions below (their figures had no unit, cli62)
             f"  log-probability difference {a.difference:+.3f} nats (with every token blank: "
             f"{a.baseline_difference:+.3f}); contributions sum to {a.total:+.3f} nats, gap {a.gap * 100:.1f}%"
             + gap_note(a, stopped)]
    for i in a.top(TOP_CONTRIBUTORS):
        # the window's "answer, token 17" ("answer 17" read as the 17th answer, usertest23), with its --token
        where = "prompt" if i < a.prompt_len else f"answer, {token_words(i - a.prompt_len)}"
        if a.hidden(i):  # not in the conversation the person sees
            where += ", chat template" if a.source(i) == "template" else ", system text"
        cell = paint(f"{a.scores[i]:+.3f}", attribution_color(a.scores[i], scale), colour)
        lines.append(f"  {cell}  \u201c{shown(a.token_texts[i], 24)}\u201d  ({where}, position {i})")
    if colour:
        lines.append("  " + "".join(paint(t.replace("\n", "\u21b5"), attribution_color(s, scale), True)
                                    for t, s in zip(a.token_texts, a.scores)))
    return lines


def sampler_lines(result) -> list[str]:
    """The sampler's part of an explanation: its figures led by the window's words (core.sampler_words.
    chance_words: the inspector's chance first where bfloat16 rounded the re-read apart from it)."""
    s, recorded_note = result.told_sampler, result.recorded_note
    how = s.how.replace(GREEDY_WORDS, GREEDY_MEANT, 1)
    lines = [f"The sampler: {how}" + ("" if s.settings_known else " (not stored with this answer: the defaults)")]
    if s.forced:
        lines.append(f"  {forced_words(result.context)}")
    kept = "inside" if s.kept else "OUTSIDE"
    lines.append(f"  probability {chance_words(result)}; {kept} the kept set of {counted(s.kept_size, 'token', grouped=True)}; 95% of the model's "
                 f"probability lies in {counted(s.mass95_size, 'token', grouped=True)}")
    if not s.forced:
        lines += stage_lines(s)
    if recorded_note:
        lines.append(f"  ({recorded_note})")
    return lines


def forced_words(context) -> str:
    """Who put a token there that this model did not sample."""
    if getattr(context, "unwritten", False):
        return "This answer was imported: no model here sampled this token."
    if getattr(context, "other_writer", None):
        return f"{context.other_writer} wrote this answer, in its own tokens: this model did not sample this token."
    return "This token was chosen by a person (a branch), not sampled."


def stage_lines(s) -> list[str]:
    """Setting by setting, how many times likelier each made the token, one to a line, then
    their product and which of them moved it most: the window's words (core.sampler_words)."""
    steps = stage_steps(s)
    if not steps:
        return []
    width = max(len(name) for name, _ in steps + [("together", "")])
    lines = [f"  {STAGES_HEAD} (how many times likelier each setting made this token):"]
    lines += [f"    {name.ljust(width)}  {factor}" for name, factor in steps]
    lines.append(f"    {'together'.ljust(width)}  {together(s)}  "
                 f"({percent(s.raw_prob)} under the model → {percent(s.used_prob)} as sampled)")
    moved = movers_words(s, "answer")
    if moved:
        lines.append(f"  Moved most by: {moved}.")
    return lines
