"""The fine-tune's run card in words, free of Qt: a run's result and the gate's figures, the
questions asked again after it and the pairs the card shows, a stopped run's note. The panel, the
card, the command line's words and tests share them. The words while a run goes are
``progress_words``'s, the ready line's and the counts' ``ready_words``'s."""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass

from desktop_app.core.adapters import adapter_name
from desktop_app.core.count_words import counted
from desktop_app.core.fact_changes import (all_changed_facts, changed_how_words, marked_sure_words,
                                          swapped_fact_words)
from desktop_app.core.finetune_effect import repeated_opening
from desktop_app.core.format_spill import spill, spill_words
from desktop_app.core.margin_kinds import run_counts, wrong_way_words
from desktop_app.core.taught_words import (Unchecked, all_ratings_words, changed_unrated_words, clip_at_word,
                                           learnt_words, margin_figures, margin_move, new_rated, new_unlearned, rated,
                                           rated_count_words, rated_questions, repeats_words, short_of_yours,
                                           unchecked_parts, unchecked_why)
from desktop_app.core.train_verdict import (CANCELLED_BY_PERSON, STOPPED_BY_CTRL_C, STOPPED_BY_QUIT, used_over_check,
                                            waits_for_consent)

UNBROKEN_RUN = 25  # characters without a space: longer than any word, a degenerate answer's (":::::…", "TheTheThe…")
RUN_PIECE = 8  # such a run may break after every this many characters


def describe_run(status: str, reason: str | None, metrics: dict | None, adapter_id=None,
                 waiting_in_use: str | None = None) -> tuple[str, str]:
    """(title, body) in words a person understands, with the gate's numbers. ``waiting_in_use``:
    the adapter waits for the person's word (core.train_verdict.waits_for_consent) and this is what is in use
    ("the base model", "adapter 2"): the answers it changed come first, then the rest."""
    m = metrics or {}
    if waiting_in_use is not None and status == "kept":  # (the changed answers and the question above it)
        # what it learnt leads; why it waits opens the question under it (``waiting_lead``)
        title = learnt_words(m.get("taught") or [], adapter_name(adapter_id)) or waiting_title(adapter_id, m)
        body = reask_words(m, new_listed=True)
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
    return (f"This run started from {adapter_name(adapter)}, the one in use: every “before” below is "
            f"{adapter_name(adapter)}'s. The new adapter learned from all your ratings, old and new.")


def against_words(m: dict) -> str:
    """A discarded run's hint when the answers to the questions rated since the previous run moved no
    nearer the person's answers (taught_words.new_unlearned): those ratings may pull against older ones."""
    since = m.get("new_since_run_id")
    if since is None or not new_unlearned(m.get("taught") or []):
        return ""
    return (f"<b>Hint:</b> the answers to what you rated since run {since} did not move toward your answers: "
            "they may pull against older ratings that teach something else.")


def from_adapter_words(m: dict) -> str:
    """For a run that started from an adapter in use, the two figures the gate judged it by
    (gate._from_adapter_failure): the same margin against the base model, and the margin on the
    ratings new since that adapter, under it and under the new one. Each figure once, with its name
    (leftovers60: it said them to two places, then again to three in a muted copy); two places unless
    more are needed to show which way a margin moved (``_apart``)."""
    on, adapter = m.get("gate_margin_on"), m.get("started_from_adapter")
    base, after = m.get(f"margin_{on}_base"), m.get(f"margin_{on}_after")
    if adapter is None or base is None or after is None:
        return ""
    words = f"Measured from the base model (no adapter), the same preference margin: <b>{_apart(base, after)}</b>"
    new_before, new_after, n = m.get("margin_new_before"), m.get("margin_new_after"), m.get("new_rated") or 0
    if new_before is not None and new_after is not None:
        words += (f"; on your {counted(n, 'new rating')} since {adapter_name(adapter)}: "
                  f"<b>{_apart(new_before, new_after)}</b>")
    return (words + f" <span style='color:@muted'>({adapter_name(adapter)} learned from most of the same ratings, "
            "so a new run is judged by what it learned over the base model and by your new ratings)</span>")


def _held_out_words(held: int) -> str:
    """"the 4 ratings kept out of training to test it": what a run that held some out was judged on."""
    return f"the {counted(held, 'rating')} kept out of training to test it"


