"""A fine-tune's steps: the schedule, the loss weights, the guard on general text, the loop penalty, and
the loop of updates itself, with the measuring of the model in use between two of them (train_before.py)
and each update's figures and progress. The run's ``StepLoop`` part (core.training._Run); the steps' own
parts (the batches' order, the precision, the optimizer, the added terms) are train_steps.py's."""

from __future__ import annotations

import time

from desktop_app.core import train_steps as steps
from desktop_app.core.check_time import REASK_TOKEN_PER_UPDATE
from desktop_app.core.finetune_effect import digest
from desktop_app.core.lazy import lazy_module
from desktop_app.core.memory import trim_heap
from desktop_app.core.step_pace import StepPace
from desktop_app.core.train_before import BeforeMeasuring, KnownReference
from desktop_app.core.train_data import TrainingData
from desktop_app.core.train_run_progress import add_seconds

gate = lazy_module("desktop_app.core.gate")  # it imports torch: on first use, so the window opens before torch

ETA_AFTER_STEPS = 3  # a training step's time left is told from this step on (the pace of fewer swings by minutes)
# the model in use is measured ("before") after this many steps: by then the steps know both thread teams'
# pace (core.threads.TeamChooser, seeded by the reference pass), so it runs on the faster, and the check after
# training knows its length
BEFORE_AT_STEP = 2
# said once the ratings are read, until the first step's own report: the first step is the slowest (and a
# first run reads the guard's general text before it); the last count had stood meanwhile, read as stuck
FIRST_STEP = "Taking the first training step"


