"""A first start with a fresh HOME against a later one, where its time goes: the bundled model
converted into the account's cache (each part of the conversion), or the install's converted copy
checked (core/install_copy.py), then the load and the first token of a first answer.

Each case is a fresh process with its own HOME (no data folder, no cache), the model chosen as the
app chooses it offline (the bundled model), on the CPU, as the window's model lane loads it:
    cold_user      a fresh HOME, no install copy: the conversion at the first start (as before)
    warm_user      the same HOME started again
    cold_install   a fresh HOME, with the install's copy (made first by this run, timed as "install")
    warm_install   the same HOME started again
Prints each case's stages (seconds from the process start) and the lines
    cold_vs_warm_user: X          (a first start's time / a later start's, without an install copy)
    cold_vs_warm_install: Y       (the same with the install's copy)
    cold_install_vs_cold_user: Z  (a first start with the copy / without it)
and the same ratios of the CPU seconds (``_cpu``), steadier than the wall time on a shared machine.

    taskset -c 0 nice -n 5 python bench/first_start.py [--rounds 1]

``--before CHECKOUT``: each round also starts the code of another checkout (e.g. a worktree of the commit
before), cold and warm, and prints ``cold_install_vs_cold_before`` and ``cold_user_vs_cold_before``.

``--conversion``: instead, the bundled GGUF's conversion alone, its header read through plain ndarray views
(now) and through np.memmap slices (before), alternating in fresh processes: ``conversion_cpu_ratio``
(now / before) and whether the converted files are byte-identical.

``--install``: instead, packaging/install.sh's model steps in fresh HOMEs, before (``models --prepare``:
the default model converted into the installing account's cache and loaded) and after (``models
--install-copy`` then ``models --prepare``), and ``install_after_vs_before``; with ``--before``, the
"before" step runs that checkout's code.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

from _common import ROOT, figure, load_average, median

START = r"""
import sys, time
T0 = float(sys.argv[1])
def mark(name):
    print(f"{name}\t{time.time() - T0:.3f}\t{time.process_time():.3f}", flush=True)
mark("interpreter")
from desktop_app.core.paths import AppPaths
from desktop_app.core.models import load_model
from desktop_app.core.model_sources import resolve_spec
from desktop_app.core.generation import Generation, SamplingSettings
from desktop_app.core.prompts import Turn, build_prompt
import torch, transformers
mark("imports")
seen = set()
def progress(stage, done, total):
    part = stage.split(" \u00b7 ")[-1] if " \u00b7 " in stage else " ".join(stage.split()[:2])
    if part not in seen:
        seen.add(part)
        mark(part)
paths = AppPaths.resolve().ensure()
loaded = load_model(resolve_spec(None), paths, device="cpu", progress=progress)
mark("model ready")
prompt = build_prompt(loaded.tokenizer, [Turn("user", "Hello!")], max_new_tokens=4)
generation = Generation(loaded, prompt.ids, SamplingSettings(max_new_tokens=4, seed=1))
next(iter(generation))
mark("first token")
"""


CONVERT = r"""
import hashlib, sys, tempfile, time
from pathlib import Path
import torch, transformers  # imported before the clock starts, as the app's load has them
from desktop_app.core import gguf_conversion
from desktop_app.core.model_sources import bundled_gguf_path
if sys.argv[1] == "memmap":  # as before: gguf's reader slicing its np.memmap
    gguf_conversion._plain_view_reader = lambda reader_class: reader_class
target = Path(tempfile.mkdtemp(prefix="first-start-convert-")) / "out"
begin = time.process_time()
gguf_conversion.convert_into(bundled_gguf_path(), target)
print(f"cpu\t{time.process_time() - begin:.3f}")
digest = hashlib.sha256(b"".join(hashlib.sha256(f.read_bytes()).digest() for f in sorted(target.iterdir())))
print(f"files\t{digest.hexdigest()}")
import shutil
shutil.rmtree(target.parent)
"""


def conversions(rounds: int) -> int:
    """The bundled GGUF's conversion with the header read through plain views (now) and through
    np.memmap slices (before), alternating in fresh processes: CPU seconds and whether the files match."""
    cpu: dict[str, list[float]] = {"plain": [], "memmap": []}
    digests = set()
    env = dict(os.environ, HF_HUB_OFFLINE="1", PYTHONPATH=str(ROOT))
    for _ in range(rounds):
        for variant in cpu:
            out = subprocess.run([sys.executable, "-c", CONVERT, variant], cwd=ROOT, env=env, text=True,
                                 capture_output=True, timeout=900, check=True).stdout
            marks = dict(line.split("\t") for line in out.splitlines() if line.count("\t") == 1)
            cpu[variant].append(float(marks["cpu"]))
            digests.add(marks["files"])
            print(f"{variant}: conversion CPU {float(marks['cpu']):.2f} s", flush=True)
    figure("conversion_cpu_plain_s", median(cpu["plain"]))
    figure("conversion_cpu_memmap_s", median(cpu["memmap"]))
    figure("conversion_cpu_ratio", median(cpu["plain"]) / median(cpu["memmap"]))
    print(f"files identical: {len(digests) == 1}")
    return 0 if len(digests) == 1 else 1


def start(home: str, install_dir: str, code=ROOT) -> list[tuple[str, float, float]]:
    """One app start in a fresh process with ``home``, on the checkout ``code``: its marks (name, wall s, CPU s)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("XDG_", "GPT2_DESK_")) and k != "PYTHONPATH"}
    env.update(HOME=home, GPT2_DESK_INSTALL_COPY=install_dir, HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false",
               PYTHONPATH=str(code))
    out = subprocess.run([sys.executable, "-c", START, str(time.time())], cwd=code, env=env, text=True,
                         capture_output=True, timeout=900)
    if out.returncode:
        print(out.stderr[-3000:])
        raise SystemExit(f"a start failed ({out.returncode})")
    return [(name, float(wall), float(cpu)) for name, wall, cpu in
            (line.split("\t") for line in out.stdout.splitlines() if line.count("\t") == 2)]


