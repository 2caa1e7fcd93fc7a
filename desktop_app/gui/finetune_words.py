"""The fine-tune panel's words, free of Qt: the phase of a run, the time left, a run's result,
what the ratings there are add to the last run. The panel, the status bar and tests share them."""

from __future__ import annotations

import html
import math

from desktop_app.core.finetune_effect import (all_changed_facts, changed_how_words, marked_sure_words,
                                             repeated_opening)
from desktop_app.core.format_spill import spill, spill_words
from desktop_app.core.taught_words import (and_list, new_rated, new_unlearned, rated, rated_count_words,
                                           rated_questions, repeats_words, short_of_yours, unchecked_why,
                                           unchecked_words)
from desktop_app.core.train_verdict import CANCELLED_BY_PERSON, STOPPED_BY_CTRL_C, STOPPED_BY_QUIT

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
              "Writing practice answers in capitals": "writing practice answers in capitals, like your better answers"}


CANCELLING = "Cancelling"
CANCELLED_MESSAGE = "Cancelled"  # core.training's last report of a cancelled run (phase "evaluating")


def phase_name(p) -> str:
    """One name per phase, the same in the panel and the status bar. Scoring the ratings with
    the model as it is (the reference) comes before the first step: it is getting ready. A
    cancelled run's last report is no check of anything: the status bar said "checking
    whether it helps" under the panel's "Cancelled…"."""
    if p.message == CANCELLED_MESSAGE:
        return CANCELLING
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


def counted_line(p) -> str:
    """The panel's line for a counted report: "Checking whether it helps: measuring the new
    adapter: re-asking 12 questions at once: 40 of at most 64 tokens of each answer" (a re-scoring's
    message is whole)."""
    if p.phase == "rescoring":
        return p.message or phase_name(p)
    return f"{phase_name(p)}: {p.message}"


# the status bar's verb for a counted phase (the panel's name is too long for a narrow bar)
SHORT_DOING = {PHASE_WORDS["evaluating"]: "checking", PHASE_WORDS["preparing"]: "reading",
               PHASE_WORDS["rescoring"]: "re-scoring"}


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
    if p.phase != "training" and p.total and phase_name(p) != CANCELLING:
        counted, short = count_words(p)
        left = count_eta_words(p).removeprefix("about ")
        return _joined_forms(["fine-tuning", f"{phase_name(p).lower()} {counted}", left],
                             [f"fine-tune: {short}", left], [short, short_eta_words(p)])
    return [f"fine-tuning \u00b7 {phase_name(p).lower()}"]


def _joined_forms(*forms: list[str]) -> list[str]:
    """Each form's parts joined by " · " (empty ones left out), then the last form's first part
    alone: the narrowest, which keeps what is done and its count."""
    lines = [" \u00b7 ".join(part for part in form if part) for form in forms] + [forms[-1][0]]
    return list(dict.fromkeys(lines))


# what a count counts, by a word of its line (core.work_meter's ``what``): (the count with its unit
# after the phase's name, the shortest line that says what is done); {n} "7/12", {doing} SHORT_DOING's
COUNTED = (("re-asking", "{n} tokens of re-asked answers", "re-asking questions, token {n}"),
           ("general text", "{n} parts of general text", "{doing} general text {n}"),
           ("pairs", "{n} answer pairs", "{doing} {n} answer pairs"))
COUNTED_ANSWERS = ("{n} answers", "{doing} {n} answers")  # the margins' scorings, the reference's


def count_words(p) -> tuple[str, str]:
    """What a counted report counts: (the count with its unit, "7/12 tokens of re-asked answers";
    the shortest line that says what is done, "re-asking questions, token 7/12")."""
    line = p.message or ""
    unit, short = next(((u, s) for word, u, s in COUNTED if word in line), COUNTED_ANSWERS)
    fields = {"n": f"{p.step}/{p.total}", "doing": SHORT_DOING.get(phase_name(p), phase_name(p).lower())}
    if phase_name(p) == PHASE_WORDS["rescoring"]:  # its name says what it counts: "re-scoring rated answers 1/3"
        unit = "{n}"
    return unit.format(**fields), short.format(**fields)


