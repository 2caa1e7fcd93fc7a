"""Packing a list of TokenRecords into one compact row and back.

Numbers go into little-endian arrays (token ids and ranks int32, log-probabilities,
entropies and alternative probabilities float64, so a record reads back exactly as it was
written); texts go into JSON lists. The alternatives of all tokens are concatenated, with
``top_counts`` (uint16) saying how many belong to each token.
"""

from __future__ import annotations

import json
import sys
from array import array

from desktop_app.core.records import Alternative, TokenRecord

_BIG_ENDIAN = sys.byteorder == "big"

COLUMNS = ("n", "ids", "logprobs", "ranks", "entropies", "texts",
           "top_counts", "top_ids", "top_probs", "top_texts")


def _pack(typecode: str, values) -> bytes:
    arr = array(typecode, values)
    if _BIG_ENDIAN:
        arr.byteswap()
    return arr.tobytes()


def _unpack(typecode: str, data: bytes) -> array:
    arr = array(typecode)
    arr.frombytes(data)
    if _BIG_ENDIAN:
        arr.byteswap()
    return arr


def pack_ints(values) -> bytes:
    """int32 values, little-endian (a text's token ids kept beside its records)."""
    return _pack("i", values)


def unpack_ints(data: bytes) -> list[int]:
    return list(_unpack("i", data))


def encode(records) -> tuple:
    """records -> the values of COLUMNS, in that order."""
    records = list(records)
    top_ids: list[int] = []
    top_probs: list[float] = []
    top_texts: list[str] = []
    counts: list[int] = []
    for r in records:
        top = r.top
        counts.append(len(top))
        for a in top:
            top_ids.append(a.id)
            top_probs.append(a.prob)
            top_texts.append(a.text)
    return (
        len(records),
        _pack("i", [r.id for r in records]),
        _pack("d", [r.logprob for r in records]),
        _pack("i", [r.rank for r in records]),
        _pack("d", [r.entropy for r in records]),
        json.dumps([r.text for r in records], ensure_ascii=False),
        _pack("H", counts),
        _pack("i", top_ids),
        _pack("d", top_probs),
        json.dumps(top_texts, ensure_ascii=False),
    )


def decode(n, ids, logprobs, ranks, entropies, texts, top_counts, top_ids, top_probs, top_texts,
           precision: str | None = None) -> list[TokenRecord]:
    """The values of COLUMNS (and the set's precision) -> list of TokenRecord."""
    ids_a = _unpack("i", ids)
    logprobs_a = _unpack("d", logprobs)
    ranks_a = _unpack("i", ranks)
    ent_a = _unpack("d", entropies)
    texts_l = json.loads(texts)
    counts = _unpack("H", top_counts)
    alt_ids = _unpack("i", top_ids)
    alt_probs = _unpack("d", top_probs)
    alt_texts = json.loads(top_texts)
    if not (len(ids_a) == len(logprobs_a) == len(ranks_a) == len(ent_a) == len(texts_l) == len(counts) == n):
        raise ValueError("token record arrays have different lengths")
    if not (len(alt_ids) == len(alt_probs) == len(alt_texts) == sum(counts)):
        raise ValueError("alternative arrays have different lengths")
    alts = list(map(Alternative, alt_ids, alt_texts, alt_probs))
    tops = []
    pos = 0
    for c in counts:
        tops.append(tuple(alts[pos:pos + c]))
        pos += c
    return list(map(TokenRecord, ids_a, texts_l, logprobs_a, ranks_a, ent_a, tops, [precision] * n))
