"""The adapter history's rows in words a new person reads (Qt-free): what each adapter did to the
answers they rated and to ordinary text, with the figures behind those words (the preference margin,
the general text's perplexity) in the row's tooltip, as the run card gives them; and a switch of
the adapter in use confirmed in the status bar."""

from __future__ import annotations

from desktop_app.core.adapters import adapter_name, comparison_note, label
from desktop_app.core.count_words import counted
from desktop_app.core.fact_changes import changed_unrated_count
from desktop_app.core.local_time import local_stamp
from desktop_app.core.taught_words import and_list, margin_figures, margin_move

# how a margin that moved reads in a row (taught_words.margin_move's three ways)
TAUGHT_WORDS = {"rose": "closer to the answers you liked", "barely moved": "barely changed by your ratings",
                "fell": "further from the answers you liked"}


def ppl_rise(m: dict) -> float | None:
    """The general text's perplexity change in percent (None: not measured)."""
    if not (m.get("probe_ppl_before") and m.get("probe_ppl_after")):
        return None
    return (m["probe_ppl_after"] / m["probe_ppl_before"] - 1) * 100


def fluency_short(rise: float) -> str:
    """``finetune_words.fluency_words``' three steps, short enough for a row."""
    return ("ordinary text as fluent as before" if rise <= 1 else "ordinary text a little less fluent" if rise <= 5
            else "ordinary text less fluent")


def origin_words(row: dict) -> list[str]:
    """The first line's parts: when, from which run, on top of which adapter, imported."""
    m = row.get("metrics") or {}
    parts = [local_stamp(row.get("created"))]
    if row.get("run_id") is not None:
        before = runs_before_words(row.get("runs_before") or [])
        parts.append(f"run {row['run_id']}" + (f" ({before})" if before else ""))
    if row.get("parent_id") is not None:
        parts.append(f"built on {adapter_name(row['parent_id'])}")
    if m.get("imported"):  # whether its check advised against it: a line of its own (``waiting_words``)
        parts.append("imported")
    return [p for p in parts if p]


def same_weights_words(m: dict) -> list[str]:
    """"same weights as adapter 1" where its weights file is byte-identical to that one's: a line of its own, as
    after "Dec 7 03:31 · imported" it was cut to "same weights as a…" at the panel's 300 px (usertest50)."""
    return [f"same weights as {adapter_name(m['same_as'])}"] if m.get("same_as") is not None else []


def runs_before_words(runs: list[tuple[int, str]]) -> str:
    """The runs before an adapter's own that left none (core.adapters' ``runs_before``), by how they ended:
    "run 1 cancelled", "runs 1 and 3 cancelled, run 4 discarded"."""
    groups: dict[str, list[int]] = {}
    for run_id, status in runs:
        groups.setdefault(status, []).append(run_id)
    return ", ".join(f"{'runs' if len(ids) > 1 else 'run'} {and_list([str(i) for i in ids])} {status}"
                     for status, ids in groups.items())


def effect_words(m: dict) -> list[str]:
    """The row's words after its origin: what it did to the rated answers and to ordinary text, and why it waits."""
    return measured_words(m) + waiting_words(m)


def measured_words(m: dict) -> list[str]:
    """What it did to the rated answers and to ordinary text."""
    parts = []
    if m.get("margin_before") is not None and m.get("margin_after") is not None:
        parts.append(TAUGHT_WORDS[margin_move(m["margin_before"], m["margin_after"])])
    rise = ppl_rise(m)
    if rise is not None:
        parts.append(fluency_short(rise))
    return parts


def waiting_words(m: dict, short: bool = False) -> list[str]:
    """Why it was saved without being put in use, or used though the check advised against it. ``short``: the
    row's words, whole on its line at the panel's 300 px ("changed 2 answers to questions you never rated"
    was cut to "…you n…" there, usertest44); the tooltip keeps the long ones."""
    parts = []
    changed = changed_unrated_count(m)  # the guesses it moved too, as the card counts them
    if changed and short:
        parts.append(f"changed {counted(changed, 'answer')} you never rated")
    elif changed:  # saved without being put in use: the run asked first (train_verdict.decide)
        parts.append(f"changed {changed} answers to questions you never rated" if changed != 1
                     else "changed 1 answer to a question you never rated")
    gone_wrong = len(m.get("canaries_degenerate") or [])  # an import's canaries that loop under it (export81)
    if gone_wrong:
        parts.append(f"{counted(gone_wrong, 'answer')} you never rated {'goes' if gone_wrong == 1 else 'go'} wrong")
    if m.get("use_anyway"):  # listed once used: its run was discarded for degenerate re-asks alone
        parts.append("used though the check advised against it")
    elif m.get("imported") and m.get("gate_advice") == "discard":
        # on the first line after the date it was cut to "imported; the check advised …" at the panel's 300 px,
        # the one word that said why it was not worth using (usertest50)
        parts.append("the check advised against it")
    return parts


def adapter_line(row: dict) -> str:
    """When and from which run; then what it did, in words (the figures: ``figures_tip``): to the rated
    answers on a line of its own, to ordinary text on the next (one line cut both at the panel's 340 px),
    why it waits (``waiting_words``) on the last."""
    m = row.get("metrics") or {}
    effects, waiting = measured_words(m), waiting_words(m, short=True)
    taught = effects[:1] if effects and effects[0] in TAUGHT_WORDS.values() else []
    rest = effects[len(taught):]
    # why it waits on a line of its own: after the fluency words it was cut to "changed 2 …", the one
    # reason the adapter was not in use (usertest44)
    lines = [" \u00b7 ".join(origin_words(row)), *same_weights_words(m), *taught]
    lines += ([" \u00b7 ".join(rest)] if rest else []) + waiting
    return "\n".join(lines)


