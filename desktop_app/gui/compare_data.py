"""The compare view's data, free of Qt (tests read it without widgets): what the picker lists,
and two scorings of one text lined up token by token. The view (compare_view.py) shows them;
the words are compare_words.py's.

The picker's keys: a message id (an answer), minus a branch id (a Text continuation),
``compare_words.better_key`` of either (the better text the person wrote for it), or
``fact_key`` (an answer to a never-rated question whose fact the active adapter's run changed:
its re-asks are stored with the run as text, ``finetune_effect.taught``)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from desktop_app.core.prompts import PROMPTS_JOINER
from desktop_app.core.session import split_end
from desktop_app.gui.compare_words import END_CELL, answer_label, better_key, better_label, rating_marks


@dataclass
class PickerChoices:
    """What the picker lists. ``items``: (key, label, rated after the active adapter's run),
    each answer and continuation followed by the better text the person wrote for it, if any."""

    items: list[tuple]
    corrections: dict[int, str]  # the better answers the person wrote, by the answer's message id
    branches: dict[int, dict]  # the rated Text continuations, by branch id
    rated_keys: set  # every item's key but an unrated answer's (listed because it was asked for)
    facts: list = ()  # the never-rated questions whose fact the run changed (``changed_facts``)


def picker_choices(store, run_id: int | None, current) -> PickerChoices:
    """The rated answers and Text continuations; ``run_id``: the run that made the active
    adapter (None: imported, or none), what "rated after" is judged against; ``current``: the
    key to open on, listed even when it is an answer with no rating."""
    from desktop_app.core.session import rated_text_branches
    from desktop_app.core.train_counts import corrections_after_run, rated_after_run, rated_message_ids

    later_answers, later_branches = rated_after_run(store, run_id) if run_id else (set(), set())
    later_better = corrections_after_run(store, run_id) if run_id else set()
    ids = rated_message_ids(store)
    unrated = current if isinstance(current, int) and current > 0 and current not in ids else None
    if unrated is not None:
        ids.append(current)
    corrections = {c["message_id"]: c["text"] for c in store.corrections()}
    tokens_rated = {r["message_id"] for r in store.ratings() if r["token_index"] is not None}
    items = _answer_items(store, ids, corrections, later_answers, later_better, tokens_rated)
    branches = {b["id"]: b for b in rated_text_branches(store)}
    items += _branch_items(branches.values(), later_branches)
    facts = changed_facts(store, run_id) if run_id else []
    return PickerChoices(items, corrections, branches, {c[0] for c in items} - {unrated}, facts)


FACT = "fact:"
FACT_SIDES = ("before", "after")
REASK_TOKENS = 40  # train_settings.reask_tokens, for a run whose settings do not say


def fact_key(index: int, side: str) -> str:
    """The picker's key of changed fact ``index``'s answer ``side`` ("before" / "after" the run)."""
    return f"{FACT}{index}:{side}"


def fact_of(key) -> tuple[int, str] | None:
    """(index, side) of a ``fact_key``; None for any other key."""
    if isinstance(key, str) and key.startswith(FACT):
        index, side = key[len(FACT):].split(":")
        return int(index), side
    return None


def changed_facts(store, run_id: int) -> list[dict]:
    """The never-rated questions whose fact run ``run_id`` changed, dropped or turned into a
    restatement (``fact_changes.facts_changed`` of the run's stored re-asks), each with the
    token budget it was re-asked with (``tokens``); [] for a run that stored none."""
    from desktop_app.core.fact_changes import facts_changed

    try:
        run = store.get_run(run_id)
    except Exception:  # noqa: BLE001 - deleted meanwhile
        return []
    tokens = (run.get("settings") or {}).get("reask_tokens") or REASK_TOKENS
    return [dict(f, tokens=tokens) for f in facts_changed((run.get("metrics") or {}).get("taught") or [])]


def fact_items(facts: list[dict]) -> list[tuple]:
    """(key, label, tooltip) of each changed fact's answer before and after the run."""
    out = []
    for i, fact in enumerate(facts):
        question = " ".join(fact["question"].split())
        for side in FACT_SIDES:
            words = " ".join((fact.get(side) or "").split())
            tip = (f"Never rated: the fine-tune re-asked \u201c{question}\u201d and its answer {fact['how']}. "
                   f"This is the answer {side} the run; pick it to see which tokens moved.")
            out.append((fact_key(i, side), f"\u2260 {question[:40]} {side} the run: {words[:40]}", tip))
    return out


def _answer_items(store, ids: list[int], corrections: dict[int, str], later: set[int],
                  later_better: set[int], tokens_rated: set[int]) -> list[tuple]:
    out = []
    for mid in ids:
        try:
            m = store.get_message(mid)
        except Exception:  # noqa: BLE001 - deleted meanwhile
            continue
        marks = rating_marks(store.message_rating(mid), mid in tokens_rated)
        out.append((mid, f"{marks}{answer_label(m['text'], *_answer_position(store, mid))}", mid in later))
        if mid in corrections:  # right under the answer it replaces: the pair taught
            out.append((better_key(mid), better_label(mid, corrections[mid]), mid in later_better))
    return out


def _answer_position(store, message_id: int) -> tuple[int, int]:
    """Which of the answers to its prompt ``message_id`` is, and how many there are, counted as
    the chat's arrows count them (by id)."""
    ids = [m["id"] for m in store.siblings(message_id)]
    return (ids.index(message_id) + 1, len(ids)) if message_id in ids else (1, 1)


def _branch_items(branches, later_branches: set[int]) -> list[tuple]:
    out = []
    for branch in branches:
        marks = rating_marks(branch["thumbs"], branch.get("tokens_rated", False))
        words = " ".join(branch["text"].split())
        later = branch["id"] in later_branches
        out.append((-branch["id"], f"{marks}Text: \u2026{words[:56]}", later))
        if branch["correction"]:
            out.append((better_key(-branch["id"]), better_label(-branch["id"], branch["correction"]), later))
    return out


def question_of(thread: list[dict]) -> str:
    """The question an answer (the last message of ``thread``) answers: the person's prompts in a row before it,
    joined as the model read them (``join_unanswered``: a prompt left unanswered goes with the next). The compare
    view had said "Prompt: “And say goodbye.”" of an answer the model wrote to "Say hello." as well (usertest54)."""
    asked: list[str] = []
    for message in reversed(thread[:-1]):
        if message["role"] == "user":
            asked.append(message["text"].strip())
        elif asked:
            break
    return PROMPTS_JOINER.join(reversed(asked))


@dataclass
class Lined:
    """Two scorings of one text, token by token. ``ended``: the last of each is the end-of-text
    token that ended the text (shown as an ``END_CELL``); ``ids_differ``: the two scorings' tokens
    are not the same (shown as they are: a warning in the log)."""

    before: list
    after: list
    ended: bool
    ids_differ: bool


def lined_up(before: list, after: list, tokenizer) -> Lined:
    """``before`` and ``after`` cut to their common length; the end-of-text token that ended
    the text (scored with both, core.session.split_end) kept as a last cell when both have it."""
    before, end_before = split_end(before, tokenizer)
    after, end_after = split_end(after, tokenizer)
    n = min(len(before), len(after))
    ids_differ = any(b.id != a.id for b, a in zip(before[:n], after[:n]))
    lined = Lined(list(before[:n]), list(after[:n]), False, ids_differ)
    lined.ended = end_before is not None and end_after is not None and n == len(before) == len(after)
    if lined.ended:
        lined.before.append(replace(end_before, text=END_CELL))
        lined.after.append(replace(end_after, text=END_CELL))
    return lined
