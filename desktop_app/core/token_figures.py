"""One token's figures as JSON text, what the inspector's "Copy figures" puts on the clipboard.

An ML engineer pastes them into a notebook or an issue beside a plain transformers run
(usertest 29: nothing could be copied, and the token id was shown nowhere)."""

from __future__ import annotations

import json
from typing import Callable

from desktop_app.core.records import TokenRecord


def token_figures(record: TokenRecord, index: int, *, piece_hex: Callable[[int, str], str] | None = None,
                  cut: dict | None = None) -> dict:
    """The record's stored figures (``to_json``: id, text, prob, logprob (natural log, as transformers'
    log_softmax), rank, top alternatives with their ids) with its place in the text, and the entropy and
    surprisal in bits, as the inspector shows them. The stored entropy in nats is left out: beside
    "entropy_bits" an "entropy" in another unit read as the same figure (leftovers56). What the inspector
    says besides, where it says it: a split character's "bytes" (``piece_hex(id, text)``: its hex, "" for a
    whole character) and an alternative's "sampler" cut (``cut``: id -> why)."""
    figures = {key: value for key, value in {"index": index, **record.to_json()}.items() if key != "entropy"}
    figures["surprisal_bits"] = record.surprisal_bits
    if piece_hex is not None and piece_hex(record.id, record.text):
        figures["bytes"] = piece_hex(record.id, record.text)
    for alt in figures["top"]:
        said = piece_hex(alt["id"], alt["text"]) if piece_hex is not None else ""
        alt.update({"bytes": said} if said else {}, **({"sampler": cut[alt["id"]]} if alt["id"] in (cut or {}) else {}))
    return figures


def _one_line(value) -> str:
    # ensure_ascii=False keeps a token's own characters readable; json escapes a newline or tab
    return json.dumps(value, ensure_ascii=False)


def _value_text(value) -> str:
    """A list of objects (the alternatives) one object a line; anything else on one line."""
    if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        return "[\n  " + ",\n  ".join(_one_line(item) for item in value) + "\n ]"
    return _one_line(value)


def token_figures_text(record: TokenRecord, index: int, **said) -> str:
    """Valid JSON, one figure a line and one alternative a line: ``indent=1`` spread each
    alternative over five lines, so ten filled a screen (usertest 54). ``said``: ``token_figures``'."""
    lines = [f" {_one_line(key)}: {_value_text(value)}" for key, value in token_figures(record, index, **said).items()]
    return "{\n" + ",\n".join(lines) + "\n}"
