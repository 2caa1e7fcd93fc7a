"""Which sampling defaults give a new user sensible first answers on the bundled model?

Asks the bundled SmolLM2-135M-Instruct (the app's own loading, prompt format and sampler)
a fixed set of everyday questions with several seeds, once per candidate setting, and
prints per setting:

- ``degenerate``: the share of answers core/answer_checks.py's check calls empty, an echo of the
  question or a loop ("three, three, three, ...");
- ``correct``: among the questions with an easy check (capitals, small facts), the share of
  answers that contain the expected word;
- ``at_limit``: the share cut at the token limit rather than ended by the model;
- ``tokens``: the mean answer length.

The first setting is the old default (temperature 0.8, no repetition penalty); a
candidate is written ``T/R`` or ``T/R/M`` (temperature / repetition penalty / min-p).
``first_tail`` is the share of answers whose first token the model gave less than 10%;
``off_start`` the share whose first token was less than a quarter as likely as the model's
first choice there, and ``tail_draws`` how many such tokens an answer holds on average: the
third user test's Spanish ramble began with a 3.8% token where the first choice had 17.1%. Same questions, seeds and
model for every setting, one process, so the shares compare side by side. Pin it to one
core on a shared machine:

    taskset -c 0 env OMP_NUM_THREADS=1 GPT2_DESK_THREADS=1 nice -n 5 \\
        .venv/bin/python bench/sampling_defaults.py --seeds 2

``--suite facts`` (the seventh user test: "What is the capital of France?" answered in French
nonsense where greedy says Paris) asks the short FACTS the model answers right greedily (it
checks that first and leaves out the others) ``--seeds`` times each, and the OPEN questions
``--open-seeds`` times each, and prints per setting: for the facts ``odd`` (wrong, foreign or
degenerate), ``wrong`` (the expected word missing), ``foreign`` (more French, Spanish, Italian or
German short words than English ones); for the open answers ``degenerate``, ``foreign``,
``same`` (the share of two seeds' answers to a question that are the same text: what
Regenerate must avoid), ``overlap`` (their mean word-3-gram overlap, 1: same wording),
``at_limit`` and ``tokens``. A setting there may add ``+firstTxN`` (temperature T for the first
N tokens) or ``+emptysys`` (an empty system message instead of the chat template's own), e.g.

    ... bench/sampling_defaults.py --suite facts --seeds 10 --open-seeds 0 --fact-tokens 20 \\
        --settings 0.6/1.1/0.1,0.4/1.1/0.1,0.6/1.1/0.1+first0.3x3
"""

from __future__ import annotations

import argparse
import re

import _common

# (question, words any of which makes the answer correct; empty: no easy check)
QUESTIONS = (
    ("What is the capital of France?", ("paris",)),
    ("What is the capital of Italy?", ("rome",)),
    ("What is the capital of Japan?", ("tokyo",)),
    ("What is the capital of Germany?", ("berlin",)),
    ("What is the largest planet in the solar system?", ("jupiter",)),
    ("How many legs does a spider have?", ("eight", "8")),
    ("What colour is the sky on a clear day?", ("blue",)),
    ("What is 2 + 2?", ("4", "four")),
    ("Who wrote Romeo and Juliet?", ("shakespeare",)),
    ("At what temperature does water freeze in Celsius?", ("0", "zero")),
    ("Name three fruits.", ()),
    ("How do I make a cup of tea?", ()),
    ("Why do leaves fall in autumn?", ()),
    ("Give me a tip for sleeping better.", ()),
    ("Write a haiku about the sea.", ()),
    ("Tell me a joke.", ()),
    ("How can I save money each month?", ()),
    ("What should I pack for a beach trip?", ()),
    ("Suggest a name for a black cat.", ()),
    ("Why is exercise good for you?", ()),
)
FRUITS = ("apple", "banana", "orange", "pear", "grape", "mango", "strawberr", "cherr", "peach", "lemon",
          "pineapple", "kiwi", "plum", "watermelon", "blueberr")


def correct(question: str, expected: tuple[str, ...], answer: str) -> bool | None:
    """Whether the answer names what is expected; None where there is no easy check."""
    text = answer.lower()
    if question == "Name three fruits.":
        return sum(f in text for f in FRUITS) >= 3
    if not expected:
        return None
    return any(re.search(rf"\b{re.escape(word)}", text) for word in expected)


def parse_setting(text: str) -> tuple[float, float, float]:
    parts = text.split("/")
    temperature, penalty, min_p = parts + ["1.0", "0"][len(parts) - 1:]
    return float(temperature), float(penalty), float(min_p)


