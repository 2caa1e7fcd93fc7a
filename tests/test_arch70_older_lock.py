"""A fine-tune started while an older version of the app runs one on the same data folder: that run holds the
training lock and never writes its name in the lock file, so the start took it for the start-up cleanup and
waited CLEANUP_WAIT_S (5 s) before saying another fine-tune was running (arch70). It says so after a moment now;
the waits that are needed stay: for the cleanup (robust108) and for a run that is ending (it removes the file,
still locked). The real lock (flock: each open of the file is another lock, as in another process)."""

from __future__ import annotations

import time
import types

import pytest

fcntl = pytest.importorskip("fcntl")  # (Windows has no advisory lock: nothing waits there)

from desktop_app.core import adapter_files  # noqa: E402
from desktop_app.core.adapters import (  # noqa: E402
    CLEANUP_HOLDER, CLEANUP_WAIT_S, LOCK_FILE, RUN_HOLDER, UNNAMED_WAIT_S, training_lock)
from desktop_app.core.paths import AppPaths  # noqa: E402
from desktop_app.core.training import TrainingBusyError  # noqa: E402

NAP_S = 0.02  # adapter_files._locked_file's nap between two tries


def _held_lock(paths, name: str):
    """The lock file opened and locked as another process's holder that wrote ``name`` ("": an older version)."""
    handle = open(paths.adapters_dir / LOCK_FILE, "a+")
    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    handle.write(name)
    handle.flush()
    return handle


def test_an_older_versions_run_is_said_at_once_not_after_the_cleanups_wait(tmp_path, monkeypatch):
    paths = AppPaths.resolve(tmp_path / "d").ensure()
    paths.adapters_dir.mkdir(parents=True, exist_ok=True)  # (a run makes it; the lock file lives there)
    naps: list[float] = []
    clock = types.SimpleNamespace(monotonic=time.monotonic, sleep=lambda s: naps.append(s) or time.sleep(s))
    monkeypatch.setattr(adapter_files, "time", clock)  # (real naps, counted: the start naps only while it waits)
    older = _held_lock(paths, "")
    try:
        with pytest.raises(TrainingBusyError, match="Another fine-tune is already running"):
            with training_lock(paths, TrainingBusyError):
                pass
    finally:
        older.close()
    assert sum(naps) <= UNNAMED_WAIT_S + NAP_S < CLEANUP_WAIT_S, "it waited as if the cleanup held the lock"


def test_the_wait_stays_for_the_cleanup_and_for_a_run_that_is_ending(tmp_path):
    paths = AppPaths.resolve(tmp_path / "d").ensure()
    paths.adapters_dir.mkdir(parents=True, exist_ok=True)  # (a run makes it; the lock file lives there)
    path = paths.adapters_dir / LOCK_FILE
    for name, patience in ((RUN_HOLDER, 0.0), (CLEANUP_HOLDER, CLEANUP_WAIT_S), ("", UNNAMED_WAIT_S)):
        path.write_text(name)
        assert adapter_files._patience(path, CLEANUP_WAIT_S) == patience, name
        assert adapter_files._patience(path, 0.0) == 0.0, "the start-up cleanup waits for nothing"
    path.unlink()  # a run that ends removes the file while it still holds its lock: a start that found it so waits
    assert adapter_files._patience(path, CLEANUP_WAIT_S) == CLEANUP_WAIT_S
