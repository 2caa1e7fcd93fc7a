"""The fine-tune's words while it runs, free of Qt: the phase of a run, what a counted phase
counts, the time left (the panel's lines, the status bar's label from its longest form to its
shortest), and how long the last run took. The window's panel and status bar, the CLI's
`finetune` lines (``terminal_line``) and tests share them: core's own reports are raw."""

from __future__ import annotations

import math

from desktop_app.core.count_words import counted
from desktop_app.core.store_file import StoreError
from desktop_app.core.word_cut import one_line

PHASE_WORDS = {"preparing": "Getting ready", "training": "Training", "evaluating": "Checking whether it helps",
               "rescoring": "Re-scoring rated answers"}
# the run's own steps, in the words of what they are for (the phase name goes before them)
STEP_WORDS = {"Reading ratings": "reading your ratings",
              "Loading a separate copy of the model for training": "loading a separate copy of the model to train",
              "Computing reference log-probabilities": "scoring your ratings with the model as it is",
              "Measuring your current model, to compare the result with":
                  # (not "... to compare the result with…": its ending read as words cut off)
                  "measuring your current model on held-out ratings and general text, for comparison",
              "Measuring the new adapter": "measuring the new adapter the same way",
              "Answering general requests with the model as it is":
                  "answering a few general requests with the model as it is, so the format of your "
                  "better answers does not spread to every answer (once per run)",
              "Writing practice answers in capitals": "writing practice answers in capitals, like your better answers",
              "Taking the first training step": "taking the first training step (the slowest)"}


# said while a run trains on the processor (usertest 21: during a fine-tune on a busy CPU menus opened in 3-5 s
# and nothing said why; bench/training_lag.py measures the window's lag)
SLOW_WINDOW = "The window may answer slowly while this trains on the processor (Cancel frees it)."

# "Why this token?" computes on the model lane while a run trains on the training lane: both share the processor
# (or the GPU), and nothing had said why the run's steps and time left grew meanwhile (usertest35)
EXPLAIN_SLOWS_STATUS = "slowed by \u201cWhy this token?\u201d"


def explain_slows_words(on_processor: bool) -> str:
    """The panel's line while an explanation runs beside a fine-tune."""
    shared = "processor" if on_processor else "GPU"
    return (f"\u201cWhy this token?\u201d is running too: it shares the {shared} with this run, so the run goes "
            "slower (and its time left grows) until the explanation ends or you cancel it.")


# the measuring of the model in use between two steps (TrainProgress.training_follows): no check of the result
# yet, and the loss curve stands still meanwhile (usertest 14: "Checking whether it helps" at step 2 of 24,
# minutes with the curve still, read as a stall)
PAUSED = "Training paused"
PAUSED_DOING = "measuring your current model"

# a step back's measuring again of an earlier checkpoint, in the status bar (train_verdict.measuring_again_words)
EARLIER_POINT = "checking an earlier point of the run"

CANCELLING = "Cancelling"


def phase_name(p) -> str:
    """One name per phase, the same in the panel and the status bar. Scoring the ratings with
    the model as it is (the reference) comes before the first step: it is getting ready. A
    cancelled run's last report is no check of anything: the status bar said "checking
    whether it helps" under the panel's "Cancelled…"."""
    # here, not at the top: the verdict's module brings the fine-tune's (~0.1 CPU-s), and every CLI command
    # imports these words, `ask` and `score` too (cli105)
    from desktop_app.core.train_verdict import CANCELLED_MESSAGE

    if p.message == CANCELLED_MESSAGE:
        return CANCELLING
    if getattr(p, "training_follows", False):
        return PAUSED
    if p.phase == "training" and not p.step and p.message in STEP_WORDS:
        return PHASE_WORDS["preparing"]
    return PHASE_WORDS.get(p.phase, p.phase.title())


