"""A brake on a taught format spreading to requests it does not fit.

Corrections teach a format through DPO and a likelihood term on the person's answer: nothing
in them says *where* the format belongs, so the model learns to open every answer with it.
Measured (bench/learning_effect.py, spill): after 4 "Answer: X." corrections, open questions
got "Answer: to answer the question ..." and "Tell me about rain." got "Answer:"; a user test
got "Answer: 1. The Tale of..." for a story request.

The anchor holds the model's first answer tokens to a few fixed open requests where they
were: the KL divergence from the reference (the model before training) to the model being
trained, at the positions of the reference's own greedy first tokens. It is zero when
training starts and grows only where the adapter moves those answers, so it costs nothing
on questions like the person's and pulls back only the open requests. The requests are
never rated, are not the gate's re-asks (``reasking.OPEN_REQUESTS``: those show the person
whether the style spread, and training on them would hide it), and not in any benchmark.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from desktop_app.core.train_logps import left_pad, pad_batch

ANCHOR_REQUESTS = ("Tell me about the stars.", "Why do we laugh?", "Write a short poem about the rain.",
                   "Describe your favourite meal.", "How do I plan a picnic?", "Tell me a story about a brave mouse.")
ANCHOR_TOKENS = 4  # the reference's first greedy answer tokens held: where a format shows first
PER_UPDATE = 2  # requests per update, in turn: each costs a forward and backward of its ~40 tokens
# format_ids: a corrected opening may rise to this probability on an open request before it is held: a
# greedy answer takes it only near the top, and holding it at the reference's (tiny) value would fight the
# shared weights that carry the format to the person's own kind of question
FORMAT_FLOOR = math.log(0.05)


@dataclass
class Anchor:
    seqs: list[tuple[list[int], list[int]]]  # (prompt ids, the reference's first greedy answer tokens)
    ref: list[torch.Tensor]  # per request: the reference's log-probabilities [tokens, vocab] at those positions
    per_update: int = PER_UPDATE
    # set: hold only these tokens (the corrections' first tokens, ``format_tokens``) at the first answer
    # position from becoming likelier than under the reference, and leave the rest of the distribution free
    format_ids: list[int] | None = None

    def loss(self, model, step: int, pad_id: int, device) -> torch.Tensor:
        """Mean KL(reference || model) over the answer positions of this update's requests
        (``per_update`` of them, taken in turn by ``step``); with ``format_ids``, the mean rise
        of those tokens' log-probabilities at the first answer position above the reference's or
        ``FORMAT_FLOOR``, whichever is higher (none below)."""
        n = len(self.seqs)
        picks = [(step * self.per_update + k) % n for k in range(min(self.per_update, n))]
        logps = _answer_logps(model, [self.seqs[i] for i in picks], pad_id, device)
        total, count = 0.0, 0
        for row, i in enumerate(picks):
            ref = self.ref[i]
            if self.format_ids:
                rise = logps[row][0, self.format_ids] - ref[0, self.format_ids].clamp(min=FORMAT_FLOOR)
                total, count = total + rise.clamp(min=0).sum(), count + len(self.format_ids)
                continue
            policy = logps[row][:ref.shape[0]]
            total = total + (ref.exp() * (ref - policy)).sum()
            count += ref.shape[0]
        return total / max(count, 1)


def format_tokens(pairs) -> list[int]:
    """The first tokens by which corrections open differently from the answers they replace
    ("Answer" of "Answer: Paris." where the model said "The capital..."): a taught format shows
    there first, and an open request that starts with it has taken the format."""
    firsts = {p.chosen_ids[0] for p in pairs
              if p.source == "correction" and p.chosen_ids and p.rejected_ids[:1] != p.chosen_ids[:1]}
    return sorted(firsts)


def _answer_logps(model, seqs, pad_id: int, device) -> list[torch.Tensor]:
    """Per sequence, the log-softmax [answer tokens, vocab] at the positions predicting its answer."""
    batch = pad_batch(seqs, pad_id, device)
    first = min(batch["prompt_lens"]) - 1
    width = batch["input_ids"].shape[1]
    logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], use_cache=False,
                   logits_to_keep=width - first).logits.float()
    out = []
    for row, (p, c) in enumerate(seqs):
        start = len(p) - 1 - first
        out.append(F.log_softmax(logits[row, start:start + len(c)], dim=-1))
    return out


@torch.no_grad()
def build_anchor(model, tokenizer, window: int, device, pad_id: int, requests=ANCHOR_REQUESTS,
                 tokens: int = ANCHOR_TOKENS, per_update: int = PER_UPDATE,
                 format_ids: list[int] | None = None) -> Anchor | None:
    """Under ``model`` as it is (the caller disables the adapter): each request's greedy first
    ``tokens`` answer tokens and the log-probabilities there. None when there are no requests
    (or ``format_ids`` is given but empty: no correction opens differently)."""
    from desktop_app.core import reasking

    if not requests or tokens <= 0 or (format_ids is not None and not format_ids):
        return None
    if format_ids:
        tokens = 1  # only the first answer position is held
    prompts = [reasking.fresh_prompt(tokenizer, q, window, tokens) for q in requests]
    answers = greedy_answers(model, prompts, tokens, pad_id, device, tokenizer.eos_token_id)
    seqs = [(p, a) for p, a in zip(prompts, answers) if a]
    if not seqs:
        return None
    ref = [logps.detach() for logps in _answer_logps(model, seqs, pad_id, device)]
    return Anchor(seqs, ref, per_update, list(format_ids) if format_ids else None)


def greedy_answers(model, prompts: list[list[int]], tokens: int, pad_id: int, device, eos) -> list[list[int]]:
    """``model``'s greedy answer to each prompt (left-padded into one batch), cut at ``eos``."""
    ids, mask = left_pad(prompts, pad_id, device)
    out = model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=tokens, do_sample=False,
                         pad_token_id=pad_id, eos_token_id=eos)
    answers = []
    for row in out[:, ids.shape[1]:].tolist():
        answers.append(row[:row.index(eos)] if eos is not None and eos in row else row)
    return answers