def measure(loaded, setting: tuple[float, float], seeds: int, max_new_tokens: int) -> dict:
    from desktop_app.core.answer_checks import degenerate
    from desktop_app.core.generation import SamplingSettings, generate
    from desktop_app.core.prompts import Turn, build_prompt

    temperature, penalty, min_p = setting
    bad = at_limit = tokens = n = tail = off_start = tail_draws = 0
    right = checked = 0
    for question, expected in QUESTIONS:
        prompt = build_prompt(loaded.tokenizer, [Turn("user", question)], context_window=loaded.context_window,
                              max_new_tokens=max_new_tokens)
        for seed in range(seeds):
            settings = SamplingSettings(max_new_tokens=max_new_tokens, temperature=temperature, seed=seed,
                                        repetition_penalty=penalty, min_p=min_p,
                                        stop_sequences=prompt.stop_sequences)
            gen = generate(loaded, prompt.ids, settings)
            n += 1
            tail += bool(gen.records) and gen.records[0].prob < 0.10
            off = [r.top and r.prob < 0.25 * r.top[0].prob for r in gen.records]
            off_start += bool(off) and bool(off[0])
            tail_draws += sum(map(bool, off))
            bad += degenerate(question, gen.text, [r.id for r in gen.records]) is not None
            at_limit += gen.finish_reason == "length"
            tokens += len(gen.records)
            verdict = correct(question, expected, gen.text)
            if verdict is not None:
                checked += 1
                right += verdict
    return {"degenerate": bad / n, "correct": right / max(1, checked), "at_limit": at_limit / n, "tokens": tokens / n,
            "first_tail": tail / n, "off_start": off_start / n, "tail_draws": tail_draws / n}


# --suite facts: short questions the model answers right greedily (the bench checks that and
# leaves out any it gets wrong), and open questions whose answers should vary between seeds
FACTS = (
    ("What is the capital of France?", ("paris",)),
    ("What is the capital of Italy?", ("rome",)),
    ("What is the capital of Japan?", ("tokyo",)),
    ("What is the capital of Germany?", ("berlin",)),
    ("What is the capital of Spain?", ("madrid",)),
    ("What is the capital of England?", ("london",)),
    ("What is the largest planet in the solar system?", ("jupiter",)),
    ("Which planet is known as the Red Planet?", ("mars",)),
    ("How many legs does a spider have?", ("eight", "8")),
    ("What colour is the sky on a clear day?", ("blue",)),
    ("What colour is grass?", ("green",)),
    ("What colour is a banana?", ("yellow",)),
    ("What is 2 + 2?", ("4", "four")),
    ("Who wrote Romeo and Juliet?", ("shakespeare",)),
    ("How many days are in a week?", ("seven", "7")),
    ("What do bees make?", ("honey",)),
    ("What is the largest ocean on Earth?", ("pacific",)),
    ("At what temperature does water freeze in Celsius?", ("0", "zero")),
)
OPEN = (
    "Name three fruits.",
    "How do I make a cup of tea?",
    "Why do leaves fall in autumn?",
    "Give me a tip for sleeping better.",
    "Write a haiku about the sea.",
    "Tell me a joke.",
    "How can I save money each month?",
    "Suggest a name for a black cat.",
)
# a few of the commonest short words of English and of the languages the bundled model drifts
# into (French above all: "La femme de France, le français..."); an answer is "foreign" when it
# holds more of the others than of English
ENGLISH = set("the a an is are was of and to in it you your for on with that this be can as by".split())
FOREIGN = set("le la les est une des du et pour dans avec pas qui que sur il elle je vous nous c'est "
              "el los las es una del por con para y su di che della per sono gli der die das und ist "
              "nicht ein eine ich mit".split())


def foreign(answer: str) -> bool:
    words = re.findall(r"[a-zà-ÿ']+", answer.lower())
    return sum(w in FOREIGN for w in words) > sum(w in ENGLISH for w in words)