def short_eta_words(p) -> str:
    """``count_eta_words`` for a narrow bar: "2 min left", "20 s, then training"."""
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
    """The time left beside a training step: held until the steps have a pace (core.training.ETA_AFTER_STEPS);
    the run's whole time left, the check after the steps included and said (usertest 9, B9: "about 50 s left"
    at the last step, then 10 minutes of checking): "about 4 min left (training, then ~2 min checking
    whether it helps)"."""
    if seconds is None or not math.isfinite(seconds):
        return "time left: after a few steps"
    if not check_s:
        return eta_words(seconds)
    return f"{eta_words(seconds + check_s)} (training, then ~{rough_length(check_s)} checking whether it helps)"


def count_eta_words(p) -> str:
    """The time left beside a count: its measuring's; the measuring of the model in use, done
    between two steps, says that the steps go on after it."""
    left = eta_words(p.eta_s)
    if getattr(p, "stepping_back", None) and left:  # more checkpoints may follow: this one's time alone
        return f"{left} for this checkpoint"
    if getattr(p, "training_follows", False):
        return f"{left} for this, then training goes on" if left else "then training goes on"
    return left


def describe_run(status: str, reason: str | None, metrics: dict | None, adapter_id=None,
                 waiting_in_use: str | None = None) -> tuple[str, str]:
    """(title, body) in words a person understands, with the gate's numbers. ``waiting_in_use``:
    the adapter waits for the person's word (core.train_verdict.waits_for_consent) and this is what is in use
    ("the base model", "adapter 2"): the answers it changed come first, then the rest."""
    m = metrics or {}
    if waiting_in_use is not None and status == "kept":  # (the changed answers and the question above it)
        title, body = waiting_title(adapter_id, m), reask_words(m, new_listed=True)
    else:  # a discarded run offered to use anyway says why it was discarded (its answers: ``degenerate_words``)
        title, body = _outcome_words(status, reason, m, adapter_id)
    facts_checked = waiting_in_use is not None and status == "kept"
    lines = _figure_lines(m, facts_checked=facts_checked) if status in ("kept", "discarded") else []
    return title, "<br>".join(x for x in [body, *lines] if x)


def started_from_words(m: dict) -> str:
    """"This run started from adapter 1, the one in use: ..." when an adapter was in use as the run
    began (usertest 13: its "before" figures were adapter 1's, and nothing on screen said so)."""
    adapter = m.get("started_from_adapter")
    if adapter is None:
        return ""
    return (f"This run started from adapter {adapter}, the one in use: every “before” below is "
            f"adapter {adapter}'s. The new adapter learned from all your ratings, old and new.")


def against_words(m: dict) -> str:
    """A discarded run's hint when the answers to the questions rated since the previous run moved no
    nearer the person's answers (taught_words.new_unlearned): those ratings may pull against older ones."""
    since = m.get("new_since_run_id")
    if since is None or not new_unlearned(m.get("taught") or []):
        return ""
    return (f"<b>Hint:</b> the answers to your ratings new since run {since} did not move toward your answers: "
            "they may pull against older ratings that teach something else.")


def _figure_lines(m: dict, facts_checked: bool = False) -> list[str]:
    """The gate's figures, a line each: where the run started, the preference margin, the probe's
    perplexity, an early stop, degenerate re-asks. ``facts_checked``: the card lists facts the run
    changed above (a waiting adapter), so it does not say that facts are not checked."""
    lines = [x for x in (started_from_words(m),) if x]
    b, a = m.get("margin_before"), m.get("margin_after")
    if b is not None and a is not None:
        held = m.get("heldout_size") or 0
        where = (f"on {held} held-out rating{'s' if held != 1 else ''}" if m.get("gate_margin_on") == "heldout" and held
                 else "on your ratings (too few to hold some back)")
        verb = "barely moved" if f"{a:.3f}" == f"{b:.3f}" else "rose" if a > b else "did not rise"  # not "rose: x -> x"
        lines.append(f"Preference margin {where} {verb}: <b>{b:.3f} \u2192 {a:.3f}</b> "
                     "<span style='color:@muted'>(how much more the model prefers what you liked; higher is better)</span>")
    p0, p1 = m.get("probe_ppl_before"), m.get("probe_ppl_after")
    if p0 and p1 and math.isfinite(p1):
        rise = (p1 / p0 - 1) * 100
        lines.append(f"General-text perplexity: <b>{p0:.2f} \u2192 {p1:.2f}</b> ({rise:+.1f}%) "
                     "<span style='color:@muted'>(on a fixed probe text; lower is better)</span>")
        # perplexity reads fluency, not truth: a fine-tune can keep it and still get facts wrong
        lines.append(fluency_words(rise) if facts_checked else
                     f"{fluency_words(rise)} <b>Facts are not checked</b>: read the new answers.")
    stopped = stopped_words(m)
    if stopped:
        lines.append(stopped)
    bad = m.get("reask_degenerate_after")
    if bad:
        lines.append(f"{bad} of {m.get('reask_count', 0)} re-asked answers degenerated.")
    return lines


