"""Our fine-tune vs HF TRL's KTOTrainer: the same thumbs ratings, model, LoRA settings, steps.

Prints ``time_ratio: X`` (our training seconds / TRL's, target <= 1.0), ``margin_gain_ours: X``
and ``margin_gain_trl: X`` (the gate's margin after - before over all ratings, measured by
the same function for both; target: ours >= TRL's).

    python bench/finetune_vs_trl.py [--model FOLDER|bundled] [--steps 6] [--ratings 8]
"""

from __future__ import annotations

import argparse
import os
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
             "What do bees make?"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="bundled")
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--ratings", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--lr", type=float, default=3e-4)
    args = parser.parse_args()

    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import KTOConfig, KTOTrainer
    from transformers.utils import logging as hf_logging

    from desktop_app.core import gate
    from desktop_app.core.models import bundled_gguf_path, convert_gguf, open_model
    from desktop_app.core.paths import AppPaths
    from desktop_app.core.store import Store
    from desktop_app.core.train_data import build_training_data
    from desktop_app.core.training import FineTuneSettings, run_finetune
    from test_training_data import add_answer

    hf_logging.set_verbosity_error()
    tmp = Path(tempfile.mkdtemp(prefix="ft-bench-"))
    paths = AppPaths.resolve(tmp / "data").ensure()
    if args.model == "bundled":
        cache = AppPaths.resolve(os.environ.get("GPT2_DESK_TEST_CACHE") or (tmp / "cache")).ensure()
        folder = convert_gguf(bundled_gguf_path(), cache)
    else:
        folder = Path(args.model)
    loaded = open_model(str(folder), paths, device="cpu")
    store = Store.open(paths.db_path)
    for i in range(args.ratings):
        _c, _u, mid, _p = add_answer(store, loaded, QUESTIONS[i % len(QUESTIONS)], seed=i, max_new_tokens=24)
        store.rate_message(mid, 1 if i % 2 == 0 else -1)
    data = build_training_data(store, loaded.tokenizer, loaded.context_window)
    lora = dict(r=8, lora_alpha=16, lora_dropout=0.0, target_modules="all-linear")

    # ours: training seconds as the run measures them (reference log-probs + steps)
    settings = FineTuneSettings(max_steps=args.steps, min_steps=args.steps, batch_size=args.batch_size, lr=args.lr,
                                lora_r=8, lora_alpha=16, heldout_fraction=0.0, reask_count=0, reask_unseen=0, rescore=False,
                                liked_sft_weight=0.0,  # KTO alone, as TRL's KTOTrainer has it
                                max_ppl_rise=10.0)
    result = run_finetune(store, loaded, paths, settings)
    ours_s = result.metrics["train_s"]
    gain_ours = result.metrics["margin_all_after"] - result.metrics["margin_all_before"]

    # TRL: the same examples (as text, chat format), same LoRA, steps, batch size, lr
    tok = AutoTokenizer.from_pretrained(folder)
    rows = {"prompt": [], "completion": [], "label": []}
    for mid_row in store.ratings():
        thread = store.thread(mid_row["message_id"])
        rows["prompt"].append([{"role": m["role"], "content": m["text"]} for m in thread[:-1]])
        rows["completion"].append([{"role": "assistant", "content": thread[-1]["text"]}])
        rows["label"].append(mid_row["value"] > 0)
    base = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32)
    kto_args = KTOConfig(output_dir=str(tmp / "trl"), per_device_train_batch_size=args.batch_size,
                         max_steps=args.steps, learning_rate=args.lr, lr_scheduler_type="constant", beta=0.1,
                         report_to=[], use_cpu=True, save_strategy="no", logging_steps=1000,
                         gradient_checkpointing=False, disable_tqdm=True)
    trainer = KTOTrainer(model=base, args=kto_args, train_dataset=Dataset.from_dict(rows), processing_class=tok,
                         peft_config=LoraConfig(task_type="CAUSAL_LM", **lora))
    pad = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
    trainer.model.eval()
    with torch.no_grad(), trainer.model.disable_adapter():
        before = gate.margin(trainer.model, data, pad, "cpu")
    start = time.perf_counter()
    trainer.train()
    trl_s = time.perf_counter() - start
    trainer.model.eval()
    with torch.no_grad():
        after = gate.margin(trainer.model, data, pad, "cpu")
    gain_trl = after - before

    print(f"examples: {len(data)}  steps: {args.steps}  batch: {args.batch_size}  model: {folder.name}")
    print(f"seconds_ours: {ours_s:.2f}")
    print(f"seconds_trl: {trl_s:.2f}")
    print(f"time_ratio: {ours_s / trl_s:.3f}")
    print(f"margin_gain_ours: {gain_ours:.4f}")
    print(f"margin_gain_trl: {gain_trl:.4f}")
    store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
