"""The objectives: KTO (unpaired thumbs), DPO + a likelihood term (pairs), and the weighted
token term (token ratings), plus the per-token log-probabilities they are computed from.

KTO and DPO are written to give exactly the numbers of HF TRL's ``KTOTrainer`` (loss_type
"kto") and ``DPOTrainer`` (loss_type ["sigmoid", "sft"]) on the same batch;
tests/test_training_losses.py computes one batch both ways and compares.
TRL's trainers are not used for the training itself: they re-tokenize (the app must format
prompts exactly as generation does), recompute reference log-probabilities every step
(we compute them once, the reference being fixed) and cannot mix the three kinds of data
in one step.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from desktop_app.core import work_meter

IGNORE = -100


# ------------------------------------------------------------------ batching

def pad_batch(seqs: list[tuple[list[int], list[int]]], pad_id: int, device) -> dict:
    """Right-padded ``input_ids``, ``attention_mask`` and ``completion_mask`` (1 on answer
    tokens), the layout of TRL's preference collators."""
    width = max(len(p) + len(c) for p, c in seqs)
    ids = torch.full((len(seqs), width), pad_id, dtype=torch.long)
    attention = torch.zeros((len(seqs), width), dtype=torch.long)
    completion = torch.zeros((len(seqs), width), dtype=torch.long)
    for row, (p, c) in enumerate(seqs):
        n = len(p) + len(c)
        ids[row, :n] = torch.tensor(list(p) + list(c))
        attention[row, :n] = 1
        completion[row, len(p):n] = 1
    return {"input_ids": ids.to(device), "attention_mask": attention.to(device),
            "completion_mask": completion.to(device), "prompt_lens": [len(p) for p, _ in seqs]}


def left_pad(prompts, pad_id: int, device) -> tuple[torch.Tensor, torch.Tensor]:
    """(``input_ids``, ``attention_mask``) of ``prompts`` as one left-padded batch: every prompt
    ends in the last column, where a next-token read or generation goes on."""
    width = max(len(p) for p in prompts)
    ids = torch.tensor([[pad_id] * (width - len(p)) + list(p) for p in prompts], device=device)
    mask = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in prompts], device=device)
    return ids, mask


def per_token_logps(model, batch: dict) -> tuple[torch.Tensor, torch.Tensor]:
    """(logps, mask), both [B, T-1]: ``logps[b, t]`` is log p(input_ids[b, t+1] | ids[b, :t+1]),
    zero where ``mask`` (the shifted completion mask) is 0.

    Only the positions from the earliest answer on are projected through the LM head
    (``logits_to_keep``), which matters for long prompts and large vocabularies.
    """
    ids, attention, completion = batch["input_ids"], batch["attention_mask"], batch["completion_mask"]
    rows, width = ids.shape
    first = max(min(batch["prompt_lens"]) - 1, 0)  # the logit that predicts the first answer token
    keep = width - first
    logits = model(input_ids=ids, attention_mask=attention, use_cache=False, logits_to_keep=keep).logits
    # Fused cross-entropy keeps one [B, T, V] buffer alive for backward (log-softmax's output)
    # where a gather + logsumexp over a sliced view keeps several. The last kept logit
    # predicts nothing.
    mask = completion[:, first + 1:]
    labels = torch.full((rows, keep), IGNORE, dtype=torch.long, device=ids.device)
    labels[:, :-1] = ids[:, first + 1:].masked_fill(mask == 0, IGNORE)
    nll = F.cross_entropy(logits.flatten(0, 1).float(), labels.flatten(), ignore_index=IGNORE, reduction="none")
    logps = -nll.view(rows, keep)[:, :-1]
    if first:  # give back the full [B, T-1] layout so positions index like the batch
        pad = torch.zeros((ids.shape[0], first), dtype=logps.dtype, device=logps.device)
        logps = torch.cat([pad, logps], dim=1)
        mask = torch.cat([torch.zeros_like(pad, dtype=mask.dtype), mask], dim=1)
    return logps, mask


