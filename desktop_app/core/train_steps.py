"""The parts of a fine-tune's steps (core.training runs the loop): the order of the batches,
the mixed precision, the optimizer and its update, and the terms a step adds to the ratings'
loss (train_losses.batch_loss computes that loss). It does not import train_data for the
TrainingData it reads: that module's imports lead round to the run itself (through session),
against the layers' import-linter contract."""

from __future__ import annotations

import contextlib
import random
from dataclasses import dataclass

from desktop_app.core.train_settings import FineTuneSettings


@dataclass
class ExtraTerms:
    """The terms a step adds to the ratings' loss, each None when it is off: the anchor on open
    requests, the case practice, and the unlikelihood on the model's own loops."""

    settings: FineTuneSettings
    anchor: object = None
    practice: object = None
    loops: object = None

    def added_to(self, loss, model, step: int, pad_id: int, device):
        """``loss`` with each term that is on added in turn, by its weight."""
        s = self.settings
        if self.anchor is not None:
            loss = loss + s.anchor_weight * self.anchor.loss(model, step, pad_id, device)
        if self.practice is not None:
            loss = loss + s.case_practice_weight * self.practice.loss(model, step, pad_id, device)
        repeats = self.loops.loss(model, device) if self.loops else None
        if repeats is not None:
            loss = loss + s.loop_weight * repeats
        return loss


def optimizer(params, lr: float, lr_end: float, updates: int):
    """AdamW with no weight decay, its rate falling linearly to ``lr_end`` x ``lr`` at the last update."""
    import torch

    adamw = torch.optim.AdamW(params, lr=lr, weight_decay=0.0)
    scheduler = torch.optim.lr_scheduler.LambdaLR(adamw, lambda k: 1.0 - (1.0 - lr_end) * k / max(updates, 1))
    return adamw, scheduler


def update(amp, loss, optimizer, scheduler, params, max_grad_norm: float):
    """One optimizer update from ``loss`` (scaled where float16 needs it); returns the gradient
    norm before clipping."""
    import torch

    amp.scaler.scale(loss).backward()
    amp.scaler.unscale_(optimizer)
    norm = torch.nn.utils.clip_grad_norm_(params, max_grad_norm)
    amp.scaler.step(optimizer)
    amp.scaler.update()
    scheduler.step()
    optimizer.zero_grad(set_to_none=True)
    return norm


def step_tokens(batch) -> int:
    """Tokens a step puts through the model: its measure of work (the thread team's speed)."""
    pairs = sum(len(p.prompt_ids) + len(p.chosen_ids) + len(p.rejected_ids) for p in batch.pairs)  # packed
    unpaired = sum(2 * (len(e.prompt_ids) + len(e.completion_ids)) for e in batch.unpaired)  # and KTO's KL pass
    return pairs + unpaired + sum(len(t.prompt_ids) + len(t.completion_ids) for t in batch.tokens)


def batch_order(train, batch_size: int, seed: int):
    """Endless batches of ("u" | "p" | "t", index) into ``train`` (a TrainingData): every rating
    once per shuffled pass, a batch running on into the next pass rather than coming out short.
    A rating with a question-alone view (train_data.add_alone_views) is visited in its two views
    in turn: in place in even passes, alone in odd ones, each at half the visits."""
    items = ([("u", i) for i in range(len(train.unpaired))] + [("p", i) for i in range(len(train.pairs))]
             + [("t", i) for i in range(len(train.tokens))])
    views = _alone_views(train)
    items = [item for item in items if item not in views.values()]
    rng = random.Random(seed)
    order: list = []
    passes = 0
    while True:
        if len(order) < batch_size:
            fresh = list(items)
            rng.shuffle(fresh)
            order += [views.get(item, item) if passes % 2 else item for item in fresh]
            passes += 1
        batch, order = order[:batch_size], order[batch_size:]
        yield batch


def _alone_views(train) -> dict:
    """{(kind, index of an example in place): (kind, index of its question-alone view)}."""
    out = {}
    for kind, part in (("u", train.unpaired), ("p", train.pairs), ("t", train.tokens)):
        in_place = {_rating_key(e): i for i, e in enumerate(part) if not e.alone}
        out.update({(kind, in_place[_rating_key(e)]): (kind, i) for i, e in enumerate(part)
                    if e.alone and _rating_key(e) in in_place})
    return out


def _rating_key(e) -> tuple:
    return tuple(getattr(e, name, None) for name in ("rejected_message_id", "chosen_message_id", "message_id"))


class Precision:
    """Mixed precision where the device has fast 16-bit products (core.precision): bfloat16
    autocast on a CPU with native bfloat16 and on most GPUs, float16 with a loss scaler on
    older GPUs; float32 throughout with ``exact`` or elsewhere (the scaler a pass-through).
    The reference log-probabilities are computed under the same autocast as the steps, so a
    step's log-ratio starts at zero rather than at the rounding difference of two precisions."""

    def __init__(self, device, precision: str = "auto"):
        import torch

        from desktop_app.core.precision import training_autocast_dtype

        self.device_type = getattr(device, "type", str(device))
        self.dtype = training_autocast_dtype(device, precision)
        self.scaler = torch.amp.GradScaler(self.device_type if self.device_type == "cuda" else "cpu",
                                           enabled=self.dtype == torch.float16)

    @property
    def label(self) -> str:
        return "float32" if self.dtype is None else f"float32 weights, {str(self.dtype).replace('torch.', '')} autocast"

    def autocast(self):
        import torch

        if self.dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(self.device_type, dtype=self.dtype)
