"""What a fine-tune's before/after pairs (``metrics["taught"]``, core.finetune_effect.taught) say, in
plain words the window's card and the CLI share: how many rated questions were asked again and how
many give the person's answer, which were not checked automatically and why, and an answer that
repeats itself, and what judged a run that held nothing out. Free of torch (the card reads an old
run's pairs at start-up) and of any front end.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import NamedTuple

from desktop_app.core import word_cut
from desktop_app.core.count_words import counted, plural

_WORD = re.compile(r"\w+(?:['\u2019]\w+)*", re.UNICODE)  # "it's" one word: a phrase starts at a word

def shown_answer(pair: dict, side: str) -> str:
    """A pair's ``side`` ("before" or "after") answer as the person reads it: ending in "…" where it
    stopped unfinished at the re-ask's token limit (usertests 10 and 17: "…the world of art was no"
    read as a typo)."""
    text = pair.get(side) or ""
    return text.rstrip() + "\u2026" if text and pair.get(f"cut_{side}") and not text.endswith("\u2026") else text


# ---------------------------------------------------------------- rated questions not checked

# "how" questions answered by a name or a number (answer_checks._FACT_OPENERS; tests/test_card28_taught_words.py
# keeps the two alike): the rest of "how ..." asks for steps
_HOW_FACTS = ("many", "much", "old", "far", "long", "tall", "big")
_FACT_STARTS = ("what", "who", "when", "where", "which")


def rated(pair: dict) -> bool:
    """The person rated the pair's question (trained on it, or held it out to test the run)."""
    return bool(pair.get("seen") or pair.get("held")) and not pair.get("open")


def rated_questions(taught: list[dict]) -> list[dict]:
    """One pair per rated question: a rated question is re-asked in its conversation and on its own
    (two pairs, one question to the person); the first one that misses the person's answer stands
    for both, else the first."""
    out: dict[str, dict] = {}
    for pair in taught:
        if rated(pair):
            question = pair.get("question") or ""
            if question not in out or (pair.get("dropped_after") and not out[question].get("dropped_after")):
                out[question] = pair
    return list(out.values())


def rated_noun(pairs: list[dict]) -> str:
    """"rated question(s)", "rated continuation(s)" (Text mode's: usertest 17 read its own continuation
    counted as a "rated question") or both, by the kinds of ``pairs`` and their number."""
    n, kinds = len(pairs), {bool(p.get("continuation")) for p in pairs}
    if kinds == {True}:
        return plural("rated continuation", n)
    questions = plural("rated question", n)
    return f"{questions} or {plural('continuation', n)}" if kinds == {True, False} else questions


def yours_noun(pairs: list[dict]) -> str:
    """What the person gave for ``pairs``: "your answer", "your continuation", or "yours" for both kinds."""
    kinds = {bool(p.get("continuation")) for p in pairs}
    return "yours" if len(kinds) > 1 else "your continuation" if kinds == {True} else "your answer"


def yours_label(pair: dict) -> str:
    """What the person's answer above a pair is: "your answer" (or "your continuation") where they wrote
    it, "the answer you liked" where it is the model's words they liked or preferred (``right_written``
    False; a run recorded before pairs said so keeps "your answer")."""
    kind = "continuation" if pair.get("continuation") else "answer"
    return f"the {kind} you liked" if pair.get("right_written") is False else f"your {kind}"


def unchecked_why(pair: dict) -> str | None:
    """Why a rated question's new answer was not held to the person's answer (core.finetune_effect.checked
    is False), in a few words: "a how-to answer"; None for a pair that was checked, is no rated
    question, or comes from a run recorded before pairs said whether they were checked."""
    if not rated(pair) or "checked" not in pair or pair.get("checked"):
        return None
    if not pair.get("right"):  # a pair carries no rating kind: a thumbs-down and a token rated alone both come here
        # (usertest47: a question whose answer had one token rated good read "you only disliked its answer")
        return NO_CONTINUATION_OF_YOURS if pair.get("continuation") else NO_ANSWER_OF_YOURS
    if pair.get("continuation"):  # the text before it is no question (usertest 18: it read "an open answer")
        return "a continuation of your text"
    words = _WORD.findall((pair.get("question") or "").lower())
    if words[:1] == ["how"] and words[1:2] not in [[w] for w in _HOW_FACTS]:
        return "a how-to answer"
    if words[:1] == ["why"]:
        return "an explanation"
    if words[:1] and (words[0] in _FACT_STARTS or words[0] == "how"):
        return "your answer is longer than a short fact"
    if any(w in _FACT_STARTS for w in words):  # "At what temperature ...": a fact, asked in words the check skips
        return FACT_LATE_WHY
    return "an open answer"


