"""What the base model does with a person's corrections right in its prompt: the in-context
ceiling of each style the learning benchmark teaches.

``learning_effect.py`` judges a fine-tune by greedy answers to never-rated questions. This
script asks the same never-rated questions of the *base* model (no adapter), with the same
corrections the simulated person would write (``learning_scenarios.teach_style``'s choice for
that seed) shown as the earlier turns of the conversation. A small model that cannot write a
style and keep its facts even when the examples sit in its context is not going to do better
from eight updates of a LoRA adapter: where the in-context answers lose their facts, the gate
refusing a fine-tune that loses them too is the right verdict, not a training failure.

Per style and seed it prints the share of answers to never-rated fact questions that show the
style and the share that name the known answer (beside the base model asked with no examples),
and how many answers to never-rated open questions ("Tell me about cats.") degenerate (loop,
echo: ``answer_checks.degenerate``, the gate's own check), then summary lines such as
``icl_adoption_caps_8: 0.84``, ``icl_right_caps_8: 0.13 (no examples 0.38)`` and
``icl_degenerate_caps_8: 0 of 48``.

    python bench/in_context_ceiling.py [--styles answer,caps,prefix,signoff] [--size 8] [--seeds 0,1,2]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys

import _common
from learning_scenarios import STYLES, enough, question_pools, right_answer, shows_style, styled, sums


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--styles", default=",".join(STYLES))
    parser.add_argument("--size", type=int, default=8, help="corrections shown in the prompt (default 8)")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--unseen", type=int, default=16, help="never-rated fact questions asked (8 or 16)")
    parser.add_argument("--examples", action="store_true", help="print every answer")
    _common.add_cache_dir(parser)
    return parser.parse_args()


def corrections(style: str, size: int, seed: int, pool) -> list:
    """The (question, corrected answer) pairs ``teach_style`` would store for this seed."""
    chosen = random.Random(seed).sample(enough(pool, size, sums()), size)
    return [(fact.question, styled(style, fact)) for fact in chosen]


def greedy_answers(loaded, shown: list[tuple[str, str]], questions: list[str], max_new_tokens: int = 64) -> list[str]:
    """Greedy answers to ``questions``, each asked after the ``shown`` turns, in one batch."""
    import torch

    from desktop_app.core.prompts import Turn, build_prompt

    tok, model = loaded.tokenizer, loaded.model
    earlier = [turn for q, a in shown for turn in (Turn("user", q), Turn("assistant", a))]
    prompts = [build_prompt(tok, earlier + [Turn("user", q)], context_window=loaded.context_window,
                            max_new_tokens=max_new_tokens).ids for q in questions]
    width = max(len(p) for p in prompts)
    pad = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
    ids = torch.tensor([[pad] * (width - len(p)) + p for p in prompts])
    mask = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in prompts])
    with torch.inference_mode():
        out = model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=max_new_tokens, do_sample=False,
                             pad_token_id=pad, eos_token_id=tok.eos_token_id)
    return [tok.decode(row, skip_special_tokens=True).strip() for row in out[:, width:]]


def odd_answers(questions: list[str], answers: list[str]) -> list[tuple[str, str]]:
    from desktop_app.core.answer_checks import degenerate

    return [(q, a) for q, a in zip(questions, answers) if degenerate(q, a)]


def share(flags: list[bool]) -> float:
    return sum(flags) / len(flags) if flags else float("nan")


def main() -> int:
    args = parse_args()
    from desktop_app.core.models import open_model
    from desktop_app.core.paths import AppPaths

    loaded = open_model(str(_common.bundled_folder(args.cache_dir)), AppPaths.resolve(args.cache_dir).ensure())
    pools = question_pools(args.unseen)
    questions, open_questions = pools["unseen_facts"], pools["unseen_open"]
    plain_right = share([right_answer(q, a) for q, a in zip(questions, greedy_answers(loaded, [], questions))])
    plain_odd = len(odd_answers(open_questions, greedy_answers(loaded, [], open_questions)))
    print(f"model {loaded.describe()}; {len(questions)} never-rated fact and {len(open_questions)} open questions; "
          f"{_common.load_average()}")
    print(f"no examples: right {plain_right:.2f}, degenerate {plain_odd} of {len(open_questions)}")
    summary = []
    for style in args.styles.split(","):
        rows = []
        for seed in (int(s) for s in args.seeds.split(",")):
            shown = corrections(style, args.size, seed, pools["facts"])
            answers = greedy_answers(loaded, shown, questions)
            odd = odd_answers(open_questions, greedy_answers(loaded, shown, open_questions))
            rows.append((share([shows_style(style, a) for a in answers]),
                         share([right_answer(q, a) for q, a in zip(questions, answers)]), len(odd)))
            print(f"{style} x {args.size}, seed {seed}: shows the style {rows[-1][0]:.2f}, right {rows[-1][1]:.2f} "
                  f"(no examples {plain_right:.2f}), degenerate {len(odd)} of {len(open_questions)}")
            if args.examples:
                for q, a in list(zip(questions, answers)) + odd:
                    print(f"    {q!r} -> {a!r}")
        summary += [f"icl_adoption_{style}_{args.size}: {statistics.mean(r[0] for r in rows):.2f}",
                    f"icl_right_{style}_{args.size}: {statistics.mean(r[1] for r in rows):.2f} "
                    f"(no examples {plain_right:.2f})",
                    f"icl_degenerate_{style}_{args.size}: {sum(r[2] for r in rows)} of "
                    f"{len(open_questions) * len(rows)}"]
    print("\n".join(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
