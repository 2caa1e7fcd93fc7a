"""The gate's re-asks decoded by ``generate`` (every row until the last one ends) against
``core.greedy_batch`` (a row leaves the batch once it ended), side by side in one process,
interleaved, on the re-asks a fine-tune run plans for one store's ratings: under the base
model and under the run's kept adapter. CPU seconds (one thread: load-proof) and whether
the answers are the same, token for token.

    python bench/reask_rows.py --store DIR [--model bundled] [--rounds 2]

A store: the work folder a ``bench/learning_effect.py`` run leaves (its database and its
``adapters/`` folder; the newest adapter is read). Summary lines: ``reask_cpu_s_generate``,
``reask_cpu_s_rows`` (medians per model), ``reask_cpu_ratio``, ``same_answers``.
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


def generate_rows(work, prompts, tokens: int) -> list[list[int]]:
    """The re-asks as ``reasking.reask`` decoded them before ``greedy_batch``: one ``generate``."""
    import torch

    from desktop_app.core.train_logps import left_pad

    tok = work.tokenizer
    eos = tok.eos_token_id
    pad = tok.pad_token_id if tok.pad_token_id is not None else eos
    batch, mask = left_pad([ids for ids, _q in prompts], pad, work.device)
    with torch.inference_mode():
        out = work.model.generate(input_ids=batch, attention_mask=mask, max_new_tokens=tokens, do_sample=False,
                                  pad_token_id=pad, eos_token_id=eos)
    return [_cut(row, eos) for row in out[:, batch.shape[1]:].tolist()]


def rows_rows(work, prompts, tokens: int) -> list[list[int]]:
    from desktop_app.core.greedy_batch import greedy_rows
    from desktop_app.core.train_logps import left_pad

    tok = work.tokenizer
    eos = tok.eos_token_id
    pad = tok.pad_token_id if tok.pad_token_id is not None else eos
    batch, mask = left_pad([ids for ids, _q in prompts], pad, work.device)
    return [_cut(row, eos) for row in greedy_rows(work.model, batch, mask, tokens, eos)]


def _cut(row: list[int], eos) -> list[int]:
    return row[:row.index(eos) + 1] if eos in row else row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True, help="a learning_effect run's work folder (database, adapters/)")
    parser.add_argument("--model", default="bundled")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    import contextlib

    import torch
    from peft import PeftModel

    from desktop_app.core.finetune_effect import plan_reasks
    from desktop_app.core.models import LoadedModel, open_model
    from desktop_app.core.paths import AppPaths
    from desktop_app.core.store import Store
    from desktop_app.core.train_data import build_training_data
    from desktop_app.core.train_settings import FineTuneSettings

    torch.set_num_threads(1)
    folder = Path(args.store)
    adapter = max((folder / "adapters").iterdir(), key=lambda p: p.stat().st_mtime)
    cache = Path(tempfile.gettempdir()) / "gpt2desk-learning-cache"
    loaded = open_model(args.model, AppPaths.resolve(cache / "app").ensure(), device="cpu", precision="exact")
    base = loaded.model
    base.set_attn_implementation("eager")  # as the training copy on a CPU (train_copy.cpu_attention)
    model = PeftModel.from_pretrained(base, str(adapter))
    model.eval()
    work = LoadedModel(model, loaded.tokenizer, loaded.source, loaded.folder, loaded.device, torch.float32,
                       loaded.context_window)
    s = FineTuneSettings()
    store = Store.open(next(folder.glob("*.sqlite3")))
    data = build_training_data(store, loaded.tokenizer, loaded.context_window, end_with_eos=s.end_with_eos,
                               paired_thumbs_kto=s.paired_thumbs_kto, alone_views=s.alone_views,
                               history=s.history_exchanges)
    train, held = data.split(s.heldout_fraction, s.seed, max_items=s.heldout_max)
    reasks = plan_reasks(store, data, train, held, loaded.tokenizer, loaded.context_window, count=s.reask_count,
                         unseen=s.reask_unseen, tokens=s.reask_tokens, open_requests=s.reask_open,
                         canaries=s.reask_canaries)
    print(f"{len(reasks.prompts)} re-asks, prompt tokens {[len(ids) for ids, _q in reasks.prompts]}, "
          f"at most {reasks.tokens} tokens; adapter {adapter.name}")
    timings: dict[str, list[float]] = {}
    same = True
    for label, context in (("base", model.disable_adapter), ("adapter", contextlib.nullcontext)):
        answers = {}
        for round_ in range(args.rounds):
            for way, fn in (("generate", generate_rows), ("rows", rows_rows))[:: 1 if round_ % 2 == 0 else -1]:
                start = time.process_time()
                with context():
                    answers[way] = fn(work, reasks.prompts, reasks.tokens)
                timings.setdefault(f"{label}_{way}", []).append(time.process_time() - start)
                print(f"{label} {way:8} {timings[f'{label}_{way}'][-1]:.2f} CPU-s", flush=True)
        equal = answers["generate"] == answers["rows"]
        same = same and equal
        print(f"{label}: answer tokens {[len(a) for a in answers['generate']]}; same: {equal}")
        if not equal:
            for i, (a, b) in enumerate(zip(answers["generate"], answers["rows"])):
                if a != b:
                    print(f"  row {i}: {loaded.tokenizer.decode(a)!r} | {loaded.tokenizer.decode(b)!r}")
    med = {k: statistics.median(v) for k, v in timings.items()}
    for label in ("base", "adapter"):
        print(f"reask_cpu_s_generate_{label}: {med[f'{label}_generate']:.2f}")
        print(f"reask_cpu_s_rows_{label}: {med[f'{label}_rows']:.2f}")
        print(f"reask_cpu_ratio_{label}: {med[f'{label}_generate'] / med[f'{label}_rows']:.2f}")
    print(f"same_answers: {same}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