def _apart(before: float, after: float) -> str:
    """"before → after" with two decimals, more (up to four) where two would show the same number: a margin that
    barely moved still shows which way (the card said "0.96 → 0.96" once the three-decimal copy went)."""
    digits = next((d for d in (2, 3, 4) if f"{before:.{d}f}" != f"{after:.{d}f}"), 2)
    return f"{before:.{digits}f} \u2192 {after:.{digits}f}"


def _figure_lines(m: dict, facts_checked: bool = False) -> list[str]:
    """The gate's figures, a line each: where the run started, the preference margin, the probe's
    perplexity, an early stop, degenerate re-asks. ``facts_checked``: the card lists facts the run
    changed above (a waiting adapter), so it does not say that facts are not checked."""
    lines = [x for x in (started_from_words(m),) if x]
    b, a = m.get("margin_before"), m.get("margin_after")
    if b is not None and a is not None:
        held = m.get("heldout_size") or 0
        heldout = m.get("gate_margin_on") == "heldout" and held
        where = (f"on {_held_out_words(held)}" if heldout
                 else "on " + all_ratings_words(bool(m.get("split_kept"))))
        move = margin_move(b, a)  # not "rose: x -> x"
        verb = "did not rise" if move == "fell" else move
        # the figures once, with their name (counts59: "-0.75 → 2.58 (preference margin -0.748 → 2.580)" said
        # the same two numbers twice)
        lines.append(f"{PREFERS_MORE} {where}: {verb}, preference margin <b>{_apart(b, a)}</b> "
                     f"<span style='color:@muted'>(higher is better)</span>")
    lines += [x for x in (from_adapter_words(m),) if x]
    p0, p1 = m.get("probe_ppl_before"), m.get("probe_ppl_after")
    if p0 and p1 and math.isfinite(p1):
        rise = (p1 / p0 - 1) * 100
        # perplexity reads fluency, not truth: a fine-tune can keep it and still get facts wrong
        figures = (f" <span style='color:@muted'>(perplexity on a fixed sample text {p0:.2f} \u2192 {p1:.2f}, "
                   f"{rise:+.1f}%; lower is better)</span>")
        # what this figure does not measure, not "Facts are not checked": under "the 3 new factual questions
        # kept their answers" (the re-asks' own check) that read as a contradiction (usertest 24)
        facts = "" if facts_checked else " <b>It measures fluency, not facts</b>: read the new answers."
        lines.append(fluency_words(rise).rstrip(".") + figures + "." + facts)
    lines += [x for x in (stopped_words(m), softened_words(m)) if x]
    bad = m.get("reask_degenerate_after")
    if bad:
        lines.append(f"{bad} of {m.get('reask_count', 0)} re-asked answers degenerated.")
    return lines


# the margin line's plain lead (a new user read "Preference margin 0.257 -> 2.480" as jargon)
PREFERS_MORE = "How much more the model now prefers what you liked over what you didn't,"

# the card's tooltip: what its two measures are, for whoever wants the exact figures' meaning
FIGURES_TIP = ("<b>Preference margin</b>: how much likelier the model finds the answers you liked than those "
               "you disliked, as a difference of log-probabilities per token. 0 means no preference; higher is "
               "better.<br><b>Perplexity</b>: how surprised the model is by a fixed sample "
               "of ordinary text, as the number of equally likely next tokens it hesitates between. Lower means "
               "more fluent; a rise of a few percent is hardly noticeable.")


def figures_tip(status: str, metrics: dict | None) -> str:
    """The card's tooltip: ``FIGURES_TIP`` for a run whose card gives the gate's figures, else ""."""
    m = metrics or {}
    has = m.get("margin_before") is not None or m.get("probe_ppl_before")
    return FIGURES_TIP if status in ("kept", "discarded") and has else ""


def _outcome_words(status: str, reason: str | None, m: dict, adapter_id) -> tuple[str, str]:
    """(title, the body's first paragraph) for how the run ended."""
    if status == "kept":
        # what the re-asked questions show comes first: a lost or repeated answer must not be missed
        return f"Kept: {adapter_name(adapter_id)} is now in use", reask_words(m) or "It learned from your ratings."
    if status == "discarded":
        why = f"<b>Why:</b> {why_words(reason, m)}." if reason else ""
        return "Discarded: your model is unchanged", "<br>".join(
            x for x in (left_words(m), why, against_words(m), reask_words(m)) if x)
    if status == "cancelled":
        return "Cancelled: nothing changed", "The model you chat with stays as it was."
    if status == "running":
        return "Interrupted: nothing changed", (
            f"The fine-tune ({reason or 'the last run'}) stopped when the app was closed while it trained. "
            "The model you chat with is as it was; Fine-tune starts it again.")
    return "The fine-tune failed", f"{reason}" if reason else ""


