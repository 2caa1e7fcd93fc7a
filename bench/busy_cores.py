"""Decoding speed on a busy CPU: the app's thread choice against fixed teams.

An answer (GPT-2-124M shape, random weights, float32, records with top-10; with
``--bundled``, the bundled SmolLM2 at the default precision) is timed with and without a CPU
burner process pinned to one core, in interleaved rounds, under three thread policies:
``torch default`` (one intra-op thread per core), ``one fewer`` (core.threads.decode_threads,
pinned: what answers had before the chooser) and ``app`` (the answers' measured choice,
core.threads.DecodeTeamChooser, remembered across answers as in the app). Each condition
runs ``--answers`` answers in a row (default 2): the first pays for a change of machine
state (the app's chooser still holds the other condition's team), the last is the settled
figure. With ``--training``, a third condition: the same answer while a training loop
(forward, backward and AdamW on a separate 4-layer GPT-2) runs on another thread of this
process, marked as a fine-tune, with the app's fine-tune team (core.threads.fine_tune_threads(),
asked before every step: all cores, fewer while an answer is being decoded);
``--training-team N`` fixes that team instead. The loop's own speed is timed too: steps/s
while the answer runs against steps/s just before it.

Prints tokens/s per condition and the last lines
``busy_core_ratio: X`` (app, settled: tokens/s with the burner / without; target >= 0.45 on
2 cores), ``busy_core_ratio_on_change: X`` (the first answer after the machine changed),
``busy_core_ratio_one_fewer`` / ``_torch_default``, ``quiet_team_speedup: Y`` (app / one
fewer, quiet, settled) and, with --training, ``training_ratio: Z`` (answer tokens/s during
the training loop / alone) and ``training_slowdown: W`` (the loop's steps/s while the
answer runs / before it).

    python bench/busy_cores.py [--tokens 32] [--rounds 3] [--answers 2] [--bundled] [--training]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time

from _common import add_cache_dir, bundled_folder, figure, load_average, median

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
        with threads.fine_tuning():  # as core.training marks a run: answers keep one core free
            self._steps(opt, batch)

    def _steps(self, opt, batch) -> None:
        from desktop_app.core import threads

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


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--answers", type=int, default=2, help="answers in a row per condition (the last is settled)")
    parser.add_argument("--bundled", action="store_true", help="the bundled SmolLM2 at the default precision")
    add_cache_dir(parser)
    parser.add_argument("--training", action="store_true", help="also time an answer during a training loop")
    parser.add_argument("--training-team", type=int, help="threads of the training loop (default: the app's)")
    return parser.parse_args()


def answer_model(args):
    if not args.bundled:
        from generation_overhead import build

        return build("cpu", False)
    from desktop_app.core.models import open_model
    from desktop_app.core.paths import AppPaths

    return open_model(str(bundled_folder(args.cache_dir)), AppPaths.resolve(args.cache_dir), device="cpu")


def main() -> int:
    args = parse_args()

    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    from desktop_app.core import threads
    from desktop_app.core.generation import SamplingSettings, generate

    cores = threads.usable_cores()
    loaded = answer_model(args)
    vocab = loaded.model.config.vocab_size
    prompt = torch.randint(0, vocab, (32,), generator=torch.Generator().manual_seed(1)).tolist()
    settings = SamplingSettings(max_new_tokens=args.tokens, seed=0, temperature=1.0, top_k=0, top_p=1.0)
    policies = {"torch default": cores, "one fewer": threads.decode_threads(), "app": None}

    def train_team() -> int:
        return args.training_team or threads.fine_tune_threads()

    def tokens_per_s(policy: str) -> float:
        if policies[policy] is None:
            os.environ.pop(threads.ENV_OVERRIDE, None)
        else:
            os.environ[threads.ENV_OVERRIDE] = str(policies[policy])
        gen = generate(loaded, prompt, settings)
        return gen.generated / gen.elapsed_s

    def in_a_row(policy: str) -> list[float]:
        return [tokens_per_s(policy) for _ in range(max(1, args.answers))]

    def training_copy():
        torch.manual_seed(0)
        return GPT2LMHeadModel(GPT2Config(n_layer=4)).train()

    conditions = ["quiet", "burner"] + (["training"] if args.training else [])
    results = {(p, c): [] for p in policies for c in conditions}  # per round: the answers in a row
    slowdown: dict[str, list[float]] = {p: [] for p in policies}
    tokens_per_s("app")  # warm-up (and the app's chooser tries both teams, as a first answer does)
    for round_ in range(args.rounds):
        for policy in policies:
            results[(policy, "quiet")].append(in_a_row(policy))
            with Burner():
                results[(policy, "burner")].append(in_a_row(policy))
            if args.training:
                with TrainingLoop(training_copy, train_team, warm_s=8.0) as loop:
                    began = time.perf_counter()
                    results[(policy, "training")].append(in_a_row(policy))
                    ended = time.perf_counter()
                alone, during = loop.rate(began - 6.0, began), loop.rate(began, ended)
                slowdown[policy].append(during / alone if alone else float("nan"))
                print(f"  round {round_ + 1} {policy}: training loop {alone:.2f} steps/s alone, "
                      f"{during:.2f} beside the answer")
        print(f"  round {round_ + 1}: " + ", ".join(
            f"{p}/{c} " + "/".join(f"{v:.1f}" for v in results[(p, c)][-1]) for p, c in results))
    os.environ.pop(threads.ENV_OVERRIDE, None)
    report(args, cores, policies, conditions, results, slowdown, threads.decode_chooser(loaded.model))
    return 0


def report(args, cores, policies, conditions, results, slowdown, chooser) -> None:
    settled = {key: median([row[-1] for row in rows]) for key, rows in results.items()}
    first = {key: median([row[0] for row in rows]) for key, rows in results.items()}
    print(f"usable cores: {cores}  {load_average()}  tokens: {args.tokens}  answers in a row: {args.answers}"
          f"  model: {'bundled' if args.bundled else 'gpt2-124m float32'}")
    for policy, team in policies.items():
        name = f"{team} thread{'s' if team > 1 else ''}" if team else f"measured among {chooser.teams}"
        print(f"{policy} ({name}), settled / first: " + ", ".join(
            f"{c} {settled[(policy, c)]:.1f} / {first[(policy, c)]:.1f} tok/s" for c in conditions))
    print("app chooser: ms per token " + ", ".join(f"{t} threads {r * 1000:.1f}" for t, r in sorted(chooser.rates.items()))
          + f"; retries every {chooser.interval} windows now")
    figure("busy_core_ratio_torch_default", settled[("torch default", "burner")] / settled[("torch default", "quiet")])
    figure("busy_core_ratio_one_fewer", settled[("one fewer", "burner")] / settled[("one fewer", "quiet")])
    if args.training:
        figure("training_ratio_torch_default", settled[("torch default", "training")] / settled[("torch default", "quiet")])
        print(f"training_team: {args.training_team or 'app (fine_tune_threads)'}")
        figure("training_slowdown", median(slowdown["app"]))
        figure("training_ratio", settled[("app", "training")] / settled[("app", "quiet")])
    figure("quiet_speed_vs_torch_default", settled[("app", "quiet")] / settled[("torch default", "quiet")])
    figure("busy_core_ratio_on_change", first[("app", "burner")] / settled[("app", "quiet")])
    figure("quiet_team_speedup", settled[("app", "quiet")] / settled[("one fewer", "quiet")])
    figure("busy_core_ratio", settled[("app", "burner")] / settled[("app", "quiet")])


if __name__ == "__main__":
    raise SystemExit(main())
