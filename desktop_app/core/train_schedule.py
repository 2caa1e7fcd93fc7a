"""How long and how hard to train, chosen from the ratings there are.

A fixed "3 epochs at batch 8" gives a person's 8 ratings one optimizer update per epoch:
the run is kept (the margin rises a little) but nothing shows in answers to new questions
(DESIGN.md, measured: the same 8 corrections at batch 2 showed in most new answers). The
number of updates, not the objectives, held learning back. So the schedule follows the data:

- ``n`` = training examples: thumbs (KTO), pairs (corrections and rated siblings, DPO + a
  likelihood term) and token-rated answers, each one example.
- batch size ``B = ceil(0.8 * sqrt(n))``, at most 16: one rating trains at batch 1, eight at
  batch 2 (after the held-out share: 6 examples), a hundred at batch 8, a thousand at 16.
  Small data gets small batches: more updates for the same compute, and with few examples
  the gradient of a batch of 2 is hardly noisier than that of all of them.
- updates ``U = ceil(16 + 3 * sqrt(n))``, within ``[min_steps, max_steps]``: 19 for one
  rating, 24 for six, 31 for 25. That is ~19 passes over one example, ~8 over six, ~5 over
  25: few ratings are revisited often enough to show, many are not over-fitted.
- at most ``MAX_ANSWERS`` (200) answers through the model, ``U * B``, unless a single pass over
  the examples needs more: past ~60 examples this caps ``U`` (80: 25 updates at batch 8, ~2.5
  passes, where the rule above gave 43; 800: one pass, 50 updates at batch 16). A hundred
  ratings must train in minutes (the issue's 5 minutes on 2 cores, measuring included), and
  the guard showed the updates past that are not what makes the effect: it stopped 100-rating
  runs at update 6-15 of 43 (corrections, token ratings, the picky thumbs), and those that ran
  all 43 cost 700-760 CPU-s (bench/learning_effect.py). A few ratings are far under the cap
  (eight: 24 updates at batch 2, 48 answers; 32: 31 at batch 4), so their schedule is as before.
- learning rate: ``5e-4`` (LoRA wants far more than full fine-tuning's 1e-6; DESIGN.md),
  scaled by ``sqrt(B / 8)`` above batch 8 (the square-root rule for larger batches), falling
  linearly to ``FineTuneSettings.lr_end`` (half) of it at the last update (the measurements there).
- token-only runs (every example a token-rated answer) at ``token_lr_scale`` x that rate
  (``FineTuneSettings.token_lr_scale``, 2): with the token term held to the reference
  (train_losses, ``token_target`` "distill") a disliked word learnt at 5e-4 showed in fewer
  new answers than the bare unlikelihood did, and twice the rate gave it back without the
  drift (bench/learning_effect.py, "that" rated down x 4: 0.62 of new answers without it at
  5e-4, 0.75 at 1e-3, probe +0.8% / +1.2%; the numbers at 8 and 100 are in FineTuneSettings).
- thumbs-only runs whose thumbs compare answers (every example a thumb or a pair of rated siblings,
  at least one in four a pair) at ``thumbs_lr_scale`` x that rate (``FineTuneSettings.thumbs_lr_scale``,
  2): at 5e-4 most such runs of 8 ratings ran all their updates with the guard's text hardly moved, and
  two seeds of five fell short (one refused, one 0.62 of new answers short); at twice the rate the guard
  stops them where general text starts to move, and all five showed it. Thumbs on lone answers keep the
  rule's rate: at twice it their held-out gain fell below TRL's (bench/finetune_vs_trl.py, where the
  guard stopped one run at update 2 of 12). A pair's two answers share all but what the person chose
  between, so its update moves that difference; a lone answer's moves all of its words, general text with
  them (the numbers are in FineTuneSettings).
- KTO's class weights: TRL recommends ``w_D * n_D / (w_U * n_U)`` in [1, 4/3]; the rarer of
  liked and disliked thumbs is up-weighted to make it 1, at most 4x; liked answers at most as
  many times as there are of them: a single liked answer is not made to count as four.
  Up-weighting a liked answer pulls its own likelihood up harder (and its end term with it),
  and one answer fitted hard is copied: measured (bench/finetune_vs_trl.py --labels short, 8
  ratings, seed 2: 1 liked and 5 disliked trained on), at 4x 2 of the gate's 10 re-asks looped
  after 24 updates and the run was discarded (held-out gain 0, TRL +0.62); at 1x it was kept
  (+0.32, stepped back to update 14 for a degenerate re-ask). Two liked of six at 2x or 1x
  gave the same gain (+0.437 / +0.440). A lone *disliked* answer is still up-weighted: pushing
  one answer down copies nothing, and the picky person's 4 thumbs (2 liked, 1 disliked trained
  on) lost with it at 1x (1.00 -> 0.94 of 16 new answers short, 1 degenerate of 16, against 0
  at 2x; bench/learning_effect.py). Balanced thumbs (the thumbs and mix rows of that bench: a
  liked and a disliked sibling per question) get 1 and 1 under every rule.

Explicit settings (``epochs``, ``batch_size``, ``lr``: the CLI's options, the panel's Advanced
box) replace the rule's choice for that figure.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

BASE_LR = 5e-4
MAX_BATCH = 16
MAX_ANSWERS = 200  # answers through the model in a run (updates x batch), unless one pass needs more


@dataclass(frozen=True)
class Schedule:
    examples: int
    batch_size: int
    updates: int
    lr: float
    desirable_weight: float = 1.0
    undesirable_weight: float = 1.0
    rule: str = "auto"  # "auto" | "manual" (some figure was set by hand)

    @property
    def epochs(self) -> float:
        return self.updates * self.batch_size / max(self.examples, 1)

    def to_dict(self) -> dict:
        return {**asdict(self), "epochs": round(self.epochs, 2)}


def auto_batch_size(n: int) -> int:
    return max(1, min(MAX_BATCH, math.ceil(0.8 * math.sqrt(max(n, 1)))))


def auto_updates(n: int, batch_size: int | None = None) -> int:
    """``ceil(16 + 3 sqrt(n))``, capped at ``MAX_ANSWERS / batch_size`` updates unless one pass needs more."""
    n = max(n, 1)
    updates = math.ceil(16 + 3 * math.sqrt(n))
    if batch_size:
        updates = min(updates, max(math.ceil(MAX_ANSWERS / batch_size), math.ceil(n / batch_size)))
    return updates


def auto_lr(batch_size: int) -> float:
    return BASE_LR * math.sqrt(batch_size / 8) if batch_size > 8 else BASE_LR


def kind_lr_scale(examples: int, tokens: int, token_scale: float, thumbs: int, sibling_pairs: int,
                  thumbs_scale: float) -> float:
    """The rate's factor for a run whose every example is of one kind: token-rated answers, or thumbs that
    compare answers (one example in four or more a pair of siblings); 1 for a run that mixes kinds, has
    corrections, or thumbs mostly on lone answers."""
    if tokens and tokens >= examples:
        return token_scale
    if thumbs and thumbs >= examples and 4 * sibling_pairs >= examples:
        return thumbs_scale
    return 1.0


def kto_weights(liked: int, disliked: int, cap: float = 4.0) -> tuple[float, float]:
    """(desirable, undesirable) weights that balance liked and disliked thumbs (TRL's advice),
    the rarer kind's weight at most ``cap``, the liked ones' at most their count (see the module
    docstring)."""
    if liked and disliked:
        if liked < disliked:
            return max(1.0, min(cap, disliked / liked, liked)), 1.0
        return 1.0, min(cap, liked / disliked)
    return 1.0, 1.0


def plan(examples: int, *, liked: int = 0, disliked: int = 0, epochs: int | None = None,
         batch_size: int | None = None, lr: float | None = None, min_steps: int = 0, max_steps: int = 200,
         desirable_weight: float | None = None, undesirable_weight: float | None = None,
         tokens: int = 0, token_lr_scale: float = 1.0, thumbs: int = 0, sibling_pairs: int = 0,
         thumbs_lr_scale: float = 1.0) -> Schedule:
    """The schedule for ``examples`` training examples, ``tokens`` of them token-rated answers and
    ``thumbs`` of them thumbs or pairs of rated siblings, ``sibling_pairs`` of those pairs (see the
    module docstring)."""
    n = max(1, examples)
    b = batch_size or auto_batch_size(n)
    b = max(1, min(b, n))
    if epochs:
        updates = epochs * math.ceil(n / b)
    else:
        updates = auto_updates(n, b)
    updates = max(1, min(max_steps, max(min_steps, updates)))
    w_d, w_u = kto_weights(liked, disliked)
    manual = any(x is not None for x in (epochs, batch_size, lr))
    auto = auto_lr(b) * kind_lr_scale(examples, tokens, token_lr_scale, thumbs, sibling_pairs, thumbs_lr_scale)
    return Schedule(n, b, updates, lr if lr is not None else auto,
                    desirable_weight if desirable_weight is not None else w_d,
                    undesirable_weight if undesirable_weight is not None else w_u,
                    "manual" if manual else "auto")


def fixed_batch8_updates(examples: int, epochs: int = 3, min_steps: int = 8, max_steps: int = 200) -> int:
    """What the earlier fixed rule gave (3 epochs at batch 8, at least 8): the comparison the
    tests and docs/features.md's "The training schedule" make."""
    return max(1, min(max_steps, max(min_steps, epochs * math.ceil(max(examples, 1) / 8))))