def gpt2_desk(install_dir: str, home: str, *commands: list[str], code=ROOT) -> tuple[float, float]:
    """``gpt2-desk`` (the checkout ``code``'s) run with each of ``commands`` in turn, as packaging/install.sh
    runs it: the wall and CPU seconds of them all."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "GPT2_DESK_"))}
    env.update(GPT2_DESK_INSTALL_COPY=install_dir, HF_HUB_OFFLINE="1", PYTHONPATH=str(code), HOME=home)
    begin, cpu = time.time(), _children_cpu()
    for command in commands:
        subprocess.run([sys.executable, "-m", "desktop_app", *command], cwd=code, env=env, check=True,
                       capture_output=True, timeout=900)
    return time.time() - begin, _children_cpu() - cpu


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def install_steps(workdir: str, code_before=ROOT) -> dict[str, tuple[float, float]]:
    """install.sh's model steps, before (the default model prepared in the installing account's cache, by
    ``code_before``) and after (the install's copy made, then the default model prepared from it)."""
    before = gpt2_desk(os.path.join(workdir, "none"), tempfile.mkdtemp(dir=workdir), ["models", "--prepare"],
                       code=code_before)
    print(f"install before (models --prepare): {before[0]:.2f} s, CPU {before[1]:.2f} s", flush=True)
    after = gpt2_desk(os.path.join(workdir, "copy"), tempfile.mkdtemp(dir=workdir), ["models", "--install-copy"],
                      ["models", "--prepare"])
    print(f"install after (models --install-copy, models --prepare): {after[0]:.2f} s, CPU {after[1]:.2f} s",
          flush=True)
    return {"install_before": before, "install_after": after}


def show(case: str, marks: list[tuple[str, float, float]]) -> tuple[float, float]:
    """Print a case's stages, each with the seconds it took; returns the wall and CPU seconds to the first
    token (on a shared machine the CPU seconds are the steadier figure)."""
    print(f"{case}:")
    previous = 0.0
    for name, wall, cpu in marks:
        print(f"   {name:<40} at {wall:7.2f} s  (+{wall - previous:6.2f} s, CPU {cpu:7.2f} s)")
        previous = wall
    print(flush=True)
    return next((wall, cpu) for name, wall, cpu in marks if name == "first token")


def one_round(workdir: str, before: str | None = None) -> dict[str, float]:
    """The four starts, the install copy made between the user's and the install's; with ``before`` (a
    checkout of the code before), first its own cold and warm starts."""
    none, install = os.path.join(workdir, "no-install-copy"), os.path.join(workdir, "install-copy")
    homes = {case: tempfile.mkdtemp(prefix=f"{case}-", dir=workdir) for case in ("user", "install", "before")}
    seconds = {}
    if before:
        seconds["cold_before"] = show("cold_before", start(homes["before"], none, before))
        seconds["warm_before"] = show("warm_before", start(homes["before"], none, before))
    for case, home, install_dir in (("cold_user", homes["user"], none), ("warm_user", homes["user"], none),
                                    ("install", None, install), ("cold_install", homes["install"], install),
                                    ("warm_install", homes["install"], install)):
        if home is None:
            seconds["install"] = gpt2_desk(install_dir, tempfile.mkdtemp(dir=workdir), ["models", "--install-copy"])
            print(f"install step (gpt2-desk models --install-copy): {seconds['install'][0]:.2f} s, "
                  f"CPU {seconds['install'][1]:.2f} s", flush=True)
        else:
            seconds[case] = show(case, start(home, install_dir))
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--install", action="store_true",
                        help="instead, install.sh's model steps before and after: install_after_vs_before")
    parser.add_argument("--before", metavar="CHECKOUT",
                        help="also the cold and warm starts of another checkout (the code before), side by side")
    parser.add_argument("--conversion", action="store_true",
                        help="instead, the conversion alone, header read through plain views / np.memmap slices")
    args = parser.parse_args()
    print(load_average())
    if args.conversion:
        return conversions(args.rounds)
    rounds = []
    for _ in range(args.rounds):
        workdir = tempfile.mkdtemp(prefix="first-start-")
        try:
            rounds.append(install_steps(workdir, args.before or ROOT) if args.install else one_round(workdir, args.before))
        finally:
            shutil.rmtree(workdir, ignore_errors=True)  # ~1 GB a round
    for index, unit in ((0, ""), (1, "_cpu")):  # wall seconds, then CPU seconds
        cases = {case: median([r[case][index] for r in rounds]) for case in rounds[0]}
        for case, value in cases.items():
            figure(f"{case}{unit}_s", value)
        if args.install:
            figure(f"install_after_vs_before{unit}", cases["install_after"] / cases["install_before"])
            continue
        figure(f"cold_vs_warm_user{unit}", cases["cold_user"] / cases["warm_user"])
        figure(f"cold_vs_warm_install{unit}", cases["cold_install"] / cases["warm_install"])
        figure(f"cold_install_vs_cold_user{unit}", cases["cold_install"] / cases["cold_user"])
        if args.before:
            figure(f"cold_install_vs_cold_before{unit}", cases["cold_install"] / cases["cold_before"])
            figure(f"cold_user_vs_cold_before{unit}", cases["cold_user"] / cases["cold_before"])
    print(load_average())
    return 0


if __name__ == "__main__":
    sys.exit(main())