# why a rated question with no answer of the person's is not checked, true of both ratings that leave none
NO_ANSWER_OF_YOURS = ("there is no answer of yours to compare with: you disliked its answer or rated only some of "
                      "its tokens")
# the same of a rated Text-mode continuation, which is no question and has no answer (usertest55: a writer's card
# read "you disliked its answer" of a continuation of their story)
NO_CONTINUATION_OF_YOURS = ("there is no continuation of yours to compare with: you disliked the model's or rated "
                            "only some of its tokens")


# answer_checks.names_a_fact reads a question as a short fact only when it starts with one of these
# (usertest 13: "At what temperature does water boil in Celsius?" was called "an open answer")
FACT_LATE_WHY = "the check reads only questions that start with what, who, when, where, which or how many"


def gives_yours(pair: dict) -> bool | None:
    """A rated question's new answer gives the person's answer (True), misses it (False, checked), or
    None: not checked (``unchecked_why`` says why), no rated question, or a run recorded before pairs
    said whether they were checked."""
    if not rated(pair) or not pair.get("checked"):
        return None
    return not pair.get("dropped_after")


def short_of_yours(pair: dict) -> bool:
    """A rated question whose new answer is not known to give the person's answer: it misses it, or
    nobody checked it. The card and the CLI show these first (usertest 13: the one wrong answer was
    the one the card left out)."""
    return gives_yours(pair) is False or bool(unchecked_why(pair))


def short_first(taught: list[dict]) -> list[dict]:
    """The pairs, the questions rated since the previous run first (``new``: usertest 13, the two answers
    just corrected were not shown), then the rated questions ``short_of_yours``, each group in its own order."""
    return sorted(taught, key=lambda pair: (not new_rated(pair), not short_of_yours(pair)))


def new_since_words(pair: dict, since_run) -> str:
    """A pair's mark on the card and in the CLI: "new since run 1" for a question rated since the
    previous run, else ""."""
    return f"new since run {since_run}" if since_run is not None and new_rated(pair) else ""


def new_rated(pair: dict) -> bool:
    """The person rated the pair's question since the previous run (core.finetune_effect.taught's ``new``)."""
    return bool(pair.get("new")) and rated(pair)


# ---------------------------------------------------------------- did the new ratings teach anything

NEAR_YOURS = 0.8  # an answer this like the person's (word by word) already gives it: nothing left to move


def likeness(answer: str | None, yours: str | None) -> float:
    """How alike two answers are word by word, 0 to 1 (difflib's ratio over lower-case words)."""
    return SequenceMatcher(None, _WORD.findall((answer or "").lower()), _WORD.findall((yours or "").lower())).ratio()


def moved_toward_yours(pair: dict) -> bool | None:
    """A rated question's new answer came nearer the person's answer than the old one (or it gives it
    now, where a short fact is checked), or was near it already; None without an answer of theirs."""
    right = pair.get("right")
    if not right:
        return None
    if pair.get("checked") and pair.get("dropped_before") and not pair.get("dropped_after"):
        return True
    after = likeness(pair.get("after"), right)
    return after >= NEAR_YOURS or after > likeness(pair.get("before"), right)


def new_unlearned(taught: list[dict]) -> bool:
    """Every question rated since the previous run with an answer of the person's (one pair per question)
    got a new answer no nearer theirs: what a run read from its own re-asks, for the card's hint that the
    new ratings may pull against older ones (usertest 13: 2 "no Answer:" corrections against 8 "Answer: X.")."""
    moved = [moved_toward_yours(p) for p in rated_questions(taught) if new_rated(p)]
    judged = [m for m in moved if m is not None]
    return bool(judged) and not any(judged)


def unchecked_rated(taught: list[dict]) -> list[dict]:
    """The rated questions (one pair each) whose new answer nobody checked: the person reads them."""
    return [p for p in rated_questions(taught) if unchecked_why(p)]


NOT_CHECKED = "not checked automatically"


class Unchecked(NamedTuple):
    """``unchecked_words`` in two parts: the count the card bolds ("4 rated questions are not checked
    automatically") and the rest, plain (" (each a how-to answer): read … below"); "" and "" for none."""
    count: str
    rest: str


