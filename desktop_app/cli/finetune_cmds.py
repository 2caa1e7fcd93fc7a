"""finetune: train on the ratings in the database (adapters, to list and switch the versions: adapter_cmds)."""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading

from desktop_app.cli.common import CliError, changed_fact_lines, notice_once, open_store, reask_line, stderr_bar
from desktop_app.core.adapters import adapter_name
from desktop_app.core.duration_words import duration_words
from desktop_app.core.fact_changes import all_changed_facts
from desktop_app.core.format_spill import spill, spill_words
from desktop_app.core.logs import quiet_libraries
from desktop_app.core.progress_words import (kept_aside_line, measured_part, phase_name,
                                             split_words, terminal_line)
from desktop_app.core.taught_words import (changed_unrated_words, gate_margins, gives_yours, new_since_words,
                                           rated_count_words, repeats_words, short_first, shown_answer, unchecked_why,
                                           unchecked_words, yours_label)
from desktop_app.core.train_counts import nothing_new_since, ratings_of_run
from desktop_app.core.train_repeat import same_examples_as, same_examples_words
from desktop_app.core.train_settings import FineTuneSettings
from desktop_app.core.word_cut import one_line

# a cancelled run's last report in words (it had printed "evaluating: Cancelled": a state's name, and no check ran);
# main's "interrupted: run N was cancelled: nothing changed" follows it
CANCELLED_LINE = "stopped: the run was cancelled before it finished"


# what finetune's --seed seeds: more than the split, so no --split-seed (cli105); not the sampling, which ask's does
SEED_HELP = ("the seed of the run's chances, not of any answer's sampling (that is ask's --seed): which rated answers "
             "are held out, the order of the batches and the adapter's starting weights (default 0): the same seed and "
             "ratings, the same run")


def register(subparsers, common: argparse.ArgumentParser) -> None:
    _register_finetune(subparsers, common)


def _register_finetune(subparsers, common: argparse.ArgumentParser) -> None:
    """``gpt2-desk finetune`` and its settings."""
    ft = subparsers.add_parser("finetune", parents=[common],
                               help="train a LoRA adapter on your ratings; kept only if it helps")
    ft.add_argument("--epochs", type=int, default=None, metavar="N",
                    help="passes over the ratings (default: chosen from how many there are)")
    ft.add_argument("--lr", type=float, default=None, metavar="X",
                    help="learning rate (default: 5e-4, scaled for batches above 8)")
    ft.add_argument("--max-steps", type=int, default=None, metavar="N", help="at most this many updates (200)")
    ft.add_argument("--batch-size", type=int, default=None, metavar="N",
                    help="ratings per update (default: about 0.8 x the square root of their number)")
    ft.add_argument("--lora-r", type=int, default=None, metavar="R",
                    help="LoRA rank: how many directions the adapter may change per layer (8)")
    ft.add_argument("--beta", type=float, default=None, metavar="B",
                    help="how far the preference losses (KTO, DPO) may pull from the model you have (0.1)")
    # "fraction of conversations held out" gave no default, and the split is by rated answer (usertest32)
    ft.add_argument("--heldout", type=float, default=None, metavar="F",
                    help=f"the share of rated answers kept out of training, to check the run on ratings it did not "
                         f"learn ({FineTuneSettings.heldout_fraction}; none with fewer than 4 examples)")
    ft.add_argument("--seed", type=int, default=None, metavar="N",
                    help=SEED_HELP)
    ft.add_argument("--json", action="store_true", help="print one JSON object with the run's result")
    ft.set_defaults(func=cmd_finetune)


def _settings(args):
    from desktop_app.core.train_settings import FineTuneSettings

    s = FineTuneSettings()
    for arg, name in (("epochs", "epochs"), ("lr", "lr"), ("max_steps", "max_steps"), ("batch_size", "batch_size"),
                      ("lora_r", "lora_r"), ("beta", "beta"), ("heldout", "heldout_fraction"), ("seed", "seed")):
        value = getattr(args, arg)
        if value is not None:
            setattr(s, name, value)
    _check_settings(args)
    if s.lora_alpha < s.lora_r:
        s.lora_alpha = 2 * s.lora_r
    if getattr(args, "precision", "auto") == "fast":  # bfloat16 autocast for the steps, where the CPU/GPU has it
        s.precision = "auto"
    return s


