"""More of a token's alternatives than its record keeps: a record keeps the Alternatives setting's number (10 by
default), and the inspector's "Show 40 more" reads the token's next ones from the model at that token, in the pass
the heatmap's figures come from (one forward pass, a fraction of a second: the lane's urgent reads). No Qt."""

from __future__ import annotations

from desktop_app.core.models import LoadedModel
from desktop_app.core.records import Alternative

MORE_ALTERNATIVES = 50  # the inspector's longer list: enough to see the tail without a wall of rows


def alternatives_in_context(loaded: LoadedModel, context, count: int = MORE_ALTERNATIVES) -> tuple[Alternative, ...]:
    """The ``count`` likeliest tokens in place of the last token of ``context`` (core.token_context.TokenContext),
    by probability under the model's own distribution, as its record's alternatives are made
    (``decoding.record_stats``), with the adapter the token was written with (``explain.as_written``)."""
    import torch

    from desktop_app.core.decoding import record_stats, token_texts
    from desktop_app.core.explain import as_written
    from desktop_app.core.lens import final_logits

    with as_written(loaded, context):
        logits = final_logits(loaded, context.ids[:-1], context.read_from)
    chosen = torch.tensor([context.chosen], device=logits.device)
    *_, top_lp, top_ids = record_stats(logits[None], chosen, count)
    texts = token_texts(loaded.tokenizer)
    return tuple(Alternative(i, texts.text(i), p) for i, p in zip(top_ids[0].tolist(), top_lp[0].exp().tolist()))


def alternatives_of_answer(store, loaded: LoadedModel, message_id: int, index: int,
                           count: int = MORE_ALTERNATIVES) -> tuple[Alternative, ...]:
    """``alternatives_in_context`` for token ``index`` (0-based) of stored answer ``message_id``."""
    from desktop_app.core.token_context import context_for_message

    return alternatives_in_context(loaded, context_for_message(store, loaded, message_id, index, "probe"), count)


def kept_first(kept, read) -> tuple[Alternative, ...]:
    """The longer list the inspector shows: the record's own alternatives with the figures it was written with,
    then the read ones it does not keep, as many as ``read`` has. A re-read pass on 16-bit weights rounds
    otherwise than writing token by token did, and pressing "Show 40 more" changed the rows already on screen
    (usertest 56, Compact: "Answer" 13.3% became "tie 12.5%" beside "Spain", "Barcelona" 7.6% became 8.1%)."""
    have = {a.id for a in kept}
    beyond = [a for a in read if a.id not in have]
    return tuple(kept) + tuple(beyond[:max(0, len(read) - len(kept))])
