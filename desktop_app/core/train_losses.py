"""One training step's loss: a batch of examples of each kind (``Batch``), the weights of the
terms (``LossWeights``), and ``batch_loss``, which puts together each kind's objective
(``train_objectives.py``) on the log-probabilities the model gives now (``train_logps.py``,
``train_packing.py``) and the reference's (``train_references.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from desktop_app.core.train_logps import answer_logsoftmax, grouped_token_logps, pad_batch, per_token_logps
from desktop_app.core.train_objectives import dpo_loss, end_nll, kto_kl, kto_loss, token_loss
from desktop_app.core.train_packing import grouped_pair_logps, packs_pairs
from desktop_app.core.train_references import References, disliked_distillation, token_reference_terms


@dataclass
class Batch:
    """Some training examples of each kind, with their reference log-probabilities."""
    unpaired: list = field(default_factory=list)
    kl_completions: list = field(default_factory=list)  # the mismatched answers of KTO's KL estimate
    ref_unpaired: torch.Tensor | None = None
    ref_kl: torch.Tensor | None = None
    pairs: list = field(default_factory=list)
    ref_chosen: torch.Tensor | None = None
    ref_rejected: torch.Tensor | None = None
    tokens: list = field(default_factory=list)
    ref_tokens: list | None = None  # TokenReference per token-rated answer, when the references have them
    ref_disliked: list | None = None  # per thumb of ``unpaired``, a disliked answer's TokenReference (else None)

    def __len__(self) -> int:
        return len(self.unpaired) + len(self.pairs) + len(self.tokens)

    @classmethod
    def select(cls, data, refs: References, picks: list[tuple[str, int]], device) -> "Batch":
        """``picks``: ("u" | "p" | "t", index into that kind of ``data``)."""
        ui = [i for k, i in picks if k == "u"]
        pi = [i for k, i in picks if k == "p"]
        ti = [i for k, i in picks if k == "t"]
        u_idx, p_idx = torch.tensor(ui, device=device, dtype=torch.long), torch.tensor(pi, device=device, dtype=torch.long)
        return cls([data.unpaired[i] for i in ui], [data.unpaired[i - 1].completion_ids for i in ui],
                   refs.unpaired[u_idx] if ui else None, refs.kl[u_idx] if ui else None,
                   [data.pairs[i] for i in pi], refs.chosen[p_idx] if pi else None,
                   refs.rejected[p_idx] if pi else None, [data.tokens[i] for i in ti],
                   [refs.tokens[i] for i in ti] if refs.tokens is not None else None,
                   [refs.disliked[i] for i in ui] if refs.disliked is not None else None)


@dataclass(frozen=True)
class LossWeights:
    beta: float = 0.1
    sft_weight: float = 1.0
    token_weight: float = 1.0
    desirable_weight: float = 1.0
    undesirable_weight: float = 1.0
    liked_sft_weight: float = 0.0  # a likelihood term on liked answers, beside KTO (0: KTO as TRL has it)
    sibling_sft_weight: float = 1.0  # the likelihood term's weight on a liked sibling (the model's own sample)
    end_weight: float = 0.0  # a likelihood term on the end-of-text token of liked answers the model ended itself
    # the end term covers the sentence's final mark with the end token, and only answers that end after one
    # (end_nll); False: the end token alone, of every liked answer the model ended
    end_mark: bool = False
    # token ratings: x KL(reference || model) at the unrated answer positions of token-rated answers (0: off)
    token_keep_weight: float = 0.0
    # the disliked token's term: "unlikelihood" -log(1 - p); "distill" KL(target || model) with the target the
    # reference's distribution without the disliked token, renormalised; "both" the sum
    token_target: str = "unlikelihood"
    # a disliked thumb's term: "kto" KTO's undesirable term (TRL's); "distill" instead, at each answer position
    # KL(target || model), the target the reference's distribution there without the answer's token, renormalised
    # (the token ratings' "distill": less of what was said, the rest where the reference put it; bounded where
    # KTO's push down is not); "both" KTO's term plus ``disliked_ref_weight`` x the distillation; "hold" KTO's term
    # plus ``disliked_ref_weight`` x KL(reference || model) at the positions where the answer's token is the
    # reference's likeliest (what any answer would say there is held; KTO pushes down what this answer chose)
    disliked_target: str = "kto"
    disliked_ref_weight: float = 1.0
    # pairs: 0 DPO on summed log-ratios with ``beta`` (TRL's); > 0 length-normalised DPO, each answer's log-ratio
    # divided by its token count, with this beta in place of ``beta``
    pair_norm_beta: float = 0.0
    # pairs: chosen and rejected in one pass, their shared prompt read once (packed_pair_logps); False: two passes
    pair_packed: bool = True


TOKEN_TARGETS = ("unlikelihood", "distill", "both")
DISLIKED_TARGETS = ("kto", "distill", "both", "hold")


FIGURES = ("kl", "reward_chosen", "reward_rejected", "reward_margin")


def batch_loss(model, batch: Batch, pad_id: int, device, w: LossWeights) -> tuple[torch.Tensor, dict]:
    """The step's loss: each kind's objective, weighted by its share of the batch; and the
    figures the progress shows (KL, rewards, margin)."""
    parts, figures, n = [], {}, len(batch)
    if batch.unpaired:
        loss, f = _unpaired_loss(model, batch, pad_id, device, w)
        parts.append(loss * len(batch.unpaired) / n)
        figures.update(f)
    if batch.pairs:
        loss, f = _pair_loss(model, batch, pad_id, device, w)
        parts.append(loss * len(batch.pairs) / n)
        for key, value in f.items():
            figures.setdefault(key, value)
    if batch.tokens:
        loss = _token_rated_loss(model, batch, pad_id, device, w)
        parts.append(w.token_weight * loss * len(batch.tokens) / n)
    figures = {k: v for k, v in figures.items() if k in FIGURES}
    if "reward_margin" not in figures and "reward_chosen" in figures and "reward_rejected" in figures:
        figures["reward_margin"] = figures["reward_chosen"] - figures["reward_rejected"]
    return sum(parts), figures


def _unpaired_loss(model, batch: Batch, pad_id, device, w: LossWeights):
    """KTO, plus (``liked_sft_weight``) the mean negative log-likelihood of the liked answers'
    tokens: what the likelihood term does for corrections in DPO, for a thumbs-up; and
    (``end_weight``) the end-of-text term. A ``disliked_target`` other than "kto" (none learned
    as much as KTO: docs/measurements.md) goes through ``_disliked_variant_loss``."""
    if w.disliked_target not in DISLIKED_TARGETS:
        raise ValueError(f"disliked_target is one of {DISLIKED_TARGETS}, not {w.disliked_target!r}")
    es = batch.unpaired
    labels = torch.tensor([e.label for e in es], device=device)
    seqs = [(e.prompt_ids, e.completion_ids) for e in es]
    if w.disliked_target != "kto" and not bool(labels.all()):
        token_logps, mask, loss, figures = _disliked_variant_loss(model, batch, pad_batch(seqs, pad_id, device), labels,
                                                                  pad_id, device, w)
    else:
        token_logps, mask = grouped_token_logps(model, seqs, pad_id, device)
        loss, figures = _kto_term(model, batch, token_logps, labels, pad_id, device, w)
    if w.liked_sft_weight and bool(labels.any()):
        liked = labels.bool()
        nll = -token_logps[liked][mask[liked].bool()].mean()
        loss = loss + w.liked_sft_weight * nll
        figures["nll_liked"] = float(nll.detach())
    ends = [(row, e.prompt_ids, e.completion_ids, e.end_mark) for row, e in enumerate(es) if e.label and e.ends]
    if w.end_weight and ends:
        loss = loss + w.end_weight * end_nll(token_logps, ends, w.end_mark)
    return loss, figures


def _kto_term(model, batch: Batch, token_logps, labels, pad_id, device, w: LossWeights, rows=None):
    """KTO over the thumbs of ``rows`` (a boolean mask over ``batch.unpaired``; None: all of
    them), its reference point estimated from every thumb's mismatched pair."""
    with torch.no_grad():
        mismatched = [(e.prompt_ids, c) for e, c in zip(batch.unpaired, batch.kl_completions)]
        kl_logps = grouped_token_logps(model, mismatched, pad_id, device)[0].sum(-1)
    kl = kto_kl(kl_logps, batch.ref_kl)
    logps, ref = token_logps.sum(-1), batch.ref_unpaired
    if rows is not None:
        logps, ref, labels = logps[rows], ref[rows], labels[rows]
    return kto_loss(logps, ref, labels, kl, w.beta, w.desirable_weight, w.undesirable_weight)


