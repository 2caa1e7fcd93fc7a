"""Thread-count policy: a free core is always left, and a team size stays on its own thread."""

from __future__ import annotations

import threading
import time
import weakref

import pytest
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


# -- the answers' team, chosen by measured tokens/s


@pytest.fixture
def two_cores(monkeypatch):
    """A 2-core machine as the app sees it, with no choice remembered from other tests."""
    monkeypatch.setattr(threads, "usable_cores", lambda: 2)
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    monkeypatch.delenv(threads.ENV_OVERRIDE, raising=False)
    monkeypatch.setattr(threads, "_decode_choosers", weakref.WeakKeyDictionary())


def test_the_decode_chooser_takes_the_faster_team_and_backs_off():
    chooser = threads.DecodeTeamChooser(cores=2, explore_every=3)
    assert chooser.teams == (1, 2) and chooser.best() == threads.decode_threads(2)
    picks = []
    for _ in range(12):  # a quiet machine: a token takes 30 ms on 2 threads, 50 on 1
        team = chooser.team()
        picks.append(team)
        chooser.record(team, 0.12 if team == 2 else 0.20, 4)
    # both tried once (one thread first), then the faster; the 3rd choice retries the other,
    # which confirms, so the next retry waits twice as long (6 choices)
    assert picks == [1, 2, 2, 2, 1, 2, 2, 2, 2, 2, 1, 2]
    assert chooser.best() == 2
    # the machine becomes busy: the 2-thread team collapses and the next window leaves it
    chooser.record(chooser.team(), 1.0, 4)
    assert chooser.best() == 1 and chooser.team() == 1
    # a machine with cores to spare beside the capped team has nothing to choose from
    assert threads.DecodeTeamChooser(cores=8).teams == (threads.MAX_DECODE_THREADS,) * 2


def test_a_window_on_a_collapsed_team_ends_after_one_token():
    chooser = threads.DecodeTeamChooser(cores=2)
    chooser.rates = {2: 0.01, 1: 0.02}  # 2 threads known faster
    with threads.AnswerTeam(chooser, window=4) as team:
        assert team.team == 2 and torch.get_num_threads() == 2
        team.restart()
        time.sleep(0.05)  # one token more than twice as slow as the 1-thread team's
        team.tick()
        assert team.team == 1 and torch.get_num_threads() == 1
    assert chooser.rates[2] > chooser.rates[1]


def test_the_override_pins_the_answers_team(two_cores, monkeypatch):
    monkeypatch.setenv(threads.ENV_OVERRIDE, "2")
    assert threads.answer_team(object()).chooser is None
    with threads.answer_team(object()) as team:
        assert torch.get_num_threads() == 2
        for _ in range(10):
            team.tick()
            assert team.team == 2
    assert threads.answer_team(object(), measured=False).chooser is None  # a compiled step keeps its team


def _answer(tiny_model, tokens: int = 40):
    """A seeded sampled answer; with the thread team seen at every token (the generator runs
    on the consuming thread, so its team is the answer's)."""
    from desktop_app.core.generation import Generation, SamplingSettings

    gen = Generation(tiny_model, [1, 2, 3], SamplingSettings(max_new_tokens=tokens, seed=7, top_k=0, top_p=0.9),
                     fast=False)
    teams = [torch.get_num_threads() for _record in gen]
    return gen, teams


def test_answers_explore_once_and_remember_the_team(two_cores, tiny_model):
    gen, teams = _answer(tiny_model)
    chooser = threads.decode_chooser(tiny_model.model)
    assert set(chooser.rates) == {2, 1} and set(teams) == {2, 1}
    assert teams[0] == 1  # the first window tries one core fewer, the next every core
    best, chosen = chooser.best(), chooser.chosen
    chooser.next_retry = chooser.chosen + 100  # no retry due in the next answer
    _gen, later = _answer(tiny_model)
    assert later[0] == best  # starts on the team found faster: no exploration again
    assert chooser.chosen > chosen


def test_answers_during_a_fine_tune_keep_one_core_free(two_cores, tiny_model):
    with threads.fine_tuning():
        _gen, teams = _answer(tiny_model)
        assert set(teams) == {threads.decode_threads()} == {1}
        assert threads.fine_tune_threads() == 2  # no answer now: the fine-tune may take both
    assert not threads.decode_chooser(tiny_model.model).rates  # nothing measured meanwhile


def test_seeded_answers_are_the_same_on_every_team(two_cores, tiny_model, monkeypatch):
    monkeypatch.setenv(threads.ENV_OVERRIDE, "1")
    one, _ = _answer(tiny_model)
    monkeypatch.setenv(threads.ENV_OVERRIDE, "2")
    two, teams = _answer(tiny_model)
    monkeypatch.delenv(threads.ENV_OVERRIDE)
    chosen, switching = _answer(tiny_model)
    assert set(teams) == {2} and set(switching) == {1, 2}
    ids = [r.id for r in one.records]
    assert len(ids) == 40
    for other in (two, chosen):
        assert [r.id for r in other.records] == ids
        assert max(abs(a.logprob - b.logprob) for a, b in zip(one.records, other.records)) < 1e-5


def test_a_fine_tune_that_starts_mid_answer_gets_its_core_at_the_next_token():
    chooser = threads.DecodeTeamChooser(cores=2)
    chooser.rates = {2: 0.01, 1: 0.02}
    with threads.AnswerTeam(chooser) as team:
        assert team.team == 2
        with threads.fine_tuning():
            team.tick()
            assert team.team == threads.decode_threads(2) == torch.get_num_threads() == 1
    assert chooser.rates == {2: 0.01, 1: 0.02}  # nothing measured beside the fine-tune
