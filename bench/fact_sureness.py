"""How sure the base model is of the fact its own greedy answer names, per never-rated question
the app and the learning bench ask (reasking.FRESH_QUESTIONS, reasking.CANARY_QUESTIONS, the learning
bench's unseen fact and open questions): fact_changes.fact_sureness, the figure
fact_changes.SURE_OF_FACT is chosen on.

    python bench/fact_sureness.py [--model bundled] [--unseen 16]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from learning_scenarios import question_pools  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="bundled")
    parser.add_argument("--unseen", type=int, default=16)
    args = parser.parse_args()
    from desktop_app.core import answer_checks, reasking
    from desktop_app.core import fact_changes as fe
    from desktop_app.core.models import open_model
    from desktop_app.core.paths import AppPaths
    from desktop_app.core.train_settings import FineTuneSettings

    tokens = FineTuneSettings().reask_tokens
    loaded = open_model(args.model, AppPaths.resolve(Path(tempfile.mkdtemp()) / "app").ensure(), device="cpu",
                        precision="exact")  # a run's copy is float32
    pools = question_pools(args.unseen)
    groups = [("fresh", reasking.FRESH_QUESTIONS), ("canary", reasking.CANARY_QUESTIONS),
              ("unseen fact", pools["unseen_facts"]), ("unseen open", pools["unseen_open"])]
    tok = loaded.tokenizer
    print(f"model {loaded.describe()}; threshold SURE_OF_FACT={fe.SURE_OF_FACT}")
    for name, questions in groups:
        prompts = [(reasking.fresh_prompt(tok, q, loaded.context_window, tokens), q) for q in questions]
        for q, answer in zip(questions, (a.answer for a in reasking.reask(loaded, prompts, tokens))):
            sure = fe.fact_sureness(loaded, q, answer, tokens) if answer_checks.names_a_fact(q, answer) else None
            shown = f"{sure[0]} {sure[1]:.3f}" if sure else "-"
            print(f"{name:12s} | {shown:18s} | {q!r}: {answer[:80]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