def _outcome_words(status: str, reason: str | None, m: dict, adapter_id) -> tuple[str, str]:
    """(title, the body's first paragraph) for how the run ended."""
    if status == "kept":
        # what the re-asked questions show comes first: a lost or repeated answer must not be missed
        return f"Kept: adapter {adapter_id} is now in use", reask_words(m) or "It learned from your ratings."
    if status == "discarded":
        arrow = "\u2192"
        why = f"<b>Why:</b> {reason.replace('->', arrow)}." if reason else ""
        return "Discarded: your model is unchanged", "<br>".join(
            x for x in (left_words(m), why, against_words(m), reask_words(m)) if x)
    if status == "cancelled":
        return "Cancelled: nothing changed", "The model you chat with stays as it was."
    if status == "running":
        return "Interrupted: nothing changed", (
            f"The fine-tune ({reason or 'the last run'}) stopped when the app was closed while it trained. "
            "The model you chat with is as it was; Fine-tune starts it again.")
    return "The fine-tune failed", f"{reason}" if reason else ""


def waiting_title(adapter_id, metrics: dict) -> str:
    """Worded by its risk: the run changed facts nobody asked it to change (usertest 10: "it changed
    1 answer" read as a detail, and the second changed fact was only named after "Use it anyway")."""
    n = len(all_changed_facts(metrics))
    return (f"Saved as adapter {adapter_id}, not in use: it changed {n} answer{'s' if n != 1 else ''} "
            "to questions you never rated. Read them before you use it.")


def changed_facts_words(metrics: dict, in_use: str) -> str:
    """The answers a waiting adapter changed, before and after, and what the two buttons do
    (``in_use``: "the base model", "adapter 2")."""
    lines = [_changed_fact_line(c) for c in all_changed_facts(metrics)]
    lines.append(f"Which answer is right is not checked. <b>Keep the current model</b> leaves {in_use} in use; "
                 "<b>Use it anyway</b> puts the new adapter in use, with these answers. The new adapter stays in "
                 "the history below either way.")
    return "<br>".join(lines)


def degenerate_words(metrics: dict, in_use: str) -> str:
    """A run discarded for degenerate re-asks alone, offered to use anyway: the answers that went
    wrong, before and after (core.train_verdict.degenerate_answers), and what the two buttons do."""
    lines = ["<b>Only the re-asked answers failed the check</b>; the margin rose and general text kept "
             "within the limit. The answers that went wrong:"]
    for d in metrics.get("degenerate_answers") or []:
        too = " <span style='color:@muted'>(it did so before training too)</span>" if d.get("before_too") else ""
        lines.append(f"\u2022 \u201c{html.escape(d.get('question') or '')}\u201d <span style='color:@muted'>"
                     f"({html.escape(PROBLEM_WORDS.get(d.get('problem'), d.get('problem') or ''))})</span>{too}"
                     f"<br>&nbsp;&nbsp;before: \u201c{html.escape(_short(d.get('before')))}\u201d"
                     f"<br>&nbsp;&nbsp;after: \u201c<b>{html.escape(_short(d.get('after')))}</b>\u201d")
    lines.append(f"<b>Use it anyway</b> puts this adapter in use, with answers like these; <b>Leave it</b> keeps "
                 f"{in_use} and deletes the adapter. The next fine-tune deletes it too, if you have not used it.")
    return "<br>".join(lines)


def left_words(m: dict) -> str:
    """After "Leave it" on a discarded run's adapter: what became of it (core.train_verdict.settle_consent
    deletes it and notes whether its folder went too); "" before, or for any other run."""
    adapter_id = m.get("left_adapter")
    if m.get("consent") != "declined" or adapter_id is None:
        return ""
    if m.get("files_left"):
        return (f"<b>You left it:</b> adapter {adapter_id} is out of the history, but its saved files could not be "
                f"deleted. Delete this folder by hand: {html.escape(m['files_left'])}")
    return f"<b>You left it:</b> adapter {adapter_id} and its saved files were deleted."


# answer_checks.degenerate's kinds, in a person's words
PROBLEM_WORDS = {"echo": "repeats the question's words", "loop": "repeats itself", "empty": "empty"}


