"""The reference (the base model: the adapter disabled), read once before the steps since it
never changes during a run: every example's summed answer log-probability, and for the terms
that hold the model to it, its sparse next-token distributions (``TokenReference``) with the
KL to them (``bucket_kl``): the disliked thumbs' distillation and the token ratings' terms."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from desktop_app.core.train_logps import answer_columns, answer_logsoftmax, pad_batch
from desktop_app.core import work_meter
from desktop_app.core.train_measure import distinct_sequence_logps, prompt_shared_logps
from desktop_app.core.train_packing import packed_pair_sums, packs_pairs


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
                    disliked_top: int = 0, packed: bool = False, exact: bool = False) -> References:
    """Under ``model`` as it is (the caller disables the adapter). ``token_top`` > 0: the
    token-rated answers' reference distributions too (``token_references``); ``disliked_top``
    > 0: the disliked thumbs' (the "distill" target of ``LossWeights.disliked_target``).
    ``packed``: the pairs read as the steps read them with ``LossWeights.pair_packed``, the
    prompt once for both answers (``packed_pair_sums``).

    ``exact``: the passes run in float32, where reading a sequence another way moves its sum by
    float rounding only (at most 5e-5 nats, thumbs x 100), so nothing is read twice: each distinct
    prompt once for all its answers (``prompt_shared_logps``: a liked, a disliked and a mismatched
    answer of one question share their prompt), and a pair whose two answers are read anyway is not
    read again packed (``_read_loose``). Thumbs x 100 on one thread: 33 CPU-s against 61. Under
    bfloat16 autocast a packed read and a plain one differ by up to 0.36 nats (0.04 on average),
    where batch shapes moved nothing: there the pairs are read as the steps read them."""
    groups = [[(e.prompt_ids, e.completion_ids) for e in data.unpaired], kl_sequences(data)]
    pairs, loose = data.pairs, _read_loose(data, groups, packed and packs_pairs(model), exact)
    groups += [[(pairs[i].prompt_ids, pairs[i].chosen_ids) for i in loose],
               [(pairs[i].prompt_ids, pairs[i].rejected_ids) for i in loose]]
    seqs = [s for g in groups for s in g]
    values = (prompt_shared_logps(model, seqs, pad_id, device, batch_size=batch_size)
              if exact else distinct_sequence_logps(model, seqs, pad_id, device, batch_size=batch_size))
    parts = _per_group(values, groups)
    chosen, rejected = values.new_zeros(len(pairs)), values.new_zeros(len(pairs))
    if loose:
        chosen[loose], rejected[loose] = parts[2], parts[3]
    rest = sorted(set(range(len(pairs))).difference(loose))
    if rest:
        chosen[rest], rejected[rest] = packed_pair_sums(
            model, [(pairs[i].prompt_ids, pairs[i].chosen_ids, pairs[i].rejected_ids) for i in rest], pad_id, device,
            batch_size, rated=sum(not getattr(pairs[i], "alone", False) for i in rest))
    parts[2:] = [chosen, rejected]
    tokens = token_references(model, data.tokens, pad_id, device, token_top, batch_size) if token_top else None
    disliked = _disliked_references(model, data, pad_id, device, disliked_top, batch_size) if disliked_top else None
    return References(*parts, tokens=tokens, disliked=disliked)


def _per_group(values, groups: list[list]) -> list:
    """``values`` (one per sequence of ``groups``, in their order) cut into one run per group."""
    parts, start = [], 0
    for g in groups:
        parts.append(values[start:start + len(g)])
        start += len(g)
    return parts


def _disliked_references(model, data, pad_id: int, device, top: int, batch_size: int) -> list:
    """One per unpaired example: a disliked one's reference distributions (``token_references``), None for a liked."""
    rows = [i for i, e in enumerate(data.unpaired) if not e.label]
    found = token_references(model, [data.unpaired[i] for i in rows], pad_id, device, top, batch_size)
    disliked = [None] * len(data.unpaired)
    for i, ref in zip(rows, found):
        disliked[i] = ref
    return disliked


def _read_loose(data, groups: list, packed: bool, exact: bool) -> list[int]:
    """The pairs whose answers are read each on its own (prompt, answer), the others packed
    (``packed_pair_sums``: the prompt once for both): all of them unless ``packed``; with ``exact``
    also those whose two answers ``groups`` read anyway. A liked and a disliked sibling are two
    thumbs and a pair: read packed as well, 100 such thumbs read their 44 pairs' tokens twice, a
    third of the pass (21 of 61 CPU-s on one thread, bench/learning_effect.py thumbs x 100)."""
    if not packed:
        return list(range(len(data.pairs)))
    if not exact:
        return []
    read = {(tuple(p), tuple(c)) for g in groups for p, c in g}
    return [i for i, p in enumerate(data.pairs)
            if {(tuple(p.prompt_ids), tuple(p.chosen_ids)), (tuple(p.prompt_ids), tuple(p.rejected_ids))} <= read]


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
READING_TOKENS = "reading the answers you rated token by token: {done} of {total} token{s}"