# the gate's margin reason (core.gate._against_failure): "the held-out margin did not move the right way (b -> a)"
# or, with 1-3 held out, "the margin over all ratings did not move the right way (b -> a)" (ux42: the common case
# of a new user's few ratings kept its jargon and five digits)
_MARGIN_REASON = re.compile(r"the (?:(held-out|rated) margin|margin over all ratings) did not move the right way"
                            r"( over the base model's)? \((\S+) -> (\S+)\)")


def why_words(reason: str, m: dict) -> str:
    """The gate's reason for a discarded run, its margin part in a person's words and with the
    figures as the card's margin line gives them (usertest 18: "the held-out margin did not move the
    right way (0.08315 → -0.04502)" led the card, jargon with five digits, and the line below said
    the same as 0.083 → -0.045)."""
    def plain(match: re.Match) -> str:
        held = m.get("heldout_size") or 0
        where = (_held_out_words(held)
                 if match.group(1) == "held-out" and held else "your ratings" if match.group(1) else "all your ratings")
        than = ", against the base model" if match.group(2) else ""
        by_kind = wrong_way_words(run_counts(m, match.group(1) == "held-out"),
                                  _figure(match.group(3)), _figure(match.group(4)))
        if by_kind:  # its figures are the margin line's, below: "preference margin" read as "liked more" again
            return f"on {where}, {by_kind}{than}"
        return (f"on {where}, the model did not come to prefer what you liked more{than} "
                f"(preference margin {_pair_figures(match.group(3), match.group(4))})")

    return _MARGIN_REASON.sub(plain, reason).replace("->", "\u2192")


def _figure(text: str) -> float | None:
    """A figure of the gate's reason, None for its "n/a"."""
    try:
        return float(text)
    except ValueError:
        return None


def _pair_figures(before: str, after: str) -> str:
    """The reason's two figures as the card's margin line and the CLI give them (margin_figures: three decimals,
    more where three read the same: "0.007 -> 0.007" had hidden which way it moved); "n/a" stays."""
    try:
        return margin_figures(float(before), float(after), arrow=" -> ")
    except ValueError:  # "n/a"
        return f"{before} -> {after}"


def waiting_title(adapter_id, metrics: dict) -> str:
    """Worded by its risk: the run changed facts nobody asked it to change (usertest 10: "it changed
    1 answer" read as a detail, and the second changed fact was only named after "Use it anyway")."""
    n = len(all_changed_facts(metrics))
    if metrics.get("imported"):  # no run changed them: the check at its import found what it changes
        return (f"Imported as {adapter_name(adapter_id)}, not in use: {changed_unrated_words(n, 'changes')}. "
                "Read them before you use it.")
    return f"Saved as {adapter_name(adapter_id)}, not in use: {changed_unrated_words(n)}. Read them before you use it."


def waiting_lead(adapter_id, metrics: dict) -> str:
    """The first line of a waiting adapter's question when the card's title says what the run learnt
    (``learnt_words``, which says it is not in use): why it waits, in bold; "" when the title says it already
    (nothing learnt to say)."""
    if not learnt_words(metrics.get("taught") or []):
        return ""
    why = changed_unrated_words(len(all_changed_facts(metrics)), "changes" if metrics.get("imported") else "changed")
    return f"<b>Why it waits for you: {why}. Read them before you use it.</b>"


def changed_facts_words(metrics: dict, in_use: str) -> str:
    """The answers a waiting adapter changed, before and after, and what the two buttons do
    (``in_use``: "the base model", "adapter 2")."""
    lines = [_changed_fact_line(c) for c in all_changed_facts(metrics)]
    if metrics.get("imported"):  # its report card has no run to answer, so no buttons: the history uses it
        lines.append("Which answer is right is not checked. To use it with these answers, select it in the history "
                     f"below and press <b>Use selected</b>; until then {in_use} stays in use.")
        return "<br>".join(lines)
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
        return (f"<b>You left it:</b> {adapter_name(adapter_id)} is out of the history, but its saved files could not be "
                f"deleted. Delete this folder by hand: {html.escape(m['files_left'])}")
    return f"<b>You left it:</b> {adapter_name(adapter_id)} and its saved files were deleted."