def over_check_title(adapter_id, in_use: str) -> str:
    """A discarded run's adapter the person used anyway (core.train_verdict.used_over_check)."""
    if in_use == f"adapter {adapter_id}":
        return f"Discarded by the check, used anyway: adapter {adapter_id} is in use"
    return f"Discarded by the check, used anyway as adapter {adapter_id}; {in_use} is in use now"


def _changed_fact_line(c: dict) -> str:
    sure = marked_sure_words(c)  # a guess moved is named as one, so the card after the decision tells nothing new
    return (f"\u2022 \u201c{html.escape(c.get('question') or '')}\u201d <span style='color:@muted'>"
            f"({changed_how_words(c)})</span><br>&nbsp;&nbsp;before: \u201c{html.escape(_short(c.get('before')))}"
            f"\u201d{html.escape(sure)}<br>&nbsp;&nbsp;after: \u201c<b>{html.escape(_short(c.get('after')))}</b>"
            f"\u201d{broken_words(c.get('after'))}")


def broken_words(answer: str | None) -> str:
    """" · broken: it says “Answer:” twice" for an answer that opens with the same words twice
    (finetune_effect.repeated_opening), " · repeats itself: “tasked with creating a robotic painting”"
    for one that says a phrase of 5 words or more twice (taught_words.repeated_phrase), else ""."""
    twice = repeated_opening(answer)
    if twice:
        return f" <b>\u00b7 broken: it says \u201c{html.escape(twice)}\u201d twice</b>"
    again = repeats_words(answer)
    return f" <b>\u00b7 {html.escape(again)}</b>" if again else ""


# ---------------------------------------------------------------- the pairs the card shows (gui/taught_view.py)

MAX_SEEN = 3
MAX_UNSEEN = 2


def pick_pairs(taught: list[dict]) -> list[dict]:
    """Up to three rated questions (trained on or held out), those rated since the previous run first
    (``new_rated``: usertest 13's card left out the two answers just corrected), then the ones not known
    to give the person's answer (``short_of_yours``: usertest 13's card listed three right ones and left
    out the wrong one), then up to two never-seen ones, the last of them an open request when the run asked one (a
    style taught on short answers can spread to a story). Here, Qt-free, so the card's words name only
    these (``reask_words``)."""
    ranked = sorted((t for t in taught if rated(t)),
                    key=lambda t: (not new_rated(t), not short_of_yours(t), card_rank(t)))
    seen = _one_per_question(ranked)[:MAX_SEEN]
    requests = [t for t in taught if t.get("open")][:1]
    unseen = sorted((t for t in taught if not rated(t) and not t.get("open")), key=card_rank)
    return seen + unseen[:MAX_UNSEEN - len(requests)] + requests


def _one_per_question(pairs: list[dict]) -> list[dict]:
    """A rated question is re-asked in its conversation and on its own; two cards with the
    same question and different "before" answers read as a mistake (ux10), so the first one
    (a lost answer sorts first) stands for both."""
    shown: dict[str, dict] = {}
    for pair in pairs:
        shown.setdefault(pair.get("question", ""), pair)
    return list(shown.values())


def card_rank(pair: dict) -> int:
    """Sorts the answers the report names (lost, changed, repeating the question or a phrase) first (0),
    then the rated questions nobody checked (1: the person reads those, usertest 11), then the rest (2),
    so the cards show them: a run asks more questions than there are cards."""
    if (pair.get("dropped_after") or pair.get("restates_after") or pair.get("changed_after")
            or repeats_words(pair.get("after"))):
        return 0
    return 1 if unchecked_why(pair) else 2


