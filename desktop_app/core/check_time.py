"""How long a fine-tune's check after its steps will take, known from its third step on.

After the steps a run measures the new adapter exactly as it measured the model in use
(core.finetune_effect.Meter): the margins over the same ratings, the probe text, the same
re-asks to the same number of tokens. So what the "before" measuring took, part by part, is
the estimate of the check after training (usertest 9, B9: "about 50 s left" at the last step,
then 10 minutes of checking nobody had been told of). A part the "before" measuring took from
the before-cache (the probe, re-asks an earlier run asked) took no time now: its estimate is
the seconds it took when it was last measured, kept in the same cache file; with none kept
(a cache written before this was kept), a rough share of a training step's seconds.

No Qt, no torch: ``core.training`` asks it, the counts it reports carry its figures.
"""

from __future__ import annotations

PARTS = ("margins", "probe", "reask")  # in the order Meter.measure does them
# A re-ask token (a batch of questions decoded one token further) against a training update on
# the bundled model, one core: re-asks 18 CPU-s for 40 tokens, updates ~4.8 CPU-s (docs/measurements.md):
# an eighth. Used only when a part's own seconds were never measured.
REASK_TOKEN_PER_UPDATE = 1 / 8


def part_of(what: str) -> str:
    """The part of a measuring a count (core.work_meter's ``what``) belongs to."""
    if what.startswith(("re-asking", "continuing")):  # "continuing": rated Text continuations (reasking.reask_what)
        return "reask"
    if "general text" in what:
        return "probe"
    return "margins"


class CheckClock:
    """Seconds each part of one model's measuring takes (``took``), and from them the time left
    of a measuring under way (``left``). ``cache``: core.finetune_effect.BeforeCache (or None),
    where measured seconds are kept for later runs, under the base model's scope (the cost of
    a part does not depend on which adapter is measured)."""

    def __init__(self, cache=None):
        self.cache = cache
        self.seconds: dict[str, float] = {}  # measured (now, or when last computed)
        self.guesses: dict[str, float] = {}

    def took(self, part: str, seconds: float, fresh: bool, key: str = "") -> None:
        """The part took ``seconds``; ``fresh``: it was computed, not taken from a cache (then its
        seconds say nothing of the measuring after training, and those kept under ``key`` stand in)."""
        name = f"seconds:{part}:{key}"
        if fresh:
            self.seconds[part] = seconds
            if self.cache is not None:
                self.cache.put(name, round(seconds, 3), base=True)
        elif self.cache is not None and self.cache.get(name, base=True) is not None:
            self.seconds[part] = float(self.cache.get(name, base=True))

    def guess(self, part: str, seconds: float | None) -> None:
        """An estimate for a part with no measured seconds (a rough one: see REASK_TOKEN_PER_UPDATE)."""
        if seconds is not None:
            self.guesses[part] = seconds

    def estimate(self, part: str) -> float | None:
        return self.seconds.get(part, self.guesses.get(part))

    def total(self) -> float | None:
        """The seconds of a whole measuring; None while no part is known."""
        known = [self.estimate(p) for p in PARTS if self.estimate(p) is not None]
        return sum(known) if known else None

    def covers_rest(self, part: str, later_parts: int) -> bool:
        """Whether ``left`` in ``part`` covers the measuring's ``later_parts`` still to come: each has an
        estimate. A part none measured yet (the model in use measured for the first time) has none, and a time
        left that leaves it out began again at that part ("about 30 s left" at each part: waiting83)."""
        known = [p for p in PARTS[PARTS.index(part) + 1:] if self.estimate(p) is not None]
        return len(known) == later_parts

    def left(self, part: str, count_left: float | None, done: float = 0.0, elapsed: float = 0.0) -> float | None:
        """Time left of a measuring now in ``part``: that count's time left at its own pace
        (``count_left``; None before its first piece: the part's estimate stands in), then the
        estimates of the parts after it. ``done``: the share of the count done, ``elapsed``: its
        seconds so far (``part_left``)."""
        here = self.part_left(part, count_left, done, elapsed)
        later = [self.estimate(p) for p in PARTS[PARTS.index(part) + 1:] if self.estimate(p) is not None]
        if here is None and not later:
            return None
        return (here or 0.0) + sum(later)

    def part_left(self, part: str, count_left: float | None, done: float, elapsed: float) -> float | None:
        """The part's time left: where its seconds were measured (the "before" measuring did the same
        work), those less ``elapsed``, giving way to the count's own pace as the count goes (``done``,
        0 to 1). The pace of a count's first pieces alone overshot: the re-asks' first token reads
        every question whole, and "about 1 min left" at the last step became "about 3 min left" as
        re-asking began (counts59). A guessed part's estimate stands in only before its count moves."""
        measured = self.seconds.get(part)
        if count_left is None:
            return self.estimate(part) if measured is None else max(0.0, measured - elapsed)
        if measured is None:
            return count_left
        share = min(1.0, max(0.0, done))
        return (1 - share) * max(0.0, measured - elapsed) + share * count_left
