"""Which sampling defaults give a new user sensible first answers on the bundled model?

Asks the bundled SmolLM2-135M-Instruct (the app's own loading, prompt format and sampler)
a fixed set of everyday questions with several seeds, once per candidate setting, and
prints per setting:

- ``degenerate``: the share of answers core/gate.py's check calls empty, an echo of the
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
    from desktop_app.core.gate import degenerate
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--settings", default="0.6/1.1/0,0.6/1.1/0.05,0.6/1.1/0.1,0.7/1.1/0.1",
                        help="temperature/penalty[/min-p] settings, the old default first (default: %(default)s)")
    parser.add_argument("--seeds", type=int, default=2, help="answers per question and setting")
    parser.add_argument("--max-new-tokens", type=int, default=96)
    _common.add_cache_dir(parser)
    args = parser.parse_args()

    from desktop_app.core.models import open_model
    from desktop_app.core.paths import AppPaths
    from pathlib import Path

    folder = _common.bundled_folder(args.cache_dir)
    loaded = open_model(str(folder), AppPaths.resolve(Path(args.cache_dir)).ensure(), device="cpu")
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