def reask_words(metrics: dict, new_listed: bool = False) -> str:
    """One paragraph on the questions asked again after training, for the top of the report:
    whether the rated ones still give the person's answer, which new ones lost the answer they
    had (``answer_checks.drops_answer``: "Canberra" -> "...lies in the continent of Australia"), which
    were answered by repeating the question (``answer_checks.restates``). A run is not refused for
    these, so the person reads them here, not in the cards below. Runs recorded before the
    answers were marked give the restated count alone; "" when there is nothing to say.
    ``new_listed``: the never-rated questions' changes are listed already (a waiting adapter's
    card, ``changed_facts_words``): the rated ones and open requests only."""
    taught = metrics.get("taught") or []
    new = [t for t in taught if t.get("checked") and not (t.get("seen") or t.get("held") or t.get("open"))]
    restated = [t for t in taught if t.get("restates_after")]
    lost = [t for t in taught if t.get("dropped_after") and not t.get("restates_after")]
    changed = [t for t in new if t.get("changed_after") and not t.get("restates_after")]
    if new_listed:  # the new questions' changes are listed above (changed_facts_words)
        new = changed = []
        lost = [t for t in lost if t.get("seen") or t.get("held")]
        restated = [t for t in restated if t.get("seen") or t.get("held") or t.get("open")]
        metrics = {**metrics, "reask_restates_after": len(restated)}
    unchecked = html.escape(unchecked_words(taught, shown=pick_pairs(taught)))  # "read … below": the card's
    listed = lost + changed + restated + (all_changed_facts(metrics) if new_listed else [])
    named = {t["question"] for t in listed}  # said above with their pair, label included (_pair)
    repeating = _first_per_question(t for t in taught if repeats_words(t.get("after")) and t["question"] not in named)
    spread = html.escape(spill_words(spill(taught)))  # a taught opening on a story request (usertest 13)
    parts = [_rated_words(taught), f"<b>{unchecked}</b>" if unchecked else "", _lost_words(new, lost, changed),
             _changed_words(changed, new), _restated_words(restated, metrics), _repeating_words(repeating), spread]
    parts = [p for p in parts if p]
    if not parts:
        return ""
    warn = ("<br>Read the new answers before relying on them."
            if lost or changed or restated or repeating or spread or metrics.get("reask_restates_after") else "")
    if len(parts) == 1:
        return f"<b>Asked again after training:</b> {parts[0]}.{warn}"
    return "<b>Asked again after training:</b>" + "".join(f"<br>\u2022 {p[:1].upper()}{p[1:]}." for p in parts) + warn


def _rated_words(taught: list[dict]) -> str:
    """Every rated question asked again, counted by question (a rated question is re-asked in its
    conversation and on its own: two pairs, one question to the person): "3 rated questions: 2 give
    your answer, 1 misses it (...)"; the ones not checked are said apart
    (taught_words.unchecked_words)."""
    line = html.escape(rated_count_words(taught))
    missed = [t for t in rated_questions(taught) if t.get("checked") and t.get("dropped_after")]
    if not line or not missed:
        return line
    return line + " (" + ", ".join(
        f"{_pair(t)} misses your \u201c{html.escape(_short(t.get('right')))}\u201d" for t in missed) + ")"


def _first_per_question(pairs) -> list[dict]:
    """A rated question is asked twice (in its conversation and on its own): its first pair stands for both."""
    out: dict[str, dict] = {}
    for t in pairs:
        out.setdefault(t["question"], t)
    return list(out.values())


def _repeating_words(repeating: list[dict]) -> str:
    """The new answers that say a phrase twice (usertest 11: the open request's story said "tasked with
    creating a robotic painting" twice, and the kept run's card said nothing); no gate rule reads it."""
    if not repeating:
        return ""
    n = len(repeating)
    already = sum(1 for t in repeating if repeats_words(t.get("before")))
    before = ("" if not already else " (it did so before the run too)" if n == 1
              else f" ({already} of them did so before the run too)")
    return (f"<b>{n} new answer{'s' if n != 1 else ''} repeat{'s' if n == 1 else ''} "
            f"{'itself' if n == 1 else 'themselves'}</b>: " + ", ".join(_pair(t) for t in repeating) + before)


def _lost_words(new: list[dict], lost: list[dict], changed: list[dict]) -> str:
    """``changed``: new questions that name something else now; with none lost, the changed
    line says it alone ("none lost its answer" above "Canberra -> Sydney" read as a contradiction)."""
    lost_new = [t for t in lost if not (t.get("seen") or t.get("held"))]
    if not new or (not lost_new and changed):
        return ""
    if not lost_new:
        return ("the new factual question kept its answer" if len(new) == 1
                else f"the {len(new)} new factual questions kept their answers")
    what = "its answer" if len(lost_new) == 1 else "their answers"
    head = f"<b>{len(lost_new)} of {len(new)} new factual question{'s' if len(new) != 1 else ''} lost {what}</b>"
    return head + ": " + ", ".join(f"{_pair(t)} (before: \u201c{html.escape(_short(t.get('before')))}\u201d)"
                                   for t in lost_new)


def _changed_words(changed: list[dict], new: list[dict]) -> str:
    if not changed:
        return ""
    head = (f"{len(changed)} of {len(new)} new factual question{'s' if len(new) != 1 else ''} now "
            f"name{'s' if len(changed) == 1 else ''} something else (which one is right is not checked)")
    return head + ": " + ", ".join(f"{_pair(t)} (before: \u201c{html.escape(_short(t.get('before')))}\u201d)"
                                   for t in changed)


