"""Training steps on pairs read in one pass (the prompt once: ``LossWeights.pair_packed``)
against two passes (chosen and rejected each with its own copy of the prompt), side by side
in one process, interleaved, on the same batches of one store's ratings; and the reference
pass both ways. CPU seconds (one thread: load-proof), the loss and the gradient norm of each
(equal to float rounding).

    python bench/pair_packing.py --store DIR_OR_DB [--model bundled] [--steps 6] [--rounds 2]

A store: e.g. the database a ``bench/learning_effect.py --one-conversation`` run leaves in its
work folder (8 "Answer:" corrections made in one chat: prompts of 37-104 tokens).
Summary lines: ``step_cpu_s_packed``, ``step_cpu_s_apart``, ``step_cpu_ratio`` (apart / packed),
``reference_cpu_ratio``, ``max_loss_diff``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True, help="a gpt2desk .sqlite3 file or the folder holding one")
    parser.add_argument("--model", default="bundled")
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    import torch
    from peft import LoraConfig, get_peft_model

    from desktop_app.core import train_losses as L
    from desktop_app.core.models import open_model
    from desktop_app.core.paths import AppPaths
    from desktop_app.core.store import Store
    from desktop_app.core.train_data import build_training_data
    from desktop_app.core.train_references import reference_logps
    from desktop_app.core.train_settings import FineTuneSettings
    from desktop_app.core.train_steps import batch_order

    torch.set_num_threads(1)
    db = Path(args.store)
    db = next(db.glob("*.sqlite3")) if db.is_dir() else db
    cache = Path(tempfile.gettempdir()) / "gpt2desk-learning-cache"
    loaded = open_model(args.model, AppPaths.resolve(cache / "app").ensure(), device="cpu", precision="exact")
    base = loaded.model
    base.set_attn_implementation("eager")  # as the training copy on a CPU (train_copy.cpu_attention)
    for p in base.parameters():
        p.requires_grad_(False)
    s = FineTuneSettings()
    store = Store.open(db)
    data = build_training_data(store, loaded.tokenizer, loaded.context_window, end_with_eos=s.end_with_eos,
                               paired_thumbs_kto=s.paired_thumbs_kto, alone_views=s.alone_views,
                               history=s.history_exchanges)
    model = get_peft_model(base, LoraConfig(r=s.lora_r, lora_alpha=s.lora_alpha, target_modules=s.target_modules,
                                            task_type="CAUSAL_LM"))
    model.eval()
    pad = loaded.tokenizer.pad_token_id if loaded.tokenizer.pad_token_id is not None else loaded.tokenizer.eos_token_id
    print(f"{len(data.pairs)} pairs, {len(data.unpaired)} thumbs; prompt tokens "
          f"{sorted(len(p.prompt_ids) for p in data.pairs)}")
    timings: dict[str, list[float]] = {"ref_packed": [], "ref_apart": [], "packed": [], "apart": []}
    refs = None
    for _round in range(args.rounds):
        for packed in (True, False):
            start = time.process_time()
            with torch.no_grad(), model.disable_adapter():
                refs = reference_logps(model, data, pad, "cpu", 8, packed=packed)
            timings["ref_packed" if packed else "ref_apart"].append(time.process_time() - start)
    losses: dict[bool, list[float]] = {True: [], False: []}
    batches = batch_order(data, 3, s.seed)
    for step in range(args.steps):
        batch = L.Batch.select(data, refs, next(batches), "cpu")
        for packed in (True, False) if step % 2 else (False, True):
            start = time.process_time()
            loss, _figures = L.batch_loss(model, batch, pad, "cpu", L.LossWeights(pair_packed=packed))
            loss.backward()
            norm = float(torch.sqrt(sum((p.grad ** 2).sum() for p in model.parameters() if p.grad is not None)))
            model.zero_grad(set_to_none=True)
            timings["packed" if packed else "apart"].append(time.process_time() - start)
            losses[packed].append(float(loss.detach()))
            print(f"step {step} {'packed' if packed else 'apart '} {timings['packed' if packed else 'apart'][-1]:.2f}"
                  f" CPU-s loss {float(loss):.6f} grad norm {norm:.6f}", flush=True)
    med = {k: statistics.median(v) for k, v in timings.items()}
    print(f"step_cpu_s_packed: {med['packed']:.2f}")
    print(f"step_cpu_s_apart: {med['apart']:.2f}")
    print(f"step_cpu_ratio: {med['apart'] / med['packed']:.2f}")
    print(f"reference_cpu_s: packed {med['ref_packed']:.2f} apart {med['ref_apart']:.2f}")
    print(f"reference_cpu_ratio: {med['ref_apart'] / med['ref_packed']:.2f}")
    print(f"max_loss_diff: {max(abs(a - b) for a, b in zip(losses[True], losses[False])):.2e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
