"""A preference pair's chosen and rejected answers read in ONE pass: the prompt they share is
read once, and each answer sees only the prompt and its own earlier tokens (a 4D mask)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from desktop_app.core import work_meter
from desktop_app.core.train_logps import length_groups

SCORING_PAIRS = "scoring your preferred answers against the ones they beat: {done} of {total} pair{s}"

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


def grouped_pair_logps(model, seqs: list[tuple[list[int], list[int], list[int]]], pad_id: int, device
                       ) -> tuple[tuple[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]:
    """``packed_pair_logps``, its rows read in ``train_logps.length_groups`` by packed length (a
    step's pairs are drawn at random: thumbs x 100's packed rows were 1.15x their tokens), in the
    same layout; rows are read independently, so the figures are the same to float rounding."""
    groups = length_groups([len(p) + len(c) + len(r) for p, c, r in seqs])
    if len(groups) == 1:
        return packed_pair_logps(model, seqs, pad_id, device)
    parts = [packed_pair_logps(model, [seqs[i] for i in rows], pad_id, device) for rows in groups]
    back = torch.argsort(torch.tensor([i for rows in groups for i in rows]))
    out = []
    for side in (0, 1):  # chosen, rejected: each padded to its own longest, as one packed batch gives it
        width = max(len(s[0]) + len(s[1 + side]) for s in seqs) - 1

        def joined(k: int) -> torch.Tensor:
            rows = torch.cat([F.pad(part[side][k], (0, width - part[side][k].shape[1])) for part in parts])
            return rows[back.to(rows.device)]
        out.append((joined(0), joined(1)))
    return out[0], out[1]


@torch.no_grad()
def packed_pair_sums(model, seqs: list[tuple[list[int], list[int], list[int]]], pad_id: int, device,
                     batch_size: int = 8, rated: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """(chosen, rejected) summed answer log-probabilities of ``seqs`` ((prompt, chosen,
    rejected)) by ``packed_pair_logps``, in batches of similar packed length. ``rated``: the pairs
    the person made among them, which the count counts (``pair_count``)."""
    chosen, rejected = torch.zeros(len(seqs), device=device), torch.zeros(len(seqs), device=device)
    order = sorted(range(len(seqs)), key=lambda i: sum(len(part) for part in seqs[i]))
    for start in range(0, len(order), max(1, batch_size)):
        work_meter.advance(SCORING_PAIRS, *pair_count(start, len(order), rated))
        chunk = order[start:start + max(1, batch_size)]
        (c, _cm), (r, _rm) = packed_pair_logps(model, [seqs[i] for i in chunk], pad_id, device)
        rows = torch.tensor(chunk, device=device)
        chosen[rows], rejected[rows] = c.sum(-1).to(chosen.dtype), r.sum(-1).to(rejected.dtype)
    return chosen, rejected


def pair_count(done: int, of: int, rated: int | None) -> tuple[int, int]:
    """``done`` of ``of`` sequences as the pairs the person made: a later turn's pair is read twice, also
    with its question asked alone (train_data.add_alone_views), and one better answer read "0 of 2 pairs"
    (counts59). ``rated`` None or 0: the sequences themselves."""
    if not rated or rated == of:
        return done, of
    return done * rated // of, rated