def _restated_words(restated: list[dict], metrics: dict) -> str:
    count = len(restated) or int(metrics.get("reask_restates_after") or 0)
    if not count:
        return ""
    everyday = bool(restated) and all(not (t.get("seen") or t.get("held")) for t in restated)
    kind = "everyday question" if everyday else "question"
    head = (f"<b>{count} {kind}{'s' if count != 1 else ''} {'was' if count == 1 else 'were'} answered by repeating "
            f"the question</b>")
    if not restated:
        return head
    already = sum(1 for t in restated if t.get("restates_before"))
    before = ("" if not already else " (it did so before the run too)" if count == 1
              else f" ({already} of them did so before the run too)")
    return f"{head}: " + ", ".join(_pair(t) for t in restated) + before


def _pair(t: dict) -> str:
    return (f"\u201c{html.escape(t['question'])}\u201d \u2192 \u201c{html.escape(_short(t.get('after')))}\u201d"
            f"{broken_words(t.get('after'))}")


def _short(text: str | None, limit: int = 90) -> str:
    return clip_at_word(text, limit)


def clip_at_word(text: str | None, limit: int) -> str:
    """``text`` on one line, at most ``limit`` characters, cut after a whole word with an ellipsis
    ("the world of art was no" read as a typo, usertest 10); a single overlong word is cut as is."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:") + "\u2026"


def stopped_run_note(stopped: dict, report_run: int, interrupted: bool = False) -> tuple[str, str]:
    """The card after a start whose newest run never finished, above the last finished run's
    report: a title about the stopped run (usertest 13: run 2's red "Discarded" stood over a line
    about run 3) and why it stopped, as its row says (``core.train_verdict``'s reasons): Cancel,
    the app closed while it ran, or (``interrupted``: left "running") the app ended mid-run."""
    run, reason = stopped["id"], stopped.get("reason")
    kept = f"the model you chat with stayed as it was. This is run {report_run}'s report."
    if interrupted:
        return (f"Run {run} was interrupted: nothing changed",
                f"Run {run} was interrupted when the app closed; {kept}")
    if reason == STOPPED_BY_QUIT:
        return (f"Run {run} was stopped: nothing changed",
                f"Run {run} was stopped when you closed the app while it ran; {kept}")
    if reason == CANCELLED_BY_PERSON:
        return (f"Run {run} was cancelled: nothing changed",
                f"You cancelled run {run} before it finished; {kept}")
    if reason == STOPPED_BY_CTRL_C:
        return (f"Run {run} was cancelled: nothing changed",
                f"You stopped run {run} with Ctrl+C in the terminal before it finished; {kept}")
    # a row of before the reasons told the two apart
    return (f"Run {run} was stopped: nothing changed",
            f"Run {run} was stopped before it finished (cancelled, or the app was closed while it ran); {kept}")


def stopped_words(metrics: dict) -> str:
    """Why a run ended before its planned steps: its guard read a text between steps and
    stopped once that text read less fluently, keeping an earlier step's weights."""
    planned, made = (metrics.get("schedule") or {}).get("updates"), metrics.get("steps")
    guard = metrics.get("guard") or {}
    if not guard or not planned or not made or made >= planned:
        return ""
    kept = guard.get("kept_step")
    keeps = f", and kept the weights of step {kept}" if kept else ""
    return (f"Training stopped after step {made} of {planned}: a check between steps found general text "
            f"beginning to read less fluently, so it stopped there{keeps}. This is on purpose, not a fault.")


def early_stop_words(step: int, total: int) -> str:
    """The live line when training ends before its planned steps (the perplexity guard stopped it;
    ``stopped_words`` says the same on the card)."""
    return (f"Training stopped at step {step} of {total}: general text began to read less fluently, "
            "so it stopped on purpose. Now checking the result.")


def fluency_words(rise_percent: float) -> str:
    """What the probe's perplexity change says, and only that: how fluently general text reads."""
    how = ("as fluently as before" if rise_percent <= 1 else "a little less fluently" if rise_percent <= 5
           else "less fluently")
    return f"General text reads {how}."


def ready_words(counts: dict) -> str:
    """What the next fine-tune trains on, at a glance, each kind once so the counts add up to the
    total: "8 examples ready to train on: 3 better answers you wrote, 3 answers you liked, 1 you
    disliked and 1 rated token." (usertest 11: "... 3 better answers (each paired with the answer it
    replaces), 4 thumbs, 1 rated token. 3 thumbs on answers you also corrected are used twice: ..."
    took three readings). How each kind is used is the line's tooltip (``ready_details``)."""
    corrections, tokens = _count(counts, "corrections"), _count(counts, "token_ratings")
    siblings = _count(counts, "pairs") - corrections
    texts = _count(counts, "text_corrections")  # Text mode's continuations, named as such (usertest 12:
    # a thumbs-down on a continuation was counted among the "answers you disliked")
    parts = [_better_answers_words(corrections - texts, _count(counts, "disliked_and_corrected")),
             _counted(texts, "better continuation", " you wrote"),
             *_thumbs_words(counts, "answer"), *_thumbs_words(counts, "continuation", "text_"),
             _counted(siblings, "pair", " of answers to one question, one liked and one disliked"),
             _counted(tokens, "rated token")]
    return headline_words(counts) + and_list([p for p in parts if p]) + "." + _dislikes_train_words(counts)


def _better_answers_words(written: int, disliked: int) -> str:
    """"8 better answers you wrote (each for an answer you also disliked)": a thumbs-down on an
    answer the person corrected goes with its better answer, not among the answers disliked
    (usertest 13: "8 better answers you wrote and 8 answers you disliked" read as 16 ratings)."""
    words = _counted(written, "better answer", " you wrote")
    if not disliked or not words:
        return words
    if disliked == written:  # in brackets: ", each for an answer you also disliked and 1 answer you liked" ran on
        return words + (" (for an answer you also disliked)" if written == 1 else
                        " (each for an answer you also disliked)")
    return words + f" ({disliked} for {'an answer' if disliked == 1 else 'answers'} you also disliked)"


def _dislikes_train_words(counts: dict) -> str:
    """The examples a run makes of those ratings, when a thumbs-down on a corrected answer makes
    them more: it trains twice (in the pair with the better answer, and as a dislike of its own:
    train_data builds both), so "16 examples" elsewhere (a run's 12 learned from and 4 held out)
    adds up."""
    folded = _count(counts, "disliked_and_corrected")
    if not folded:
        return ""
    total = _count(counts, "total")
    which = "That dislike" if folded == 1 else "Those dislikes"
    return f" {which} also train{'s' if folded == 1 else ''} on {'its' if folded == 1 else 'their'} own: " \
           f"{total} example{'s' if total != 1 else ''} in all."


def _thumbs_words(counts: dict, noun: str, prefix: str = "") -> list[str]:
    """"3 answers you liked", "1 you disliked": the chat's thumbs (``prefix`` ""), the Text tab's
    ("text_"): the chat's are the counts less the Text tab's."""
    up, down = _count(counts, f"{prefix}thumbs_up"), _count(counts, f"{prefix}thumbs_down")
    if not prefix:  # and less the dislikes named with their better answers (``_better_answers_words``)
        up, down = (up - _count(counts, "text_thumbs_up"),
                    down - _count(counts, "text_thumbs_down") - _count(counts, "disliked_and_corrected"))
    return [_counted(up, noun, " you liked"),
            (f"{down} you disliked" if up else _counted(down, noun, " you disliked")) if down else ""]


def ready_details(counts: dict) -> str:
    """The ready line's tooltip: how each kind of rating teaches, and what is used twice."""
    lines = ["How the fine-tune uses them:"]
    if _count(counts, "corrections"):
        lines.append("\u2022 A better answer you wrote: the model learns to prefer it over the answer it replaces.")
    if _count(counts, "pairs") > _count(counts, "corrections"):
        lines.append("\u2022 Two rated answers to one question: the liked one is preferred over the disliked one.")
    if _count(counts, "thumbs_up") or _count(counts, "thumbs_down"):
        lines.append("\u2022 A thumb: a liked answer becomes likelier, a disliked one less likely.")
    if _count(counts, "token_ratings"):
        lines.append("\u2022 A rated token: that token, in that answer, becomes likelier or less likely.")
    twice = _count(counts, "thumbs_on_corrected")
    if twice:
        which = "1 thumb is on an answer" if twice == 1 else f"{twice} thumbs are on answers"
        lines.append(f"{which} you also corrected: {'that answer teaches' if twice == 1 else 'those answers teach'} "
                     "twice, as the thumb and in the pair with your better answer.")
    return "\n".join(lines) if len(lines) > 1 else ""


def _count(counts: dict, key: str) -> int:
    return int(counts.get(key, 0) or 0)


def _counted(n: int, noun: str, tail: str = "") -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}{tail}" if n > 0 else ""


