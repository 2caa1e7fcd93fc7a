"""Thread-count policy: a free core is always left, and a team size stays on its own thread."""

from __future__ import annotations

import threading

import torch

from desktop_app.core import threads


def test_decoding_leaves_a_core_free_and_is_capped(monkeypatch):
    monkeypatch.delenv(threads.ENV_OVERRIDE, raising=False)
    assert threads.decode_threads(1) == 1
    assert threads.decode_threads(2) == 1
    assert threads.decode_threads(3) == 2
    assert threads.decode_threads(64) == threads.MAX_DECODE_THREADS
    assert threads.training_threads(2) == 1
    assert threads.training_threads(8) == 8 - threads.MAX_DECODE_THREADS


def test_the_override_wins_and_bad_values_are_ignored(monkeypatch):
    monkeypatch.setenv(threads.ENV_OVERRIDE, "3")
    assert threads.decode_threads(2) == 3
    monkeypatch.setenv(threads.ENV_OVERRIDE, "zero")
    assert threads.decode_threads(2) == 1
    monkeypatch.setenv(threads.ENV_OVERRIDE, "0")
    assert threads.decode_threads(2) == 1


def test_limited_sets_the_team_of_the_calling_thread_only_and_restores_it():
    seen = {}
    inside, release = threading.Event(), threading.Event()

    def other():
        seen["other_before"] = torch.get_num_threads()
        inside.wait()
        seen["other_during"] = torch.get_num_threads()
        release.set()

    worker = threading.Thread(target=other)
    worker.start()
    before = torch.get_num_threads()
    target = 1 if before != 1 else 2
    with threads.limited(target) as n:
        assert n == target and torch.get_num_threads() == target
        inside.set()
        release.wait()
    worker.join()
    assert torch.get_num_threads() == before
    assert seen["other_during"] == seen["other_before"]