def sequence_logps(model, seqs, pad_id: int, device, *, batch_size: int | None = None,
                   reduce: str = "sum") -> torch.Tensor:
    """Answer log-probability of each (prompt, answer), shape [len(seqs)].

    ``reduce``: "sum" over the answer's tokens (what KTO and DPO compare) or "mean" (the
    gate's margin, so that long and short answers count alike). ``batch_size``: how many
    sequences go through the model at once (all when None); the chunks are consecutive,
    and the result depends slightly on them (padding width, ``logits_to_keep``).
    Gradients flow unless the caller turns them off.
    """
    if reduce not in ("sum", "mean"):
        raise ValueError(f"reduce is 'sum' or 'mean', not {reduce!r}")
    if not seqs:
        return torch.zeros(0, device=device)
    step = len(seqs) if batch_size is None else max(1, batch_size)
    out = []
    for start in range(0, len(seqs), step):
        logps, mask = per_token_logps(model, pad_batch(seqs[start:start + step], pad_id, device))
        total = logps.sum(-1)
        out.append(total if reduce == "sum" else total / mask.sum(-1).clamp(min=1))
    return out[0] if len(out) == 1 else torch.cat(out)


PACKED_ATTENTION = ("eager", "sdpa")  # the implementations that take a 4D mask as given


def packs_pairs(model) -> bool:
    """Whether ``model``'s attention reads ``pack_pairs``'s 4D mask (eager: additive, SDPA: boolean);
    others (flash attention) keep the two passes."""
    return getattr(model.config, "_attn_implementation", None) in PACKED_ATTENTION


def pack_pairs(seqs: list[tuple[list[int], list[int], list[int]]], pad_id: int, device,
               additive: bool = True) -> dict:
    """Each (prompt, chosen, rejected) as ONE right-padded row: the prompt, then the chosen
    answer, then the rejected one. A 4D additive mask [B, 1, T, T] lets each answer see the
    prompt and its own earlier tokens only, and the rejected answer's position ids restart
    where the prompt ends, so every token reads exactly what it reads in its own sequence:
    the prompt is read once for both answers (in a conversation it is most of a pair's
    tokens) and its activations carry both answers' gradients. ``additive``: the mask as eager
    attention adds it (0 / the float minimum), else boolean (True: attend), as SDPA takes it on
    any device and precision."""
    width = max(len(p) + len(c) + len(r) for p, c, r in seqs)
    ids = torch.full((len(seqs), width), pad_id, dtype=torch.long)
    positions = torch.zeros((len(seqs), width), dtype=torch.long)
    allowed = torch.eye(width, dtype=torch.bool).repeat(len(seqs), 1, 1)  # padding sees itself: no empty row
    causal = torch.ones((width, width), dtype=torch.bool).tril()
    for row, (p, c, r) in enumerate(seqs):
        n_p, n_c, n = len(p), len(c), len(p) + len(c) + len(r)
        ids[row, :n] = torch.tensor(list(p) + list(c) + list(r))
        positions[row, :n] = torch.cat([torch.arange(n_p + n_c), torch.arange(n_p, n_p + len(r))])
        allowed[row, :n, :n] = causal[:n, :n]
        allowed[row, n_p + n_c:n, n_p:n_p + n_c] = False  # the rejected answer does not see the chosen one
    mask = (torch.zeros(allowed.shape).masked_fill(~allowed, torch.finfo(torch.float32).min) if additive
            else allowed)[:, None]
    return {"input_ids": ids.to(device), "attention_mask": mask.to(device), "position_ids": positions.to(device),
            "lengths": [(len(p), len(c), len(r)) for p, c, r in seqs]}