def phase_line(p) -> str:
    """The panel's line for a report without a step count: "Getting ready: scoring your ratings…"."""
    name, step = phase_name(p), STEP_WORDS.get(p.message)
    if name == CANCELLING:
        return f"{name}\u2026"
    if step:
        return f"{name}: {step}\u2026"
    if getattr(p, "stepping_back", None):
        return f"{name}: {p.message}\u2026"
    return f"{p.message}\u2026" if p.message else f"{name}\u2026"


def split_words(split: tuple[int, int] | None, ratings: int | None = None) -> str:
    """"5 of your 6 ratings to learn from, 1 kept aside to test the result" beside a run's progress, from its
    start: its counts of pairs and examples ("0 of 5 pairs" after 6 ratings) read as a rating lost (verdict75);
    "" before the run has split them. ``ratings``: the person's ratings as the panel counted them when the run
    started, where known; the split counts examples (a liked and a disliked answer to one question also make a
    pair), and "70 of your 84 ratings" under "73 ratings in all" read as ratings made up (usertest50)."""
    if not split:
        return ""
    trained, held = split
    if ratings and ratings != trained + held:
        made = f"examples made from your {counted(ratings, 'rating')}"
        if not held:
            return f"All {trained} {made} to learn from, none kept aside to test the result"
        return f"{trained} of the {trained + held} {made} to learn from, {held} kept aside to test the result"
    if not held:
        return f"Your {counted(trained, 'rating')} to learn from, none kept aside to test the result"
    return (f"{trained} of your {trained + held} ratings to learn from, {held} kept aside to test the result")


# a kept-aside question's length on the panel's line: the start of a question names it (a narrow side panel)
KEPT_QUESTION_CHARS = 48
KEPT_NAMED_AT_MOST = 3  # more are counted: a dozen questions kept aside would fill the panel


def kept_aside_questions(store, groups) -> list[str]:
    """The questions of the rated exchanges a run kept aside (``TrainProgress.held_groups``, a run's
    ``heldout_groups``: the question's message id, train_data.rating_group); one deleted since is left out."""
    questions = []
    for group in groups or ():
        try:
            questions.append(store.get_message(group)["text"])
        except StoreError:  # a message deleted since the run: nothing to name
            continue
    return questions


def kept_aside_words(questions: list[str]) -> str:
    """"Kept aside this time, to test the result: “What is the capital of France?” (a run on these same questions
    keeps it aside again)": which ratings were kept aside, not only how many (waiting83: a teacher who had just
    written a correction could not tell it was the one the run did not learn from). The split is drawn from the
    rated questions with a fixed seed, and a run from an adapter keeps its run's held-out questions: "a later run
    may train on it" was said three runs in a row of the same question, while the person rated more of the same
    answers to reach it (usertest57). "" when none were."""
    if not questions:
        return ""
    named = ", ".join(f"\u201c{one_line(q, KEPT_QUESTION_CHARS)}\u201d" for q in questions[:KEPT_NAMED_AT_MOST])
    more = len(questions) - KEPT_NAMED_AT_MOST
    named += f" and {counted(more, 'other')}" if more > 0 else ""
    it = "it" if len(questions) == 1 else "them"
    return f"Kept aside this time, to test the result: {named} (a run on these same questions keeps {it} aside again)"


def kept_aside_line(store, groups, questions=None) -> str:
    """``kept_aside_words`` for the exchanges ``groups``: the panel's, the card's and the CLI's line alike. Their
    ``questions`` as the run read them where it split its ratings (``TrainProgress.held_questions``, a run's
    ``heldout_questions``), so that the window does not read the store for them; None: a report or a run recorded
    without them (a run before inspector86), whose questions ``store`` still holds (``kept_aside_questions``)."""
    if questions is None:
        questions = kept_aside_questions(store, groups) if groups else []
    return kept_aside_words(list(questions))