def figures_tip(row: dict) -> str:
    """The row's tooltip: its words whole (a narrow panel cuts a row), the figures behind them explained,
    then where its files are."""
    m = row.get("metrics") or {}
    effects = effect_words(m)
    lines = [effects[0][:1].upper() + " \u00b7 ".join(effects)[1:] + "."] if effects else []
    if m.get("margin_before") is not None and m.get("margin_after") is not None:
        which = "the ratings kept out of training" if m.get("gate_margin_on") == "heldout" else "your ratings"
        lines.append(f"Preference margin on {which} (how much likelier the answers you liked are than those you "
                     f"disliked; higher is better): {margin_figures(m['margin_before'], m['margin_after'])}")
    rise = ppl_rise(m)
    if rise is not None:
        lines.append(f"Perplexity of a fixed general text (lower reads more fluently): "
                     f"{m['probe_ppl_before']:.2f} \u2192 {m['probe_ppl_after']:.2f} ({rise:+.1f}%)")
    if m.get("imported"):  # its "before" is the adapter in use when it came in, not the model it was trained on
        lines.append(comparison_note(m))
    if row.get("path"):
        lines.append(f"Files: {row['path']}")
    return "\n".join(lines)


def now_answering(row: dict | None) -> str:
    """A person's switch confirmed where they look, the status bar (a new user saw only its corner label
    change): "Now answering with adapter 2 (trained on 8 examples from your ratings)."."""
    if row is None:
        return "Now answering with the base model (no adapter)."
    metrics = row.get("metrics") or {}
    examples = (metrics.get("schedule") or {}).get("examples")
    trained = f" (trained on {counted(examples, 'example')} from your ratings)" if examples else ""
    if metrics.get("train_size") is not None and metrics.get("heldout_size") is not None:
        trained = f" ({learnt_from_words(metrics['train_size'], metrics['heldout_size'], more_examples(metrics))})"
    return f"Now answering with {label(row)}{trained}."


def more_examples(metrics: dict) -> bool:
    """Whether the run's ratings made more examples than there were ratings: a liked and a disliked answer to one
    question also train as a pair, and an answer's rated tokens are one example. Its counts of examples then are
    no count of ratings: "learnt from 26 of your 30 ratings" came after 26 ratings (usertest50)."""
    tokens, token_answers = metrics.get("data_token_ratings") or 0, metrics.get("data_token_rated_answers") or 0
    return bool(metrics.get("data_sibling_pairs")) or tokens != token_answers


def learnt_from_words(trained: int, held: int, examples: bool = False) -> str:
    """"learnt from 5 of your 6 ratings, 1 kept aside to test the result": the ratings as the panel said them
    while the run went (progress_words.split_words); "trained on 5 examples" after 6 ratings read as one lost
    (verdict75). ``examples``: the counts are examples made from the ratings (``more_examples``)."""
    if examples:
        made = "examples made from your ratings"
        return (f"learnt from all {trained} {made}" if not held
                else f"learnt from {trained} of {trained + held} {made}, {held} kept aside to test the result")
    if not held:
        return f"learnt from your {counted(trained, 'rating')}"
    return f"learnt from {trained} of your {trained + held} ratings, {held} kept aside to test the result"


def switch_failed(wanted: str | None, now: str, why: str, path=None) -> str:
    """A switch that did not happen, why, and what answers still: "Could not switch to adapter 2: its
    files are missing. Still answering with the base model." (``wanted`` None: the store refused it).
    ``path``: the database file, left out of the reason (the log keeps the whole error)."""
    to = f" to {wanted}" if wanted else ""
    why = " ".join(without_path(why or "no reason was given", path).split()).rstrip(".")
    return f"Could not switch{to}: {why}. Still answering with {now}."


def without_path(why: str, path) -> str:
    """A store's error without the database file's path: "There is no adapter 9 in /home/…/gpt2desk.db."
    reads "There is no adapter 9." (a new user met the file's whole path in the status bar)."""
    for lead in (" in ", " at ", " ") if path else ():
        why = why.replace(f"{lead}{path}", "")
    return why


def compare_off_words(adapter_id: int) -> str:
    """An answer's Compare button's tooltip while the base model answers and ``adapter_id`` (the newest) waits in
    the history: comparing reads the adapter in use, so it says which to put in use and where."""
    return (f"Compare is off: the base model is in use, and comparing shows what the adapter in use changed. "
            f"Put {adapter_name(adapter_id)} in use (Fine-tune tab, adapter history, Use selected) to compare "
            "this answer with it.")


def waiting_ratings_words(ratings: int, panel: bool = False) -> str:
    """No adapter yet, ``ratings`` rated (core.train_counts.readiness's count, as the Fine-tune tab's): how to make
    the first one from them. "Rate some answers" was said with 4 ratings waiting (leftovers85). ``panel``: the
    history's own words under its title, else the status bar's line for Ctrl+H."""
    wait = f"{counted(ratings, 'rating')} {'waits' if ratings == 1 else 'wait'}"
    if panel:
        return (f"No adapter yet: {wait}. Press \u201cFine-tune on my ratings\u201d above to make your first adapter; "
                "a kept fine-tune appears here. Until then the base model answers.")
    return f"No adapter yet: {wait}. Press \u201cFine-tune on my ratings\u201d to make your first adapter"
