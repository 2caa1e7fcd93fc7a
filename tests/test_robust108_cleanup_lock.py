"""A fine-tune started while the start-up cleanup holds the training lock (for a few milliseconds) waits
for the cleanup, instead of being told "a fine-tune is running" (robust108); one started while a real run
holds it is still refused at once. The real lock (flock on the data folder's lock file: each open of it is
another lock, as in another process) and real threads."""

from __future__ import annotations

import threading

import pytest

from desktop_app.core.adapters import CLEANUP_HOLDER, AdapterError, training_lock
from desktop_app.core.paths import AppPaths
from desktop_app.core.training import TrainingBusyError


def _start_in_a_thread(paths) -> tuple[threading.Thread, list]:
    """A fine-tune's start (its lock, as core.training takes it) in a thread; what it got lands in the list."""
    outcome: list = []

    def start():
        try:
            with training_lock(paths, TrainingBusyError):
                outcome.append("locked")
        except TrainingBusyError as exc:
            outcome.append(str(exc))

    thread = threading.Thread(target=start)
    thread.start()
    return thread, outcome


def test_a_fine_tune_started_during_the_start_up_cleanup_waits_for_it(tmp_path):
    paths = AppPaths.resolve(tmp_path / "d").ensure()
    with training_lock(paths, holder=CLEANUP_HOLDER):
        thread, outcome = _start_in_a_thread(paths)
        thread.join(0.5)  # the start tries while the cleanup holds the lock
    thread.join()
    assert outcome == ["locked"], "a cleanup's lock is waited for, not taken for a running fine-tune"
    assert not (paths.adapters_dir / ".training.lock").exists()


def test_a_fine_tune_started_during_a_run_is_refused_and_a_cleanup_does_not_wait(tmp_path):
    paths = AppPaths.resolve(tmp_path / "d").ensure()
    with training_lock(paths):
        thread, outcome = _start_in_a_thread(paths)
        thread.join()  # no wait for a run: refused while it still holds the lock
        assert outcome == ["Another fine-tune is already running on this data folder."]
        with pytest.raises(AdapterError, match="already running"):
            with training_lock(paths, holder=CLEANUP_HOLDER):
                pass
