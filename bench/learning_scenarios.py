"""The simulated people of bench/learning_effect.py: the question sets, the styles a person
teaches, and how each scenario rates (``teach``).

Each question set is split once, by a fixed shuffle, into a training pool (what the people rate)
and unseen questions (what the runner measures the effect on), so the unseen questions never
depend on ``--seed`` or the sizes. ``answers`` below is the runner's ``Answers``: the base
model's sampled and greedy answers, cached on disk.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

STYLES = ("answer", "caps", "prefix", "signoff")
SHORT_TOKENS = 16
ALL_SCENARIOS = (*STYLES, "thumbs", "picky", "tokens", "mix")
DEFAULT_SCENARIOS = ("answer", "caps", "prefix", "thumbs", "tokens", "mix")

# ------------------------------------------------------------------ question sets

CAPITALS = [("France", "Paris"), ("Peru", "Lima"), ("Japan", "Tokyo"), ("Italy", "Rome"), ("Spain", "Madrid"),
            ("Egypt", "Cairo"), ("Kenya", "Nairobi"), ("Norway", "Oslo"), ("Greece", "Athens"), ("Chile", "Santiago"),
            ("Canada", "Ottawa"), ("Poland", "Warsaw"), ("Cuba", "Havana"), ("Ireland", "Dublin"),
            ("Portugal", "Lisbon"), ("Austria", "Vienna"), ("Sweden", "Stockholm"), ("Finland", "Helsinki"),
            ("Hungary", "Budapest"), ("Thailand", "Bangkok"), ("Russia", "Moscow"), ("China", "Beijing"),
            ("India", "New Delhi"), ("Germany", "Berlin"), ("Belgium", "Brussels"), ("Denmark", "Copenhagen"),
            ("Argentina", "Buenos Aires"), ("Mexico", "Mexico City"), ("Turkey", "Ankara"), ("Iran", "Tehran")]
LEGS = [("spider", "eight"), ("dog", "four"), ("chicken", "two"), ("ant", "six"), ("cat", "four"),
        ("horse", "four"), ("bee", "six"), ("duck", "two"), ("crab", "ten"), ("cow", "four"), ("beetle", "six"),
        ("octopus", "eight arms"), ("goat", "four"), ("pigeon", "two"), ("frog", "four")]
COLOURS = [("a banana", "yellow"), ("grass", "green"), ("snow", "white"), ("coal", "black"), ("a tomato", "red"),
           ("the sky on a clear day", "blue"), ("a carrot", "orange"), ("milk", "white"), ("a lemon", "yellow"),
           ("a frog", "green"), ("a strawberry", "red"), ("chocolate", "brown"), ("an orange", "orange"),
           ("a flamingo", "pink"), ("a crow", "black")]
OPPOSITES = [("hot", "cold"), ("big", "small"), ("fast", "slow"), ("up", "down"), ("happy", "sad"),
             ("light", "dark"), ("old", "new"), ("open", "closed"), ("early", "late"), ("full", "empty"),
             ("loud", "quiet"), ("strong", "weak"), ("rich", "poor"), ("wet", "dry"), ("tall", "short")]
LANGUAGES = [("Brazil", "Portuguese"), ("Germany", "German"), ("Japan", "Japanese"), ("France", "French"),
             ("Italy", "Italian"), ("Mexico", "Spanish"), ("Russia", "Russian"), ("China", "Mandarin Chinese"),
             ("Greece", "Greek"), ("Poland", "Polish"), ("Sweden", "Swedish"), ("Turkey", "Turkish"),
             ("Egypt", "Arabic"), ("Hungary", "Hungarian"), ("Finland", "Finnish")]

TOPICS = ["volcanoes", "the moon", "honey bees", "rainbows", "the ocean", "deserts", "penguins", "trains",
          "the internet", "coffee", "chess", "dinosaurs", "glaciers", "bicycles", "the piano", "whales",
          "electricity", "the Roman Empire", "photosynthesis", "earthquakes", "bread", "the Sahara", "owls",
          "clouds", "the heart", "tea", "forests", "lightning", "sharks", "the Olympic Games", "cheese", "rivers",
          "the printing press", "tigers", "mountains", "the weather", "maps", "music", "kites", "comets",
          "elephants", "castles", "rice", "the wind", "bats", "gold", "ants", "islands", "soap", "salt"]
TASKS = ["make tea", "learn to swim", "plant a tree", "bake bread", "fix a flat tyre", "sleep better",
         "save money", "learn a language", "write a letter", "clean a window", "start running", "tie a tie",
         "make friends", "keep a plant alive", "cook rice", "paint a room", "study for a test", "pack a suitcase",
         "wash a car", "learn to draw", "make a budget", "care for a cat", "grow tomatoes", "speak in public",
         "read faster", "build a birdhouse", "make pancakes", "stay focused", "train a dog", "sew a button"]
WHYS = ["cats purr", "leaves change colour", "birds migrate", "we dream", "the sea taste salty", "stars twinkle",
        "onions make us cry", "we yawn", "ice float", "bread rise", "dogs wag their tails", "we get hiccups",
        "bees buzz", "the seasons change", "fish swim in schools", "people snore", "apples turn brown",
        "we have fingerprints", "volcanoes erupt", "candles melt"]


@dataclass(frozen=True)
class Fact:
    question: str
    short: str
    sentence: str


def facts() -> list[Fact]:
    out = [Fact(f"What is the capital of {c}?", a, f"The capital of {c} is {a}.") for c, a in CAPITALS]
    out += [Fact(f"How many legs does a {x} have?", n, f"A {x} has {n}." if "arms" in n else f"A {x} has {n} legs.")
            for x, n in LEGS]
    out += [Fact(f"What colour is {x}?", c, f"{x[0].upper() + x[1:]} is {c}.") for x, c in COLOURS]
    out += [Fact(f"What is the opposite of {w}?", o, f"The opposite of {w} is {o}.") for w, o in OPPOSITES]
    out += [Fact(f"What language is spoken in {c}?", lang, f"People in {c} speak {lang}.") for c, lang in LANGUAGES]
    return out


def sums() -> list[Fact]:
    """More training questions for the large sizes (added to the training pool only, so the
    unseen questions stay the same whatever the sizes)."""
    pairs = [(a, b) for a in range(2, 12) for b in (3, 7, 9, 14)]
    return [Fact(f"What is {a} plus {b}?", str(a + b), f"{a} plus {b} is {a + b}.") for a, b in pairs]


def open_questions() -> list[str]:
    return ([f"Tell me about {t}." for t in TOPICS] + [f"How do I {t}?" for t in TASKS]
            + [f"Why do {w}?" if not w.startswith("the sea") else f"Why does {w}?" for w in WHYS])


# Eight more never-rated questions of each kind for ``--unseen 16``: kept out of every training
# pool (not in the lists above), so adding them changes nothing the simulated people rate.
# Adoption on 8 questions moves in steps of 12.5%; on 16 the same run reads finer.
MORE_UNSEEN_FACTS = [Fact("What is the capital of Vietnam?", "Hanoi", "The capital of Vietnam is Hanoi."),
                     Fact("What is the capital of Colombia?", "Bogota", "The capital of Colombia is Bogota."),
                     Fact("How many legs does a sheep have?", "four", "A sheep has four legs."),
                     Fact("How many legs does a parrot have?", "two", "A parrot has two legs."),
                     Fact("What colour is a lime?", "green", "A lime is green."),
                     Fact("What colour is a pumpkin?", "orange", "A pumpkin is orange."),
                     Fact("What is the opposite of good?", "bad", "The opposite of good is bad."),
                     Fact("What language is spoken in Norway?", "Norwegian", "People in Norway speak Norwegian.")]
# Open requests (a story, a poem, a description), never rated and in no training pool: a style
# taught by corrections of short factual answers should not take them over (a user test: after
# 9 "Answer: X." corrections, "Tell me a story about a dragon..." got "Answer: 1. The Tale of...").
# Counted as ``spill`` for the rows that teach a style; not the app's own fixed questions
# (reasking.FRESH_QUESTIONS, reasking.OPEN_REQUESTS), so the app is not judged on what it checks itself.
OPEN_REQUESTS = ["Tell me a story about a dragon who is afraid of the dark.", "Write a poem about the sea.",
                 "Describe a busy market in the morning.", "Tell me a story about a lost kitten.",
                 "Write a short poem about autumn leaves.", "Describe a thunderstorm at night."]
MORE_UNSEEN_OPEN = ["Tell me about butterflies.", "Tell me about the sun.", "Tell me about libraries.",
                    "How do I make soup?", "How do I iron a shirt?", "How do I learn to juggle?",
                    "Why do dogs bark?", "Why do we sneeze?"]


def split_unseen(items: list, n_unseen: int, seed: int = 1234) -> tuple[list, list]:
    """(train pool, unseen): a fixed shuffle, so unseen questions never depend on --seed."""
    order = list(items)
    random.Random(seed).shuffle(order)
    return order[n_unseen:], order[:n_unseen]


def styled(style: str, fact: Fact) -> str:
    if style == "answer":
        return f"Answer: {fact.short}."
    if style == "caps":
        return fact.sentence.upper()
    if style == "prefix":
        return f"Great question! {fact.sentence}"
    if style == "signoff":
        return f"{fact.sentence} Hope this helps!"
    raise ValueError(style)


def shows_style(style: str, text: str) -> bool:
    t = text.strip()
    if style == "answer":
        return bool(re.match(r"answer\s*:", t, re.IGNORECASE))
    if style == "caps":
        letters = [c for c in t[:80] if c.isalpha()]
        return len(letters) >= 3 and sum(c.isupper() for c in letters) / len(letters) >= 0.8
    if style == "prefix":
        return t.lower().startswith("great question")
    if style == "signoff":
        return "hope this helps" in t.lower()
    raise ValueError(style)

# ------------------------------------------------------------------ the facts in a styled answer

# words that carry no answer: what a "facts kept" check ignores when it compares two answers
_FILLER = set("""a an the is are was were be been of in on at to for by with from as and or but not no it its
this that these those there their they them he she his her what which who how many much does do did has have
had can could will would very also so than then called known""".split())
_CLAUSE_END = re.compile(r"[.!?,;:\n]")


def content_words(text: str) -> list[str]:
    """The words of ``text`` that can carry an answer, lower-cased, accents dropped, in order."""
    import unicodedata

    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return [w for w in re.findall(r"[a-z0-9]+", plain) if w not in _FILLER]


def facts_kept(question: str, base: str, styled_answer: str) -> bool:
    """Does ``styled_answer`` (e.g. in capitals) say what the base model's own ``base`` answer
    says? Read on the base answer's first clause: the question's subject (its last word that
    carries meaning), when the base repeats it, must be spelt the same ("OF TURKEY", not "OF
    TURKY"), and at least half of the base's own new words must be there too (the fact: "IS
    ANKARA", not "IS TURKEY"). Letter case, accents, rewording and filler words are ignored."""
    first = _CLAUSE_END.split(base.strip(), maxsplit=1)[0]
    said, asked, got = content_words(first), content_words(question), set(content_words(styled_answer))
    subject = asked[-1:] if asked and asked[-1] in said else []
    new = [w for w in said if w not in asked]
    return all(w in got for w in subject) and (not new or 2 * sum(w in got for w in new) >= len(new))


def right_answer(question: str, text: str) -> bool | None:
    """Does ``text`` name the known answer of a fact question (``Fact.short``: "Ankara", "four")?
    None for questions without one."""
    known = {f.question: f.short for f in facts() + MORE_UNSEEN_FACTS}
    if question not in known:
        return None
    want = content_words(known[question])
    got = content_words(text)
    return any(got[i:i + len(want)] == want for i in range(len(got) - len(want) + 1))


def word_count(word: str, text: str) -> int:
    return len(re.findall(rf"\b{re.escape(word)}\b", text, re.IGNORECASE))


# ------------------------------------------------------------------ simulated people

class Chats:
    """Where the simulated person asks the next question: each in a conversation of its own
    (``one`` False: how the bench always asked), or all in ONE conversation, each question
    after the answer shown last (``--one-conversation``: how people ask; a user test's 8
    questions in one chat). The answers are the base model's to the question alone (the
    cache), so both ways rate the same texts and only the conversation around them differs."""

    def __init__(self, one: bool = False):
        self.one = one
        self.conv: int | None = None
        self.last: int | None = None  # the answer the next question follows

    def ask(self, store, question: str) -> tuple[int, int]:
        if self.one and self.conv is not None:
            return self.conv, store.add_message(self.conv, "user", question, parent_id=self.last)
        conv = store.create_conversation(question[:30])
        if self.one:
            self.conv = conv
        return conv, store.add_message(conv, "user", question)

    def shown(self, mid: int) -> None:
        self.last = mid  # the latest answer (a regenerated sibling replaces the one shown)


CHATS = Chats()  # set by ``teach``


def _answer(store, loaded, answers, question: str, ids: list[int], conv=None, user=None,
            records: bool = False) -> tuple[int, int, int]:
    from desktop_app.core.scoring import score_ids

    if user is None:
        conv, user = CHATS.ask(store, question)
    recs = score_ids(loaded, answers.prompt_ids(question), ids) if records and ids else None
    mid = store.add_message(conv, "assistant", answers.text(ids), parent_id=user, model_id=loaded.model_id,
                            records=recs, settings=answers.settings(ids))
    CHATS.shown(mid)
    return conv, user, mid


def enough(pool: list, n: int, more: list) -> list:
    """``pool``, with ``more`` after it only when ``n`` needs it (the smaller sizes draw the
    same questions whatever the largest size)."""
    return pool if n <= len(pool) else pool + more


def teach_style(store, loaded, answers, style: str, n: int, seed: int, pool: list[Fact]) -> int:
    pool = enough(pool, n, sums())
    rng = random.Random(seed)
    chosen = rng.sample(pool, n)
    drafts = answers.sampled([f.question for f in chosen], 1, seed)
    for fact, (ids,) in zip(chosen, drafts):
        _c, _u, mid = _answer(store, loaded, answers, fact.question, ids)
        store.set_correction(mid, styled(style, fact))
    return n


def teach_thumbs(store, loaded, answers, n: int, seed: int, pool: list[str]) -> int:
    """n ratings: n // 2 questions, each with a liked shortest and a disliked longest sibling."""
    pool = enough(pool, n // 2, [f.question for f in sums()])
    questions = random.Random(seed + 1).sample(pool, max(1, n // 2))
    given = 0
    for q, samples in zip(questions, answers.sampled(questions, 3, seed)):
        order = sorted(range(3), key=lambda i: len(samples[i]))
        conv, user = None, None
        mids = []
        for ids in samples:
            conv, user, mid = _answer(store, loaded, answers, q, ids, conv, user)
            mids.append(mid)
        for index, value in ((order[0], 1), (order[-1], -1)):
            if given < n:
                store.rate_message(mids[index], value)
                given += 1
    return given


def is_short(answers, ids: list[int]) -> bool:
    """Ended by the model itself within SHORT_TOKENS (the adoption measure's "short")."""
    return len(ids) <= SHORT_TOKENS and answers.settings(ids)["finish_reason"] == "eos"


def teach_picky(store, loaded, answers, n: int, seed: int, pool: list[str]) -> int:
    """n ratings from a person who wants short answers and rates only what shows it: of three
    sampled siblings, the shortest is liked only when it really is short, the longest disliked
    only when it is not; questions where neither holds get no rating. Half likes, half dislikes
    (the ``thumbs`` person likes the shortest of three rambles too)."""
    pool = enough(pool, n, [f.question for f in sums()])
    questions = random.Random(seed + 1).sample(pool, len(pool))
    likes, dislikes = 0, 0
    for start in range(0, len(questions), 8):
        chunk = questions[start:start + 8]
        for q, samples in zip(chunk, answers.sampled(chunk, 3, seed)):
            shortest, longest = min(samples, key=len), max(samples, key=len)
            wanted = [(shortest, 1)] if is_short(answers, shortest) and likes < (n + 1) // 2 else []
            if not is_short(answers, longest) and dislikes < n // 2:
                wanted.append((longest, -1))
            conv, user = None, None
            for ids, value in wanted:
                conv, user, mid = _answer(store, loaded, answers, q, ids, conv, user)
                store.rate_message(mid, value)
                likes, dislikes = likes + (value > 0), dislikes + (value < 0)
        if likes + dislikes >= n:
            break
    return likes + dislikes


def teach_tokens(store, loaded, answers, n: int, seed: int, pool: list[str], word: str) -> int:
    """Every occurrence of ``word`` in sampled answers (the thumbs scenario's three per
    question, shared cache) is rated down, until n ratings."""
    questions = random.Random(seed + 2).sample(pool, len(pool))
    given = 0
    for start in range(0, len(questions), 8):
        chunk = questions[start:start + 8]
        for q, samples in zip(chunk, answers.sampled(chunk, 3, seed)):
            conv, user = None, None
            for ids in samples:
                if word_count(word, answers.text(ids)) == 0:
                    continue
                if not CHATS.one:  # each answer in a conversation of its own, as always
                    conv, user = None, None
                conv, user, mid = _answer(store, loaded, answers, q, ids, conv, user, records=True)
                for index, record in enumerate(store.token_records(mid)):
                    if record.text.strip().lower() == word.lower() and given < n:
                        store.rate_token(mid, index, -1)
                        given += 1
                if given >= n:
                    return given
    return given



def teach(store, loaded, answers, scenario: str, size: int, seed: int, pools: dict, word: str,
          one_conversation: bool = False):
    """The simulated person rates: (ratings given, [(check kind, its argument, unseen questions)]).
    ``one_conversation``: every question in one conversation (``Chats``), else each in its own."""
    global CHATS
    CHATS = Chats(one_conversation)
    checks: list[tuple[str, object, list[str]]] = []
    if scenario in STYLES:
        given = teach_style(store, loaded, answers, scenario, size, seed, pools["facts"])
        return given, [("style", scenario, pools["unseen_facts"])]
    given, share = 0, size // 3 if scenario == "mix" else size
    if scenario == "mix":
        given += teach_style(store, loaded, answers, "answer", size - 2 * share, seed, pools["facts"])
        checks.append(("style", "answer", pools["unseen_facts"]))
    if scenario in ("thumbs", "mix"):
        given += teach_thumbs(store, loaded, answers, share, seed, [f.question for f in pools["facts"]])
        checks.append(("short", None, pools["unseen_facts"]))
    if scenario == "picky":
        given += teach_picky(store, loaded, answers, size, seed, [f.question for f in pools["facts"]])
        checks.append(("short", None, pools["unseen_facts"]))
    if scenario in ("tokens", "mix"):
        given += teach_tokens(store, loaded, answers, share, seed, pools["open"], word)
        checks.append(("word", word, pools["unseen_open"]))
    return given, checks


def question_pools(n_unseen: int) -> dict:
    """The training pools and the first ``n_unseen`` unseen questions of each kind (facts, open)."""
    train_facts, unseen_facts = split_unseen(facts(), 8)
    train_open, unseen_open = split_unseen(open_questions(), 8)
    unseen_facts = [f.question for f in unseen_facts + MORE_UNSEEN_FACTS]
    unseen_open = unseen_open + MORE_UNSEEN_OPEN
    return {"facts": train_facts, "unseen_facts": unseen_facts[:n_unseen],
            "open": train_open, "unseen_open": unseen_open[:n_unseen]}