def progress_line(p) -> str:
    """The panel's line for any report: "Training: step 3 of 12", a count's (``counted_line``),
    else the phase's (``phase_line``)."""
    if p.phase == "training" and p.step:
        return f"{phase_name(p)}: step {p.step} of {p.total}"
    if p.phase != "training" and p.total:
        return counted_line(p)
    return phase_line(p)


# why a run measures the model in use between two steps, in the pause's tooltip (its line names the part alone)
PAUSE_WHY = ("Training pauses while the run measures the model you use now, so that its check after training "
             "can compare the result with it; the training steps go on after this.")


def panel_line(p) -> str:
    """The panel's line: ``progress_line``'s, but the measuring of the model in use between two steps is named with
    its part alone, "Measuring your current model: part 3 of 3"; its count's words, "Training paused: measuring
    your current model (part 3 of 3, ...): 40 of at most 40 tokens of each continuation and answer", filled four
    lines of a narrow panel (usertest70) and go to its tooltip (``panel_tip``)."""
    if not _paused_count(p):
        return progress_line(p)
    part = getattr(p, "part", None)
    return PAUSED_DOING.capitalize() + (f": part {part[0]} of {part[1]}" if part else "")


def panel_tip(p) -> str:
    """The panel line's tooltip: the pause's whole count and why it pauses; "" for any other report."""
    return f"{progress_line(p)}.\n{PAUSE_WHY}" if _paused_count(p) else ""


def _paused_count(p) -> bool:
    """A counted report of the measuring of the model in use between two steps."""
    return p.phase != "training" and bool(p.total) and phase_name(p) == PAUSED


def terminal_line(p) -> str:
    """The panel's line as a line of the CLI's `finetune`: "getting ready: reading your ratings" (it printed
    core's raw reports, "preparing: Reading ratings" beside "preparing: scoring the ..."). Lowercase at its
    start as the CLI's other lines, unless it starts with a name in capitals ("GPT-2"); no "…": a line ends."""
    line = progress_line(p).removesuffix("\u2026")
    return line if line[:2].isupper() else line[:1].lower() + line[1:]


def counted_line(p) -> str:
    """The panel's line for a counted report: "Checking whether it helps: measuring the new
    adapter: re-asking 12 questions at once: 40 of at most 64 tokens of each answer" (a re-scoring's
    message is whole)."""
    if p.phase == "rescoring":
        return p.message or phase_name(p)
    return f"{phase_name(p)}: {part_words(p)}"


def part_words(p) -> str:
    """A count's message with the part of its measuring it is, named: "measuring your current model (part 3 of 3,
    re-asking your questions and a few fixed ones): re-asking 13 questions at once: 2 of at most 40 tokens of each
    answer"; each part counts from 0 again."""
    stage, colon, line = p.message.partition(": ")
    label = part_label(p)
    if not label or not colon:
        return p.message
    return f"{stage} ({label}): {line}"


# what each part of a measuring measures, by TrainProgress.measures (core.training names its counts): the panel
# said "(part 1 of 4)" and the CLI "measuring 1 of 4" over two scoring counts nobody named (usertest32)
MEASURED_PARTS = {"trained": "scoring the ratings it trains on", "held_out": "scoring held-out ratings",
                  "new": "scoring your ratings new since the last run", "margins": "scoring your ratings",
                  "probe": "reading general text", "reask": "re-asking your questions and a few fixed ones",
                  # a run's re-asks of rated Text continuations (finetune_effect.Reasks.measures): a writer who had
                  # asked nothing read "re-asking your questions" (textwords107)
                  "reask_texts": "continuing your texts and asking a few fixed questions",
                  "reask_mixed": "re-asking your questions, continuing your texts and asking a few fixed ones"}


def measured_part(p) -> str:
    """What a count of a measuring measures, in words: "scoring held-out ratings"; "" for another count, and where
    the count's own words say it already ("reading general text: 2 of 8 parts" is not named twice)."""
    name = MEASURED_PARTS.get(getattr(p, "measures", "") or "", "")
    return "" if (p.message or "").partition(": ")[2].startswith(name) else name