def _disliked_variant_loss(model, batch: Batch, seqs, labels, pad_id, device, w: LossWeights):
    """The alternatives to KTO's undesirable term for a batch with a disliked thumb
    (``LossWeights.disliked_target``): "distill" in its place, "both" and "hold" beside it.
    Returns the answers' token log-probabilities and mask (the liked terms read them), the
    loss and its figures."""
    if batch.ref_disliked is None:
        raise ValueError("the disliked answers' distillation needs their reference distributions (disliked_top)")
    full = answer_logsoftmax(model, seqs)
    mask = seqs["completion_mask"][:, 1:]
    token_logps = full.gather(2, seqs["input_ids"][:, 1:, None]).squeeze(-1) * mask
    in_place = w.disliked_target == "distill"
    loss, figures = token_logps.new_zeros(()), {}
    if not in_place:
        loss, figures = _kto_term(model, batch, token_logps, labels, pad_id, device, w)
    elif bool(labels.any()):
        loss, figures = _kto_term(model, batch, token_logps, labels, pad_id, device, w, rows=labels.bool())
    per_row = disliked_distillation(full, batch.unpaired, batch.ref_disliked, hold=w.disliked_target == "hold")
    if in_place:  # each row's term, weighted as KTO's, over all rows
        liked = int(labels.bool().sum())
        loss = (loss * liked + w.undesirable_weight * per_row.sum()) / len(batch.unpaired)
        figures["reward_rejected"] = float(w.beta * (token_logps.sum(-1) - batch.ref_unpaired)[~labels.bool()]
                                           .detach().mean())
    else:
        loss = loss + w.disliked_ref_weight * per_row.mean()
    figures["distill_disliked"] = float(per_row.detach().mean())
    return token_logps, mask, loss, figures


