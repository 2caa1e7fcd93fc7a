"""Decoding speed on a busy CPU: the app's thread choice against PyTorch's default.

An answer (GPT-2-124M shape, random weights, records with top-10) is timed with and without
a CPU burner process pinned to one core, in interleaved rounds, under two thread policies:
``torch default`` (one intra-op thread per core) and ``app`` (core.threads.decode_threads).
With ``--training``, a third condition: the same answer while a training loop (forward,
backward and AdamW on a separate 4-layer GPT-2) runs on another thread of this process with
the app's fine-tune team (core.threads.fine_tune_threads(), asked before every step: all
cores, fewer while an answer is being decoded); ``--training-team N`` fixes that team
instead (the number of cores = torch's default, what the fine-tune had before). The loop's
own speed is timed too: steps/s while the answer runs against steps/s just before it.

Prints tokens/s per condition and the last lines
``busy_core_ratio: X`` (app: tokens/s with the burner / without; target >= 0.45 on 2 cores),
``busy_core_ratio_torch_default: Y`` and, with --training, ``training_ratio: Z`` (answer
tokens/s during the training loop / alone) and ``training_slowdown: W`` (the loop's steps/s
while the answer runs / before it).

    python bench/busy_cores.py [--tokens 32] [--rounds 3] [--training]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time

from _common import figure, load_average, median

BURNER = "import os, sys\ncore = int(sys.argv[1])\nos.sched_setaffinity(0, {core})\nwhile True:\n    pass\n"


class Burner:
    """A busy-looping process pinned to one core (the last one this process may use)."""

    def __enter__(self):
        core = sorted(os.sched_getaffinity(0))[-1]
        self.proc = subprocess.Popen([sys.executable, "-c", BURNER, str(core)])
        time.sleep(0.3)  # let it start spinning
        return self

    def __exit__(self, *exc):
        self.proc.kill()
        self.proc.wait()


class TrainingLoop:
    """Forward + backward + AdamW steps on a separate model copy, on its own thread; each
    step on the team ``team()`` gives (this thread's team only, as the fine-tune does)."""

    def __init__(self, model_factory, team, warm_s: float = 1.0):
        self.model = model_factory()
        self.team = team
        self.warm_s = warm_s
        self.stop = threading.Event()
        self.done: list[float] = []  # when each step ended

    @property
    def steps(self) -> int:
        return len(self.done)

    def rate(self, start: float, end: float) -> float:
        """Steps per second between two moments (fractional steps at the edges ignored)."""
        return sum(start <= t < end for t in self.done) / max(end - start, 1e-9)

    def run(self) -> None:
        import torch

        from desktop_app.core import threads

        opt = torch.optim.AdamW(self.model.parameters(), lr=1e-5)
        batch = torch.randint(0, 50257, (2, 64), generator=torch.Generator().manual_seed(0))
        while not self.stop.is_set():
            with threads.limited(self.team()):
                loss = self.model(input_ids=batch, labels=batch).loss
                loss.backward()
                opt.step()
                opt.zero_grad()
            self.done.append(time.perf_counter())

    def __enter__(self):
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()
        time.sleep(self.warm_s)  # into its first steps, and a stretch to time it alone
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--training", action="store_true", help="also time an answer during a training loop")
    parser.add_argument("--training-team", type=int, help="threads of the training loop (default: torch's)")
    args = parser.parse_args()

    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    from desktop_app.core import threads
    from desktop_app.core.generation import SamplingSettings, generate
    from generation_overhead import build

    cores = threads.usable_cores()
    loaded = build("cpu", False)
    prompt = torch.randint(0, 50257, (32,), generator=torch.Generator().manual_seed(1)).tolist()
    settings = SamplingSettings(max_new_tokens=args.tokens, seed=0, temperature=1.0, top_k=0, top_p=1.0)
    policies = {"torch default": cores, "app": threads.decode_threads()}

    def train_team() -> int:
        return args.training_team or threads.fine_tune_threads()

    def tokens_per_s(policy: str) -> float:
        os.environ[threads.ENV_OVERRIDE] = str(policies[policy])
        gen = generate(loaded, prompt, settings)
        return gen.generated / gen.elapsed_s

    def training_copy():
        torch.manual_seed(0)
        return GPT2LMHeadModel(GPT2Config(n_layer=4)).train()

    conditions = ["quiet", "burner"] + (["training"] if args.training else [])
    results = {(p, c): [] for p in policies for c in conditions}
    slowdown: dict[str, list[float]] = {p: [] for p in policies}
    tokens_per_s("app")  # warm-up
    for round_ in range(args.rounds):
        for policy in policies:
            results[(policy, "quiet")].append(tokens_per_s(policy))
            with Burner():
                results[(policy, "burner")].append(tokens_per_s(policy))
            if args.training:
                with TrainingLoop(training_copy, train_team, warm_s=8.0) as loop:
                    began = time.perf_counter()
                    results[(policy, "training")].append(tokens_per_s(policy))
                    ended = time.perf_counter()
                alone, during = loop.rate(began - 6.0, began), loop.rate(began, ended)
                slowdown[policy].append(during / alone if alone else float("nan"))
                print(f"  round {round_ + 1} {policy}: training loop {alone:.2f} steps/s alone, "
                      f"{during:.2f} beside the answer")
        print(f"  round {round_ + 1}: " + ", ".join(f"{p}/{c} {results[(p, c)][-1]:.1f}" for p, c in results))
    os.environ.pop(threads.ENV_OVERRIDE, None)
    med = {key: median(values) for key, values in results.items()}
    print(f"usable cores: {cores}  {load_average()}  tokens: {args.tokens}")
    for policy, team in policies.items():
        print(f"{policy} ({team} thread{'s' if team > 1 else ''}): "
              + ", ".join(f"{c} {med[(policy, c)]:.1f} tok/s" for c in conditions))
    figure("busy_core_ratio_torch_default", med[("torch default", "burner")] / med[("torch default", "quiet")])
    if args.training:
        figure("training_ratio_torch_default", med[("torch default", "training")] / med[("torch default", "quiet")])
        print(f"training_team: {args.training_team or 'app (fine_tune_threads)'}")
        figure("training_slowdown", median(slowdown["app"]))
        figure("training_ratio", med[("app", "training")] / med[("app", "quiet")])
    figure("quiet_speed_vs_torch_default", med[("app", "quiet")] / med[("torch default", "quiet")])
    figure("busy_core_ratio", med[("app", "burner")] / med[("app", "quiet")])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
