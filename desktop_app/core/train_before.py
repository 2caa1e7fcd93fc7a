"""The measuring of the model in use ("before"), once, between two training steps (``BeforeMeasuring``),
and what the steps' reference pass already knows of it (``KnownReference``)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from desktop_app.core.check_time import PARTS, part_of
from desktop_app.core.finetune_effect import Meter
from desktop_app.core.train_verdict import previous

# the stages of the measuring of the model in use between two steps, each count's line after one
MEASURING_IN_USE = "measuring your current model"
MEASURING_BASE = "measuring the base model too"


@dataclass
class KnownReference:
    """The reference's summed log-probabilities of the trained answers: the 'before' margins
    of a run with no adapter in use, when read as the measuring passes read."""

    sums: dict  # (prompt ids, answer ids) -> the reference's summed log-probability
    exact: bool  # read in float32, as the measuring passes read (no autocast)


class BeforeMeasuring:
    """The measuring of the model in use ("before": the active adapter, else the base model),
    once, between two steps (train_step_loop.BEFORE_AT_STEP). The steps do not change that model (the new
    adapter is switched off while it is measured), so its figures are the same whenever they are
    read; read during the steps rather than after them: the check after training measures only the
    new adapter (usertest 9, B9: it measured both, 10 minutes after "about 50 s left"), and what
    "before" took is that check's estimate. Not before the first step: by then the reference pass and
    the first step have found the faster thread team, and on a busy machine a team of all cores made
    this measuring minutes long.
    ``run``: the run in progress (core.training._Run: its reports, its clock, its cancel).
    ``wall``/``cpu``: its seconds, which the steps' pace and time leave out."""

    def __init__(self, run, meter: Meter, args: tuple, parent: dict | None):
        self.run, self.meter, self.args, self.parent = run, meter, args, parent
        self.done = False
        self.wall = self.cpu = 0.0

    def known_reference(self, known: KnownReference) -> None:
        if self.parent is None and known.exact:  # "before" is the reference: its margins on these are known
            self.meter.reference_sums = known.sums

    def measure(self, training_follows: bool = True) -> None:
        """Every part counted and numbered (usertest 14: minutes under one unnumbered line read as a
        stall; a run from an adapter scored the ratings with the base model with no count at all)."""
        if self.done:
            return
        self.done = True
        run, work = self.run, self.args[0]
        start, cpu_start = time.perf_counter(), time.process_time()
        parts = len(PARTS) + (self.parent is not None)
        run.say("evaluating", "Measuring your current model, to compare the result with",
                training_follows=training_follows)
        with previous(work.model, self.parent), run.counting(
                "evaluating", MEASURING_IN_USE, run.clock, training_follows=training_follows,
                part=lambda what: (PARTS.index(part_of(what)) + 1, parts)):
            self.meter.measure("before", *self.args)
        if self.parent is not None:  # what a fresh adapter learned reads against these (gate._from_adapter_failure)
            work, data, held, _reasks, pad_id = self.args
            with previous(work.model, None), run.counting("evaluating", MEASURING_BASE,
                                                          training_follows=training_follows,
                                                          part=lambda what: (parts, parts)):
                self.meter.measure_base(work, data, held, pad_id)
        self.wall, self.cpu = time.perf_counter() - start, time.process_time() - cpu_start
        run.check_cancel()
