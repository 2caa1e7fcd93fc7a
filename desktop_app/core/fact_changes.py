"""Facts a fine-tune run changed on questions nobody rated: which before/after pairs changed
or dropped the fact the model named before (``facts_changed``), how sure the model was of it
(``fact_sureness``, ``hold_sure_facts``: a kept run that moved a sure fact waits for the person's
word, train_verdict.decide), and the words the card, the adapter history and the CLI say them in
("Croatia: Zagreb \u2192 Zaragoza", "the model was 65% sure of Canberra").

The pairs come from ``finetune_effect.taught``; this reads them and never trains or measures
a run itself, except ``fact_sureness``'s one short forward pass.
"""

from __future__ import annotations

from desktop_app.core import answer_checks
from desktop_app.core.lazy import lazy_module
from desktop_app.core.taught_words import changed_unrated_words

reasking = lazy_module("desktop_app.core.reasking")  # it imports torch: on first use


def never_rated(pair: dict) -> bool:
    """A before/after pair's question is one the person never rated nor trained on (a fixed
    everyday question, a canary), and no open request: its before is the model's own answer."""
    return not (pair.get("seen") or pair.get("held") or pair.get("open"))


def facts_changed(taught_pairs: list[dict]) -> list[dict]:
    """The never-rated questions whose new answer changed (``changed_after``: "Canberra" ->
    "Sydney") or dropped (``dropped_after``: "The capital of Switzerland is Switzerland.") the
    fact the model's answer before named, or now only repeats the question where it did not
    before (``restates_after``: "Why is the sky blue?" -> "The sky blue.", a user test's third
    damaged answer: a "why" names no short fact to hold it to), as {question, before, after,
    how: "changed" | "dropped" | "restated"}. A kept run with any is saved but not put in use
    until the person says so (train_verdict.decide): nobody rated these questions, so no rating
    asked for the change, and which answer is right is not known here. A shorter format that
    keeps the fact ("Answer: Canberra.") is none of them (answer_checks.changes_answer, answer_checks.drops_answer)."""
    out = []
    for t in taught_pairs:
        if not never_rated(t):
            continue
        how = ("dropped" if t.get("dropped_after") else "changed" if t.get("changed_after")
               else "restated" if t.get("restates_after") and not t.get("restates_before") else None)
        if how:
            out.append({"question": t["question"], "before": t.get("before") or "", "after": t.get("after") or "",
                        "how": how})
    return out


def facts_judged(taught_pairs: list[dict]) -> int:
    """How many never-rated questions ``facts_changed`` judged (the gate's everyday ones and
    canaries; open requests are not)."""
    return sum(never_rated(t) for t in taught_pairs)


# A changed or dropped never-rated fact holds a kept run back (train_verdict.decide) only where the
# model that answered before was sure of the word it named: the probability of that word's first
# token, teacher-forced after the question's prompt and the answer's words before it. Measured on the
# bundled model's greedy answers in float32, as a run's copy (bench/fact_sureness.py, docs/measurements.md):
# Oslo 0.96, Moscow 0.90, Canberra 0.65, Istanbul 0.60, Zagreb 0.50, "Hoi" (An) 0.45, "100" legs 0.39,
# "Scandinavian" 0.31; its guesses: "five" legs 0.27, Switzerland -> "Lier" 0.12 (the 16-bit copy says
# "Bern" there at 0.13: a coin toss; runs moved it in 46 of 90 kept bench runs, 25 times to Bern).
# Sure is not right (Istanbul, "Hoi"): it says the change is a change of the model's mind, not of a guess.
SURE_OF_FACT = 0.3


def fact_sureness(work, question: str, answer: str, tokens: int) -> tuple[str, float] | None:
    """(the named word, the probability the model as it is now gave its first token) for the
    model's own ``answer`` to ``question``: one short forward pass. None: no named word."""
    import torch

    from desktop_app.core.scoring import TokenPass

    text = answer.strip()
    found = answer_checks.named_word(question, text)
    if found is None:
        return None
    start, word = found
    tok = work.tokenizer
    prompt = reasking.fresh_prompt(tok, question, work.context_window, tokens)
    lead = "" if tok.decode(prompt[-1:]).endswith((" ", "\n")) else " "  # as generated: " The capital..."
    enc = tok(lead + text, add_special_tokens=False, return_offsets_mapping=True)
    at = start + len(lead)
    index = next((i for i, (a, b) in enumerate(enc["offset_mapping"]) if a <= at < b or a >= at), None)
    if index is None:
        return None
    # read in the pass a scoring of the answer reads that token in (scoring.TokenPass), so the figure is
    # the compare view's for the same weights, not another pass shape's rounding of it
    with work.lock, torch.inference_mode():
        logits = TokenPass.of(work, prompt + enc["input_ids"][:index]).logits().float()
    return word, round(float(torch.softmax(logits, -1)[enc["input_ids"][index]]), 4)