def unchecked_words(taught: list[dict], shown: list[dict] | None = None) -> str:
    """"1 rated question is not checked automatically (a how-to answer): read “How do I boil an egg?”
    below", else "" (usertest 11: "2 of 2 rated questions give your answer" after 3 were rated, the
    third a how-to question whose new answer boiled the egg for 1-2 hours).

    ``shown``: the pairs printed below the words (the window's card shows a few: gui.finetune_words.
    pick_pairs), None for every pair (the CLI prints them all). Only a question among them is named;
    the rest are counted ("; 1 more is not shown here"): the card sent the person to read a fourth
    question it did not show."""
    return "".join(unchecked_parts(taught, shown))


def unchecked_parts(taught: list[dict], shown: list[dict] | None = None) -> Unchecked:
    """``unchecked_words`` with its count apart from the rest, for the card to bold the count alone."""
    pairs = unchecked_rated(taught)
    if not pairs:
        return Unchecked("", "")
    below = {p.get("question") for p in (taught if shown is None else shown)}
    named = [p for p in pairs if p.get("question") in below]
    reasons = list(dict.fromkeys(unchecked_why(p) for p in pairs))
    count = f"{len(pairs)} {rated_noun(pairs)} {'is' if len(pairs) == 1 else 'are'} {NOT_CHECKED}"
    if len(pairs) == 1:
        why = f" ({reasons[0]})"
    elif len(reasons) == 1:
        why = f" ({'each ' if reasons[0].startswith(('a ', 'an ')) else ''}{reasons[0]})"
    else:
        why = ""
    if not named:
        return Unchecked(count, why + (": it is not among the answers below" if len(pairs) == 1
                                       else ": none of them is among the answers below"))
    quoted = [f"\u201c{clip_at_word(p.get('question'), 70)}\u201d" for p in named]
    if len(reasons) > 1:  # each named with its own reason
        quoted = [f"{q} ({unchecked_why(p)})" for q, p in zip(quoted, named)]
    rest = len(pairs) - len(named)
    # "not shown here", not "not among them": after three quoted questions "them" read as those three (usertest 24)
    more = f"; {rest} more {'is' if rest == 1 else 'are'} not shown here" if rest else ""
    return Unchecked(count, f"{why}: read {and_list(quoted)} below{more}")


def rated_count_words(taught: list[dict]) -> str:
    """"3 rated questions: 2 give your answer, 1 misses it" ("all 3 give your answer"; "2 rated questions:
    1 misses your answer" where none gives it), counting every rated question asked again (the ones not
    checked are named by ``unchecked_words``, the ones that miss it by the caller); "" when none was
    checked, or for a run recorded before pairs said whether they were checked."""
    questions = rated_questions(taught)
    judged = [p for p in questions if p.get("checked")]
    if not judged:
        return ""
    missed = sum(1 for p in judged if p.get("dropped_after"))
    kept = len(judged) - missed
    every = "all " if kept == len(questions) > 1 else ""
    # "it" only after "give your answer" named it: "2 rated questions: 1 misses it" named nothing (cli52)
    missed_what = "it" if kept else yours_noun(questions)
    parts = [f"{every}{kept} give{'s' if kept == 1 else ''} {yours_noun(questions)}" if kept else "",
             f"{missed} miss{'es' if missed == 1 else ''} {missed_what}" if missed else ""]
    return f"{len(questions)} {rated_noun(questions)}: " + ", ".join(p for p in parts if p)


def learnt_words(taught: list[dict], adapter: str = "the new adapter") -> str:
    """"Not in use yet: with adapter 1, all 4 rated questions give your answer" ("3 of 4 rated questions give
    …"; "your rated question gives …"): what a waiting run learnt, in one line, the first thing its card says
    (verdict75: its warning led, and the run read as a failure). It says the adapter is not in use and the
    answers are its own: "Learnt: 3 of 4 … now give your answer" beside "not in use" read as a contradiction
    (words108). "" when no checked rated question gives it."""
    questions = rated_questions(taught)
    kept = sum(1 for p in questions if p.get("checked") and not p.get("dropped_after"))
    if not kept:
        return ""
    total, yours = len(questions), yours_noun(questions)
    if total == 1:
        return f"Not in use yet: with {adapter}, your {rated_noun(questions)} gives {yours}"
    which = f"all {total}" if kept == total else f"{kept} of {total}"
    return f"Not in use yet: with {adapter}, {which} {rated_noun(questions)} give{'s' if kept == 1 else ''} {yours}"


# ---------------------------------------------------------------- an answer that repeats itself

