"""What a re-asked answer says, read from its words alone (no model): whether it is degenerate
(empty, an echo of the question, a loop; what the gate refuses a run for, core.gate.judge),
restates the question's subject, names a short fact, and whether a later answer dropped or
changed that fact (what steps a run back or waits for the person's word: core.train_verdict,
core.finetune_effect)."""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"\w+", re.UNICODE)


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def _ngrams(seq, n):
    return [tuple(seq[i:i + n]) for i in range(len(seq) - n + 1)]


def degenerate(question: str, answer: str, answer_ids: list[int] | None = None) -> str | None:
    """Why a greedy answer is degenerate ("empty", "echo", "loop"), or None when it is fine."""
    if not answer.strip():
        return "empty"
    q, a = _words(question), _words(answer)
    if len(q) >= 3 and a:
        joined_q, joined_a = " ".join(q), " ".join(a)
        if joined_q in joined_a:
            return "echo"
        tri_a = _ngrams(a, 3)
        if len(tri_a) >= 2 and _asks_again(q, a, answer):
            tri_q = set(_ngrams(q, 3))
            if sum(t in tri_q for t in tri_a) / len(tri_a) >= 0.6:
                return "echo"
    return "loop" if looping(answer_ids if answer_ids is not None else a) else None


def _asks_again(q: list[str], a: list[str], answer: str) -> bool:
    """An answer made mostly of the question's words is an echo only if it asks again: it
    holds the question's opening words ("what is the", "why do dogs") or is itself a
    question. A full-sentence answer to a long question shares most of its word triples and
    answers it: "What is the largest planet in our solar system?" -> "Jupiter is the largest
    planet in our solar system." (6 of 7 triples; user test 12: the person's own taught answer,
    called an echo, discarded their run)."""
    opening = " ".join(q[:3])
    return opening in " ".join(a) or answer.rstrip().endswith("?")


def looping(ids) -> bool:
    """Fewer than half of the 4-grams distinct, or 8 tokens or more of at most two kinds."""
    grams = _ngrams(ids, 4)
    if len(grams) >= 8 and len(set(grams)) / len(grams) < 0.5:
        return True
    return len(ids) >= 8 and len(set(ids)) <= 2


_LINKS = {"is", "are", "was", "a", "an", "the", "it", "its", "has", "have"}


def restates(question: str, answer: str) -> bool:
    """A short answer made of the question's own words, ending on one of them: "The capital of
    Switzerland is Switzerland.", "Denmark is the capital of Denmark." Not a loop or an echo
    by ``degenerate`` (half its word triples are new), yet it answers nothing. Measured: a
    short-answer style learned from 4 thumbs gave it on 4 of 16 capitals where the base model
    named the city. The re-asks note it (``Reask.restates``): a run steps back to the latest
    checkpoint where such answers are gone, when there is one, but is not refused for it (it
    is a wrong fact, not a broken answer: measured, 4 picky thumbs: every kept checkpoint
    from 8 to 22 restated two capitals, and the run refused for it had shown the taught
    preference in all 16 new answers with none degenerate). ``degenerate`` (the gate's and the
    benchmarks' judge) does not count it."""
    a, q = _words(answer), set(_words(question))
    if not 3 <= len(a) <= 12 or " ".join(a) == " ".join(_words(question)):
        return False
    # every word the question's own (or a link word): it adds nothing ("The capital of Australia is
    # Canberra, capital of the Commonwealth of Australia." names the city: not this)
    return set(a) <= q | _LINKS and a[-1] in q and len(a[-1]) > 3


# A short factual question: a name, a number or a date answers it ("What is the capital of...",
# "How many legs..."); not "how do I", "why", "tell me about", whose answers say it many ways.
_FACT_OPENERS = ("what", "who", "when", "where", "which", "how many", "how much", "how old", "how far",
                 "how long", "how tall", "how big")
# words that open or join an answer without naming anything, even capitalised at a sentence's start
_NAMELESS = _LINKS | {"answer", "yes", "no", "not", "this", "that", "there", "in", "of", "on", "at", "to", "and",
                      "or", "by", "for", "with", "from", "as", "i", "you", "we", "they", "he", "she", "my",
                      "your", "our", "their", "his", "her", "be", "been", "were", "do", "does", "did", "so",
                      "well", "sure", "ok", "okay", "however", "actually", "also", "about", "around"}
