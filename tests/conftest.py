"""Shared fixtures: every test gets its own data dir, settings and offline hub; the tiny
model is built once per session; the real offline model is converted once per session."""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import threading
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["HF_HUB_OFFLINE"] = "1"  # tests never reach for the network
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# Auto is Exact on every machine (core.precision.AUTO_ENV): a CPU with native bfloat16 read it as Fast, and
# figures a test compares to 1e-4 with float32's then differed (session 67's machine: 5 failures). Tests of
# Fast ask for it by name; the few of what Auto means there take ``auto_as_the_machine_reads_it``
os.environ["GPT2_DESK_AUTO_PRECISION"] = "exact"

from desktop_app.core.memory import collect_due, collects_elsewhere  # noqa: E402
from app_dirs import isolate_app_dirs  # noqa: E402
from tiny_model import build_tiny_model  # noqa: E402


def _patient_waits(factor: int = 4) -> None:
    """Every qtbot wait gets ``factor`` times its timeout. A wait returns as soon as its
    condition holds, so this costs nothing on a quiet machine; on a busy CI machine a window
    that needs 6 s instead of 5 no longer fails the run. No test expects a wait to time out."""
    import functools

    try:
        from pytestqt.qtbot import QtBot
    except ImportError:  # a machine without Qt (bench/gpu_suite.sh on a GPU box) runs the core tests alone
        return

    def patient(wait):
        @functools.wraps(wait)
        def waiting(self, *args, timeout: int = 5000, **kwargs):
            return wait(self, *args, timeout=timeout * factor if timeout > 0 else timeout, **kwargs)
        return waiting

    for name in ("waitUntil", "waitSignal", "waitSignals", "waitCallback", "waitExposed", "waitActive"):
        setattr(QtBot, name, patient(getattr(QtBot, name)))


_patient_waits()

from xdist_after_crash import install as _mend_xdist_after_crash  # noqa: E402

_mend_xdist_after_crash()


def pytest_collection_modifyitems(config, items):
    """Tests marked ``cuda`` run only where a CUDA GPU is (bench/gpu_suite.sh runs them there).
    (The in-process ``run_app`` tests used to be sorted last: gui/app.py's ``_exec`` mends why.)"""
    marked = [item for item in items if "cuda" in item.keywords]
    if not marked:
        return
    import torch

    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs a CUDA GPU")
    for item in marked:
        item.add_marker(skip)


@pytest.fixture
def auto_as_the_machine_reads_it(monkeypatch):
    """Auto as a person's start reads it: Fast where the CPU has native bfloat16 (the suite's is Exact)."""
    monkeypatch.delenv("GPT2_DESK_AUTO_PRECISION")


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path, monkeypatch):
    """Data, cache, logs and Qt settings of each test live in its own tmp folder."""
    return isolate_app_dirs(monkeypatch, tmp_path)


@pytest.fixture(autouse=True)
def unfreeze_heap_after_test():
    """The app sets long-lived objects aside from garbage collection (core.memory.settle_heap);
    between tests, give them back so one test's windows and models cannot outlive it."""
    import gc

    yield
    gc.unfreeze()


APP_THREADS = ("lane-", "hub-probe")  # the threads the app starts (gui/tasks.py, core/model_sources.py)
LEFTOVER_WAIT_S = 2.0  # a shut-down lane ends within a task's cancel check; a probe within its timeout
_collected_off_main: list[str] = []  # threads that ran a cycle collection once only the GUI thread may


def _note_collections_off_main(phase: str, _info: dict) -> None:
    """gc.callbacks: a collection started on a thread that is not the GUI thread, after a lane
    moved collecting to it (desktop_app/gui/collector.py): it frees widgets there, which killed a
    CI worker. Runs at every collection: one comparison on the GUI thread."""
    if phase == "start" and threading.current_thread() is not threading.main_thread() and collects_elsewhere():
        _collected_off_main.append(threading.current_thread().name)


gc.callbacks.append(_note_collections_off_main)


def _app_threads_left(before: set[threading.Thread]) -> list[str]:
    """The app's threads started since ``before`` and still running, each given a moment to end
    (joined: no timed sleep). One an earlier test left was reported there."""
    left = [t for t in threading.enumerate() if t.name.startswith(APP_THREADS) and t not in before]
    deadline = time.monotonic() + LEFTOVER_WAIT_S
    for thread in left:
        thread.join(max(0.0, deadline - time.monotonic()))
    return sorted(t.name for t in left if t.is_alive())


@pytest.fixture(autouse=True)
def app_threads_end_with_their_test():
    """A test ends with none of the app's threads running and with no cycle collected off the
    GUI thread: a lane left running (a window never closed, a TaskManager never shut down) goes
    on into the next tests of the worker, where its objects' ends once crashed one (CI:
    "Fatal Python error: Segmentation fault"). Cheap: one list of threads per test."""
    _collected_off_main.clear()
    before = set(threading.enumerate())
    yield
    collect_due()  # no timer fires between tests: collect what is due here, on the GUI thread
    off_main, left = sorted(set(_collected_off_main)), _app_threads_left(before)
    if off_main:
        pytest.fail(f"cycles were collected on {off_main}, not the GUI thread (desktop_app/gui/collector.py)")
    if left:
        pytest.fail(f"the test left the app's threads running: {left} (close its window, shut its lanes down)")


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("tiny-gpt2"))