# answer_checks.degenerate's kinds, in a person's words
PROBLEM_WORDS = {"echo": "repeats the question's words", "loop": "repeats itself", "empty": "empty"}


def over_check_title(adapter_id, in_use: str) -> str:
    """A discarded run's adapter the person used anyway (core.train_verdict.used_over_check)."""
    if in_use == adapter_name(adapter_id):
        return f"Discarded by the check, used anyway: {in_use} is in use"
    return f"Discarded by the check, used anyway as {adapter_name(adapter_id)}; {in_use} is in use now"


@dataclass(frozen=True)
class RunCard:
    """What one run's card says, from the run and the adapters (no widgets)."""

    title: str
    body: str
    now: str  # the model in use, in words
    gone: bool  # kept, but its adapter was deleted since
    waiting: bool  # saved, not in use: it waits for the person's word
    used_anyway: bool  # discarded, and the person chose to use it anyway
    # a discarded run's figures, under the why, what to do and the question (``body`` holds them for any other)
    details: str = ""


def run_card(status, reason, metrics, adapter_id, note: tuple[str | None, str] | None, active: int | None,
             adapters: set[int]) -> RunCard:
    """The card of a run (``note`` as FineTunePanel._show_result's) while ``active`` is in use (None: the
    base model) and ``adapters`` are the adapters' ids the history lists."""
    now = adapter_name(active)
    gone = status == "kept" and adapter_id not in adapters
    waiting = not gone and waits_for_consent(status, metrics, adapter_id, active)
    used_anyway = used_over_check(status, metrics) and adapter_id is not None
    title, body = describe_run(status, reason, metrics, adapter_id, waiting_in_use=now if waiting else None)
    if gone:  # deleted since (the run's row then names no adapter)
        title = f"Kept, but that adapter has been deleted since; {now} is in use now"
    elif status == "kept" and active != adapter_id and not waiting:
        title = f"Kept as {adapter_name(adapter_id)}; {now} is in use now"
    elif used_anyway:
        title = over_check_title(adapter_id, now)
    details = ""
    if note is not None:
        headline, line = note
        if status == "cancelled" and headline:  # a stopped run's own note: "Cancelled: nothing changed" repeated it
            title = body = ""
        body = "<br>".join(x for x in (line, f"<b>{title}</b>" if headline and title else "", body) if x)
        title = headline or title
    elif status == "discarded":
        body, details = discarded_sections(reason, metrics or {}, advise=not (waiting or used_anyway))
    return RunCard(title, body, now, gone, waiting, used_anyway, details)


def discarded_sections(reason: str | None, m: dict, advise: bool = True) -> tuple[str, str]:
    """(why and what to do, the figures) of a discarded run's card: in a narrow side panel one block of
    eight lines had read as a wall, the verdict's reason and the way on lost among the figures (leftovers58).
    ``advise``: say what to do (not while the card asks Use it anyway / Leave it, which is its own way on)."""
    why = f"<b>Why:</b> {why_words(reason, m)}." if reason else ""
    todo = next_step_words(reason) if advise else ""
    lead = "<br>".join(x for x in (left_words(m), why, against_words(m), todo) if x)
    return lead, "<br>".join(x for x in (reask_words(m), *_figure_lines(m)) if x)


# what each Advanced setting a way on names is, in a few words (ready_words.SETTING_TIPS' first sentences):
# usertest47, a teacher new to this, read "raise the epochs under Advanced" with no idea what an epoch was
EPOCHS_ARE = "how many times training reads your ratings"
RATE_IS = "how far each step moves the model"

# what to try after a discarded run, by the gate's check that refused it (core.gate.judge's reasons)
NEXT_STEPS = (
    # "to new questions": the split keeps the same questions aside while no new one is rated, so more ratings of
    # the answers already rated left the same held-out rating to refuse the next run (usertest57)
    ("margin", "rate a few more answers to new questions (a better answer you write teaches most) and fine-tune "
               f"again, or raise the epochs under Advanced ({EPOCHS_ARE})"),
    ("perplexity", "lower the learning rate or the epochs under Advanced and fine-tune again: a gentler run "
                   f"changes general text less (the learning rate: {RATE_IS}; the epochs: {EPOCHS_ARE})"),
    ("degenerated", "lower the learning rate under Advanced and fine-tune again: answers that loop or echo come "
                    f"from too strong a change (the learning rate: {RATE_IS})"),
)


