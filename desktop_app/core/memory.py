"""Memory habits of a long-running process holding a model.

Garbage collection: torch, transformers and Qt leave ~200k objects after import and a
loaded model ~170k more. A full (generation 2) cycle collection walks all of them, which
measured 210-420 ms here, and it runs on whichever thread allocates, holding the GIL: a
visible stall of the window at a random moment. ``settle_heap`` (gc.freeze) moves what is
alive after start-up and after a model load out of the collector's sight, so later
collections walk only what came since. Reference counting still frees what is frozen, but
not garbage cycles, and a model can hang from one (transformers' first ``from_pretrained``
in a process leaves a caught exception whose traceback holds the loading frames): a model
that is replaced is set free with ``sweep_heap(including_settled=True)``. Loading (above all
converting a GGUF file) makes so many long-lived objects that the collector ran ~36 full
passes of 200-400 ms during one conversion, each of them a stall: ``collection_paused``.

Large buffers: glibc keeps freed heap memory for reuse; with the [batch, tokens, vocabulary] buffers of
training that parks gigabytes in the process after each step (measured: GPT-2 124M at
batch 8 on a CPU peaked at 4.4 GB and stayed at 3.8 GB). Serving allocations of 1 MiB and
more with mmap returns them on free: the same run peaks at 2.9 GB and rests at 1.4 GB.

Which thread collects: a collection frees the objects of a garbage cycle on the thread that runs
it, and a Qt widget in one (a closed dialog whose slots point back at it) is destroyed there.
PySide6 runs its C++ destructor on that thread: off the GUI thread its timers stay registered
with the GUI's event loop and fire into freed memory (a segfault), and a visible one waits for
the GUI thread in ``QWindow::close`` (a deadlock). Once a window has threads of its own
(gui/collector.py, before its first lane starts), ``collect_only_on_this_thread`` turns the
automatic collector off; the GUI thread collects with ``collect_due`` on a timer, and a sweep
asked for on another thread (a replaced model freed on the model lane) is handed to it.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import logging
import sys
import threading
from typing import Callable

log = logging.getLogger(__name__)

M_MMAP_THRESHOLD = -3  # glibc malloc.h
LARGE_ALLOCATION = 1 << 20
_done = False
_home: threading.Thread | None = None  # the one thread that collects cycles (a GUI's); None: any thread
_hand_over: Callable[[Callable[[], object]], None] | None = None  # runs a function on ``_home``


def return_large_allocations_to_os() -> bool:
    global _done
    if _done or not sys.platform.startswith("linux"):
        return _done
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        _done = bool(libc.mallopt(M_MMAP_THRESHOLD, LARGE_ALLOCATION))
    except (OSError, AttributeError) as exc:  # musl and others have no mallopt
        log.info("mallopt unavailable: %s", exc)
    return _done


def trim_heap() -> bool:
    """Hand the heap's free pages back to the system now (glibc's malloc_trim): what the
    threshold above leaves in the heap (blocks under 1 MiB, tens of thousands of them during a
    fine-tune) and every thread's arena keep their freed pages otherwise. False where there is
    no glibc."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError) as exc:
        log.info("malloc_trim unavailable: %s", exc)
        return False
    return True


@contextlib.contextmanager
def trimmed_after():
    """``trim_heap`` when the block ends, however it ends: for work that takes and frees hundreds
    of MB at once and is over for a while after ("Why this token?" on the bundled model: its
    passes' and widened weights' pages, 0.8 GB, stayed in the process until the next fine-tune)."""
    try:
        yield
    finally:
        trim_heap()


def settle_heap() -> None:
    """Keep every object alive now out of later garbage collections (after start-up and
    after a model load: these live as long as the model does)."""
    gc.freeze()


def sweep_heap(*, including_settled: bool = False, trim: bool = False) -> int:
    """Collect garbage cycles now, at a moment we choose (e.g. a dropped training copy of a
    model, hundreds of MB). including_settled: also what settle_heap set aside (a replaced
    model), then set aside again what is still alive. trim: ``trim_heap`` after it. Returns
    the objects collected; 0 where it was handed to the collecting thread (it runs there soon)."""
    def sweep() -> int:
        if including_settled:
            gc.unfreeze()
        collected = gc.collect()
        if including_settled:
            gc.freeze()
        if trim:
            trim_heap()
        return collected

    if _home is not None and threading.current_thread() is not _home:
        _hand_over(sweep)
        return 0
    return sweep()


def collect_only_on_this_thread(hand_over: Callable[[Callable[[], object]], None]) -> None:
    """From now on only the calling thread collects cycles (see the module's docstring): the
    automatic collector is off, ``collect_due`` is to be called on this thread now and then, and
    ``hand_over(fn)`` must run ``fn`` on it later (a sweep asked for elsewhere)."""
    global _home, _hand_over
    _home, _hand_over = threading.current_thread(), hand_over
    gc.disable()


def collects_elsewhere() -> bool:
    """Whether a thread of its own collects cycles, not whichever thread allocates."""
    return _home is not None


def collect_due() -> int:
    """On the collecting thread: what the automatic collector would have done by now, the oldest
    generation whose count passed its threshold (the younger ones with it). Returns the objects
    collected (0 on another thread, or with no collecting thread: the automatic one works)."""
    if _home is None or threading.current_thread() is not _home:
        return 0
    gc.disable()  # again: something (a test, a library) may have turned it back on
    counts, thresholds = gc.get_count(), gc.get_threshold()
    due = [generation for generation in range(3) if counts[generation] > thresholds[generation]]
    return gc.collect(due[-1]) if due else 0  # the oldest one due, the younger with it


@contextlib.contextmanager
def collection_paused(*, settle_after: bool = False):
    """No automatic cycle collection inside (it finds nothing while a model is being built,
    and every pass stalls all threads); reference counting frees memory as usual.
    settle_after: settle_heap() before collection resumes, so the first pass after a load
    does not walk everything the load made."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if settle_after:
            settle_heap()
        if was_enabled and _home is None:  # a window that took collecting to its thread meanwhile keeps it
            gc.enable()