class StepLoop:
    """The updates of a run (core.training._Run). Reads the run's ``settings``, ``metrics``, ``chooser``,
    ``clock``, ``before_cache`` and ``rated_down``; sets its ``guard``; its references, anchor and case
    practice come from ``_references`` (train_run_setup.RunSetup)."""

    def _train(self, work, train: TrainingData, pad_id: int, before: BeforeMeasuring) -> None:
        sched = self._schedule(train)
        self.say("training", "Computing reference log-probabilities", step=0, total=sched.updates)
        amp = steps.Precision(work.device, self.precision)
        self.metrics["train_precision"] = amp.label
        refs, anchor, practice = self._references(work, train, pad_id, amp)
        self.check_cancel()
        terms = steps.ExtraTerms(self.settings, anchor, practice, self._loops(work, pad_id))
        before.known_reference(KnownReference(gate.reference_sums(train, refs), amp.dtype is None))
        self._steps(work, train, refs, sched, amp, terms, pad_id, before)
        trim_heap()  # the steps' freed pages, before the measuring passes take their own

    def _steps(self, work, train: TrainingData, refs, sched, amp, terms, pad_id: int,
               before: BeforeMeasuring) -> None:
        """The updates: the schedule's, unless the guard ends them sooner."""
        from desktop_app.core import train_losses as L

        s, model, device, total = self.settings, work.model, work.device, sched.updates
        weights = self._loss_weights(sched)
        params = [p for p in model.parameters() if p.requires_grad]
        optimizer, scheduler = steps.optimizer(params, sched.lr, s.lr_end, total)
        batches = steps.batch_order(train, sched.batch_size, s.seed)
        self.say("training", FIRST_STEP, step=0, total=total)
        guard = self.guard = self._guard(work, total)
        train_start, cpu_start = time.perf_counter(), time.process_time()
        pace, mark = StepPace(), train_start
        for step in range(1, total + 1):
            self.check_cancel()
            batch = L.Batch.select(train, refs, next(batches), device)
            if terms.loops and terms.loops.due(step):
                with self.timed("loops"):
                    terms.loops.look(model, device, step)
            team, step_start = self.chooser.team(), time.perf_counter()
            with self.team(team):
                with amp.autocast():
                    loss, figures = L.batch_loss(model, batch, pad_id, device, weights)
                    loss = terms.added_to(loss, model, step, pad_id, device)
                norm = steps.update(amp, loss, optimizer, scheduler, params, s.max_grad_norm)
            self.chooser.record(team, time.perf_counter() - step_start, steps.step_tokens(batch))
            pace.record(time.perf_counter() - mark)
            mark = time.perf_counter()
            self._record_step(step, total, team, norm, loss, figures, pace.per_step())
            if guard and not guard.after_update(step):
                break
            if step >= min(BEFORE_AT_STEP, total) and not before.done:
                before.measure(training_follows=step < total)
                mark = time.perf_counter()  # its minutes are no step's
        self._record_run(step, train_start + before.wall, cpu_start + before.cpu, guard, terms.loops)

    def _loss_weights(self, sched):
        from desktop_app.core.train_losses import LossWeights

        s = self.settings
        return LossWeights(s.beta, s.sft_weight, s.token_weight, sched.desirable_weight, sched.undesirable_weight,
                           s.liked_sft_weight, s.sibling_sft_weight, s.end_weight, s.end_mark,
                           s.token_keep_weight, s.token_target, s.disliked_target, s.disliked_ref_weight,
                           pair_norm_beta=s.pair_norm_beta, pair_packed=s.pair_packing)

    def _record_run(self, step: int, train_start: float, cpu_start: float, guard, loops) -> None:
        """The run's figures once its updates end."""
        self.metrics["steps"] = step  # updates made (the guard may have put back the weights of an earlier one)
        self.metrics["train_s"] = round(time.perf_counter() - train_start, 2)
        add_seconds(self.metrics, "train", self.metrics["train_s"], time.process_time() - cpu_start)
        if guard:
            self.metrics["guard"] = guard.summary()
        if loops:
            self.metrics.update(loops.summary())

    def _record_step(self, step: int, total: int, team, norm, loss, figures: dict, per_step: float) -> None:
        """The update's figures in the metrics, and its progress for the person; ``per_step``: the recent
        steps' pace (core.step_pace)."""
        self.metrics.setdefault("grad_norms", []).append(round(float(norm), 4))  # before clipping
        teams = self.metrics.setdefault("teams", {})
        teams[str(team)] = teams.get(str(team), 0) + 1
        steady = step >= min(ETA_AFTER_STEPS, total)  # the first steps' pace says little on a busy machine
        self.metrics["final_loss"] = float(loss.detach())
        self.say("training", f"Step {step} of {total}", step=step, total=total, loss=float(loss.detach()),
                 eta_s=per_step * (total - step) if steady else None, check_s=self._check_estimate(per_step),
                 step_s=per_step if steady else None, **figures)

    def _check_estimate(self, per_step: float) -> float | None:
        """The check after the steps, in seconds (core.check_time): what the "before" measuring
        took, and for a part it took from a cache with no seconds kept, a share of a step's."""
        if self.clock is None:
            return None
        self.clock.guess("reask", self.settings.reask_tokens * per_step * REASK_TOKEN_PER_UPDATE)
        self.clock.guess("margins", self.metrics.get("phase_s", {}).get("reference"))  # a pass over the ratings too
        return self.clock.total()

    def _loops(self, work, pad_id: int):
        """The unlikelihood term on the adapter's own repeats (core.train_loops), when on."""
        from desktop_app.core.train_loops import build_loop_penalty

        s = self.settings
        if not s.loop_weight:
            return None
        return build_loop_penalty(work.tokenizer, work.context_window, pad_id, every=s.loop_every,
                                  per_look=s.loop_questions, tokens=s.loop_tokens, n=s.loop_ngram,
                                  only_loops=s.loop_only_loops, wait_for_loop=s.loop_wait)

    def _guard(self, work, total: int):
        s = self.settings
        if not s.guard_ppl_rise:
            return None
        # the text's perplexity before training is the base model's (a fresh adapter adds nothing): an
        # earlier run's figure, kept with the "before" figures (BeforeCache), saves a read of it. Not
        # keyed by the training precision: the guard reads in float32, outside the steps' autocast, so
        # a run at either precision reads the same figure (tests/test_training_precision.py)
        cache, key = self.before_cache, f"guard_ppl:{digest(gate.guard_text())}{gate.skip_key(self.rated_down)}"
        guard = gate.PerplexityGuard(work.model, work.tokenizer, work.device, work.context_window, s.guard_ppl_rise,
                                     total, s.guard_checks, s.guard_stretch,
                                     before=cache.get(key, base=True) if cache else None, skip=self.rated_down)
        if cache:
            cache.put(key, guard.before, base=True)
        return guard

    def _schedule(self, train: TrainingData):
        from desktop_app.core.train_schedule import plan

        s, counts = self.settings, train.counts()
        sched = plan(train.rated(), liked=counts["thumbs_up"], disliked=counts["thumbs_down"], epochs=s.epochs,
                     batch_size=s.batch_size, lr=s.lr, min_steps=s.min_steps, max_steps=s.max_steps,
                     desirable_weight=s.desirable_weight, undesirable_weight=s.undesirable_weight,
                     tokens=len(train.tokens), token_lr_scale=s.token_lr_scale,
                     thumbs=counts["thumbs_up"] + counts["thumbs_down"] + counts["sibling_pairs"],
                     sibling_pairs=counts["sibling_pairs"], thumbs_lr_scale=s.thumbs_lr_scale)
        self.metrics["schedule"] = sched.to_dict()
        return sched