@pytest.fixture(scope="session")
def session_paths(tmp_path_factory):
    from desktop_app.core.paths import AppPaths

    return AppPaths.resolve(tmp_path_factory.mktemp("session-appdata")).ensure()


@pytest.fixture(scope="session")
def tiny_model(tiny_model_dir, session_paths):
    """A loaded tiny GPT-2 (random weights, 128-token window) shared by the session, in float32
    (Exact): tests compare figures to 1e-4; the Fast precision has its own tests."""
    from desktop_app.core.models import open_model

    return open_model(str(tiny_model_dir), session_paths, device="cpu", precision="exact")


@pytest.fixture
def store(tmp_path):
    """An empty store (real SQLite) in the test's tmp folder, closed after the test. A test module
    that needs another (a patched setting, a store with ratings) defines its own ``store``."""
    from desktop_app.core.store import Store

    s = Store.open(tmp_path / "db.sqlite3")
    yield s
    s.close()


@pytest.fixture
def one_thread(monkeypatch):
    """Torch and the app's fine-tune on one thread, for a test that compares two runs digit for
    digit: a run chooses its team by measured speed (core.threads.TeamChooser, at most
    ``OMP_NUM_THREADS`` threads), and another team sums in another order (a CI's two runs differed
    in the 8th digit). Torch's own team is put back after the test."""
    import torch

    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _shared_cache_dir(tmp_path_factory) -> Path:
    # Converting the bundled GGUF takes ~25 s: reuse one conversion per run, and across runs when
    # GPT2_DESK_TEST_CACHE points at a folder (CI sets none: one conversion per run). Under
    # pytest-xdist the run's workers share one folder (their base folders' parent, this run's alone),
    # so CI's two workers convert once between them, not once each.
    fixed = os.environ.get("GPT2_DESK_TEST_CACHE")
    if fixed:
        return Path(fixed)
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = tmp_path_factory.getbasetemp().parent / "bundled-cache"
        shared.mkdir(exist_ok=True)
        return shared
    return tmp_path_factory.mktemp("bundled-cache")


@contextlib.contextmanager
def _alone_in(folder: Path):
    """One process at a time in ``folder`` (an OS file lock): the workers that share a conversion wait
    for the one converting, then find it done, instead of each converting its own."""
    import fcntl

    with open(folder / ".converting.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(scope="module")
def tiny_gguf(tmp_path_factory, tiny_model_dir):
    """A tiny Llama as an f16 GGUF file, as llama.cpp's tools write one: converted in a second, as the
    bundled model is in minutes (one per test module, as the modules made their own)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from desktop_app.core.gguf_export import write_gguf
    from tiny_model import build_tiny_llama

    folder = tmp_path_factory.mktemp("tiny-gguf")
    llama = build_tiny_llama(folder / "llama", tiny_model_dir)
    path = folder / "tiny.gguf"
    write_gguf(AutoModelForCausalLM.from_pretrained(llama), AutoTokenizer.from_pretrained(llama), llama, path,
               quant="f16", pre_tokenizer="smollm")
    return path


@pytest.fixture(scope="session")
def bundled_model_dir(tmp_path_factory) -> Path:
    """The real offline model (SmolLM2-135M-Instruct) converted to a safetensors folder."""
    from desktop_app.core.gguf_conversion import convert_gguf
    from desktop_app.core.model_sources import bundled_gguf_path
    from desktop_app.core.paths import AppPaths

    import dataclasses

    folder = _shared_cache_dir(tmp_path_factory)
    paths = AppPaths.resolve(folder).ensure()
    paths = dataclasses.replace(paths, shared_cache_dir=paths.cache_dir)  # this folder, not the user's cache
    with _alone_in(folder):
        return convert_gguf(bundled_gguf_path(), paths)


@pytest.fixture(scope="session")
def bundled_model(bundled_model_dir, session_paths):
    from desktop_app.core.models import open_model

    return open_model(str(bundled_model_dir), session_paths, device="cpu", precision="exact")


@pytest.fixture
def run_cli(tiny_model_dir, capsys):
    """``run_cli(*argv)``: ``gpt2-desk`` on the tiny model (the command first, then --model and --device, then the
    rest); returns (exit code, stdout, stderr)."""
    from desktop_app.cli import main

    def run(*argv: str) -> tuple[int, str, str]:
        code = main([*argv[:1], "--model", str(tiny_model_dir), "--device", "cpu", *argv[1:]])
        said = capsys.readouterr()
        return code, said.out, said.err

    return run


@pytest.fixture
def cli_saved_answer(tiny_model_dir, capsys):
    """``cli_saved_answer(*options)``: ``gpt2-desk generate --save`` on the tiny model (4 tokens, seed 3,
    ``options`` added); returns the stored answer's sampling settings, as read back from the store."""
    import json

    from desktop_app.cli import main
    from desktop_app.core.paths import AppPaths
    from desktop_app.core.store import Store

    def answer(*options: str) -> dict:
        assert main(["generate", "--model", str(tiny_model_dir), "--device", "cpu", "--json", "--max-new-tokens", "4",
                     "--seed", "3", *options, "--save", "Hi"]) == 0
        out = json.loads(capsys.readouterr().out)
        store = Store.open(AppPaths.resolve().db_path)
        try:
            return store.get_message(out["message_id"])["settings"]
        finally:
            store.close()

    return answer
