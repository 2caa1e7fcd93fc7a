"""Intra-op thread counts that hold up on a shared or busy CPU.

PyTorch splits each operation over an OpenMP team and waits for the whole team at the end
of it. When one of the team's threads shares its core with another busy process (or with
the fine-tune running in this same process), every operation waits for the slowest thread
and decoding collapses: measured on 2 cores with a CPU burner on one of them, two threads
gave 4 tokens/s where one gave 22 (bench/busy_cores.py). Decoding a small model is bound by
per-token latency, not arithmetic, so a team smaller than the machine keeps a free core for
everything else. On a quiet machine it does cost: a token's matrix products ran ~1.7x faster
on 2 threads than on 1 here. Neither the load nor the core count tells the two cases apart,
so answers measure it (DecodeTeamChooser, AnswerTeam): a few tokens on each team, then the
faster, retried now and then, remembered per model for the process; one core fewer while a
fine-tune runs in the process. The fine-tune's own team is chosen the same way (TeamChooser).

OpenMP's team size is a per-thread setting (``omp_set_num_threads`` acts on the calling
thread, and so does ``mkl_set_num_threads_local``, which ``torch.set_num_threads`` uses):
``limited`` sets it for the calling thread only while the work runs, so an answer on one
thread and a fine-tune on another each keep their own team.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
import weakref
from typing import Iterator

ENV_OVERRIDE = "GPT2_DESK_THREADS"  # a person who knows their machine can pin the decode team
MAX_DECODE_THREADS = 4  # past this, per-op synchronisation costs more than a 135M model gains


def usable_cores() -> int:
    """Cores this process may run on (its affinity mask, e.g. under taskset or a container)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def thread_budget() -> int:
    """Cores a fine-tune may use: usable_cores(), at most ``OMP_NUM_THREADS`` when that is set
    (a person, or a benchmark measuring CPU seconds, who asked for fewer threads gets them)."""
    cores = usable_cores()
    asked = os.environ.get("OMP_NUM_THREADS", "").strip()
    return max(1, min(cores, int(asked))) if asked.isdigit() and int(asked) >= 1 else cores


def _pinned_team() -> int | None:
    """N from ``GPT2_DESK_THREADS=N`` (N >= 1), else None."""
    override = os.environ.get(ENV_OVERRIDE, "").strip()
    return int(override) if override.isdigit() and int(override) >= 1 else None


def decode_threads(cores: int | None = None) -> int:
    """The safe team for answering, one token at a time: one core left for other work. An
    answer's team is measured between this and every core (DecodeTeamChooser); this is the
    team while a fine-tune runs, for a compiled step, and before anything was measured.
    (Scoring whole texts keeps torch's team: its products are large, so it gains from every
    core, and the fine-tune's measuring and re-scoring phases use it.)

    ``GPT2_DESK_THREADS=N`` overrides it (N >= 1)."""
    pinned = _pinned_team()
    if pinned:
        return pinned
    cores = usable_cores() if cores is None else cores
    return max(1, min(MAX_DECODE_THREADS, cores - 1))


def training_threads(cores: int | None = None) -> int:
    """The team for a fine-tune that may run while answers stream: the cores decoding leaves."""
    cores = usable_cores() if cores is None else cores
    return max(1, cores - decode_threads(cores))


class _RunningMark:
    """How many of one kind of work run in this process right now (answers, fine-tunes),
    marked by entering ``mark()`` around the work; read from any thread."""

    def __init__(self):
        self._count = 0
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def mark(self) -> Iterator[None]:
        with self._lock:
            self._count += 1
        try:
            yield
        finally:
            with self._lock:
                self._count -= 1

    def running(self) -> bool:
        return self._count > 0


_answers = _RunningMark()
_fine_tunes = _RunningMark()


def answering() -> contextlib.AbstractContextManager[None]:
    """Marks an answer being decoded, so that a fine-tune on another thread makes room for it."""
    return _answers.mark()


def answer_running() -> bool:
    return _answers.running()


def fine_tuning() -> contextlib.AbstractContextManager[None]:
    """Marks a fine-tune running, so that answers keep to decode_threads() meanwhile (the
    fine-tune takes the cores they leave, fine_tune_threads())."""
    return _fine_tunes.mark()


def fine_tune_running() -> bool:
    return _fine_tunes.running()


def fine_tune_threads(cores: int | None = None) -> int:
    """The fine-tune's team for its next step (or measuring phase), asked again each time:
    every core while no answer is being decoded in this process (a fine-tune alone on 2
    cores runs ~1.9x faster on 2 threads than on 1), the cores decoding leaves while one is
    (a team that shares a core with the answer's thread collapses both: every operation
    waits for its slowest thread). An answer that starts mid-step waits at most for that
    step to end; the team is only ever changed between steps. bench/busy_cores.py
    --training measures both sides."""
    cores = usable_cores() if cores is None else cores
    return training_threads(cores) if answer_running() else cores