def next_step_words(reason: str | None) -> str:
    """"<b>What you can do:</b> ..." for the checks named in a discarded run's ``reason``; "" for none."""
    steps = [step for check, step in NEXT_STEPS if check in (reason or "")]
    if not steps:
        return ""
    return "<b>What you can do:</b> " + "; or ".join(steps) + "."


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
    unchecked = _bold_count(unchecked_parts(taught, shown=pick_pairs(taught)))  # "read … below": the pairs the card shows
    listed = lost + changed + restated + (all_changed_facts(metrics) if new_listed else [])
    named = {t["question"] for t in listed}  # said above with their pair, label included (_pair)
    repeating = _first_per_question(t for t in taught if repeats_words(t.get("after")) and t["question"] not in named)
    spread = html.escape(spill_words(spill(taught)))  # a taught opening on a story request (usertest 13)
    parts = [_rated_words(taught, metrics, counted_above=new_listed), unchecked, _lost_words(new, lost, changed),
             _changed_words(changed, new), _restated_words(restated, metrics), _repeating_words(repeating), spread]
    parts = [p for p in parts if p]
    if not parts:
        return ""
    warn = ("<br>Read the new answers before relying on them."
            if lost or changed or restated or repeating or spread or metrics.get("reask_restates_after") else "")
    if len(parts) == 1:
        return f"<b>Asked again after training:</b> {parts[0]}.{warn}"
    return "<b>Asked again after training:</b>" + "".join(f"<br>\u2022 {p[:1].upper()}{p[1:]}." for p in parts) + warn


def _bold_count(unchecked: Unchecked) -> str:
    """"<b>4 rated questions are not checked automatically</b>: read …": the count in bold, the questions and
    their reasons plain (usertest 24: the whole of it in bold, seven lines of a narrow panel, read as a wall)."""
    count, rest = (html.escape(part) for part in unchecked)
    return f"<b>{count}</b>{rest}" if count else ""


def _rated_words(taught: list[dict], metrics: dict | None = None, counted_above: bool = False) -> str:
    """Every rated question asked again, counted by question (a rated question is re-asked in its
    conversation and on its own: two pairs, one question to the person): "3 rated questions: 2 give
    your answer, 1 misses it (...)"; the ones not checked are said apart
    (taught_words.unchecked_words). ``counted_above``: the card's title counts them (a waiting adapter's,
    ``learnt_words``): only the ones that miss are named, not the same count a second time (words108)."""
    line = html.escape(rated_count_words(taught))
    missed = [t for t in rated_questions(taught) if t.get("checked") and t.get("dropped_after")]
    if not line:
        return ""
    tail = _few_asked_words(taught, metrics or {}) + _shown_of_words(taught)
    if counted_above:
        line = _missed_words(missed)
        return line + tail if line else tail.removeprefix("; ")
    if missed:
        line += " (" + ", ".join(
            f"{_pair(t)} misses your \u201c{html.escape(_short(t.get('right')))}\u201d" for t in missed) + ")"
    return line + tail


def _missed_words(missed: list[dict]) -> str:
    """"the one that misses your answer: “Q?” → “A” (yours: “B”)"; "" for none."""
    if not missed:
        return ""
    which = "the one that misses" if len(missed) == 1 else f"the {len(missed)} that miss"
    return f"{which} your answer: " + ", ".join(
        f"{_pair(t)} (yours: \u201c{html.escape(_short(t.get('right')))}\u201d)" for t in missed)


def _few_asked_words(taught: list[dict], metrics: dict) -> str:
    """"; a run asks again only a few of the 6 you rated" where it asked fewer rated questions than the run
    learned from and tested on (its rated exchanges, ``trained_groups`` and ``heldout_groups``): after six
    better answers "4 rated questions" read as two ratings lost (usertest44)."""
    rated_total = len({*(metrics.get("trained_groups") or []), *(metrics.get("heldout_groups") or [])})
    asked = len(rated_questions(taught))
    return f"; a run asks again only a few of the {rated_total} you rated" if rated_total > asked else ""