def _check_settings(args) -> None:
    """The first option given out of its range, named with what it takes: "--lr must be >= 0 and --heldout in
    [0, 1)" was said for either one (cli63)."""
    counts = ("epochs", "max_steps", "batch_size", "lora_r")
    faults = [(f"--{name.replace('_', '-')}", value, "a whole number from 1 up") for name in counts
              if (value := getattr(args, name)) is not None and value < 1]
    faults += [("--lr", v, "0 or more (0 trains nothing)") for v in [args.lr] if v is not None and v < 0]
    faults += [("--heldout", v, "a share from 0 up to, not including, 1 (0.2: a fifth of the rated answers)")
               for v in [args.heldout] if v is not None and not 0 <= v < 1]
    if faults:
        option, value, wanted = faults[0]
        raise CliError(f"{option} {value:g} is out of range: give {wanted}.")


# a training line's figures, every line the same columns, "-" where a step has no such figure (the kl or the margin
# of a batch without both kinds of rating): columns came and went from one line to the next (cli59). The margin is
# that step's batch's reward margin, "step margin": a bare "margin" read as the summary's held-out preference margin
# (leftovers63)
TRAINING_FIGURES = (("loss", "loss", 4), ("kl", "kl", 3), ("step margin", "reward_margin", 3))
UNKNOWN_FIGURE = "-"
# a count inside a measuring, "3 of 8" / "0 of at most 40": said "3/8", so it does not read as the measuring's own
# "measuring 2 of 4" starting again
INNER_COUNT = re.compile(r"\b(\d+) of (at most )?(\d+)((?: [a-z]+)*)")


def training_figures(p) -> dict[str, str]:
    """A training step's figures by column name, each column always there: {"loss": "0.4955", "kl": "0.006",
    "step margin": "-"}."""
    figures = {}
    for name, field, places in TRAINING_FIGURES:
        value = getattr(p, field)
        figures[name] = UNKNOWN_FIGURE if value is None else f"{value:.{places}f}"
    return figures


def _inner_counts(text: str) -> str:
    """ "re-asking 13 questions at once: 0 of at most 40 tokens of each answer" -> "...: 0/40 tokens of each
    answer (at most)"."""
    def short(m: re.Match) -> str:
        return f"{m[1]}/{m[3]}{m[4]}{' (at most)' if m[2] else ''}"

    return INNER_COUNT.sub(short, text)


def counted_line(p) -> str:
    """A counted report outside the steps, steady: the part of a measuring numbered and named as what it
    measures, "training paused: measuring 1 of 4 (your current model), scoring held-out ratings: scoring the 6
    answers your examples compare: 3/6"; the count inside it as "3/8" (it had read "part 2 of 4: ... 0 of 8",
    each count a restart of the part's; and two scoring counts in part 1 named by neither, usertest32)."""
    stage, colon, rest = (p.message or "").partition(": ")
    if p.part and colon and p.phase != "rescoring":
        about, phase = stage.removeprefix("measuring "), phase_name(p)
        named = f", {measured_part(p)}" if measured_part(p) else ""
        return (f"{phase[:1].lower()}{phase[1:]}: measuring {p.part[0]} of {p.part[1]} ({about}){named}: "
                f"{_inner_counts(rest)}")
    return _inner_counts(terminal_line(p))


def steady_line(p) -> str:
    """The CLI's line for a report other than a training step's (``terminal_line`` for the uncounted)."""
    if p.total and p.phase != "training":
        return counted_line(p)
    return terminal_line(p)