def sure_words(change: dict) -> str:
    """" (the model was 65% sure of Canberra)": why a changed fact holds the adapter back, for the
    card and the CLI; "" where it was not measured (a restated answer, an older run)."""
    sure = change.get("sure")
    return f" (the model was {round(sure[1] * 100)}% sure of {sure[0]})" if sure else ""


def all_changed_facts(metrics: dict) -> list[dict]:
    """Every never-rated answer a run changed: those that hold it back (``facts_changed``), then
    the guesses the model was not sure of before (``facts_unsure``, train_verdict._sure_facts),
    each marked ``unsure``. The window's card and the CLI name them all."""
    return ([*(metrics.get("facts_changed") or []),
             *({**c, "unsure": True} for c in metrics.get("facts_unsure") or [])])


def changed_unrated_count(metrics: dict) -> int:
    """How many never-rated answers an adapter's run changed, as the adapter history and `adapters activate`
    count them: those that held it back and the guesses it moved with them (``all_changed_facts``); 0 when none
    held it back (a moved guess alone does not)."""
    return len(all_changed_facts(metrics)) if metrics.get("facts_changed") else 0


def changes_unrated_words(metrics: dict) -> str:
    """"it changes 2 answers to questions you never rated: Australia: Canberra → Sydney (the model was 65% sure
    of Canberra); …": an imported adapter's reason, each change as the run's card and the CLI name it (its swap,
    how sure the model was, a guess marked as one); "" where none would hold a run back (``changed_unrated_count``).
    Present tense: the adapter has not been used, it would change them (usertest46 imported its own export and
    heard nothing of the 3 answers its run had been held back for)."""
    changes = all_changed_facts(metrics) if metrics.get("facts_changed") else []
    if not changes:
        return ""
    named = "; ".join(change_named_words(c) + marked_sure_words(c) for c in changes)
    return f"{changed_unrated_words(len(changes), 'changes')}: {named}"


def change_named_words(change: dict) -> str:
    """"Australia: Canberra → Sydney", else the question and what became of its answer
    ("“Why is the sky blue?”: only repeats the question"), for a list on one line."""
    return swapped_fact_words(change) or f"\u201c{change.get('question') or ''}\u201d: {changed_how_words(change)}"


def changed_how_words(change: dict) -> str:
    """What happened to a changed fact's answer: "lost its answer", "only repeats the question", or
    what it names now ("Croatia: Zagreb → Zaragoza", ``swapped_fact_words``; "names something else" where
    no name can be read: verdict75 read that as vague)."""
    how = change.get("how")
    if how in ("dropped", "restated"):
        return {"dropped": "lost its answer", "restated": "only repeats the question"}[how]
    return swapped_fact_words(change) or "names something else"


def swapped_fact_words(change: dict) -> str:
    """"Croatia: Zagreb → Zaragoza": the name the question asks about (its last capitalised word after the
    first), the name the answer gave before and the one it gives now; "" where either answer names none."""
    question = change.get("question") or ""
    was = answer_checks.named_word(question, change.get("before") or "")
    now = answer_checks.named_word(question, change.get("after") or "")
    if not was or not now:
        return ""
    asked = [w for w in answer_checks.words_of(question)[1:] if w[:1].isupper()]
    about = f"{asked[-1]}: " if asked else ""
    return f"{about}{was[1]} \u2192 {now[1]}"


def marked_sure_words(change: dict) -> str:
    """``sure_words``, or for a guess (``unsure``: ``all_changed_facts``) that it was one, so a list
    of every changed fact tells the two apart: " (the model was not sure of this one before: 12% sure
    of Lier)"."""
    if not change.get("unsure"):
        return sure_words(change)
    word, p = change.get("sure") or (None, None)
    return (f" (the model was not sure of this one before: {round(p * 100)}% sure of {word})" if word
            else " (the model was not sure of this one before)")


def hold_sure_facts(changed: list[dict], sure_of) -> tuple[list[dict], list[dict]]:
    """``changed`` (``facts_changed``) split into (held, unsure): unsure, the changed or dropped
    facts the model was not sure of before (``sure_of(question, before)`` -> (word, probability)
    or None, below SURE_OF_FACT): a wrong guess moved is no harm to ask about. Each measured pair
    carries ``sure`` [word, probability]; "restated" answers name no fact and are held as they are."""
    held, unsure = [], []
    for c in changed:
        if c["how"] == "restated":
            held.append(c)
            continue
        sure = sure_of(c["question"], c["before"])
        pair = {**c, "sure": list(sure) if sure else None}
        (held if sure is None or sure[1] >= SURE_OF_FACT else unsure).append(pair)
    return held, unsure
