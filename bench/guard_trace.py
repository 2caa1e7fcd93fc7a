"""What a run looks like update by update: a scenario of bench/learning_effect.py trained with
the guard never stopping it, and at every update the guard's text and the gate's probe read
(whole, and without the positions whose next token is a token the person rated down) and the
greedy answers to the never-rated questions scored (adoption).

Why: the guard and the gate judge "harm to general text" by two short texts' perplexity. A token
rating makes its word less likely everywhere, also where it stands in those texts; this shows how
much of their rise is that word and how much the rest, and when the preference shows.

    PYTHONPATH=$PWD taskset -c 0 env OMP_NUM_THREADS=1 GPT2_DESK_THREADS=1 nice -n 5 \
        .venv/bin/python -u bench/guard_trace.py --scenario tokens --size 32 --updates 12
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import learning_effect as le  # noqa: E402  (sets the path and the offline switches)
from learning_scenarios import question_pools, teach  # noqa: E402


def nll_parts(model, tokenizer, text: str, skip: set[int], chunk: int = 256) -> tuple[float, int, float, int]:
    """(summed NLL, tokens) over all positions and over those whose next token is not in ``skip``."""
    import torch

    ids = list(tokenizer(text, add_special_tokens=False)["input_ids"])
    total = count = kept = kept_n = 0.0
    with torch.no_grad():
        for start in range(0, len(ids) - 1, chunk):
            piece = ids[start:start + chunk]
            if len(piece) < 2:
                break
            x = torch.tensor([piece])
            logits = model(input_ids=x, use_cache=False).logits[0, :-1].float()
            nll = torch.nn.functional.cross_entropy(logits, x[0, 1:], reduction="none")
            keep = torch.tensor([t not in skip for t in piece[1:]])
            total, count = total + float(nll.sum()), count + len(piece) - 1
            kept, kept_n = kept + float(nll[keep].sum()), kept_n + int(keep.sum())
    return total, int(count), kept, int(kept_n)


def greedy_with(answers, model, questions: list[str]) -> list[list[int]]:
    """``Answers.generate``'s greedy answers, from the run's training model (the chat model is
    not the one being trained)."""
    chat = answers.loaded.model
    answers.loaded.model = model
    try:
        was = model.training
        model.eval()
        return answers.generate(questions, sample=False)
    finally:
        model.train(was)
        answers.loaded.model = chat


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="tokens")
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--updates", type=int, default=12, help="updates traced (the schedule's lr decay is kept)")
    parser.add_argument("--word", default="that")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "gpt2desk-learning-cache"))
    args = parser.parse_args()

    from desktop_app.core import adapters, gate
    from desktop_app.core.models import open_model
    from desktop_app.core.paths import AppPaths
    from desktop_app.core.store import Store
    from desktop_app.core.train_settings import FineTuneSettings
    from desktop_app.core.training import run_finetune

    cache = Path(args.cache)
    loaded = open_model("bundled", AppPaths.resolve(cache / "app").ensure(), device="cpu")
    answers = le.Answers(loaded, cache, max_new_tokens=48)
    pools = question_pools(8)
    paths = AppPaths.resolve(Path(tempfile.mkdtemp(prefix="guard-trace-"))).ensure()
    store = Store.open(paths.db_path)
    given, checks = teach(store, loaded, answers, args.scenario, args.size, args.seed, pools, args.word)
    adapters.detach(loaded)
    base = [[answers.text(ids) for ids in answers.greedy(unseen, "base")] for _k, _a, unseen in checks]
    tok = loaded.tokenizer
    skip = {ids[0] for w in (args.word, " " + args.word, args.word.capitalize(), " " + args.word.capitalize())
            if len(ids := tok(w, add_special_tokens=False)["input_ids"]) == 1}
    texts = {"guard": gate.guard_text(), "probe": gate.probe_text()}
    rows: list[str] = []
    first: dict = {}
    real_after_update = gate.PerplexityGuard.after_update

    def traced(guard, step: int) -> bool:
        model = guard.model
        parts = []
        for name, text in texts.items():
            total, n, kept, kn = nll_parts(model, tok, text, skip)
            first.setdefault(name, (total, n, kept, kn))
            t0, n0, k0, kn0 = first[name]
            parts.append(f"{name} {math.exp(total / n - t0 / n0) * 100 - 100:+.2f}% "
                         f"(without {args.word!r}: {math.exp(kept / kn - k0 / kn0) * 100 - 100:+.2f}%, "
                         f"{n - kn} of {n} positions)")
        shares = []
        for (kind, arg, unseen), before in zip(checks, base):
            after = [answers.text(ids) for ids in greedy_with(answers, model, unseen)]
            shares.append(f"{kind}={le.adoption(kind, arg, unseen, before, after, answers)[0]:.2f}")
        rows.append(f"update {step:>3}: {'; '.join(parts)}; adoption {' '.join(shares)}")
        print(rows[-1], flush=True)
        return real_after_update(guard, step) if step < args.updates else False

    gate.PerplexityGuard.after_update = traced
    settings = FineTuneSettings(seed=args.seed, guard_ppl_rise=10.0, guard_checks=1000, guard_stretch=1,
                                guard_step_back=False, rescore=False)
    print(f"{args.scenario} x {args.size} ({given} given); the word's tokens left out: {sorted(skip)}", flush=True)
    base_row = {}
    for name, text in texts.items():  # the base model's, as the first reference
        base_row[name] = nll_parts(loaded.model, tok, text, skip)
    first.update(base_row)
    result = run_finetune(store, loaded, paths, settings)
    print(f"schedule {result.metrics.get('schedule')}; result {result.status}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
