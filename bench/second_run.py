"""A person's second fine-tune: they rate some answers, fine-tune (run 1, kept), rate a few
more of the same kind, and fine-tune again (run 2, which starts from run 1's adapter).

User tests 13 and 14 saw the second run discarded, "the rated margin did not move the right
way", after minutes of waiting, though nothing but a rating or two had changed: run 2 trains a
fresh adapter on nearly the ratings adapter 1 learned, and its margin was read against adapter
1's (gate._from_adapter_failure now reads it against the base model, and the new ratings against
adapter 1). This prints, for each run, the gate's verdict and the figures it judged.

    taskset -c 1 env OMP_NUM_THREADS=1 GPT2_DESK_THREADS=1 .venv/bin/python -u bench/second_run.py \
        --scenarios answer,thumbs --first 4 --more 2
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import learning_scenarios as ls
from learning_effect import Answers


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default="bundled")
    p.add_argument("--scenarios", default="answer,thumbs")
    p.add_argument("--first", type=int, default=4, help="ratings before run 1")
    p.add_argument("--more", type=int, default=2, help="ratings added before run 2")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--one-conversation", action="store_true",
                   help="every question in one conversation, as the user tests asked them (nothing can be held out)")
    p.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "gpt2desk-learning-cache"))
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="NAME=VALUE")
    args = p.parse_args()
    args.scenarios = args.scenarios.split(",")
    args.overrides = dict(_parse_set(s) for s in args.overrides)
    return args


def _parse_set(text: str):
    import json

    name, _, value = text.partition("=")
    try:
        return name, json.loads(value)
    except ValueError:
        return name, value


def rate_more(store, loaded, answers, scenario: str, n: int, seed: int, pools: dict) -> int:
    """``n`` more ratings of the scenario's kind, on questions the person has not asked yet."""
    asked = {row["text"] for row in store._rows("SELECT text FROM messages WHERE role = 'user'")}
    if scenario in ls.STYLES:
        pool = [f for f in pools["facts"] if f.question not in asked]
        return ls.teach_style(store, loaded, answers, scenario, n, seed + 7, pool)
    pool = [f.question for f in pools["facts"] if f.question not in asked]
    return ls.teach_thumbs(store, loaded, answers, n, seed + 7, pool)


def describe(label: str, result, store, seconds: float) -> None:
    m = result.metrics
    print(f"  {label}: {result.status} ({result.reason}); margin on {m.get('gate_margin_on')}: "
          f"{m.get('margin_before')} -> {m.get('margin_after')}; trained {m.get('train_size')}, held out "
          f"{m.get('heldout_size')}; started from adapter {m.get('started_from_adapter')}; against the base model "
          f"{m.get('margin_' + str(m.get('gate_margin_on')) + '_base')}; the {m.get('new_rated')} new: "
          f"{m.get('margin_new_before')} -> {m.get('margin_new_after')}; steps {m.get('steps')}; "
          f"probe {m.get('probe_ppl_before')} -> {m.get('probe_ppl_after')}; guard {m.get('guard')}; "
          f"step back undone: {m.get('step_back_undone')}; {seconds:.0f} CPU-s")
    before = {k: v for k, v in (m.get("phase_cpu_s") or {}).items() if k.startswith("before")}
    print(f"    measuring before, CPU-s: {before} (total {sum(before.values()):.1f})")


def main() -> int:
    args = parse_args()
    from transformers.utils import logging as hf_logging

    from desktop_app.core import adapters
    from desktop_app.core.models import open_model
    from desktop_app.core.paths import AppPaths
    from desktop_app.core.store import Store
    from desktop_app.core.train_settings import FineTuneSettings
    from desktop_app.core.training import run_finetune

    hf_logging.set_verbosity_error()
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    loaded = open_model(args.model, AppPaths.resolve(cache / "app").ensure(), device="cpu")
    answers = Answers(loaded, cache, max_new_tokens=48)
    pools = ls.question_pools(8)
    workdir = Path(tempfile.mkdtemp(prefix="second-run-"))
    print(f"model {loaded.describe()}; {args.first} ratings, then {args.more} more; settings {args.overrides or 'defaults'}")
    verdicts = []
    for scenario in args.scenarios:
        paths = AppPaths.resolve(workdir / scenario).ensure()
        store = Store.open(paths.db_path)
        ls.teach(store, loaded, answers, scenario, args.first, args.seed, pools, "that", args.one_conversation)
        print(f"{scenario}:")
        for label in ("run 1", "run 2"):
            if label == "run 2":
                rate_more(store, loaded, answers, scenario, args.more, args.seed, pools)
            adapters.attach_active(loaded, store)
            start = time.process_time()
            result = run_finetune(store, loaded, paths, FineTuneSettings(seed=args.seed, **args.overrides))
            describe(label, result, store, time.process_time() - start)
            if result.kept and result.needs_consent:  # the person says yes to the changed fact
                adapters.activate(store, result.adapter_id, loaded.model_id)
            verdicts.append(f"{scenario}_{label.replace(' ', '')}: {result.status}")
        adapters.detach(loaded)
        store.close()
    print("\n".join(verdicts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
