"""Teacher-forced TokenRecords for any text: an old answer, a prompt, under any adapter."""

from __future__ import annotations

from dataclasses import replace

import torch

from desktop_app.core.decoding import IncrementalDecoder, records_from_logits, token_texts
from desktop_app.core.models import LoadedModel
from desktop_app.core.records import TokenRecord

CHUNK = 256  # positions per log_softmax block: bounds memory for long texts x big vocabularies


def score_ids(loaded: LoadedModel, context_ids: list[int], target_ids: list[int],
              alternatives: int = 10) -> list[TokenRecord]:
    """Records for ``target_ids`` as they follow ``context_ids``.

    Texts are decoded from the start of the target, exactly as generation decodes an answer,
    so scoring a generated answer after its prompt gives back the same records. What fits
    in the model's window takes one forward pass; a longer text is scored with a sliding
    window (the strided evaluation of HF's perplexity guide): every token past the first
    window is predicted from at least half a window of the text before it.
    """
    if not target_ids:
        return []
    if not context_ids:
        raise ValueError("the first token has no prediction: give at least one context token")
    decoder = IncrementalDecoder(loaded.tokenizer)
    texts = [decoder.push(t) for t in target_ids]
    tail = decoder.flush()
    table = token_texts(loaded.tokenizer)
    full = list(context_ids) + list(target_ids)
    window, first = loaded.context_window, len(context_ids)
    stride = max(1, window // 2)
    records: list[TokenRecord] = []
    with loaded.lock, torch.inference_mode():
        start = first  # positions [start, stop) of ``full`` are predicted by one pass
        while start < len(full):
            stop = min(len(full), max(window, start + stride))
            begin = max(0, stop - window)
            ids = torch.tensor([full[begin:stop]], device=loaded.device)
            logits = loaded.model(input_ids=ids, logits_to_keep=stop - start + 1).logits[0, :-1]
            chosen = torch.tensor(full[start:stop])
            for a in range(0, stop - start, CHUNK):
                b = a + CHUNK
                at = start - first + a
                records += records_from_logits(logits[a:b], chosen[a:b], texts[at:at + CHUNK], table, alternatives,
                                               loaded.precision)
            start = stop
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