def part_label(p) -> str:
    """The part of a measuring a count is, numbered where the measuring has parts, and named: "part 1 of 4,
    scoring held-out ratings"; "scoring held-out ratings" after training (no parts); "" where neither is known.
    The panel's line and the CLI's ``finetune`` lines say it so."""
    part, name = getattr(p, "part", None), measured_part(p)
    numbered = f"part {part[0]} of {part[1]}" if part else ""
    return ", ".join(x for x in (numbered, name) if x)


# the status bar's verb for a counted phase (the panel's name is too long for a narrow bar)
SHORT_DOING = {PHASE_WORDS["evaluating"]: "checking", PHASE_WORDS["preparing"]: "reading",
               PHASE_WORDS["rescoring"]: "re-scoring", PAUSED: "measuring"}


def status_words(p) -> str:
    """The status bar's label for a report, whole: the phase's name (the panel's), and for a counted
    one what it counts, with its time left: "fine-tuning · checking whether it helps 7/12 answers ·
    1 min left"; a training step's time left is the run's, the check after the steps included."""
    return status_forms(p)[0]


def status_forms(p) -> list[str]:
    """The status bar's label from its longest form to its shortest, each saying what the run does
    and what its count counts (usertest 11, B3: "fine-tune 7/12 · 2 min left" said neither that it
    was checking, not training, nor what 7/12 counted): "... · checking whether it helps 7/12
    answers · 2 min left", "fine-tune: checking 7/12 answers · 2 min left", "checking 7/12 answers
    · 2 min left", "checking 7/12 answers"; a step's: "... · step 3/12 · 4 min left", "training step
    3/12 · 4 min left", "training step 3/12". An uncounted report has one form."""
    if p.phase == "training" and p.step:
        left = eta_words(run_left(p)).removeprefix("about ")
        count = f"step {p.step}/{p.total}"
        return _joined_forms(["fine-tuning", count, left], [f"training {count}", left])
    back = getattr(p, "stepping_back", None)
    if back and phase_name(p) != CANCELLING:  # the gate tries an earlier checkpoint (usertest 12: a silent "almost done")
        trying = f"trying step {back[0]} of {back[1]}"
        left = count_eta_words(p).removeprefix("about ") if p.total else ""
        return _joined_forms(["fine-tuning", f"an answer went wrong: {trying}", left],
                             [f"fine-tune: {trying}", left], [f"trying step {back[0]}/{back[1]}", left])
    if getattr(p, "checking_earlier", False) and phase_name(p) != CANCELLING:
        return _earlier_forms(p)
    if p.phase != "training" and p.total and phase_name(p) != CANCELLING:
        counted, short = count_words(p)
        left = count_eta_words(p).removeprefix("about ")
        doing = PAUSED_DOING if phase_name(p) == PAUSED else phase_name(p).lower()
        return _joined_forms(["fine-tuning", f"{doing} {counted}", left],
                             [f"fine-tune: {short}", left], [short, short_eta_words(p)])
    if phase_name(p) == PAUSED:
        return [f"fine-tuning \u00b7 {PAUSED.lower()}: {PAUSED_DOING}"]
    return [f"fine-tuning \u00b7 {phase_name(p).lower()}"]


def _earlier_forms(p) -> list[str]:
    """A step back's measuring again of an earlier checkpoint (the panel's line says why): "fine-tuning ·
    checking an earlier point of the run: 7/12 answers · 1 min left", "earlier point: checking 7/12
    answers" (a new user saw "checking whether it helps 7/12" start over, and the reason only in the tab)."""
    if not p.total:
        return [f"fine-tuning \u00b7 {EARLIER_POINT}"]
    # the count's words follow the reason, whose own words ("made general text read less fluently") name no count
    counted, short = count_words(p, p.message.partition(": ")[2])
    left = count_eta_words(p).removeprefix("about ")
    return _joined_forms(["fine-tuning", f"{EARLIER_POINT}: {counted}", left],
                         [f"fine-tune: earlier point: {short}", left], [f"earlier point: {short}", short_eta_words(p)])


