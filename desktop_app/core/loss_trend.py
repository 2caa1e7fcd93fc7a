"""What a fine-tune's loss curve shows, in words: it falls, stays flat or rises, read from the first and the last
smoothed values (the mean of a few steps at each end: one step's loss jumps with its batch). The Fine-tune tab's
caption said the loss "falls" under a curve flat near 0.25 all along (leftovers85). A curve whose steps jump by more
than its ends moved is none of those: it jumps (counts89: "stays flat, near 2.20" under 2.5 → 1.0 → 2.7 → 1.6).
No Qt, no model."""

from __future__ import annotations

from statistics import fmean

LOSS_NAME = "Loss"  # the curve's name for a screen reader, as the caption begins
LOSS_MEANING = f"{LOSS_NAME}: how far the model still is from your ratings."
# before a curve says anything: what a loss does as the model learns, not what this one did
LOSS_CAPTION = f"{LOSS_MEANING} It falls as the model learns them."
ENDS_MAX_STEPS = 5  # the steps averaged at each end, at most: a third of the run where it is shorter
FLAT_SHARE = 0.1  # a change under a tenth of the first value reads as flat: the batches' own jitter is of that size
# the caption says what this curve did from its fourth step: two or three steps are one or two batches apart, too
# few to call flat or falling (usertest52: "Here it stays flat, near 1.02" after two steps of a run of twenty)
CAPTION_MIN_STEPS = 4


def smoothed_ends(losses: list[float]) -> tuple[float, float] | None:
    """The mean of the first and of the last few losses (a third of the run, 1 to ENDS_MAX_STEPS steps at each
    end), or None with fewer than two."""
    if len(losses) < 2:
        return None
    steps = max(1, min(ENDS_MAX_STEPS, len(losses) // 3))
    return fmean(losses[:steps]), fmean(losses[-steps:])


def mean_step_jump(losses: list[float]) -> float:
    """How far the loss moves from one step to the next, on average (0.0 with fewer than two)."""
    if len(losses) < 2:
        return 0.0
    return fmean(abs(after - before) for before, after in zip(losses, losses[1:]))


def jumps(losses: list[float]) -> bool:
    """The steps move the loss more than the smoothed ends moved, and by more than a batch's own jitter: a few
    ratings make batches that differ a lot, so the ends' difference says nothing about learning."""
    ends = smoothed_ends(losses)
    if ends is None:
        return False
    first, last = ends
    jump = mean_step_jump(losses)
    return jump > abs(last - first) and jump > FLAT_SHARE * max(abs(first), abs(last), 1e-9)


def loss_trend(losses: list[float]) -> str | None:
    """"jumps", "falls", "stays flat" or "rises": "jumps" where the steps move more than the ends (``jumps``),
    else the last smoothed value against the first; None with fewer than two."""
    ends = smoothed_ends(losses)
    if ends is None:
        return None
    if jumps(losses):
        return "jumps"
    first, last = ends
    if abs(last - first) <= FLAT_SHARE * max(abs(first), abs(last), 1e-9):
        return "stays flat"
    return "falls" if last < first else "rises"


def _figure(value: float) -> str:
    return f"{value:.2f}" if abs(value) >= 0.1 else f"{value:.3g}"


def loss_caption(losses: list[float]) -> str:
    """The curve's caption: what a loss is, and what this curve did ("Here it falls: 0.69 → 0.31.", "Here it stays
    flat, near 0.25.", "Here it jumps between 1.00 and 2.70 from step to step: …"); before
    CAPTION_MIN_STEPS steps, what a loss does as the model learns."""
    trend = loss_trend(losses) if len(losses) >= CAPTION_MIN_STEPS else None
    if trend is None:
        return LOSS_CAPTION
    if trend == "jumps":
        return (f"{LOSS_MEANING} Here it jumps between {_figure(min(losses))} and {_figure(max(losses))} from step "
                f"to step: few ratings make a noisy loss.")
    first, last = smoothed_ends(losses)
    if trend == "stays flat":
        return f"{LOSS_MEANING} Here it stays flat, near {_figure((first + last) / 2)}."
    # usertest69: "2.60 → 0.0403" under a progress line's "loss 0.022" read as two losses for the last step
    steps = max(1, min(ENDS_MAX_STEPS, len(losses) // 3))
    ends = "" if steps == 1 else f" (means of the first and of the last {steps} steps)"
    return f"{LOSS_MEANING} Here it {trend}: {_figure(first)} \u2192 {_figure(last)}{ends}."