REPEAT_WORDS = 5  # a phrase this long said twice reads as a loop beginning (usertest 11's "Echo" story)
REPEAT_SHOWN = 8  # words of the repeated phrase named on the card
# words that build a sentence without naming anything of its own. A repeated phrase names at least
# REPEAT_CONTENT other words: "tasked with creating a robotic painting" said twice is a sentence said
# again; a turn of phrase is English ("you need to heat the water to the boiling point ... You'll need
# to heat the water to 110", the bundled model's egg answer in usertest 11; "which is a device that
# helps", its coffee answer). A loop of fewer words than REPEAT_WORDS ("Boil an egg: Boil an egg: ...")
# needs LOOP_CONTENT.
_SCAFFOLD = frozenset(
    "a an the and or but of in on at to for from with by as is are was were be been being it its it's this "
    "that these those there which who whom what when where how than then so if into onto about also just "
    "not no do does did can could will would should may might you your you'll i me my we our they their "
    "them he she his her has have had need needs".split())
REPEAT_CONTENT = 4
LOOP_CONTENT = 2


def repeated_phrase(answer: str | None, least: int = REPEAT_WORDS) -> str | None:
    """The longest phrase of ``least`` words or more that ``answer`` says twice, as written the first
    time ("...had been tasked with creating a robotic painting. Echo was tasked with creating a robotic
    painting" -> "tasked with creating a robotic painting"), or the unit of a loop ("Boil an egg"), else
    None. Words compare without case or punctuation; a phrase of mostly scaffold words (``_SCAFFOLD``)
    does not count. ``answer_checks.looping`` misses such an answer while most of it is new; like
    ``finetune_effect.repeated_opening`` it is named on the card and by the CLI only: no gate rule reads it."""
    spans = list(_WORD.finditer(answer or ""))
    words = [m.group().lower() for m in spans]
    stutter = _stutter(words)
    if stutter is not None:
        start, size = stutter
        return answer[spans[start].start():spans[start + size - 1].end()]
    first: dict[tuple, int] = {}
    best: tuple[int, int] | None = None  # (words, where the phrase starts)
    for i in range(len(words) - least + 1):
        start = first.setdefault(tuple(words[i:i + least]), i)
        if start == i:
            continue
        n = _said_again(words, start, i, least)
        content = sum(w not in _SCAFFOLD for w in words[start:start + n])
        if i - start < least and content >= LOOP_CONTENT:  # a loop: its unit says it best
            return answer[spans[start].start():spans[start + n - 1].end()]
        if i - start >= least and content >= REPEAT_CONTENT and (best is None or n > best[0]):
            best = (n, start)
    if best is None:
        return None
    n, start = best
    return answer[spans[start].start():spans[start + n - 1].end()]


STUTTER_TIMES = 4  # "a vast, unforgiving, unforgiving, unforgiving, unforgiving." (8 "Answer:" corrections)


def _stutter(words: list[str], longest: int = 3) -> tuple[int, int] | None:
    """(start, size) of a word or run of up to ``longest`` words said STUTTER_TIMES times back to back:
    too short a phrase for ``repeated_phrase``'s REPEAT_WORDS, broken to anyone who reads it."""
    for size in range(1, longest + 1):
        for start in range(len(words) - size * STUTTER_TIMES + 1):
            unit = words[start:start + size]
            if all(words[start + k * size:start + (k + 1) * size] == unit for k in range(1, STUTTER_TIMES)):
                return start, size
    return None


def _said_again(words: list[str], start: int, again: int, least: int) -> int:
    """How many words from ``start`` on are said again from ``again`` on: the whole phrase, not only its
    first ``least`` words; for a loop of fewer words ("Boil an egg: Boil an egg: ..."), its unit."""
    if again - start < least:
        return again - start
    n = least
    while start + n < again and again + n < len(words) and words[start + n] == words[again + n]:
        n += 1
    return n


def repeats_words(answer: str | None) -> str:
    """"repeats itself: “tasked with creating a robotic painting”", else ""."""
    phrase = repeated_phrase(answer)
    if phrase is None:
        return ""
    words = phrase.split()
    shown = " ".join(words[:REPEAT_SHOWN]) + ("\u2026" if len(words) > REPEAT_SHOWN else "")
    return f"repeats itself: \u201c{shown}\u201d"