class TeamChooser:
    """The fine-tune's team, chosen by measured speed (seconds per unit of work, e.g. tokens).

    On a quiet 2-core machine a fine-tune step on 2 threads is ~1.9x faster than on 1; on a
    busy one (other programs on the cores) the 2-thread team spins waiting for a descheduled
    thread and is many times slower (a step of 8 ratings: 190 s on 2 threads, 11 s on 1,
    bench/finetune_time.py --compare) and burns CPU doing it. Neither the load nor the core
    count tells which case this is; the steps' own speed does. The first two steps try all
    cores and then one (``teams``); later steps take the faster (a running average), and now
    and then one step retries the other (after ``explore_every`` steps; each retry that
    confirms the choice doubles the wait, since on a busy machine a retry costs a whole slow
    step), so a machine that becomes busy or quiet mid-run is noticed. While ``paused()``
    (for a fine-tune: an answer is decoded in this process) the team is ``fallback()``'s,
    and that work is not counted. DecodeTeamChooser is the same choice for answers."""

    def __init__(self, cores: int | None = None, explore_every: int = 12, teams: tuple[int, int] | None = None):
        self.cores = thread_budget() if cores is None else cores
        self.teams = teams or (self.cores, 1)  # in the order they are first tried
        self.explore_every = explore_every
        self.interval = explore_every
        self.rates: dict[int, float] = {}
        self.chosen = 0
        self.next_retry = explore_every
        self.retrying = False
        self.relative: dict[int, float] = {}  # rates measured on other work (``seed``), in proportion only

    def paused(self) -> bool:
        """Other work in this process decides the team now; nothing is measured."""
        return answer_running()

    def fallback(self) -> int:
        """The team while paused (or when there is nothing to choose from)."""
        return fine_tune_threads(self.cores)

    def _faster(self) -> int:
        return min(self.rates, key=self.rates.get)

    def _other(self, team: int) -> int:
        return self.teams[1] if team == self.teams[0] else self.teams[0]

    def team(self) -> int:
        if self.paused() or self.teams[0] == self.teams[1]:
            return self.fallback()
        untried = [t for t in self.teams if t not in self.rates]
        if untried:
            return untried[0]
        self.chosen += 1
        best = self._faster()
        self.retrying = self.chosen >= self.next_retry
        return self._other(best) if self.retrying else best

    def best(self) -> int:
        """The team that was faster so far (``fallback()`` before anything was measured)."""
        if self.paused() or not self.rates:
            return self.fallback()
        return self._faster()

    def seed(self, other: "TeamChooser") -> None:
        """Start from what ``other`` measured on other work of the same run (the reference pass
        before the first step): its faster team is tried first, and once that is measured here
        the other's rate is taken in ``other``'s proportion rather than tried for a whole step
        (on a busy machine a step on the collapsed team costs several). The units differ (a
        no-grad batch's tokens, a step's), the proportion of the two teams hardly; a retry
        (``explore_every``) corrects it where it does not hold."""
        if set(other.rates) == set(self.teams) and not self.rates:
            self.relative = dict(other.rates)
            self.teams = tuple(sorted(self.teams, key=other.rates.get))

    def record(self, team: int, seconds: float, work: float) -> None:
        """``seconds`` that ``work`` took on ``team`` (skipped while paused)."""
        if self.paused() or work <= 0 or seconds <= 0 or team not in self.teams:
            return
        rate = seconds / work
        for other in set(self.relative).difference(self.rates, [team]):  # seeded: the others in proportion
            self.rates[other] = rate * self.relative[other] / self.relative[team]
        old = self.rates.get(team)
        if self.retrying:  # fresh news about the other team: it replaces what is known of it
            self.rates[team] = rate
            self.retrying = False
            self.interval = self.interval * 2 if self._faster() != team else self.explore_every
            self.next_retry = self.chosen + self.interval
        else:
            self.rates[team] = rate if old is None else 0.5 * old + 0.5 * rate


class DecodeTeamChooser(TeamChooser):
    """The answers' team, chosen by measured tokens/s between every core (at most
    MAX_DECODE_THREADS) and decode_threads() (one core fewer).

    On a quiet 2-core machine a token's matrix products ran ~1.7x faster on 2 threads than
    on 1; with another program on one core the 2-thread team collapsed (4 tokens/s against
    22). One chooser per model lives for the process, so later answers start on the team
    found faster and pay no exploration again; its "steps" are windows of a few tokens
    (AnswerTeam). The smaller team is tried first: once its speed is known, a window on a
    collapsed larger team ends after its first token. While a fine-tune runs in this process, answers keep decode_threads() and
    nothing is measured: the fine-tune steps on the cores that leaves (fine_tune_threads)."""

    def __init__(self, cores: int | None = None, explore_every: int = 12):
        cores = thread_budget() if cores is None else cores
        super().__init__(cores, explore_every, (decode_threads(cores), min(MAX_DECODE_THREADS, cores)))

    def paused(self) -> bool:
        return fine_tune_running()

    def fallback(self) -> int:
        return decode_threads(self.cores)