def _joined_forms(*forms: list[str]) -> list[str]:
    """Each form's parts joined by " · " (empty ones left out), then the last form's first part
    alone: the narrowest, which keeps what is done and its count."""
    lines = [" \u00b7 ".join(part for part in form if part) for form in forms] + [forms[-1][0]]
    return list(dict.fromkeys(named_run(line) for line in lines))


def named_run(line: str) -> str:
    """``line`` saying it is the fine-tune's: a narrow status bar showed "re-asking questions, token 13/40"
    alone, which does not say that a fine-tune is running (counts59); a training step says so itself."""
    return line if line.startswith(("fine-tun", "training")) else f"fine-tune: {line}"


# what a count counts, by a word of its line (core.work_meter's ``what``): (the count with its unit
# after the phase's name, the shortest line that says what is done); {n} "7/12", {doing} SHORT_DOING's
COUNTED = (("re-asking questions: ", "{n} re-asked answers known already", "re-asking questions, {n} answers known"),
           # ^ the re-asks an earlier run answered (core.finetune_effect.KNOWN_PARTS) count answers, not tokens:
           # the status bar read "token 13/13" beside the panel's "13 of 13 answers known already" (usertest40)
           ("re-asking questions, continuing texts: ", "{n} known already", "re-asking, continuing, {n} known"),
           ("and re-asking", "{n} tokens of continuations and re-asked answers", "continuing, re-asking, token {n}"),
           ("continuing", "{n} tokens of continuations", "continuing texts, token {n}"),  # reasking.reask_what's
           ("re-asking", "{n} tokens of re-asked answers", "re-asking questions, token {n}"),
           ("general text", "{n} parts of general text", "{doing} general text {n}"),
           ("pair", "{n} answer pairs", "{doing} {n} answer pairs"),  # "of 1 pair" too
           ("token by token", "{n} tokens of rated answers", "{doing} {n} rated tokens"))
COUNTED_ANSWERS = ("{n} answers", "{doing} {n} answers")  # the margins' scorings, the reference's


def count_words(p, line: str | None = None) -> tuple[str, str]:
    """What a counted report counts: (the count with its unit, "7/12 tokens of re-asked answers";
    the shortest line that says what is done, "re-asking questions, token 7/12"); ``line``: the part
    of its message that says what it counts, where not the whole."""
    line = (p.message or "") if line is None else line
    unit, short = next(((u, s) for word, u, s in COUNTED if word in line), COUNTED_ANSWERS)
    fields = {"n": f"{p.step}/{p.total}", "doing": SHORT_DOING.get(phase_name(p), phase_name(p).lower())}
    if phase_name(p) == PHASE_WORDS["rescoring"]:  # its name says what it counts: "re-scoring rated answers 1/3"
        unit = "{n}"
    return unit.format(**fields), short.format(**fields)


def short_eta_words(p) -> str:
    """``count_eta_words`` for a narrow bar: "2 min left", "20 s, then training"."""
    if not getattr(p, "eta_whole", True):  # this part's time alone began again at each part (waiting83)
        left = parts_to_come_words(p.part)
        return f"{left}, then training" if getattr(p, "training_follows", False) else left
    left = eta_words(p.eta_s).removeprefix("about ")
    if getattr(p, "training_follows", False):
        return f"{left.removesuffix(' left')}, then training" if left else "then training"
    return left


def run_left(p) -> float | None:
    """A report's time left: a training step's with the check after the steps added (``check_s``)."""
    if p.phase == "training" and p.eta_s is not None and getattr(p, "check_s", None):
        return p.eta_s + p.check_s
    return p.eta_s


