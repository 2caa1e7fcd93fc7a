"""The measuring passes' answer log-probabilities (no gradients): the reference's, before the
steps, and the gate's margins. What they read repeats itself, so each distinct (prompt,
answer) is read once (``distinct_sequence_logps``), or each distinct prompt once with its
answers continuing from its cache (``prompt_shared_logps``)."""

from __future__ import annotations

import copy

import torch
import torch.nn.functional as F

from desktop_app.core import work_meter
from desktop_app.core.train_logps import IGNORE, left_pad, sequence_logps

# a thumb's answer, its mismatched twin (KTO) and a pair's two answers are each read once
# every count says its unit after "{done} of {total}", in every phase (usertest 9, B9: "1 of 1", "0 of 6" and
# "token 0 of at most 40" followed each other with nothing to tell what was counted)
# the count names its whole and what it is of, beside the panel's "9 examples" (usertest 24: "0 of 18 answer
# texts" while getting ready and "8 of 17" while checking, next to "9 examples", related to nothing it said).
# The reference pass and the margins both count answers, not the ratings: each pair's two answers, and a later
# turn's answer once in its conversation and once asked alone ("scoring 15 of 17 rated answers" after 6 rated,
# usertest 19)
SCORING_ANSWERS = "scoring the {total} answer{s} your examples compare: {done} of {total}"


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
    work_meter.advance(SCORING_ANSWERS, 0, len(order))  # a count from the start: a batch can take minutes
    for start in range(0, len(order), max(1, batch_size)):
        chunk = order[start:start + batch_size]
        out = sequence_logps(model, [distinct[i] for i in chunk], pad_id, device, reduce=reduce)
        values[torch.tensor(chunk, device=device)] = out.to(values.dtype)
        # the count is of the answers read, not of batches ("1 of 1" beside "4 examples ready", usertest 9)
        work_meter.advance(SCORING_ANSWERS, start + len(chunk), len(order))
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
    to ``distinct_sequence_logps``. It counts the examples' answers (``SCORING_ANSWERS``), as
    ``distinct_sequence_logps`` does."""
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
    work_meter.advance(SCORING_ANSWERS, 0, of)  # a count from the start: the first batch can take a minute
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
            work_meter.advance(SCORING_ANSWERS, read, of)
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
