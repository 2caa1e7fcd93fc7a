"""The fine-tune's per-token log-probabilities: examples padded into batches, and each answer
token's log-probability (or the whole distribution) at the positions that predict it, with
gradients. The passes that only measure, and read each distinct sequence or prompt once, are
``train_measure.py``'s; a pair read in one pass is ``train_packing.py``'s."""

from __future__ import annotations

import torch
import torch.nn.functional as F

IGNORE = -100


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


def length_groups(lengths: list[int], saves: float = 0.1) -> list[list[int]]:
    """The rows of a batch (their indices, by ``lengths``) in one group, or in two of similar
    length where that saves at least ``saves`` of the padded tokens: a step's examples are drawn
    at random, and one long answer padded the rest of its batch (thumbs x 100: 1.19x their tokens,
    bench/learning_effect.py). Rows are read independently of one another, so the figures are
    the batch's to float rounding."""
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    sizes = [lengths[i] for i in order]
    whole = len(sizes) * sizes[-1] if sizes else 0
    best, split = whole, 0
    for k in range(1, len(sizes)):
        padded = k * sizes[k - 1] + (len(sizes) - k) * sizes[-1]
        if padded < best:
            best, split = padded, k
    if not split or best > (1 - saves) * whole:
        return [list(range(len(lengths)))]
    return [order[:split], order[split:]]


def grouped_token_logps(model, seqs: list[tuple[list[int], list[int]]], pad_id: int, device
                        ) -> tuple[torch.Tensor, torch.Tensor]:
    """``per_token_logps(model, pad_batch(seqs, ...))``, its rows read in ``length_groups``: the
    same [B, T-1] layout (zeros past a row's end), with gradients."""
    groups = length_groups([len(p) + len(c) for p, c in seqs])
    if len(groups) == 1:
        return per_token_logps(model, pad_batch(seqs, pad_id, device))
    width = max(len(p) + len(c) for p, c in seqs) - 1
    parts = [per_token_logps(model, pad_batch([seqs[i] for i in rows], pad_id, device)) for rows in groups]
    logps = torch.cat([F.pad(lp, (0, width - lp.shape[1])) for lp, _m in parts])
    mask = torch.cat([F.pad(m, (0, width - m.shape[1])) for _lp, m in parts])
    back = torch.argsort(torch.tensor([i for rows in groups for i in rows], device=logps.device))
    return logps[back], mask[back]


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


def answer_columns(t) -> torch.Tensor:
    """The positions (in ``answer_logsoftmax``'s layout) predicting each of ``t``'s answer tokens."""
    return torch.arange(len(t.prompt_ids) - 1, len(t.prompt_ids) - 1 + len(t.completion_ids))
