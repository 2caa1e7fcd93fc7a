"""How long one click on "Fine-tune on my ratings" takes, phase by phase, with the default
settings: N rated answers (default 100: thumbs up and down, and every tenth one corrected)
on a real model (default: the bundled SmolLM2-135M-Instruct). An absolute time for the
person waiting (wall and CPU seconds; ``uptime``'s load is printed beside them, since on a
shared machine the wall time mostly measures the other programs).

``--compare`` instead times single training steps side by side in one process, interleaved
(the project's rule for speed figures): float32 against bfloat16 autocast (float32 master
LoRA weights) and all cores against one thread, on the same batches of the same ratings.

    python bench/finetune_time.py [--ratings 100] [--model bundled] [--device auto|cpu|cuda]
    python bench/finetune_time.py --compare [--ratings 8] [--rounds 6]

Summary lines: ``finetune_seconds_N``, ``finetune_cpu_seconds_N``, ``phase_<name>_s``; with
--compare ``train_step_ratio_bf16`` (float32 step seconds / bf16 autocast, on all cores),
``train_step_cpu_ratio_bf16`` (the same in CPU seconds on one thread: load-proof),
``team_ratio`` (one thread / all cores, wall) and ``max_ref_logp_diff_bf16`` (nats).
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
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

QUESTIONS = ["How do I keep a plant alive?", "What is a good breakfast?", "Why is the sky blue?",
             "How do I learn to swim?", "What should I read next?", "How do I fix a flat tyre?",
             "What makes a good story?", "How do I sleep better?", "What is the capital of France?",
             "How do bees make honey?"]


def answers_from_probe() -> list[str]:
    """Sentences of ordinary English (the gate's probe text), two by two: answers of ~40 tokens."""
    text = (ROOT / "resources" / "probe.txt").read_text(encoding="utf-8")
    sentences = [s.strip() + "." for s in text.replace("\n", " ").split(".") if len(s.strip()) > 20]
    return [" ".join(sentences[i:i + 2]) for i in range(0, len(sentences) - 1)]


def rated_store(loaded, paths, ratings: int):
    from desktop_app.core.store import Store

    store = Store.open(paths.db_path)
    answers = answers_from_probe()
    for i in range(ratings):
        question = QUESTIONS[i % len(QUESTIONS)] + f" ({i})"
        conversation = store.create_conversation(question)
        user = store.add_message(conversation, "user", question)
        answer = store.add_message(conversation, "assistant", answers[i % len(answers)], parent_id=user,
                                   model_id=loaded.model_id)
        store.rate_message(answer, 1 if i % 2 else -1)
        if i % 10 == 0:
            store.set_correction(answer, answers[(i + 3) % len(answers)])
    return store


def load_avg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# ------------------------------------------------------------------ one whole run

def whole_run(loaded, paths, ratings: int) -> None:
    from desktop_app.core.train_settings import FineTuneSettings
    from desktop_app.core.training import run_finetune

    store = rated_store(loaded, paths, ratings)
    print(f"  {loaded.describe()}: {ratings} rated answers ({(ratings + 9) // 10} corrected); load {load_avg()}")
    start, cpu = time.perf_counter(), time.process_time()
    result = run_finetune(store, loaded, paths, FineTuneSettings())
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    m = result.metrics
    for name, spent in (m.get("phase_s") or {}).items():
        print(f"phase_{name}_s: {spent:.1f}")
    sched = m.get("schedule") or {}
    print(f"  run {result.status}: {result.reason}; {m.get('steps')} updates at batch {sched.get('batch_size')}, "
          f"{m.get('train_precision')}, teams {m.get('teams')}; load after {load_avg()}")
    print(f"finetune_seconds_{ratings}: {seconds:.0f}")
    print(f"finetune_cpu_seconds_{ratings}: {cpu_seconds:.0f}")
    store.close()


# ------------------------------------------------------------------ steps side by side

class StepBench:
    """The run's own pieces (LoRA on a float32 copy, references computed once, the loss, AdamW),
    one optimizer per condition so each condition's steps are real consecutive updates."""

    def __init__(self, loaded, store, ratings_seed: int = 0):
        import warnings

        import torch
        from peft import LoraConfig, get_peft_model
        from transformers import AutoModelForCausalLM

        from desktop_app.core.train_data import build_training_data
        from desktop_app.core.train_schedule import plan
        from desktop_app.core.train_settings import FineTuneSettings
        from desktop_app.core.train_copy import cpu_attention

        s = FineTuneSettings()
        data = build_training_data(store, loaded.tokenizer, loaded.context_window)
        self.train, _held = data.split(s.heldout_fraction, ratings_seed, max_items=s.heldout_max)
        counts = self.train.counts()
        self.schedule = plan(len(self.train), liked=counts["thumbs_up"], disliked=counts["thumbs_down"])
        tok = loaded.tokenizer
        self.pad = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
        self.models, self.optimizers, self.refs = {}, {}, {}
        for name in ("float32", "bf16"):
            base = AutoModelForCausalLM.from_pretrained(loaded.folder, dtype=torch.float32, use_safetensors=True)
            for p in base.parameters():
                p.requires_grad_(False)
            cpu_attention(base, "cpu")  # as the run's training copy
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = get_peft_model(base, LoraConfig(r=s.lora_r, lora_alpha=s.lora_alpha, target_modules=s.target_modules,
                                                        task_type="CAUSAL_LM"))
            model.eval()
            self.models[name] = model
            params = [p for p in model.parameters() if p.requires_grad]
            self.optimizers[name] = (params, torch.optim.AdamW(params, lr=self.schedule.lr, weight_decay=0.0))
            with model.disable_adapter(), self.autocast(name):
                self.refs[name] = self.references(model)

    def references(self, model):
        from desktop_app.core.train_references import reference_logps

        return reference_logps(model, self.train, self.pad, "cpu", 8)

    @staticmethod
    def autocast(name: str):
        import torch

        return torch.autocast("cpu", dtype=torch.bfloat16, enabled=name == "bf16")

    def step(self, name: str, picks) -> None:
        import torch

        from desktop_app.core import train_losses as L

        model, (params, optimizer) = self.models[name], self.optimizers[name]
        batch = L.Batch.select(self.train, self.refs[name], picks, "cpu")
        with self.autocast(name):
            loss, _figures = L.batch_loss(model, batch, self.pad, "cpu", L.LossWeights())
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)