def packed_pair_logps(model, seqs: list[tuple[list[int], list[int], list[int]]], pad_id: int, device
                      ) -> tuple[tuple[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]:
    """((chosen logps, mask), (rejected logps, mask)) of ``seqs`` ((prompt, chosen, rejected)),
    each in ``per_token_logps``'s layout for a batch of (prompt, that answer) padded to its own
    longest, from one pass over ``pack_pairs``'s rows. The same figures as two
    ``per_token_logps`` passes to float rounding (tests/test_training_speed.py)."""
    batch = pack_pairs(seqs, pad_id, device, additive=model.config._attn_implementation == "eager")
    ids, lengths = batch["input_ids"], batch["lengths"]
    first = max(min(n_p for n_p, _c, _r in lengths) - 1, 0)
    logits = model(input_ids=ids, attention_mask=batch["attention_mask"], position_ids=batch["position_ids"],
                   use_cache=False, logits_to_keep=ids.shape[1] - first).logits
    picks = {"chosen": ([], [], [], []), "rejected": ([], [], [], [])}  # rows, packed columns, out columns, targets
    for row, (n_p, n_c, n_r) in enumerate(lengths):
        for side, start, n in (("chosen", n_p, n_c), ("rejected", n_p + n_c, n_r)):
            rows, cols, outs, targets = picks[side]
            for j in range(n):  # answer token j is predicted by the prompt's last token, then by token j - 1
                rows.append(row)
                cols.append((n_p - 1 if j == 0 else start + j - 1) - first)
                outs.append(n_p - 1 + j)
                targets.append(int(ids[row, start + j]))
    out = []
    for side, (rows, cols, outs, targets) in picks.items():
        width = max(n_p + (n_c if side == "chosen" else n_r) for n_p, n_c, n_r in lengths) - 1
        logps = logits.new_zeros((len(lengths), width), dtype=torch.float32)
        mask = torch.zeros((len(lengths), width), dtype=torch.long, device=logits.device)
        if rows:
            r, o = torch.tensor(rows, device=logits.device), torch.tensor(outs, device=logits.device)
            picked = logits[r, torch.tensor(cols, device=logits.device)].float()
            nll = F.cross_entropy(picked, torch.tensor(targets, device=logits.device), reduction="none")
            logps = logps.index_put((r, o), -nll)
            mask[r, o] = 1
        out.append((logps, mask))
    return out[0], out[1]


@torch.no_grad()
def packed_pair_sums(model, seqs: list[tuple[list[int], list[int], list[int]]], pad_id: int, device,
                     batch_size: int = 8) -> tuple[torch.Tensor, torch.Tensor]:
    """(chosen, rejected) summed answer log-probabilities of ``seqs`` ((prompt, chosen,
    rejected)) by ``packed_pair_logps``, in batches of similar packed length."""
    chosen, rejected = torch.zeros(len(seqs), device=device), torch.zeros(len(seqs), device=device)
    order = sorted(range(len(seqs)), key=lambda i: sum(len(part) for part in seqs[i]))
    for start in range(0, len(order), max(1, batch_size)):
        chunk = order[start:start + max(1, batch_size)]
        (c, _cm), (r, _rm) = packed_pair_logps(model, [seqs[i] for i in chunk], pad_id, device)
        rows = torch.tensor(chunk, device=device)
        chosen[rows], rejected[rows] = c.sum(-1).to(chosen.dtype), r.sum(-1).to(rejected.dtype)
    return chosen, rejected


@torch.no_grad()
def distinct_sequence_logps(model, seqs, pad_id: int, device, *, batch_size: int = 8,
                            reduce: str = "sum") -> torch.Tensor:
    """``sequence_logps`` without gradients, each distinct (prompt, answer) computed once, in
    batches of similar length; the result in the order of ``seqs``.

    What the measuring passes read repeats itself: a thumbed sibling is also half of a
    sibling pair (the same sequence as a thumb and as the pair's chosen or rejected), and
    KTO's mismatched (prompt i, answer i - 1) is an answer to the same question when two
    thumbs of one conversation sit side by side. 100 thumbs gave 260 sequences of which 130
    differ, and batches of mixed lengths padded them to 2.3x their tokens: the reference pass
    took a fifth of the run (bench/learning_effect.py)."""
    if not seqs:
        return torch.zeros(0, device=device)
    index: dict[tuple, int] = {}
    distinct: list[tuple[list[int], list[int]]] = []
    where = []
    for p, c in seqs:
        key = (tuple(p), tuple(c))
        if key not in index:
            index[key] = len(distinct)
            distinct.append((p, c))
        where.append(index[key])
    order = sorted(range(len(distinct)), key=lambda i: len(distinct[i][0]) + len(distinct[i][1]))
    values = torch.zeros(len(distinct), device=device)
    for start in range(0, len(order), max(1, batch_size)):
        chunk = order[start:start + batch_size]
        out = sequence_logps(model, [distinct[i] for i in chunk], pad_id, device, reduce=reduce)
        values[torch.tensor(chunk, device=device)] = out.to(values.dtype)
        work_meter.advance("scoring your ratings", start + len(chunk), len(order))
    return values[torch.tensor(where, device=device)]


@torch.no_grad()
def prompt_shared_logps(model, seqs, pad_id: int, device, *, batch_size: int = 8,
                        reduce: str = "sum") -> torch.Tensor:
    """``distinct_sequence_logps``'s figures (to float rounding), each distinct prompt read
    once: a batch of prompts (left-padded, shortest first) is read with its keys and values
    kept, and their answers continue from them in batches of their own (answers of similar
    length together, whatever their prompts). A pair's chosen and rejected answers share
    their prompt, which is most of their tokens when a rating was made in a conversation
    (the exchange before the question is in it): the gate's margins over 8 "Answer: X."
    corrections made in one chat read 62 prompt tokens for each answer of 6 or 40. For
    measuring only: the training passes keep their batches (float rounding moves with a
    batch's shapes, and the reference and the steps read alike). A prompt with no tokens goes
    to ``distinct_sequence_logps``."""
    if reduce not in ("sum", "mean"):
        raise ValueError(f"reduce is 'sum' or 'mean', not {reduce!r}")
    if not seqs:
        return torch.zeros(0, device=device)
    if any(not p for p, _c in seqs):
        return distinct_sequence_logps(model, seqs, pad_id, device, batch_size=batch_size, reduce=reduce)
    answers: dict[tuple, dict[tuple, None]] = {}
    for p, c in seqs:
        answers.setdefault(tuple(p), {})[tuple(c)] = None
    found: dict[tuple, float] = {(p, ()): 0.0 for p in answers}  # an empty answer: nothing to read
    prompts = sorted(answers, key=len)
    step = max(1, batch_size)
    read, of = 0, sum(1 for p in answers for c in answers[p] if c)
    for start in range(0, len(prompts), step):
        chunk = prompts[start:start + step]
        mask, first, cache = _read_prompts(model, chunk, pad_id, device)
        rows = sorted(((b, c) for b, p in enumerate(chunk) for c in answers[p] if c), key=lambda r: len(r[1]))
        for row_start in range(0, len(rows), step):
            part = rows[row_start:row_start + step]
            sums = _continued_logps(model, part, chunk, mask, first, cache, pad_id, device)
            for (b, c), total in zip(part, sums):
                found[chunk[b], c] = total / (1 if reduce == "sum" else max(len(c), 1))
            read += len(part)
            work_meter.advance("scoring rated answers", read, of)
    return torch.tensor([found[tuple(p), tuple(c)] for p, c in seqs], device=device)


def _read_prompts(model, prompts: list[tuple], pad_id: int, device):
    """(attention mask, the logits predicting each prompt's first answer token, the cache) of
    ``prompts`` read as one left-padded batch."""
    ids, mask = left_pad(prompts, pad_id, device)
    out = model(input_ids=ids, attention_mask=mask, position_ids=(mask.cumsum(-1) - 1).clamp(min=0),
                use_cache=True, logits_to_keep=1)
    return mask, out.logits[:, -1].float(), out.cache


def _continued_logps(model, part, prompts, mask, first, cache, pad_id: int, device) -> list[float]:
    """Summed log-probabilities of the answers ``part`` ((prompt row, answer ids)), continuing
    the prompts' ``cache`` (left as it was), as one right-padded batch."""
    rows = torch.tensor([b for b, _c in part], device=device)
    longest = max(len(c) for _b, c in part)
    logits = first[rows][:, None]  # [k, 1, V]
    if longest > 1:
        past = copy.deepcopy(cache)  # a pass appends to the cache it reads
        past.batch_select_indices(rows)
        ids = torch.tensor([list(c[:-1]) + [pad_id] * (longest - len(c)) for _b, c in part], device=device)
        answer_mask = torch.tensor([[1] * (len(c) - 1) + [0] * (longest - len(c)) for _b, c in part], device=device)
        lengths = torch.tensor([len(prompts[b]) for b, _c in part], device=device)
        positions = lengths[:, None] + torch.arange(longest - 1, device=device)[None]
        later = model(input_ids=ids, attention_mask=torch.cat([mask[rows], answer_mask], dim=1),
                      position_ids=positions, cache=past, use_cache=True).logits.float()
        logits = torch.cat([logits, later], dim=1)  # [k, longest, V]
    targets = torch.tensor([list(c) + [IGNORE] * (longest - len(c)) for _b, c in part], device=device)
    nll = F.cross_entropy(logits.flatten(0, 1), targets.flatten(), ignore_index=IGNORE, reduction="none")
    return (-nll.view(len(part), longest).sum(-1)).tolist()


# ------------------------------------------------------------------ objectives

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


# ------------------------------------------------------------------ one training batch

@dataclass
class References:
    """The reference model's (the base model's: the adapter disabled) answer log-probabilities
    of every training example, computed once: the reference never changes during a run."""
    unpaired: torch.Tensor  # [len(data.unpaired)]
    kl: torch.Tensor  # [len(data.unpaired)]: prompt i with answer i - 1 (KTO's mismatched pairs, as TRL)
    chosen: torch.Tensor  # [len(data.pairs)]
    rejected: torch.Tensor  # [len(data.pairs)]
    tokens: list | None = None  # per token-rated answer, its TokenReference (None: not computed)
    # per thumb, the disliked answers' TokenReference (None for a liked one; the list None: not computed)
    disliked: list | None = None


def kl_sequences(data) -> list[tuple[list[int], list[int]]]:
    u = data.unpaired
    return [(u[i].prompt_ids, u[i - 1].completion_ids) for i in range(len(u))]


@torch.no_grad()
def reference_logps(model, data, pad_id: int, device, batch_size: int = 8, token_top: int = 0,
                    disliked_top: int = 0, packed: bool = False) -> References:
    """Under ``model`` as it is (the caller disables the adapter). ``token_top`` > 0: the
    token-rated answers' reference distributions too (``token_references``); ``disliked_top``
    > 0: the disliked thumbs' (the "distill" target of ``LossWeights.disliked_target``).
    ``packed``: the pairs read as the steps read them with ``LossWeights.pair_packed``, the
    prompt once for both answers (``packed_pair_sums``)."""
    groups = [[(e.prompt_ids, e.completion_ids) for e in data.unpaired], kl_sequences(data)]
    packed = packed and packs_pairs(model)
    if not packed:
        groups += [[(p.prompt_ids, p.chosen_ids) for p in data.pairs],
                   [(p.prompt_ids, p.rejected_ids) for p in data.pairs]]
    values = distinct_sequence_logps(model, [s for g in groups for s in g], pad_id, device, batch_size=batch_size)
    parts, start = [], 0
    for g in groups:
        parts.append(values[start:start + len(g)])
        start += len(g)
    if packed:
        parts += list(packed_pair_sums(model, [(p.prompt_ids, p.chosen_ids, p.rejected_ids) for p in data.pairs],
                                       pad_id, device, batch_size))
    tokens = token_references(model, data.tokens, pad_id, device, token_top, batch_size) if token_top else None
    disliked = None
    if disliked_top:
        rows = [i for i, e in enumerate(data.unpaired) if not e.label]
        found = token_references(model, [data.unpaired[i] for i in rows], pad_id, device, disliked_top, batch_size)
        disliked = [None] * len(data.unpaired)
        for i, ref in zip(rows, found):
            disliked[i] = ref
    return References(*parts, tokens=tokens, disliked=disliked)


@dataclass
class TokenReference:
    """The reference's next-token distribution at each answer position of a token-rated
    answer, kept sparse: column 0 is the answer's own token there (the one a rating rates),
    columns 1.. the reference's likeliest others; the mass of the rest of the vocabulary is
    one bucket (1 - the columns' sum). A full [answer, vocabulary] table would be ~10 MB per
    answer at a 50k vocabulary; ``TOKEN_TOP`` columns hold nearly all of the mass where the
    model is confident, and KL over (columns, rest) is a lower bound of the full KL that is
    exact on the columns."""
    ids: torch.Tensor  # [answer tokens, k] long
    logps: torch.Tensor  # [answer tokens, k]: the reference's log-probabilities of ``ids``


TOKEN_TOP = 64


@torch.no_grad()
def token_references(model, tokens, pad_id: int, device, top: int = TOKEN_TOP,
                     batch_size: int = 8) -> list[TokenReference]:
    out = []
    for start in range(0, len(tokens), max(1, batch_size)):
        chunk = tokens[start:start + batch_size]
        batch = pad_batch([(t.prompt_ids, t.completion_ids) for t in chunk], pad_id, device)
        logps = answer_logsoftmax(model, batch)
        for row, t in enumerate(chunk):
            cols = _answer_columns(t)
            lp = logps[row, cols]  # [answer tokens, vocab]
            own = torch.tensor(t.completion_ids, device=lp.device)
            boosted = lp.scatter(1, own[:, None], float("inf"))  # the answer's own token always column 0
            ids = boosted.topk(min(top, lp.shape[1]), dim=-1).indices
            out.append(TokenReference(ids, lp.gather(1, ids)))
    return out


def answer_logsoftmax(model, batch: dict) -> torch.Tensor:
    """[B, T-1, V] log-softmax, ``[b, t]`` predicting ``input_ids[b, t+1]`` (``per_token_logps``'s
    layout); rows before the earliest answer position are not computed (zeros)."""
    ids, attention = batch["input_ids"], batch["attention_mask"]
    rows, width = ids.shape
    first = max(min(batch["prompt_lens"]) - 1, 0)
    logits = model(input_ids=ids, attention_mask=attention, use_cache=False, logits_to_keep=width - first).logits
    logps = F.log_softmax(logits[:, :-1].float(), dim=-1)
    if first:
        logps = torch.cat([logps.new_zeros((rows, first, logps.shape[-1])), logps], dim=1)
    return logps


def _answer_columns(t) -> torch.Tensor:
    """The positions (in ``answer_logsoftmax``'s layout) predicting each of ``t``'s answer tokens."""
    return torch.arange(len(t.prompt_ids) - 1, len(t.prompt_ids) - 1 + len(t.completion_ids))


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
    seqs = pad_batch([(e.prompt_ids, e.completion_ids) for e in es], pad_id, device)
    if w.disliked_target != "kto" and not bool(labels.all()):
        token_logps, mask, loss, figures = _disliked_variant_loss(model, batch, seqs, labels, pad_id, device, w)
    else:
        token_logps, mask = per_token_logps(model, seqs)
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
        kl_logps = sequence_logps(model, [(e.prompt_ids, c) for e, c in zip(batch.unpaired, batch.kl_completions)],
                                  pad_id, device)
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


def disliked_distillation(full: torch.Tensor, examples, refs, hold: bool = False) -> torch.Tensor:
    """Per disliked answer of ``examples`` (``refs`` has its TokenReference; None for a liked
    one), the mean over its answer positions of KL(target || model) with the target the
    reference's distribution without the answer's token (``_bucket_kl``'s drop_first); at the
    end-of-text token of an answer the model ended itself, the reference as it is (a person who
    dislikes an answer has not said "go on past its end"). ``full``: ``answer_logsoftmax`` of
    the examples' batch. ``hold``: instead the mean of KL(reference || model) over the positions
    where the answer's token is the reference's likeliest (0 for an answer with none)."""
    out = []
    for row, (e, ref) in enumerate(zip(examples, refs)):
        if ref is None:
            continue
        policy = full[row, _answer_columns(e)].gather(1, ref.ids)
        if hold:
            greedy = ref.logps[:, 0] >= ref.logps[:, 1:].max(dim=1).values
            out.append(_bucket_kl(ref.logps[greedy], policy[greedy]).mean() if bool(greedy.any())
                       else full.new_zeros(()))
            continue
        n = len(e.completion_ids) - (1 if e.ends else 0)
        terms = _bucket_kl(ref.logps[:n], policy[:n], drop_first=True)
        if e.ends:
            terms = torch.cat([terms, _bucket_kl(ref.logps[n:], policy[n:])])
        out.append(terms.mean())
    return torch.stack(out) if out else full.new_zeros((0,))


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


def _pair_loss(model, batch: Batch, pad_id, device, w: LossWeights):
    """Chosen and rejected answers go through the model as two batches, each padded only to
    its own longest: a short correction ("Answer: Paris.") padded to the length of the
    rambling answer it replaces would be mostly padding, computed and back-propagated for
    nothing (bench/finetune_time.py --compare prints the padded tokens per step). With
    ``w.pair_packed`` both go through one pass, the prompt read once (``packed_pair_logps``)."""
    ps = batch.pairs
    if w.pair_packed and packs_pairs(model):
        (chosen, chosen_mask), (rejected, rejected_mask) = packed_pair_logps(
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
    distilled, n_distilled, held, n_held = _reference_terms(full, tokens, batch.ref_tokens, distill, keep)
    loss = (total + distilled) / max(len(plain) + n_distilled, 1)
    return loss + w.token_keep_weight * held / n_held if n_held else loss


def _reference_terms(full: torch.Tensor, tokens, refs, distill: bool, keep: bool):
    """(sum of the distillation KL at the disliked positions, their count, sum of the KL to the
    reference at the unrated positions, their count)."""
    distilled, n_distilled, held, n_held = full.new_zeros(()), 0, full.new_zeros(()), 0
    for row, (t, ref) in enumerate(zip(tokens, refs)):
        policy = full[row, _answer_columns(t)].gather(1, ref.ids)  # [answer tokens, k]
        disliked = torch.tensor([t.ratings.get(i, 0) < 0 for i in range(len(t.completion_ids))], device=full.device)
        unrated = torch.tensor([i not in t.ratings for i in range(len(t.completion_ids))], device=full.device)
        if distill and bool(disliked.any()):
            distilled = distilled + _bucket_kl(ref.logps[disliked], policy[disliked], drop_first=True).sum()
            n_distilled += int(disliked.sum())
        if keep and bool(unrated.any()):
            held = held + _bucket_kl(ref.logps[unrated], policy[unrated]).sum()
            n_held += int(unrated.sum())
    return distilled, n_distilled, held, n_held


def _rated_positions(tokens) -> list[tuple[int, int, int]]:
    return [(row, len(t.prompt_ids) + index - 1, value)
            for row, t in enumerate(tokens) for index, value in t.ratings.items()]


def _bucket_kl(ref: torch.Tensor, policy: torch.Tensor, drop_first: bool = False) -> torch.Tensor:
    """Per position, KL(target || policy) over the buckets (each column, the rest of the
    vocabulary); ``ref`` and ``policy``: [positions, k] log-probabilities of the same ids. The
    target is the reference; with ``drop_first`` the reference without column 0 (the answer's
    own token: the disliked one), renormalised over the other columns and the rest, and the
    policy's mass on that token belongs to no bucket of the target (pushing it down)."""
    if drop_first:
        ref_cols, pol_cols = ref[:, 1:], policy[:, 1:]
        norm = torch.log1p(-ref[:, 0].exp().clamp(max=1 - 1e-6))  # log(1 - p_ref(disliked))
        target = ref_cols - norm[:, None]
        ref_rest = _log_rest(ref) - norm
        pol_rest = _log_rest(policy)
    else:
        target, pol_cols = ref, policy
        ref_rest, pol_rest = _log_rest(ref), _log_rest(policy)
    cols = (target.exp() * (target - pol_cols)).sum(-1)
    return cols + ref_rest.exp() * (ref_rest - pol_rest)


def _log_rest(logps: torch.Tensor) -> torch.Tensor:
    """log of the mass outside the columns, 1 - sum(exp(columns)), kept off log(0)."""
    return torch.log((1 - logps.exp().sum(-1)).clamp(min=1e-8))