def headline_words(counts: dict) -> str:
    """The line's bold start: after a finished run, what is new since it (usertest 8: "12 examples
    ready" beside "Run 1 used all of them" read as a contradiction), else what is ready."""
    total = int(counts.get("total", 0) or 0)
    examples = f"{total} example{'s' if total != 1 else ''}"
    if _count(counts, "disliked_and_corrected"):  # fewer ratings than examples: count what the person gave
        total = rating_count(counts)
        examples = f"{total} rating{'s' if total != 1 else ''}"
    run, new = counts.get("last_run"), counts.get("new_since_run")
    if run is None or new is None:
        return f"<b>{examples} ready to train on</b>: "
    what = ("Nothing new" if not new else
            f"{new} rating{'s' if new != 1 else ''} or better answer{'s' if new != 1 else ''} new")
    return f"<b>{what} since run {run}</b>; {examples} in all: "


def tab_count_words(counts: dict) -> str:
    """The Fine-tune tab's title: after a finished run the count of what is new since it, so a
    tab that read "Fine-tune (12)" after run 1 used all 12 now reads "Fine-tune"."""
    total = rating_count(counts)
    run, new = counts.get("last_run"), counts.get("new_since_run")
    if run is None or new is None:
        return f"Fine-tune ({total})" if total else "Fine-tune"
    return f"Fine-tune ({new} new)" if new else "Fine-tune"