def _shown_of_words(taught: list[dict]) -> str:
    """"; below, before and after: 3 of the 4 and 1 question you never rated" when the card shows fewer
    rated questions than the count names (usertest 14: "5 rated questions" over a card of 3, which read as
    two gone missing), each card counted: "3 of them shown below" after "3 give your answer" read as those
    3, over a card whose third was a question never rated (usertest 40)."""
    cards = pick_pairs(taught)
    shown = sum(1 for t in cards if rated(t))
    total = len(rated_questions(taught))
    if not 0 < shown < total:
        return ""
    others = len(cards) - shown
    never = f" and {counted(others, 'question')} you never rated" if others else ""
    return f"; below, before and after: {shown} of the {total}{never}"


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
    return (f"<b>{counted(n, 'new answer')} repeat{'s' if n == 1 else ''} "
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
    head = f"<b>{len(lost_new)} of {counted(len(new), 'new factual question')} lost {what}</b>"
    return head + ": " + ", ".join(f"{_pair(t)} (before: \u201c{html.escape(_short(t.get('before')))}\u201d)"
                                   for t in lost_new)


def _changed_words(changed: list[dict], new: list[dict]) -> str:
    if not changed:
        return ""
    head = (f"{len(changed)} of {counted(len(new), 'new factual question')} now "
            f"name{'s' if len(changed) == 1 else ''} something else (which one is right is not checked)")
    return head + ": " + ", ".join(
        f"{_pair(t)} ({_swapped(t)}before: \u201c{html.escape(_short(t.get('before')))}\u201d)" for t in changed)


def _swapped(pair: dict) -> str:
    """"Croatia: Zagreb → Zaragoza; " before a changed pair's "before": what changed, where a name can be read."""
    swap = swapped_fact_words(pair)
    return f"{html.escape(swap)}; " if swap else ""


def _restated_words(restated: list[dict], metrics: dict) -> str:
    count = len(restated) or int(metrics.get("reask_restates_after") or 0)
    if not count:
        return ""
    everyday = bool(restated) and all(not (t.get("seen") or t.get("held")) for t in restated)
    kind = "everyday question" if everyday else "question"
    head = (f"<b>{counted(count, kind)} {'was' if count == 1 else 'were'} answered by repeating "
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
    return breakable(clip_at_word(text, limit))


def breakable(text: str) -> str:
    """``text`` with a zero-width space every ``RUN_PIECE`` characters of a run longer than any word: a label wraps
    only at spaces, and a degenerate answer (":::::…" or "TheTheThe…", quoted on the run card's pairs and in its
    summary) kept the Fine-tune panel wider than its dock, its text cut at the right edge."""
    def pieces(run):
        word = run.group(0)
        return "\u200b".join(word[i:i + RUN_PIECE] for i in range(0, len(word), RUN_PIECE))
    return re.sub(r"\S{%d,}" % UNBROKEN_RUN, pieces, text)


def stopped_run_note(stopped: dict, report_run: int | None, interrupted: bool = False) -> tuple[str, str]:
    """The card after a start whose newest run never finished, above the last finished run's
    report: a title about the stopped run (usertest 13: run 2's red "Discarded" stood over a line
    about run 3) and why it stopped, as its row says (``core.train_verdict``'s reasons): Cancel,
    the app closed while it ran, or (``interrupted``: left "running") the app ended mid-run.
    ``report_run`` None: no run finished before it, and the card says what is left and how to go on."""
    run, reason = stopped["id"], stopped.get("reason")
    kept = (f"the model you chat with stayed as it was. This is run {report_run}'s report." if report_run is not None
            else "the model you chat with stayed as it was. Your ratings are kept: "
                 "\u201cFine-tune on my ratings\u201d starts a run on them again.")
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


def softened_words(metrics: dict) -> str:
    """Why a kept adapter has only part of what its run changed (gate.PerplexityGuard.blended): at full
    strength an answer went wrong, and no earlier step of the run was clean."""
    back = (metrics.get("guard") or {}).get("stepped_back") or {}
    if not back.get("blend"):
        return ""
    return (f"At full strength the adapter made an answer go wrong (it repeated itself or lost its question), "
            f"and no earlier step of the run was clean, so it keeps {back['blend']:.0%} of what the run changed.")


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



def fluency_words(rise_percent: float) -> str:
    """What the probe's perplexity change says, and only that: how fluently general text reads."""
    how = ("as fluently as before" if rise_percent <= 1 else "a little less fluently" if rise_percent <= 5
           else "less fluently")
    return f"General text reads {how}."