def eta_words(seconds: float | None) -> str:
    """An estimate as rough as it is: whole minutes past a minute, tens of seconds below (on a busy
    machine the pace of a few steps moves by minutes: "4 min 39 s" then "7 min 29 s", usertest 8)."""
    if seconds is None or not math.isfinite(seconds):
        return ""
    seconds = max(0.0, seconds)
    if seconds < 1:
        return "almost done"
    if seconds < 10:
        return "a few seconds left"
    if seconds < 60:
        return f"about {max(10, int(round(seconds / 10)) * 10)} s left"
    return f"about {int(round(seconds / 60))} min left"


def rough_length(seconds: float) -> str:
    """``eta_words``'s rounding as a length: "2 min", "40 s", "a few seconds"."""
    if seconds < 10:
        return "a few seconds"
    return eta_words(seconds).removeprefix("about ").removesuffix(" left")


def step_eta_words(seconds: float | None, check_s: float | None = None) -> str:
    """The time left beside a training step: held until the steps have a pace
    (core.train_step_loop.ETA_AFTER_STEPS); the run's whole time left, the check after the steps included
    and said (usertest 9, B9: "about 50 s left" at the last step, then 10 minutes of checking): "about 4 min
    left (training, then ~2 min checking whether it helps)"."""
    if seconds is None or not math.isfinite(seconds):
        # "time left: after a few steps" read as the time left itself (usertest32)
        return "time left: known after a few steps"
    if not check_s:
        return eta_words(seconds)
    if seconds <= 0:  # the last step done: "(training, then ~3 min checking…)" at step 22 of 22 (usertest31)
        return f"{eta_words(check_s)} (checking whether it helps)"
    return f"{eta_words(seconds + check_s)} (training, then ~{rough_length(check_s)} checking whether it helps)"


def count_eta_words(p, trained_to: tuple[int, int] | None = None, so_far_s: float | None = None) -> str:
    """The time left beside a count: its measuring's; the measuring of the model in use, done
    between two steps, says that the steps go on after it, and from which step where ``trained_to``
    (the step reached, of the steps) is known: "about 2 min left for this, then training goes on
    from step 3 of 24". Where the later parts' time is not known yet (``eta_whole``), the parts still
    to come and the measuring's time so far (``so_far_s``) instead: "20 s so far, 2 more parts to come"."""
    whole = getattr(p, "eta_whole", True)
    left = eta_words(p.eta_s) if whole else parts_to_come_words(p.part, so_far_s)
    if getattr(p, "stepping_back", None) and left:  # more checkpoints may follow: this one's time alone
        return f"{left} for this checkpoint"
    if getattr(p, "training_follows", False):
        goes_on = "then training goes on"
        if trained_to and trained_to[0] < trained_to[1]:
            goes_on += f" from step {trained_to[0] + 1} of {trained_to[1]}"
        if not whole:
            return f"{left}, {goes_on}"
        # nothing before it (a part's first count, its time not known yet): "then training goes on" began the line
        # in lower case, after nothing (usertest54)
        return f"{left} for this, {goes_on}" if left else f"after this, {goes_on.removeprefix('then ')}"
    return left


def parts_to_come_words(part: tuple[int, int], so_far_s: float | None = None) -> str:
    """"20 s so far, 2 more parts to come": a measuring whose later parts' time is not known yet. Its time left
    had counted this part alone, and "about 30 s left" began again at "part 2 of 3" and "part 3 of 3"
    (waiting83); the time so far and the parts to come only go one way."""
    ahead = part[1] - part[0]
    more = f"{counted(ahead, 'more part')} to come" if ahead > 0 else "the last part"
    if so_far_s is None:
        return more
    return f"{rough_length(max(0.0, so_far_s))} so far, {more}"


def early_stop_words(step: int, total: int) -> str:
    """The live line when training ends before its planned steps (the perplexity guard stopped it;
    ``finetune_words.stopped_words`` says the same on the card)."""
    return (f"Training stopped at step {step} of {total}: general text began to read less fluently, "
            "so it stopped on purpose. Now checking the result.")