def rating_count(counts: dict) -> int:
    """The ratings as the person counts them: a thumbs-down and a better answer for one answer are
    one (``readiness``'s ``ratings``; the examples' total where it is not given)."""
    return _count(counts, "total") - _count(counts, "disliked_and_corrected")


def conflict_words(counts: dict) -> str:
    """A notice for answers with both a thumbs-up and a better answer: the two pull apart
    (usertest 7: a liked answer was pushed far down by its pair, and nothing had said so)."""
    liked = int(counts.get("liked_and_corrected", 0) or 0)
    if not liked:
        return ""
    which = "An answer you liked also has" if liked == 1 else f"{liked} answers you liked also have"
    return (f"<br><b>Mixed signals:</b> {which} a better answer you wrote. The thumbs-up teaches "
            f"{'it' if liked == 1 else 'them'} as good, the better answer teaches yours as preferred over "
            f"{'it' if liked == 1 else 'them'}; both are used. If your answer should replace "
            f"{'it' if liked == 1 else 'them'}, take the thumbs-up away.")


def news_words(counts: dict) -> str:
    """What the last finished run did not see yet (a run reads the ratings when it starts)."""
    run, new = counts.get("last_run"), counts.get("new_since_run")
    if run is None or new is None:
        return ""
    if not new:
        return f" {used_words(counts)}: rate more to teach something new."
    adapter = counts.get("active_adapter_id")
    if adapter is None:
        return " A new run learns from all of them, old and new."
    return (f" A new run starts from adapter {adapter}, the one in use (its answers are the “before”), "
            f"learns from all of them, old and new, and shows your new ones first.")


def during_run_words(total: int, at_start: int | None) -> str:
    """While a run trains: the ratings given since it started, which it does not read (it read
    them when it started): "7 examples ready" beside a run training on 4 read as if all 7 were
    in it (usertest 9)."""
    new = total - at_start if at_start is not None else 0
    if new <= 0:
        return ""
    return (f"<br><b>{new} new since this run started</b> \u2014 {'it goes' if new == 1 else 'they go'} "
            f"into the next fine-tune.")


def used_words(counts: dict) -> str:
    """How the last finished run used the ratings there are now: the held-out ones tested it,
    they did not teach it ("Run 1 used all of them: 9 to learn from, 4 to test the result")."""
    run, trained, held = counts.get("last_run"), counts.get("last_run_trained"), counts.get("last_run_heldout")
    if trained is None or held is None:
        return f"Run {run} already used all of them"
    if not held:
        return f"Run {run} learned from all of them"
    return f"Run {run} used all of them: {trained} to learn from, {held} to test the result"


def duration_words(seconds: float | None) -> str:
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        return ""
    seconds = int(round(seconds))
    return f"{seconds} s" if seconds < 60 else f"{seconds // 60} min {seconds % 60:02d} s"


def nothing_new(counts: dict) -> bool:
    """A finished run has already seen every rating there is: another would train on the same."""
    return counts.get("last_run") is not None and counts.get("new_since_run") == 0