class _Bar:
    """TrainProgress -> a tqdm bar for the steps, one line per phase change (stderr)."""

    def __init__(self, quiet: bool, store=None, ratings: int | None = None):
        self.quiet, self.bar, self.phase = quiet, None, None
        self.store = store  # where the questions kept aside are read, to name them (_say_split)
        # the person's ratings as the run read them (its reports' rating_counts), else as its caller counted them
        self.ratings = ratings
        self.tenth_said = -1
        self.count_said: tuple | None = None
        self.line_said: str | None = None
        self.last_step: tuple | None = None  # (the last step's report, whether its line was printed)
        self.split_said = False

    def __call__(self, p) -> None:
        self.ratings = ratings_of_run(getattr(p, "rating_counts", None), self.ratings)  # the run's, once read
        self._say_split(p)
        if p.phase != self.phase or (p.phase != "training" and p.message):
            if self.bar is not None and p.phase != "training":
                self.bar.close()
                self.bar = None
                self._steps_so_far()
            self.phase = p.phase
            if p.message and not (p.phase == "training" and p.step):
                self._say(p)
        if p.phase == "training" and p.step:
            if self.bar is None:
                self.bar = stderr_bar("training", p.total, announced=True)  # into a log, _log_line says more
            self.bar.n = p.step
            self.bar.set_postfix(training_figures(p), refresh=False)
            self.bar.refresh()
            self._log_line(p)

    def _say_split(self, p) -> None:
        """Once, as the run splits the ratings, the window's words beside its progress: "5 of your 6 ratings to
        learn from, 1 kept aside to test the result"; the terminal's "0 of 5 pairs" after 6 ratings had read as a
        rating lost, the one kept aside explained only in the report (leftovers77)."""
        if p.split and not self.split_said:
            print(split_line(p.split, self.ratings), file=sys.stderr)
            named = kept_aside_line(self.store, p.held_groups, p.held_questions) if self.store else ""
            if named:  # which ones, as the window says: a correction just written may be the one (waiting83)
                print(f"getting ready: {named[:1].lower()}{named[1:]}", file=sys.stderr)
            self.split_said = True

    def _say(self, p) -> None:
        """A phase's line, but a count's (a report outside the steps with ``step`` of ``total``: "re-asking 13
        questions at once: 32 of at most 40 tokens") only at its first, each tenth and its last: one line a
        token had written 40 lines a measurement, 200 a run (usertest27)."""
        if p.total and p.phase != "training":
            said = (p.phase, p.part, p.total, p.step * 10 // p.total)
            if said == self.count_said and p.step not in (0, p.total):
                return
            self.count_said = said
        # the window's words for the report (its progress line): "getting ready: reading your ratings", "training
        # paused: measuring your current model ..." (it printed core's raw "preparing: Reading ratings")
        from desktop_app.core.train_verdict import CANCELLED_MESSAGE  # not at the top: ask and score need none of it

        line = CANCELLED_LINE if p.message == CANCELLED_MESSAGE else steady_line(p)
        if line != self.line_said:  # a count's start reported again ("... 0 of 9 tokens" four times, cli52)
            print(line, file=sys.stderr)
            self.line_said = line

    def _log_line(self, p) -> None:
        """Where stderr is a log or a pipe the bar is off: one line at each tenth of the steps, so a
        run of many minutes is not a lone "training..." (usertest27)."""
        self.last_step = (p, False)
        if sys.stderr.isatty() or not p.total:
            return
        tenth = p.step * 10 // p.total
        if tenth == self.tenth_said and p.step != 1:
            return
        self.tenth_said = tenth
        self._step_line(p)

    def _steps_so_far(self) -> None:
        """The steps stopped (the pause to measure the current model, or their end): their last line, unless
        printed. The terminal's bar goes as it closes, so "training paused: measuring ..." had followed "taking
        the first training step" as if no step had run (cliwords71); a log said step 1 of 100, not 2."""
        if self.last_step is not None and not self.last_step[1]:
            self._step_line(self.last_step[0])

    def _step_line(self, p) -> None:
        """ "training: step 3 of 12, loss 0.4955, kl 0.006, step margin -, about 2 min left"."""
        said = ", ".join(f"{name} {value}" for name, value in training_figures(p).items())
        left = f", about {duration_words(p.eta_s, rough=True)} left" if p.eta_s and p.eta_s >= 1 else ""
        print(f"{terminal_line(p)}, {said}{left}", file=sys.stderr)
        self.last_step = (p, True)


def cmd_finetune(args) -> int:
    from desktop_app.core.model_sources import resolve_spec

    settings = _settings(args)  # an option out of range refused before transformers' import (cli102)
    quiet_libraries()
    source = resolve_spec(args.model)
    notice_once(args.paths)(source.notice)
    result, repeat, ratings, conflicts, same = _run_finetune(args, settings, source.model_id)
    use_with = f"gpt2-desk adapters activate {result.adapter_id}" if result.needs_consent else None
    if args.json:
        print(json_text(_json_report(result, repeat, use_with, ratings, conflicts, same)))
    else:
        _print_report(result, repeat, use_with)
    return 0


def _run_finetune(args, settings, model_id: str):
    """The run, its progress bar on stderr, Ctrl+C cancelling it: ``(result, repeat, ratings, conflicts, same)``,
    ``repeat`` the run it repeats with nothing new (``nothing_new_since``, read before the run: it counts as a
    run itself), ``ratings`` the person's as the run read them (its reports' ``rating_counts``; the split counts
    examples), ``conflicts`` the ratings it reads that disagree (``say_conflicts``), ``same`` the discarded run
    whose examples it trains on again (``say_same_examples``)."""
    from desktop_app.core import session

    cancel = threading.Event()
    with open_store(args) as store:
        bar = _Bar(args.json, store)
        repeat = nothing_new_since(store, model_id)
        conflicts = say_conflicts(store)
        same = say_same_examples(store, model_id, settings)
        runs_before = len(store.list_runs())
        try:
            result = session.fine_tune(store, args.model, args.paths, settings, progress=bar, cancel=cancel,
                                       device=args.device)
        except KeyboardInterrupt:
            cancel.set()
            raise KeyboardInterrupt(_cancelled_words(store, runs_before)) from None
        finally:
            if bar.bar is not None:
                bar.bar.close()
    return result, repeat, bar.ratings, conflicts, same


def say_same_examples(store, model_id: str, settings) -> int | None:
    """The discarded run whose examples this run would train on again (core/train_repeat.py), said on stderr
    before the run (also under --json, whose report names it): the run goes on, as the person asked for it."""
    same = same_examples_as(store, model_id, settings)
    if same is not None:
        print(f"note: {same_examples_words(same)}.", file=sys.stderr)
    return same


def say_conflicts(store) -> list:
    """The ratings that disagree (core/rating_conflicts.py), said on stderr before the run reads them (also
    under --json, whose report lists them): each side's answer id, which ``rate ID clear`` takes."""
    from desktop_app.core.conflict_words import conflicts_line
    from desktop_app.core.rating_conflicts import find_conflicts

    conflicts = find_conflicts(store)
    if conflicts:
        line = conflicts_line(conflicts, lambda p: f"conversation {p.conversation_id} (answer {p.message_id})")
        print(f"note: {line} To keep one side, take the other away (gpt2-desk rate ID clear).", file=sys.stderr)
    return conflicts


def _cancelled_words(store, runs_before: int) -> str:
    """What Ctrl+C left: a bare "interrupted" did not say whether an adapter was saved or the model in use
    changed (usertest27); the window's card says "Run 3 was cancelled: nothing changed". Only this run's
    record counts (``runs_before``: how many there were): Ctrl+C before it began names no earlier run."""
    runs = store.list_runs()
    if len(runs) > runs_before and runs[0]["status"] == "cancelled":
        return (f"run {runs[0]['id']} was cancelled: nothing changed (no adapter was saved, the model in use is "
                "as it was)")
    if len(runs) == runs_before:  # while the ratings or the copy to train were read: a bare "interrupted" (cli62)
        return "stopped before the run began: nothing changed (no adapter was saved, the model in use is as it was)"
    return ""


def _json_report(result, repeat: int | None, use_with: str | None, ratings: int | None = None,
                 conflicts: list | None = None, same: int | None = None) -> dict:
    """What ``finetune --json`` prints: the verdict, what to do next, and every figure. The re-asked pairs once,
    marked, as ``taught``: ``metrics`` had them again unmarked, half its lines (cliwords74). ``conflicts``: the
    ratings the run read that disagree (core/rating_conflicts.py), each pair's ``liked`` and ``disliked``. ``same``:
    the discarded run whose examples it trained on again (``say_same_examples``), and its words."""
    m = result.metrics
    return {"run_id": result.run_id, "kept": result.kept, "adapter_id": result.adapter_id,
            "status": result.status, "reason": result.reason, "activated": result.activated,
            "needs_consent": result.needs_consent, "facts_changed": result.facts_changed,
            "facts_unsure": m.get("facts_unsure", []),
            "usable_anyway": result.usable_anyway,
            "degenerate_answers": m.get("degenerate_answers", []) if result.usable_anyway else [],
            "leave_with": f"gpt2-desk adapters delete {result.adapter_id}" if result.usable_anyway
            else None,
            "use_with": use_with, "started_from_adapter": m.get("started_from_adapter"),
            "new_since_run": m.get("new_since_run_id"), "nothing_new_since_run": repeat,
            "same_examples_as_run": same, "same_examples_note": same_examples_words(same) if same else None,
            "taught": _marked(m.get("taught") or []), "conflicts": [c.as_dict() for c in conflicts or []],
            "format_spill": spill(m.get("taught") or []), "margins": gate_margins(m), "split": _split(m, ratings),
            "metrics": {k: v for k, v in m.items() if k != "taught"}}


def split_line(split: tuple[int, int], ratings: int | None = None) -> str:
    """The split as a line of the progress, which reads "phase: what" in lower case as the others do:
    "getting ready: 5 of your 6 ratings to learn from, 1 kept aside to test the result"; with the person's
    ``ratings`` where the split counts examples ("70 of the 84 examples made from your 73 ratings", usertest50)."""
    words = split_words(split, ratings)
    return f"getting ready: {words[:1].lower()}{words[1:]}"


def _split(m: dict, ratings: int | None = None) -> dict | None:
    """The ratings learnt from and kept aside, in the numbers and the words the progress said them; None for a
    run stopped before it split them. The ratings its examples were made from: the run's own count (its
    ``rating_counts``), else ``ratings``."""
    if m.get("train_size") is None or m.get("heldout_size") is None:
        return None
    counts = (m["train_size"], m["heldout_size"])
    return {"learn_from": counts[0], "kept_aside": counts[1],
            "words": split_words(counts, ratings_of_run(m.get("rating_counts"), ratings))}


# a list of numbers as indent=2 writes it, one number a line: a bracket and a line break first, which no JSON
# string holds (a line break in one is written \n), so no text inside a string is touched
_NUMBER = r"-?(?:\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|Infinity)|NaN"
_NUMBER_LIST = re.compile(rf"\[\n\s*((?:{_NUMBER})(?:,\n\s*(?:{_NUMBER}))*)\n\s*\]")


def json_text(report: dict) -> str:
    """``finetune --json``'s text: indented, each list of numbers on one line (``metrics.grad_norms``, one
    number per optimizer step, up to 200, had taken a line each, the longest part of a long run's report)."""
    text = json.dumps(report, indent=2)
    return _NUMBER_LIST.sub(lambda m: "[" + ", ".join(re.split(r",\s*", m.group(1))) + "]", text)


def _print_report(result, repeat: int | None, use_with: str | None) -> None:
    """The run in words: the verdict (or the question it asks), the margins, the schedule, what it taught."""
    m = result.metrics
    if result.usable_anyway:
        _print_use_anyway(result, use_with)
    elif result.needs_consent:
        _print_consent(result, use_with)
    else:
        print(verdict_line(result, repeat))
    if "margin_before" in m:
        for margin in gate_margins(m):  # the figures and words --json's "margins" gives
            print(f"  margin ({margin['on']}): {margin['figures']} ({margin['moved']})")
        print(f"  probe perplexity: {m['probe_ppl_before']:.3f} -> {m['probe_ppl_after']:.3f}")
        print(reask_line(m))
    sched = m.get("schedule")
    if sched:
        print(f"  schedule: {sched['updates']} updates at batch {sched['batch_size']}, lr {sched['lr']:.0e} "
              f"({sched['epochs']} passes over {sched['examples']} examples, {sched['rule']})")
    if m.get("started_from_adapter") is not None:
        print(f"  started from {adapter_name(m['started_from_adapter'])} (in use): the answers \"before\" are its")
    _print_taught(m.get("taught") or [], m.get("new_since_run_id"))


def verdict_line(result, repeat: int | None) -> str:
    """The run's first line. ``repeat``: the run it repeated with nothing new (train_counts.nothing_new_since):
    its discard is no failure (usertest words45: "discarded" with the same figures read like one)."""
    if result.kept:
        # the reason --json gives, as a discarded run's line gives it: how the margin moved, in the same words (cli63)
        return f"run {result.run_id}: kept and activated ({adapter_name(result.adapter_id)}): {result.reason}"
    if result.status == "discarded" and repeat is not None:
        return (f"run {result.run_id}: nothing new since run {repeat}: it trained on the same ratings and came out "
                f"the same, so the model in use stays as it is (the check said: {result.reason}).\n"
                "  To teach something new, rate or correct more answers first.")
    return f"run {result.run_id}: {result.status}: {result.reason}"


def _print_consent(result, use_with: str) -> None:
    """A kept run saved but not put in use: every answer it changed to a never-rated question (the
    guesses the model was not sure of marked, as the window's card marks them), and how to use it anyway."""
    changed = all_changed_facts(result.metrics)
    n = len(changed)
    print(f"run {result.run_id}: kept as {adapter_name(result.adapter_id)}, NOT in use: {changed_unrated_words(n)}:")
    for line in changed_fact_lines(changed):
        print(line)
    print(f"  The model in use is unchanged. Use it anyway with: {use_with}")


def _print_use_anyway(result, use_with: str) -> None:
    """A run discarded for degenerate re-asks alone: why, the answers that went wrong, and how to use
    its adapter anyway (saved, not in use) or leave it."""
    print(f"run {result.run_id}: discarded: {result.reason}")
    print(f"  Only the re-asked answers failed the check; the adapter it judged is saved as adapter "
          f"{result.adapter_id}, NOT in use. The answers that went wrong:")
    for d in result.metrics.get("degenerate_answers") or []:
        too = " (it did so before training too)" if d.get("before_too") else ""
        print(f"    {one_line(d.get('question'), 70)}  ({d.get('problem')}){too}")
        print(f"      before: {one_line(d.get('before'), 100)}")
        print(f"      after:  {one_line(d.get('after'), 100)}")
    print(f"  The model in use is unchanged. Use it anyway with: {use_with}")
    print(f"  Leave it with: gpt2-desk adapters delete {result.adapter_id} (the next fine-tune removes it too)")


def _print_taught(taught: list[dict], since_run=None) -> None:
    """The greedy answers before and after, for rated questions and never-seen ones, with what the
    window's card says of them: how many rated questions give the person's answer, the ones not checked
    automatically and why, an answer that repeats itself (core.taught_words)."""
    if not taught:
        return
    print("  greedy answers before -> after:")
    for line in (rated_count_words(taught), unchecked_words(taught), spill_words(spill(taught))):
        if line:
            print(f"    {line}")
    shown = None
    for t in _by_question(short_first(taught)):  # those rated since the previous run first, then those short of yours
        done = "wrote an answer" if t.get("right_written") is True else "rated"  # as the card tags it (leftovers77)
        tag = (done if t.get("seen") else f"{done}, held out to test" if t.get("held")
               else "open request, never seen" if t.get("open") else "never seen")
        new = new_since_words(t, since_run)
        tag = f"{new}, {tag}" if new else tag
        if t.get("question") and t.get("question") == shown:
            print(f"      {ASKED_AGAIN}")
        else:
            print(f"    [{tag}] {one_line(t.get('question'), 70)}")
        shown = t.get("question")
        print(f"      before: {one_line(shown_answer(t, 'before'), 100)}")
        print(f"      after:  {one_line(shown_answer(t, 'after'), 100)}")
        for note in _pair_notes(t):
            print(f"      ({note})")


# a rated question is re-asked in its conversation and on its own (core.finetune_effect.distinct_prompts): the
# same question twice, with other "before" answers, read as a mistake (usertest32; the card shows one, ux10)
ASKED_AGAIN = "asked again with another prompt (a rated question is asked in its conversation and on its own):"


def _by_question(pairs: list[dict]) -> list[dict]:
    """``pairs`` in their order, a question's later pairs moved up under its first."""
    first: dict[str, int] = {}
    for pair in pairs:
        first.setdefault(pair.get("question") or "", len(first))
    return sorted(pairs, key=lambda pair: first[pair.get("question") or ""])


def _pair_notes(t: dict) -> list[str]:
    """What is wrong with a pair's new answer, or why nobody checked it, as the window's card says it."""
    notes = []
    if t.get("dropped_after"):
        what = f"{yours_label(t)}: {one_line(t['right'], 60)}" if t.get("right") else "the answer before"
        notes.append(f"lost its answer: it names nothing of {what}")
    why = unchecked_why(t)
    if why:
        yours = f"; compare with {yours_label(t)}: {one_line(t['right'], 100)}" if t.get("right") else ""
        notes.append(f"not checked automatically ({why}){yours}")
    again = repeats_words(t.get("after"))
    if again:
        notes.append(f"the new answer {again}")
    return notes


def _marked(taught: list[dict]) -> list[dict]:
    """``finetune --json``'s pairs with what the card says of them, in the card's order (the ones rated
    since the previous run first, marked ``new``, then the rated questions not known to give the
    person's answer: ``short_first``): ``gives_your_answer``
    (true, false, or null: not checked or no rated question), ``not_checked`` (why a rated question's
    new answer was not checked automatically, else null) and ``repeats`` ("repeats itself: “...”",
    else null)."""
    return [{**t, "gives_your_answer": gives_yours(t), "not_checked": unchecked_why(t),
             "repeats": repeats_words(t.get("after")) or None} for t in short_first(taught)]