def compare_steps(loaded, paths, ratings: int, rounds: int, only_teams=None) -> None:
    from desktop_app.core import threads
    from desktop_app.core.train_steps import batch_order

    store = rated_store(loaded, paths, ratings)
    with threads.limited(1):  # the setup (two copies, references) on one thread: a busy machine stalls a team
        bench = StepBench(loaded, store)
    sched = bench.schedule
    cores = threads.usable_cores()
    teams = sorted({cores, 1} if not only_teams else set(only_teams), reverse=True)
    print(f"  {ratings} ratings -> {len(bench.train)} training examples, batch {sched.batch_size}, "
          f"{cores} cores; load {load_avg()}")
    order = batch_order(bench.train, sched.batch_size, 0)
    conditions = [(name, team) for team in teams for name in ("float32", "bf16")]
    wall = {c: [] for c in conditions}
    cpu = {c: [] for c in conditions}
    for round_ in range(rounds + 1):  # round 0 warms up and is not counted
        picks = next(order)
        for condition in conditions:
            name, team = condition
            with threads.limited(team):
                w0, c0 = time.perf_counter(), time.process_time()
                bench.step(name, picks)
                w1, c1 = time.perf_counter(), time.process_time()
            if round_:
                wall[condition].append(w1 - w0)
                cpu[condition].append(c1 - c0)
        if round_:
            print(f"  round {round_}: " + ", ".join(f"{n}/{t}t {wall[(n, t)][-1]:.2f}s" for n, t in conditions), flush=True)
    med = {c: statistics.median(wall[c]) for c in conditions}
    med_cpu = {c: statistics.median(cpu[c]) for c in conditions}
    for c in conditions:
        print(f"  {c[0]:>7} on {c[1]} thread(s): {med[c]:.2f} s/step wall, {med_cpu[c]:.2f} s/step CPU")
    ref32, ref16 = bench.refs["float32"], bench.refs["bf16"]
    diffs = [float((getattr(ref32, k) - getattr(ref16, k)).abs().max()) for k in ("unpaired", "chosen", "rejected")
             if getattr(ref32, k).numel()]
    print(f"load after: {load_avg()}")
    top, low = teams[0], teams[-1]
    print(f"train_step_ratio_bf16: {med[('float32', top)] / med[('bf16', top)]:.2f}  ({top} thread(s))")
    print(f"train_step_cpu_ratio_bf16: {med_cpu[('float32', low)] / med_cpu[('bf16', low)]:.2f}  ({low} thread(s))")
    if top > low:
        print(f"team_ratio: {med[('bf16', low)] / med[('bf16', top)]:.2f}  (step seconds on {low} / on {top} threads)")
    print(f"max_ref_logp_diff_bf16: {max(diffs) if diffs else 0.0:.3f}")
    store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ratings", type=int, default=100)
    parser.add_argument("--model", default="bundled")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--compare", action="store_true", help="time steps: float32 vs bf16 autocast, teams")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--teams", default="", help="with --compare: thread teams to time, e.g. 1 (default: all cores and 1)")
    args = parser.parse_args()

    from transformers.utils import logging as hf_logging

    from desktop_app.core.models import open_model
    from desktop_app.core.paths import AppPaths

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    paths = AppPaths.resolve(tempfile.mkdtemp(prefix="ft-time-")).ensure()
    loaded = open_model(args.model, paths, device="cpu" if args.compare else args.device)
    if args.compare:
        compare_steps(loaded, paths, args.ratings, args.rounds, [int(t) for t in args.teams.split(",") if t.strip()])
    else:
        whole_run(loaded, paths, args.ratings)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