def clip_at_word(text: str | None, limit: int) -> str:
    """``text`` on one line, at most ``limit`` characters, cut after a whole word with an ellipsis
    ("the world of art was no" read as a typo, usertest 10), by core/word_cut.py's rule (the titles'):
    a line keeps at least half its room, so a long word past the middle is cut as is. The run card's
    answers, the questions it names, the Text tab's outline."""
    return word_cut.clip_at_word(text, limit, least=limit // 2, keep_word_at_limit=False)


def and_list(items) -> str:
    """"a, b and c" ("" for none); the card, the ready line and the quit question say lists so."""
    items = list(items)
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else "".join(items)


def all_ratings_words(split_kept: bool) -> str:
    """What judged a run that held nothing out. A run that kept its adapter's split draws only new
    questions, and leaves one of them to train: with one new question none is held back."""
    if split_kept:
        return "your ratings (too few new questions to hold one back)"
    return "your ratings (too few to hold some back)"


def changed_unrated_words(n: int, verb: str = "changed") -> str:
    """"it changed 2 answers to questions you never rated": why a kept run waits for the person's word
    before it is used, as the card's title, the status bar, the CLI and the run's last report say it;
    ``verb`` "changes" for an imported adapter, which nothing has used yet (fact_changes.changes_unrated_words)."""
    return f"it {verb} {counted(n, 'answer')} to questions you never rated"


# a change of the mean per-token margin smaller than this reads as "barely moved", on the run card and in an
# imported adapter's reason: the gate takes a fall this small on one held-out item for chance
# (gate.SMALL_HELDOUT_NOISE); ux42 read "your ratings moved the right way" over 0.9612 -> 0.9634
BARELY_MOVED = 0.01


def margin_move(before: float, after: float) -> str:
    """"barely moved", "rose" or "fell": how a preference margin moved, by its size, in every place that words it."""
    if abs(after - before) < BARELY_MOVED:
        return "barely moved"
    return "rose" if after > before else "fell"


def margin_figures(before: float, after: float, digits: tuple[int, ...] = (3, 4, 5), arrow: str = " \u2192 ") -> str:
    """"0.961 → 0.963": the first of ``digits`` decimals (three, as the run card gives them) at which
    the two figures read differently, more where fewer read the same (usertest 18: "margin 0.96→0.96"
    for a move the gate kept)."""
    was, now = margin_texts((before, after), digits)
    return f"{was}{arrow}{now}"


def margin_texts(values, digits: tuple[int, ...] = (3, 4, 5)) -> list[str]:
    """Margins written with the first of ``digits`` decimals at which no two of them read the same
    (``margin_figures`` for two; the gate's "base -> in use, now" for three, leftovers63)."""
    for places in digits:
        texts = [f"{value:.{places}f}" for value in values]
        if len(set(texts)) == len(texts):
            break
    return texts


def kept_margin_words(before: float, after: float, arrow: str = " -> ") -> str:
    """How a kept run's (or an imported adapter's) margin moved, by its size (``margin_move``), with the figures
    (``margin_figures``): "moved the right way (preference margin 0.500 -> 0.700)". The fine-tune's verdict said
    "moved the right way" over 5.7386 -> 5.7395, which its printed lines and the window call "barely moved" (cli63).
    A fall reaches here only within the gate's chance for a small held-out set (gate.SMALL_HELDOUT_NOISE)."""
    barely = "barely moved the right way" if after >= before else "barely moved"
    how = {"rose": "moved the right way", "fell": "fell a little, within chance for so few held-out ratings",
           "barely moved": barely}[margin_move(before, after)]
    return f"{how} (preference margin {margin_figures(before, after, arrow=arrow)})"


def gate_margins(m: dict) -> list[dict]:
    """The margins a run's gate read, each as the printed summary and ``finetune --json``'s ``margins`` give it:
    ``on`` (whose ratings), ``before``, ``after``, ``moved`` (``margin_move``) and ``figures`` (``margin_figures``):
    the held-out one, and the one over all ratings that the gate also reads when few are held out. One place for
    both, where the printed lines had rounded to four decimals and the verdict to four significant digits (cli63)."""
    heldout = m.get("gate_margin_on") == "heldout"
    shown = [("held-out ratings" if heldout else "all ratings", m.get("margin_before"), m.get("margin_after"))]
    if heldout:
        shown.append(("all ratings", m.get("margin_all_before"), m.get("margin_all_after")))
    return [{"on": on, "before": before, "after": after, "moved": margin_move(before, after),
             "figures": margin_figures(before, after, arrow=" -> ")}
            for on, before, after in shown if _is_number(before) and _is_number(after)]


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
