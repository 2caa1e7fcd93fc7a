"""Our fine-tune vs HF TRL's KTOTrainer at the same wall-clock budget, on held-out ratings.

Per seed: a person rates ``--ratings`` sampled answers (``--labels``, below) to
one set of questions, and as many to other questions that no run trains on (the held-out
ratings). Our one-click run (default settings: the schedule rule, the app's precision and
thread team) trains on the first set; its training time (reference log-probabilities and
steps) is the budget TRL's ``KTOTrainer`` then gets on the same ratings, same LoRA, batch
size and learning rate (its steps are stopped when the budget is spent; its precision is
ours: bfloat16 autocast where we use it). The gain is the gate's margin on the held-out
ratings, after - before, measured by the same function on a float32 model for both; our
gain is the adapter the person gets (0 when the gate discards the run: they keep their model).

    python bench/finetune_vs_trl.py [--model bundled] [--ratings 8] [--seeds 0,1,2] [--labels short]

``--labels short``: the person likes answers the model ended within a few tokens and dislikes
longer ones, so the held-out ratings carry a preference the runs can learn (with the default
``alternate`` labels no held-out gain can be more than noise).

Prints per seed ``seed N: ours X (steps, s) trl Y (steps, s)`` and the summary lines
``margin_gain_ours_mean``, ``margin_gain_trl_mean``, ``gain_ours_minus_trl_mean`` (target >= 0)
and ``time_ratio`` (our training seconds / TRL's: ~1 by construction).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

QUESTIONS = ["What colour is the sky?", "Name a fruit.", "What is two plus two?", "Say hello.",
             "What do cows drink?", "Name a planet.", "What is ice made of?", "Give me a colour.",
             "What is the capital of Italy?", "Name a musical instrument.", "How many days are in a week?",
             "What do bees make?", "Name a sport.", "What is the opposite of hot?", "What do cats eat?",
             "Name an ocean.", "What is snow made of?", "Name a vegetable.", "What do plants need?",
             "Name a bird.", "What is the capital of Spain?", "How many legs does a dog have?",
             "Name a tool.", "What is rain?"]


SHORT_TOKENS = 16  # --labels short: liked answers end by themselves within this many tokens (as learning_effect.py)


def rate(store, loaded, questions: list[str], seed: int, labels: str = "alternate") -> None:
    """One sampled answer per question, rated. ``alternate``: up, down, up, ... whatever the
    answer says (no preference a held-out rating could show); ``short``: a person who likes
    short answers: up when the model ended the answer itself within SHORT_TOKENS tokens, down
    otherwise (longer, or cut at the 24-token budget): a label that follows the content."""
    from test_training_data import add_answer

    for i, question in enumerate(questions):
        _c, _u, mid, _p = add_answer(store, loaded, question, seed=1000 * seed + i, max_new_tokens=24)
        if labels == "short":
            message = store.get_message(mid)
            ended = (message.get("settings") or {}).get("finish_reason") in ("eos", "stop")
            liked = ended and len(store.token_records(mid)) <= SHORT_TOKENS
        else:
            liked = i % 2 == 0
        store.rate_message(mid, 1 if liked else -1)


def trl_rows(store) -> dict:
    rows = {"prompt": [], "completion": [], "label": []}
    for rating in store.ratings():
        thread = store.thread(rating["message_id"])
        rows["prompt"].append([{"role": m["role"], "content": m["text"]} for m in thread[:-1]])
        rows["completion"].append([{"role": "assistant", "content": thread[-1]["text"]}])
        rows["label"].append(rating["value"] > 0)
    return rows


def ours(store, paths, loaded, exact, held, pad: int, seed: int) -> dict:
    """One default run; the held-out margin with the adapter it leaves active (if any)."""
    from desktop_app.core import adapters, gate
    from desktop_app.core.training import FineTuneSettings, run_finetune

    before = gate.margin(exact.model, held, pad, "cpu")
    result = run_finetune(store, loaded, paths, FineTuneSettings(seed=seed, rescore=False))
    m = result.metrics
    after = before
    if result.kept:  # by id: the store keys adapters by the chat model's id, not by this folder copy's
        row = store.get_adapter(result.adapter_id)
        adapters.attach(exact, row["path"], row["id"])
        after = gate.margin(exact.model, held, pad, "cpu")
        adapters.detach(exact)
    seconds = m["train_s"] + (m.get("phase_s") or {}).get("reference", 0.0)
    sched = m["schedule"]
    return {"gain": after - before, "seconds": seconds, "steps": m["steps"], "batch": sched["batch_size"],
            "lr": sched["lr"], "status": result.status, "bf16": "bfloat16" in m.get("train_precision", ""),
            "teams": m.get("teams"), "kept_step": (m.get("guard") or {}).get("kept_step"),
            "before": before, "after": after, "reason": result.reason}


def trl(store, folder, held, pad: int, seed: int, budget: dict, tmp: Path) -> dict:
    """KTOTrainer on the same ratings until ``budget["seconds"]`` of training are spent."""
    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer, TrainerCallback
    from trl import KTOConfig, KTOTrainer

    from desktop_app.core import gate
    from desktop_app.core.training import FineTuneSettings

    s = FineTuneSettings()

    class Budget(TrainerCallback):
        def on_step_end(self, args, state, control, **kwargs):
            if time.perf_counter() - self.start >= budget["seconds"]:
                control.should_training_stop = True

    clock = Budget()
    tok = AutoTokenizer.from_pretrained(folder)
    torch.manual_seed(seed)
    base = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32)
    config = KTOConfig(output_dir=str(tmp / f"trl-{seed}"), per_device_train_batch_size=budget["batch"],
                       max_steps=10_000, learning_rate=budget["lr"], lr_scheduler_type="constant", beta=s.beta,
                       report_to=[], use_cpu=True, save_strategy="no", logging_steps=10_000, seed=seed,
                       gradient_checkpointing=False, disable_tqdm=True, bf16=budget["bf16"])
    trainer = KTOTrainer(model=base, args=config, train_dataset=Dataset.from_dict(trl_rows(store)),
                         processing_class=tok, callbacks=[clock],
                         peft_config=LoraConfig(task_type="CAUSAL_LM", r=s.lora_r, lora_alpha=s.lora_alpha,
                                                lora_dropout=0.0, target_modules=s.target_modules))
    trainer.model.eval()
    with torch.no_grad(), trainer.model.disable_adapter():
        before = gate.margin(trainer.model, held, pad, "cpu")
    clock.start = time.perf_counter()
    trainer.train()
    seconds = time.perf_counter() - clock.start
    trainer.model.eval()
    with torch.no_grad():
        after = gate.margin(trainer.model, held, pad, "cpu")
    return {"gain": after - before, "seconds": seconds, "steps": trainer.state.global_step, "before": before,
            "after": after}


def one_seed(seed: int, args, loaded, exact, tmp: Path) -> tuple[dict, dict]:
    from desktop_app.core.paths import AppPaths
    from desktop_app.core.store import Store
    from desktop_app.core.train_data import build_training_data

    n = args.ratings
    order = QUESTIONS[seed % len(QUESTIONS):] + QUESTIONS[:seed % len(QUESTIONS)]
    paths = AppPaths.resolve(tmp / f"seed-{seed}").ensure()
    store, held_store = Store.open(paths.db_path), Store.open(tmp / f"held-{seed}.sqlite3")
    rate(store, loaded, order[:n], seed, args.labels)
    rate(held_store, loaded, order[n:2 * n], seed, args.labels)
    print(f"    seed {seed}: liked {sum(r['value'] > 0 for r in store.ratings())} of {n} "
          f"(held out: {sum(r['value'] > 0 for r in held_store.ratings())} of {n})", flush=True)
    held = build_training_data(held_store, exact.tokenizer, exact.context_window)
    tok = exact.tokenizer
    pad = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
    a = ours(store, paths, loaded, exact, held, pad, seed)
    b = trl(store, exact.folder, held, pad, seed, a, tmp)
    store.close()
    held_store.close()
    return a, b


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="bundled")
    parser.add_argument("--ratings", type=int, default=8, help="rated answers to train on (and as many held out)")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--labels", choices=("alternate", "short"), default="alternate",
                        help="how the simulated person rates: alternately, or liking short answers (see rate())")
    args = parser.parse_args()
    if 2 * args.ratings > len(QUESTIONS):
        parser.error(f"--ratings at most {len(QUESTIONS) // 2}")

    from transformers.utils import logging as hf_logging

    from desktop_app.core.models import open_model
    from desktop_app.core.paths import AppPaths

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    tmp = Path(tempfile.mkdtemp(prefix="ft-vs-trl-"))
    cache = AppPaths.resolve(os.environ.get("GPT2_DESK_TEST_CACHE") or (tmp / "cache")).ensure()
    loaded = open_model(args.model, cache, device="cpu")  # the chat model, as the app has it (default precision)
    exact = open_model(str(loaded.folder), cache, device="cpu", precision="exact")  # measures both sides
    print(f"model {loaded.describe()}; {args.ratings} ratings + {args.ratings} held out; labels {args.labels}; "
          f"load {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    results = []
    for seed in (int(s) for s in args.seeds.split(",") if s.strip()):
        a, b = one_seed(seed, args, loaded, exact, tmp)
        results.append((a, b))
        print(f"seed {seed}: ours {a['gain']:+.4f} ({a['status']}, {a['steps']} steps at batch {a['batch']}, "
              f"guard kept {a['kept_step']}, {a['seconds']:.1f} s, bf16 {a['bf16']}, teams {a['teams']}; "
              f"held-out margin {a['before']:.4f} -> {a['after']:.4f})  "
              f"trl {b['gain']:+.4f} ({b['steps']} steps, {b['seconds']:.1f} s; {b['before']:.4f} -> {b['after']:.4f})",
              flush=True)
        if a["status"] != "kept":
            print(f"    ours discarded: {a['reason']}", flush=True)
    gains_ours = [a["gain"] for a, _b in results]
    gains_trl = [b["gain"] for _a, b in results]
    print(f"load after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"margin_gain_ours_mean: {statistics.mean(gains_ours):.4f}")
    print(f"margin_gain_trl_mean: {statistics.mean(gains_trl):.4f}")
    print(f"gain_ours_minus_trl_mean: {statistics.mean(gains_ours) - statistics.mean(gains_trl):+.4f}")
    print(f"time_ratio: {sum(a['seconds'] for a, _b in results) / sum(b['seconds'] for _a, b in results):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