class Candidate:
    """A setting written ``T/R/M[/P]`` (temperature / repetition penalty / min-p / top-p), with
    ``+firstT xN`` for a temperature T over the answer's first N tokens (a bench emulation: the
    first N tokens drawn at T, the rest at the main temperature after them as a forced prefix)
    and ``+emptysys`` for an empty system message in place of the chat template's own."""

    def __init__(self, text: str):
        self.text = text
        main, *extras = text.split("+")
        parts = main.split("/")
        self.temperature, self.penalty, self.min_p = parse_setting("/".join(parts[:3]))
        self.top_p = float(parts[3]) if len(parts) > 3 else 0.95
        self.first = None
        self.empty_system = False
        for extra in extras:
            if extra == "emptysys":
                self.empty_system = True
            elif extra.startswith("first"):
                t, n = extra[len("first"):].split("x")
                self.first = (float(t), int(n))
            else:
                raise SystemExit(f"unknown part {extra!r} in {text!r}")

    def settings(self, seed: int, max_new_tokens: int, stops, temperature: float | None = None):
        from desktop_app.core.generation import SamplingSettings

        return SamplingSettings(max_new_tokens=max_new_tokens, seed=seed, stop_sequences=stops,
                                temperature=self.temperature if temperature is None else temperature,
                                repetition_penalty=self.penalty, min_p=self.min_p, top_p=self.top_p)

    def prompt_ids(self, loaded, question: str, max_new_tokens: int) -> tuple[list[int], tuple[str, ...]]:
        from desktop_app.core.prompts import Turn, build_prompt

        prompt = build_prompt(loaded.tokenizer, [Turn("user", question)], context_window=loaded.context_window,
                              max_new_tokens=max_new_tokens)
        if not self.empty_system:
            return prompt.ids, prompt.stop_sequences
        text = loaded.tokenizer.apply_chat_template(
            [{"role": "system", "content": ""}, {"role": "user", "content": question}],
            tokenize=False, add_generation_prompt=True)
        return loaded.tokenizer(text, add_special_tokens=False).input_ids, prompt.stop_sequences

    def answer(self, loaded, question: str, seed: int, max_new_tokens: int):
        """(text, token ids, finish reason, the first token's probability under the model)."""
        from desktop_app.core.generation import generate

        ids, stops = self.prompt_ids(loaded, question, max_new_tokens)
        if self.first is None:
            gen = generate(loaded, ids, self.settings(seed, max_new_tokens, stops))
            return gen.text, [r.id for r in gen.records], gen.finish_reason, gen.records
        temperature, n = self.first
        head = generate(loaded, ids, self.settings(seed, min(n, max_new_tokens), stops, temperature))
        if head.finish_reason != "length" or n >= max_new_tokens:
            return head.text, [r.id for r in head.records], head.finish_reason, head.records
        prefix = [r.id for r in head.records]
        gen = generate(loaded, ids, self.settings(seed, max_new_tokens - n, stops), prefix_ids=prefix)
        return gen.text, [r.id for r in gen.records], gen.finish_reason, gen.records


def known_facts(loaded, max_new_tokens: int) -> list[tuple[str, tuple[str, ...]]]:
    """The FACTS the model answers right greedily (the others are printed and left out)."""
    from desktop_app.core.generation import SamplingSettings, generate
    from desktop_app.core.prompts import Turn, build_prompt

    kept = []
    for question, expected in FACTS:
        prompt = build_prompt(loaded.tokenizer, [Turn("user", question)], context_window=loaded.context_window,
                              max_new_tokens=max_new_tokens)
        gen = generate(loaded, prompt.ids, SamplingSettings(max_new_tokens=max_new_tokens, greedy=True,
                                                            stop_sequences=prompt.stop_sequences))
        if correct(question, expected, gen.text):
            kept.append((question, expected))
        else:
            print(f"  left out (greedy is wrong): {question} -> {gen.text.strip()[:80]!r}", flush=True)
    return kept


def overlap(a: list[str], b: list[str]) -> float:
    """Jaccard overlap of two answers' word 3-grams (1: the same wording)."""
    ga, gb = set(_grams(a)), set(_grams(b))
    return len(ga & gb) / len(ga | gb) if ga | gb else 1.0


def _grams(words: list[str]) -> list[tuple[str, ...]]:
    return [tuple(words[i:i + 3]) for i in range(max(1, len(words) - 2))]


def measure_facts(loaded, candidate: Candidate, facts, seeds: int, max_new_tokens: int) -> dict:
    from desktop_app.core.answer_checks import degenerate

    wrong = odd = foreign_n = n = first_tail = 0
    examples = []
    for question, expected in facts:
        for seed in range(seeds):
            text, ids, _, records = candidate.answer(loaded, question, seed, max_new_tokens)
            n += 1
            is_wrong = not correct(question, expected, text)
            is_foreign = foreign(text)
            is_odd = is_wrong or is_foreign or degenerate(question, text, ids) is not None
            wrong += is_wrong
            foreign_n += is_foreign
            odd += is_odd
            first_tail += bool(records) and records[0].prob < 0.10
            if is_odd and len(examples) < 3:
                examples.append(text.strip().replace("\n", " ")[:70])
    return {"wrong": wrong / n, "foreign": foreign_n / n, "odd": odd / n, "first_tail": first_tail / n,
            "examples": examples}