_NUMBER_WORDS = {w: str(n) for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")
# a first sentence longer than this is an explanation, not a short fact: for the person's own answer,
# for the model's. Shorter for the model's: on the before/after pairs of earlier bench logs (410 distinct),
# "A flamingo is a type of animal that belongs to the order Carnivora." (13 words: a name, but no
# answer) read as dropped when a later answer said "Answer: red."; every short fact there had <= 9
FACT_ANSWER_WORDS = 15
MODEL_FACT_WORDS = 10


def _key(word: str) -> str:
    w = unicodedata.normalize("NFKD", word.lower()).encode("ascii", "ignore").decode() or word.lower()  # Bogotá
    return _NUMBER_WORDS.get(w, w[:-1] if len(w) > 3 and w.endswith("s") else w)


def _names(question: str, text: str, whole: bool = False, limit: int = FACT_ANSWER_WORDS) -> set[str]:
    """The names and numbers in ``text``'s first sentence (``whole``: in all of it) the question
    does not have itself: capitalised words, digits, number words ("Canberra", "1945", "eight"
    read as "8"). None from a first sentence longer than ``limit`` words: no short fact."""
    first = text if whole else _SENTENCE_END.split(text.strip(), maxsplit=1)[0]
    if not whole and len(_words(first)) > limit:
        return set()
    asked = {_key(w) for w in _words(question)}
    found = {_key(w) for w in _WORD.findall(first)
             if (w[0].isupper() or w.isdigit() or w.lower() in _NUMBER_WORDS) and w.lower() not in _NAMELESS}
    return found - asked


def names_a_fact(question: str, answer: str, right: bool = False) -> bool:
    """``answer`` names something that answers the short factual ``question``: what
    ``drops_answer`` can judge ("How do I..." and long explanations it leaves alone);
    ``right``: the person's own answer, else the model's (held to a shorter first sentence)."""
    q = " ".join(_words(question))
    limit = FACT_ANSWER_WORDS if right else MODEL_FACT_WORDS
    return q.startswith(_FACT_OPENERS) and len(q.split()) <= 12 and bool(_names(question, answer, limit=limit))


def drops_answer(question: str, before: str, after: str, right: bool = False) -> bool:
    """The answer to a short factual question is gone: ``before`` named something (a name, a
    number: "The capital of Australia is Canberra.") and ``after`` names none of it ("The answer
    to your question lies in the continent of Australia.", a user test: kept as "learned", the
    damage seen only in the before/after cards). The format may change ("Answer: Canberra.",
    "Canberra.", "eight" for "8"); open and how-to questions, and answers whose first sentence is
    longer than a short fact, are not judged (their words vary with no fact lost).
    ``right``: ``before`` is the person's own answer (a correction, a liked answer), so an after
    naming something else lost it too ("Answer: Jupiter." taught, Neptune said). Otherwise
    ``before`` is the model's own earlier answer, perhaps wrong or no answer at all ("Denmark is
    a Scandinavian country located in Northern Europe." -> "The capital of Denmark is
    Copenhagen."): only an ``after`` that names nothing of its own dropped it. ``degenerate`` is unchanged by it: the gate does
    not refuse a run for it (FineTuneSettings.step_back_dropped)."""
    if not names_a_fact(question, before, right):
        return False
    wanted = _names(question, before)
    if wanted & {_key(w) for w in _words(after)}:
        return False
    return right or not _names(question, after, whole=True)


def words_of(text: str) -> list[str]:
    """``text``'s words as written, case kept ("What", "Croatia"): a card names the question's subject."""
    return _WORD.findall(text)


def named_word(question: str, answer: str) -> tuple[int, str] | None:
    """(where it starts, the word) of the first name ``answer``'s first sentence gives that the
    question does not have (``_names``: "Canberra"); None when it names none."""
    names = _names(question, answer)
    first = _SENTENCE_END.split(answer, maxsplit=1)[0]
    return next(((m.start(), m.group()) for m in _WORD.finditer(first) if _key(m.group()) in names), None)


def changes_answer(question: str, before: str, after: str) -> bool:
    """A new question's answer names something else now ("Canberra" -> "Sydney"; "Denmark is a
    Scandinavian country..." -> "Copenhagen"): which one is right is not known here (the model's
    own answer before may be the wrong one), so the report shows both for the person to judge;
    no gate rule reads it. ``drops_answer`` is the case where the new answer names nothing."""
    return (names_a_fact(question, before) and not drops_answer(question, before, after)
            and not _names(question, before) & {_key(w) for w in _words(after)})
