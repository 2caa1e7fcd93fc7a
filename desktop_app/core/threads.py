"""Intra-op thread counts that hold up on a shared or busy CPU.

PyTorch splits each operation over an OpenMP team and waits for the whole team at the end
of it. When one of the team's threads shares its core with another busy process (or with
the fine-tune running in this same process), every operation waits for the slowest thread
and decoding collapses: measured on 2 cores with a CPU burner on one of them, two threads
gave 4 tokens/s where one gave 22 (bench/busy_cores.py). Decoding a small model is bound by
per-token latency, not arithmetic, so a team smaller than the machine costs little when the
machine is quiet and keeps a free core for everything else when it is not.

OpenMP's team size is a per-thread setting (``omp_set_num_threads`` acts on the calling
thread, and so does ``mkl_set_num_threads_local``, which ``torch.set_num_threads`` uses):
``limited`` sets it for the calling thread only while the work runs, so an answer on one
thread and a fine-tune on another each keep their own team.
"""

from __future__ import annotations

import contextlib
import os
from typing import Iterator

ENV_OVERRIDE = "GPT2_DESK_THREADS"  # a person who knows their machine can pin the decode team
MAX_DECODE_THREADS = 4  # past this, per-op synchronisation costs more than a 135M model gains


def usable_cores() -> int:
    """Cores this process may run on (its affinity mask, e.g. under taskset or a container)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def decode_threads(cores: int | None = None) -> int:
    """The team for answering, one token at a time: one core always left for other work.
    (Scoring whole texts keeps torch's team: its products are large, so it gains from every
    core, and the fine-tune's measuring and re-scoring phases use it.)

    ``GPT2_DESK_THREADS=N`` overrides it (N >= 1)."""
    override = os.environ.get(ENV_OVERRIDE, "").strip()
    if override.isdigit() and int(override) >= 1:
        return int(override)
    cores = usable_cores() if cores is None else cores
    return max(1, min(MAX_DECODE_THREADS, cores - 1))


def training_threads(cores: int | None = None) -> int:
    """The team for a fine-tune that may run while answers stream: the cores decoding leaves."""
    cores = usable_cores() if cores is None else cores
    return max(1, cores - decode_threads(cores))


@contextlib.contextmanager
def limited(threads: int) -> Iterator[int]:
    """Run the body with an intra-op team of ``threads`` on the calling thread; restore after."""
    import torch

    before = torch.get_num_threads()
    if threads == before:
        yield threads
        return
    torch.set_num_threads(threads)
    try:
        yield threads
    finally:
        torch.set_num_threads(before)