def measure_open(loaded, candidate: Candidate, seeds: int, max_new_tokens: int) -> dict:
    from desktop_app.core.answer_checks import degenerate

    bad = foreign_n = at_limit = tokens = n = same = pairs = 0
    overlaps = []
    for question in OPEN:
        texts = []
        for seed in range(seeds):
            text, ids, finish, _ = candidate.answer(loaded, question, seed, max_new_tokens)
            n += 1
            bad += degenerate(question, text, ids) is not None
            foreign_n += foreign(text)
            at_limit += finish == "length"
            tokens += len(ids)
            texts.append(text)
        for i in range(len(texts)):
            for j in range(i + 1, len(texts)):
                pairs += 1
                same += texts[i].strip() == texts[j].strip()
                overlaps.append(overlap(texts[i].lower().split(), texts[j].lower().split()))
    return {"degenerate": bad / n, "foreign": foreign_n / n, "at_limit": at_limit / n, "tokens": tokens / n,
            "same": same / max(1, pairs), "overlap": sum(overlaps) / max(1, len(overlaps))}


def run_facts_suite(loaded, args) -> None:
    facts = known_facts(loaded, args.fact_tokens) if args.seeds else []
    print(f"facts the model answers right greedily: {len(facts)} of {len(FACTS)} · {args.seeds} seeds · "
          f"{args.fact_tokens} tokens at most; open questions: {len(OPEN)} x {args.open_seeds} seeds · "
          f"{args.max_new_tokens} tokens at most", flush=True)
    for text in args.settings.split(","):
        candidate = Candidate(text)
        f = measure_facts(loaded, candidate, facts, args.seeds, args.fact_tokens) if args.seeds else None
        o = measure_open(loaded, candidate, args.open_seeds, args.max_new_tokens) if args.open_seeds else None
        line = f"{text}:"
        if f:
            line += (f" facts odd {f['odd']:.3f} · wrong {f['wrong']:.3f} · foreign {f['foreign']:.3f} · "
                     f"first_tail {f['first_tail']:.3f}")
        if o:
            line += (f" | open degenerate {o['degenerate']:.3f} · foreign {o['foreign']:.3f} · same {o['same']:.3f} · "
                     f"overlap {o['overlap']:.3f} · at_limit {o['at_limit']:.2f} · tokens {o['tokens']:.1f}")
        print(line, flush=True)
        for example in f["examples"] if f else ():
            print(f"    odd: {example!r}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--settings", default="0.6/1.1/0,0.6/1.1/0.05,0.6/1.1/0.1,0.7/1.1/0.1",
                        help="temperature/penalty[/min-p] settings, the old default first (default: %(default)s)")
    parser.add_argument("--seeds", type=int, default=2, help="answers per question and setting")
    parser.add_argument("--max-new-tokens", type=int, default=96)
    parser.add_argument("--suite", choices=("everyday", "facts"), default="everyday",
                        help="everyday: the 20 everyday questions; facts: short facts the model knows greedily, "
                             "and open questions with their variety between seeds")
    parser.add_argument("--open-seeds", type=int, default=5, help="--suite facts: answers per open question")
    parser.add_argument("--fact-tokens", type=int, default=40, help="--suite facts: tokens at most per fact answer")
    _common.add_cache_dir(parser)
    args = parser.parse_args()

    from desktop_app.core.models import open_model
    from desktop_app.core.paths import AppPaths
    from pathlib import Path

    folder = _common.bundled_folder(args.cache_dir)
    loaded = open_model(str(folder), AppPaths.resolve(Path(args.cache_dir)).ensure(), device="cpu")
    if args.suite == "facts":
        print(f"model: {loaded.model_id} ({loaded.precision}) · {_common.load_average()}", flush=True)
        run_facts_suite(loaded, args)
        print(_common.load_average())
        return
    print(f"model: {loaded.model_id} ({loaded.precision}) · {len(QUESTIONS)} questions x {args.seeds} seeds · "
          f"{args.max_new_tokens} tokens at most · {_common.load_average()}", flush=True)
    for text in args.settings.split(","):
        setting = parse_setting(text)
        r = measure(loaded, setting, args.seeds, args.max_new_tokens)
        print(f"T {setting[0]:.2f} penalty {setting[1]:.2f} min-p {setting[2]:.2f}: degenerate "
              f"{r['degenerate']:.2f} · correct {r['correct']:.2f} · first_tail {r['first_tail']:.2f} · off_start "
              f"{r['off_start']:.2f} · tail_draws {r['tail_draws']:.2f} · at_limit "
              f"{r['at_limit']:.2f} · tokens {r['tokens']:.1f}", flush=True)
    print(_common.load_average())


if __name__ == "__main__":
    main()