_decode_choosers: "weakref.WeakKeyDictionary[object, DecodeTeamChooser]" = weakref.WeakKeyDictionary()
_decode_choosers_lock = threading.Lock()


def decode_chooser(key: object) -> DecodeTeamChooser:
    """The process's chooser for answers on ``key`` (a model: rates differ between models)."""
    with _decode_choosers_lock:
        chooser = _decode_choosers.get(key)
        if chooser is None:
            chooser = _decode_choosers[key] = DecodeTeamChooser()
        return chooser


def pinned_decode_team() -> bool:
    """``GPT2_DESK_THREADS=N`` was given: answers decode on N threads, nothing is measured."""
    return _pinned_team() is not None


class AnswerTeam:
    """One answer's team, token by token, from a DecodeTeamChooser (None: decode_threads()
    throughout). Enter it on the answering thread; call ``restart()`` once the prompt is
    read and ``tick()`` after every token. A window of ``window`` tokens is timed, reported
    to the chooser, and the chooser's next team is set (``limited``, so only this thread's
    team changes, and only between tokens). A window ends early once it is clearly slower
    (twice the per-token time) than the other team is known to be: a team that collapsed
    because the machine became busy costs a token or two, not a whole window. While a
    fine-tune runs in this process, the team goes back to decode_threads()."""

    def __init__(self, chooser: DecodeTeamChooser | None, window: int = 4):
        self.chooser = chooser
        self.window = window
        self.team = 0
        self.tokens = 0
        self.started = 0.0
        self._scope = contextlib.ExitStack()

    def __enter__(self) -> "AnswerTeam":
        self._set(self.chooser.team() if self.chooser else decode_threads())
        return self

    def __exit__(self, *exc) -> None:
        if self.chooser and self.tokens:
            self.chooser.record(self.team, time.perf_counter() - self.started, self.tokens)
        self._scope.close()

    def _set(self, team: int) -> None:
        if team != self.team:
            self._scope.close()
            self._scope.enter_context(limited(team))
            self.team = team
        self.restart()

    def restart(self) -> None:
        """Start a new timing window (the prompt's prefill is not a token's work)."""
        self.tokens, self.started = 0, time.perf_counter()

    def tick(self) -> None:
        if self.chooser is None:
            return
        if self.chooser.paused():
            self._set(self.chooser.fallback())
            return
        self.tokens += 1
        elapsed = time.perf_counter() - self.started
        others = [r for t, r in self.chooser.rates.items() if t != self.team]
        collapsed = bool(others) and elapsed / self.tokens > 2 * min(others)
        if self.tokens >= self.window or collapsed:
            self.chooser.record(self.team, elapsed, self.tokens)
            self._set(self.chooser.team())


def answer_team(key: object, measured: bool = True, window: int = 4) -> AnswerTeam:
    """The team for an answer on ``key`` (its model): measured by the model's chooser, or
    decode_threads() throughout where ``measured`` is False (a compiled step: dynamo guards
    on the thread count, so another team would compile again), GPT2_DESK_THREADS pins it,
    or there is only one candidate team."""
    chooser = decode_chooser(key) if measured and not pinned_decode_team() else None
    return AnswerTeam(chooser if chooser and chooser.teams[0] != chooser.teams[1] else None, window)


@contextlib.contextmanager
def measured_passes(model, chooser: TeamChooser, used: dict | None = None) -> Iterator[None]:
    """Each forward pass of ``model`` inside runs on ``chooser``'s team for it and is timed for
    it (its work: the tokens of its ``input_ids``), as the steps are: a long no-grad pass (a
    fine-tune's reference pass, which comes before the first step) chooses its team batch by
    batch, so a busy core does not double its cost. ``used``: team -> passes run on it."""
    scope, now = contextlib.ExitStack(), {}

    def before(_module, args, kwargs):
        ids = kwargs.get("input_ids", args[0] if args else None)
        team = chooser.team()
        scope.enter_context(limited(team))
        now.update(team=team, work=0 if ids is None else ids.numel(), start=time.perf_counter())
        if used is not None:
            used[str(team)] = used.get(str(team), 0) + 1

    def after(_module, _args, _kwargs, _output):
        chooser.record(now["team"], time.perf_counter() - now["start"], now["work"])
        scope.close()

    handles = [model.register_forward_pre_hook(before, with_kwargs=True),
               model.register_forward_hook(after, with_kwargs=True)]
    try:
        yield
    finally:
        for handle in handles:
            handle.remove()
        scope.close()  # a pass that raised (a cancel) ends on the team it started with


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
