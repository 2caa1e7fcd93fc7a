"""Greedy answers to a batch of prompts, where a row that has ended leaves the batch.

``generate`` decodes every row of a batch until the last one ends: a finished row goes on
through the model as padding. The gate's re-asks (reasking.reask) are such a batch: 12 questions
of which a taught "Answer: Paris." ends in a few tokens while a story request runs to the
token limit. Here each step reads only the rows still going, with their keys and values
(``Cache.batch_select_indices``), so a step costs what its live rows cost.

The same answers, token for token, as ``generate(do_sample=False)`` from the same left-padded
batch: the prompt is read as ``generate`` reads it (its position ids, the key/value cache,
the LM head at the last position only), each step feeds the newest tokens with the next
positions and the mask grown by one column, and the next token is the arg-max of the
float32 logits. What could move is float rounding: a row's products are the same
arithmetic in a smaller batch, except that a matrix product of one row takes another kernel
(a matrix-vector one) than several rows do, with other rounding (measured: fp32 products of
2-12 rows gave the same bits per row; one row differed by 1.5e-5). So a batch of two or more
rows never shrinks below two: a finished row stays as a companion while one other is left.
"""

from __future__ import annotations

from typing import Callable

import torch

MIN_ROWS = 2  # a batch of several rows keeps at least two: see the module docstring


@torch.inference_mode()
def greedy_rows(model, ids: torch.Tensor, mask: torch.Tensor, max_new_tokens: int, eos: int | None,
                ended: Callable[[int, list[int]], bool] | None = None,
                stepped: Callable[[int], None] | None = None) -> list[list[int]]:
    """Each row's generated tokens (through its end-of-text token, which ends it) for the
    left-padded ``ids``/``mask``. ``ended(i, tokens)`` hears each row as it ends; True stops
    every row there (those still going come back cut short). ``stepped(n)`` after each of the
    ``n`` tokens decoded."""
    rows = ids.shape[0]
    out: list[list[int]] = [[] for _ in range(rows)]
    if max_new_tokens <= 0 or rows == 0:
        return out
    positions = (mask.long().cumsum(-1) - 1).masked_fill(mask == 0, 0)
    result = model(input_ids=ids, attention_mask=mask, position_ids=positions, use_cache=True, logits_to_keep=1)
    cache, live = result.cache, list(range(rows))  # ``live``: the original row of each batch row
    last = positions[:, -1:]
    for n in range(1, max_new_tokens + 1):
        tokens = result.logits[:, -1].to(dtype=torch.float32).argmax(dim=-1)
        going, stop = _take_tokens(out, live, tokens.tolist(), eos, ended)
        if stepped is not None:
            stepped(n)
        if stop or not going or n == max_new_tokens:
            break
        keep = _kept_rows(going, len(live))
        if len(keep) < len(live):
            index = torch.tensor(keep, device=ids.device)
            cache.batch_select_indices(index)
            mask, last, tokens = mask[index], last[index], tokens[index]
            live = [live[b] for b in keep]
        mask = torch.cat([mask, mask.new_ones((len(live), 1))], dim=1)
        last = last + 1
        result = model(input_ids=tokens[:, None], attention_mask=mask, position_ids=last, cache=cache,
                       use_cache=True)
    return out


def _take_tokens(out: list[list[int]], live: list[int], tokens: list[int], eos: int | None,
                 ended: Callable[[int, list[int]], bool] | None) -> tuple[list[int], bool]:
    """Each live row's new token added to its row of ``out``; (the batch rows still going, whether ``ended``
    asked to stop every row)."""
    going, stop = [], False
    for b, (row, token) in enumerate(zip(live, tokens)):
        if out[row] and out[row][-1] == eos:  # a finished companion: its tokens are not kept
            continue
        out[row].append(token)
        if token == eos:
            stop = stop or bool(ended and ended(row, out[row]))
        else:
            going.append(b)
    return going, stop


def _kept_rows(going: list[int], batch: int) -> list[int]:
    """The batch rows to read next: those ``going``, and while fewer than ``MIN_ROWS`` of a
    batch that had them, finished ones beside them (the first ones)."""
    if len(going) >= MIN_ROWS or batch < MIN_ROWS:
        return going
    extra = [b for b in range(batch) if b not in going][:MIN_ROWS - len(going)]
    return sorted(going + extra)
