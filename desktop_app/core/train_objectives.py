"""The objectives on log-probabilities: KTO (unpaired thumbs), DPO + a likelihood term (pairs),
the weighted token term (token ratings) and the end-of-text term (where a liked answer stopped).

KTO and DPO are written to give exactly the numbers of HF TRL's ``KTOTrainer`` (loss_type
"kto") and ``DPOTrainer`` (loss_type ["sigmoid", "sft"]) on the same batch;
tests/test_training_losses.py computes one batch both ways and compares.
TRL's trainers are not used for the training itself: they re-tokenize (the app must format
prompts exactly as generation does), recompute reference log-probabilities every step
(we compute them once, the reference being fixed) and cannot mix the three kinds of data
in one step.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def kto_kl(policy_kl_logps: torch.Tensor, ref_kl_logps: torch.Tensor) -> torch.Tensor:
    """KTO's reference point: the batch's KL estimate from mismatched (prompt, answer) pairs,
    detached and clamped at 0 (TRL, single process)."""
    return (policy_kl_logps - ref_kl_logps).mean().detach().clamp(min=0)


def kto_loss(logps: torch.Tensor, ref_logps: torch.Tensor, labels: torch.Tensor, kl: torch.Tensor, beta: float,
             desirable_weight: float = 1.0, undesirable_weight: float = 1.0) -> tuple[torch.Tensor, dict]:
    """Eq. (7) of the KTO paper, as TRL computes it: returns (loss, figures)."""
    labels = labels.bool()
    logratios = logps - ref_logps
    chosen = logratios[labels]
    rejected = logratios[~labels]
    chosen_losses = 1 - torch.sigmoid(beta * (chosen - kl))
    rejected_losses = 1 - torch.sigmoid(beta * (kl - rejected))
    losses = torch.cat((desirable_weight * chosen_losses, undesirable_weight * rejected_losses), 0)
    figures = {"kl": float(kl)}
    if chosen.numel():
        figures["reward_chosen"] = float(beta * chosen.detach().mean())
    if rejected.numel():
        figures["reward_rejected"] = float(beta * rejected.detach().mean())
    return losses.nanmean(), figures


def dpo_loss(chosen_logps, rejected_logps, ref_chosen_logps, ref_rejected_logps, beta: float,
             chosen_token_logps: torch.Tensor | None = None, chosen_mask: torch.Tensor | None = None,
             sft_weight: float = 1.0, lengths: tuple[torch.Tensor, torch.Tensor] | None = None
             ) -> tuple[torch.Tensor, dict]:
    """DPO's sigmoid loss plus, when ``sft_weight`` > 0, the mean negative log-likelihood of the
    chosen answers' tokens: TRL's ``loss_type=["sigmoid", "sft"]``, ``loss_weights=[1, sft_weight]``.
    The likelihood term is what keeps DPO on few examples from degenerating (DESIGN.md).
    ``chosen_mask`` may weigh rows (0 leaves a row's tokens out of the likelihood term).
    ``lengths``: (chosen, rejected) token counts; each answer's log-ratio is divided by its own
    (length-normalised DPO, as LN-DPO / SimPO's average log-probability), so a long rejected
    answer does not make the margin large, and saturate the sigmoid, by its length alone."""
    chosen_logratios = chosen_logps - ref_chosen_logps
    rejected_logratios = rejected_logps - ref_rejected_logps
    if lengths is not None:
        chosen_logratios = chosen_logratios / lengths[0].clamp(min=1)
        rejected_logratios = rejected_logratios / lengths[1].clamp(min=1)
    loss = -F.logsigmoid(beta * (chosen_logratios - rejected_logratios)).mean()
    figures = {"reward_chosen": float(beta * chosen_logratios.detach().mean()),
               "reward_rejected": float(beta * rejected_logratios.detach().mean())}
    if sft_weight and chosen_token_logps is not None and bool(chosen_mask.any()):
        weights = chosen_mask.to(chosen_token_logps.dtype)
        nll = -(chosen_token_logps * weights).sum() / weights.sum()  # = the masked mean for a 0/1 mask
        loss = loss + sft_weight * nll
        figures["nll_chosen"] = float(nll.detach())
    figures["reward_margin"] = figures["reward_chosen"] - figures["reward_rejected"]
    return loss, figures


def token_loss(logps: torch.Tensor, positions: list[tuple[int, int, int]]) -> tuple[torch.Tensor, dict]:
    """The weighted token term. ``positions``: (row, column in logps, +1/-1).

    A liked token's log-probability is pushed up (-log p); a disliked one's down by
    unlikelihood (-log(1 - p)); only at the rated positions, every other token untouched.
    Returns the mean over rated tokens."""
    rows = torch.tensor([r for r, _c, _v in positions], device=logps.device)
    cols = torch.tensor([c for _r, c, _v in positions], device=logps.device)
    values = torch.tensor([v for _r, _c, v in positions], device=logps.device)
    lp = logps[rows, cols]
    liked = -lp
    disliked = -torch.log1p(-torch.exp(lp).clamp(max=1 - 1e-6))
    losses = torch.where(values > 0, liked, disliked)
    return losses.mean(), {"token_logp": float(lp.detach().mean())}


def end_nll(token_logps: torch.Tensor, rows: list[tuple[int, list[int], list[int], bool]],
            with_mark: bool = False) -> torch.Tensor:
    """Mean -log p of the last answer token (the end-of-text token) of each (row, prompt,
    answer, ends with a mark): where a liked answer that the model ended itself stopped. The
    sum-of-log-probs objectives weigh that one token like any of the answer's words; it is the
    only token that says "stop here", and liking the shorter of two siblings says little else.

    ``with_mark``: only answers whose last word ends a sentence count, and the mark before the
    end token is trained with it (the mean is over the tokens trained). The end token alone
    taught "stop" after any word: short new answers lost their final period ("The capital of
    Russia is Moscow") and some stopped mid-phrase ("A tomato is a red"); at the position
    that predicts the period the end token competed with it, and the mark's own likelihood
    answers that. Zero (no term) when no row qualifies."""
    index, cols = [], []
    for row, p, c, mark in rows:
        end = len(p) + len(c) - 2  # the logit position that predicts the end token
        if with_mark and not mark:
            continue
        for col in ((end - 1, end) if with_mark else (end,)):
            index.append(row)
            cols.append(col)
    if not index:
        return token_logps.new_zeros(())
    return -token_logps[torch.tensor(index, device=token_logps.device), torch.tensor(cols, device=token_logps.device)].mean()
