"""Teacher-forced TokenRecords for any text: an old answer, a prompt, under any adapter."""

from __future__ import annotations

from dataclasses import replace

import torch

from desktop_app.core.decoding import IncrementalDecoder, records_from_logits, token_texts
from desktop_app.core.errors import PromptTooLongError
from desktop_app.core.models import LoadedModel
from desktop_app.core.records import TokenRecord

CHUNK = 256  # positions per log_softmax block: bounds memory for long texts x big vocabularies


def score_ids(loaded: LoadedModel, context_ids: list[int], target_ids: list[int],
              alternatives: int = 10) -> list[TokenRecord]:
    """Records for ``target_ids`` as they follow ``context_ids`` (one forward pass).

    Texts are decoded from the start of the target, exactly as generation decodes an answer,
    so scoring a generated answer after its prompt gives back the same records.
    """
    if not target_ids:
        return []
    if not context_ids:
        raise ValueError("the first token has no prediction: give at least one context token")
    total = len(context_ids) + len(target_ids)
    if total > loaded.context_window:
        raise PromptTooLongError(
            f"The text is {total} tokens; this model reads at most {loaded.context_window} at once."
        )
    decoder = IncrementalDecoder(loaded.tokenizer)
    texts = [decoder.push(t) for t in target_ids]
    tail = decoder.flush()
    table = token_texts(loaded.tokenizer)
    with loaded.lock, torch.inference_mode():
        ids = torch.tensor([list(context_ids) + list(target_ids)], device=loaded.device)
        logits = loaded.model(input_ids=ids, logits_to_keep=len(target_ids) + 1).logits[0, :-1]
        chosen = torch.tensor(target_ids)
        records: list[TokenRecord] = []
        for start in range(0, len(target_ids), CHUNK):
            stop = start + CHUNK
            records += records_from_logits(logits[start:stop], chosen[start:stop], texts[start:stop], table, alternatives)
    if tail:  # a dangling partial character shows on the first token still waiting for it
        first_pending = max((i for i, t in enumerate(texts) if t), default=-1) + 1
        first_pending = min(first_pending, len(records) - 1)
        records[first_pending] = replace(records[first_pending], text=records[first_pending].text + tail)
    return records


def score_text(loaded: LoadedModel, text: str, alternatives: int = 10) -> tuple[list[int], list[TokenRecord]]:
    """Score a whole text: every token but the first (which nothing predicts).

    Returns (all token ids, records for ids[1:])."""
    from desktop_app.core.prompts import encode

    ids = encode(loaded.tokenizer, text)
    if len(ids) < 2:
        return ids, []
    return ids, score_ids(loaded, ids[:1], ids[1:], alternatives)
