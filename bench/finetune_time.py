"""How long one click on "Fine-tune on my ratings" takes, phase by phase, with the default
settings: N rated answers (default 100: thumbs up and down, and every tenth one corrected)
on a real model (default: the bundled SmolLM2-135M-Instruct). An absolute time for the
person waiting, not a ratio: bench/finetune_vs_trl.py compares the training itself with TRL.

    python bench/finetune_time.py [--ratings 100] [--model bundled] [--device auto|cpu|cuda]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUESTIONS = ["How do I keep a plant alive?", "What is a good breakfast?", "Why is the sky blue?",
             "How do I learn to swim?", "What should I read next?", "How do I fix a flat tyre?",
             "What makes a good story?", "How do I sleep better?", "What is the capital of France?",
             "How do bees make honey?"]


def answers_from_probe() -> list[str]:
    """Sentences of ordinary English (the gate's probe text), two by two: answers of ~40 tokens."""
    text = (ROOT / "resources" / "probe.txt").read_text(encoding="utf-8")
    sentences = [s.strip() + "." for s in text.replace("\n", " ").split(".") if len(s.strip()) > 20]
    return [" ".join(sentences[i:i + 2]) for i in range(0, len(sentences) - 1)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ratings", type=int, default=100)
    parser.add_argument("--model", default="bundled")
    parser.add_argument("--device", default="auto")
    args = parser.parse_args()

    from transformers.utils import logging as hf_logging

    from desktop_app.core.models import open_model
    from desktop_app.core.paths import AppPaths
    from desktop_app.core.store import Store
    from desktop_app.core.training import FineTuneSettings, run_finetune

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    paths = AppPaths.resolve(tempfile.mkdtemp(prefix="ft-time-")).ensure()
    loaded = open_model(args.model, paths, device=args.device)
    store = Store.open(paths.db_path)
    answers = answers_from_probe()
    for i in range(args.ratings):
        question = QUESTIONS[i % len(QUESTIONS)] + f" ({i})"
        conversation = store.create_conversation(question)
        user = store.add_message(conversation, "user", question)
        answer = store.add_message(conversation, "assistant", answers[i % len(answers)], parent_id=user,
                                   model_id=loaded.model_id)
        store.rate_message(answer, 1 if i % 2 else -1)
        if i % 10 == 0:
            store.set_correction(answer, answers[(i + 3) % len(answers)])
    print(f"  {loaded.describe()}: {args.ratings} rated answers ({args.ratings // 10} corrected)")

    phases: dict[str, float] = {}
    state = {"phase": None, "at": time.perf_counter(), "steps": 0, "total": 0}

    def progress(p) -> None:
        now = time.perf_counter()
        if p.phase != state["phase"]:
            if state["phase"] is not None:
                phases[state["phase"]] = phases.get(state["phase"], 0.0) + now - state["at"]
            state["phase"], state["at"] = p.phase, now
        if p.phase == "training" and p.step:
            state["steps"], state["total"] = p.step, p.total

    start = time.perf_counter()
    result = run_finetune(store, loaded, paths, FineTuneSettings(), progress=progress)
    seconds = time.perf_counter() - start
    if state["phase"] is not None:
        phases[state["phase"]] = phases.get(state["phase"], 0.0) + time.perf_counter() - state["at"]
    for name, spent in phases.items():
        print(f"  {name:<11} {spent:6.1f} s")
    steps = max(state["steps"], 1)
    print(f"  run {result.status}: {result.reason or 'kept'}; {state['steps']} of {state['total']} steps, "
          f"{phases.get('training', 0.0) / steps:.2f} s per step")
    print(f"finetune_seconds_{args.ratings}: {seconds:.0f}")
    store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