@torch.no_grad()
def token_references(model, tokens, pad_id: int, device, top: int = TOKEN_TOP,
                     batch_size: int = 8) -> list[TokenReference]:
    """Each token-rated answer's ``TokenReference``, a batch of answers per pass. Counted in the
    answers' tokens, inside a pass too (as its blocks pass: ``_counted_pass``), and to the end: one
    answer had read "0 of 1 answers" for 12 s on the bundled model, which looked stuck."""
    out = []
    total, done = sum(len(t.completion_ids) for t in tokens), 0
    for start in range(0, len(tokens), max(1, batch_size)):
        chunk = tokens[start:start + batch_size]
        size = sum(len(t.completion_ids) for t in chunk)
        batch = pad_batch([(t.prompt_ids, t.completion_ids) for t in chunk], pad_id, device)
        with _counted_pass(model, done, size, total):
            logps = answer_logsoftmax(model, batch)
        for row, t in enumerate(chunk):
            cols = answer_columns(t)
            lp = logps[row, cols]  # [answer tokens, vocab]
            own = torch.tensor(t.completion_ids, device=lp.device)
            boosted = lp.scatter(1, own[:, None], float("inf"))  # the answer's own token always column 0
            ids = boosted.topk(min(top, lp.shape[1]), dim=-1).indices
            out.append(TokenReference(ids, lp.gather(1, ids)))
        done += size
    work_meter.advance(READING_TOKENS, done, total)
    return out


def _counted_pass(model, done: int, size: int, total: int):
    """Inside one pass over ``size`` of ``total`` tokens (``done`` read before it): as each block
    starts, the share of them the blocks passed stand for (the last share: the distributions after it)."""
    from desktop_app.core.cancel_hooks import blocks, stoppable

    layers = blocks(model)
    passed = [0]

    def heard() -> None:
        work_meter.advance(READING_TOKENS, done + size * passed[0] // (len(layers) + 1), total)
        passed[0] += 1

    return stoppable(layers, heard)


def disliked_distillation(full: torch.Tensor, examples, refs, hold: bool = False) -> torch.Tensor:
    """Per disliked answer of ``examples`` (``refs`` has its TokenReference; None for a liked
    one), the mean over its answer positions of KL(target || model) with the target the
    reference's distribution without the answer's token (``bucket_kl``'s drop_first); at the
    end-of-text token of an answer the model ended itself, the reference as it is (a person who
    dislikes an answer has not said "go on past its end"). ``full``: ``answer_logsoftmax`` of
    the examples' batch. ``hold``: instead the mean of KL(reference || model) over the positions
    where the answer's token is the reference's likeliest (0 for an answer with none)."""
    out = []
    for row, (e, ref) in enumerate(zip(examples, refs)):
        if ref is None:
            continue
        policy = full[row, answer_columns(e)].gather(1, ref.ids)
        if hold:
            greedy = ref.logps[:, 0] >= ref.logps[:, 1:].max(dim=1).values
            out.append(bucket_kl(ref.logps[greedy], policy[greedy]).mean() if bool(greedy.any())
                       else full.new_zeros(()))
            continue
        n = len(e.completion_ids) - (1 if e.ends else 0)
        terms = bucket_kl(ref.logps[:n], policy[:n], drop_first=True)
        if e.ends:
            terms = torch.cat([terms, bucket_kl(ref.logps[n:], policy[n:])])
        out.append(terms.mean())
    return torch.stack(out) if out else full.new_zeros((0,))


def token_reference_terms(full: torch.Tensor, tokens, refs, distill: bool, keep: bool):
    """(sum of the distillation KL at the disliked positions, their count, sum of the KL to the
    reference at the unrated positions, their count)."""
    distilled, n_distilled, held, n_held = full.new_zeros(()), 0, full.new_zeros(()), 0
    for row, (t, ref) in enumerate(zip(tokens, refs)):
        policy = full[row, answer_columns(t)].gather(1, ref.ids)  # [answer tokens, k]
        disliked = torch.tensor([t.ratings.get(i, 0) < 0 for i in range(len(t.completion_ids))], device=full.device)
        unrated = torch.tensor([i not in t.ratings for i in range(len(t.completion_ids))], device=full.device)
        if distill and bool(disliked.any()):
            distilled = distilled + bucket_kl(ref.logps[disliked], policy[disliked], drop_first=True).sum()
            n_distilled += int(disliked.sum())
        if keep and bool(unrated.any()):
            held = held + bucket_kl(ref.logps[unrated], policy[unrated]).sum()
            n_held += int(unrated.sum())
    return distilled, n_distilled, held, n_held


def bucket_kl(ref: torch.Tensor, policy: torch.Tensor, drop_first: bool = False) -> torch.Tensor:
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