def _pair_loss(model, batch: Batch, pad_id, device, w: LossWeights):
    """Chosen and rejected answers go through the model as two batches, each padded only to
    its own longest: a short correction ("Answer: Paris.") padded to the length of the
    rambling answer it replaces would be mostly padding, computed and back-propagated for
    nothing (bench/finetune_time.py --compare prints the padded tokens per step). With
    ``w.pair_packed`` both go through one pass, the prompt read once (``packed_pair_logps``)."""
    ps = batch.pairs
    if w.pair_packed and packs_pairs(model):
        (chosen, chosen_mask), (rejected, rejected_mask) = grouped_pair_logps(
            model, [(p.prompt_ids, p.chosen_ids, p.rejected_ids) for p in ps], pad_id, device)
    else:
        chosen, chosen_mask = per_token_logps(model, pad_batch([(p.prompt_ids, p.chosen_ids) for p in ps], pad_id,
                                                               device))
        rejected, rejected_mask = per_token_logps(model, pad_batch([(p.prompt_ids, p.rejected_ids) for p in ps],
                                                                   pad_id, device))
    rows = torch.tensor([w.sibling_sft_weight if p.source == "siblings" else 1.0 for p in ps], device=chosen.device)
    norm = w.pair_norm_beta > 0
    lengths = (chosen_mask.sum(-1), rejected_mask.sum(-1)) if norm else None
    loss, figures = dpo_loss(chosen.sum(-1), rejected.sum(-1), batch.ref_chosen, batch.ref_rejected,
                             w.pair_norm_beta if norm else w.beta, chosen, chosen_mask * rows[:, None], w.sft_weight,
                             lengths)
    ends = [(row, p.prompt_ids, p.chosen_ids, p.chosen_end_mark) for row, p in enumerate(ps)
            if p.source == "siblings" and p.chosen_ends]
    if w.end_weight and ends:
        loss = loss + w.end_weight * end_nll(chosen, ends, w.end_mark)
    return loss, figures


def _token_rated_loss(model, batch: Batch, pad_id, device, w: LossWeights | None = None) -> torch.Tensor:
    """The token term of ``batch.tokens``: ``token_loss`` at the rated positions (unlikelihood
    for a disliked token), or with ``w.token_target`` "distill" the reference's distribution
    without the disliked token as the target there; plus ``w.token_keep_weight`` x the KL to
    the reference at the answers' unrated positions. Unlikelihood alone says only "less of
    this token": nothing holds the rest of the distribution, and the adapter drifts wherever
    lowering the token is cheapest (bench/learning_effect.py, tokens x 8: held-out margin 0.87
    -> 7.22 and a re-ask looped). The two reference terms say "this word less, everything else
    as before"."""
    w = w or LossWeights()
    if w.token_target not in TOKEN_TARGETS:
        raise ValueError(f"token_target is one of {TOKEN_TARGETS}, not {w.token_target!r}")
    tokens, keep, distill = batch.tokens, w.token_keep_weight > 0, w.token_target in ("distill", "both")
    seqs = pad_batch([(t.prompt_ids, t.completion_ids) for t in tokens], pad_id, device)
    rated = _rated_positions(tokens)
    if not (keep or distill):
        logps, _mask = per_token_logps(model, seqs)
        return token_loss(logps, rated)[0]
    if batch.ref_tokens is None:
        raise ValueError("the token term's reference terms need the references' token distributions (token_top)")
    full = answer_logsoftmax(model, seqs)
    # with "distill" a liked token keeps its likelihood term and a disliked one goes to the target
    plain = [r for r in rated if r[2] > 0] if w.token_target == "distill" else rated
    own = full.gather(2, seqs["input_ids"][:, 1:, None]).squeeze(-1)  # the log-prob of each next token
    total = token_loss(own, plain)[0] * len(plain) if plain else full.new_zeros(())
    distilled, n_distilled, held, n_held = token_reference_terms(full, tokens, batch.ref_tokens, distill, keep)
    loss = (total + distilled) / max(len(plain) + n_distilled, 1)
    return loss + w.token_keep_weight * held / n_held if n_held else loss


def _rated_positions(tokens) -> list[tuple[int, int, int]]:
    return [(row, len(t.prompt_ids) + index - 1, value)
            for row, t in enumerate(tokens) for index, value in t.ratings.items()]
