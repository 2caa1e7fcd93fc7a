"""Exact display text for token streams, and TokenRecords from log-probabilities.

Byte-level BPE tokens (GPT-2, SmolLM2) can split one character over several tokens.
The text of each token is produced by an incremental UTF-8 decoder over the tokens'
raw bytes: a split character appears once, on the token that completes it, and the
joined texts equal the decoded answer.
"""

from __future__ import annotations

import codecs
import weakref
from typing import TYPE_CHECKING

from desktop_app.core.records import Alternative, TokenRecord

if TYPE_CHECKING:  # imported where used, so the window can show before torch has loaded
    import torch


def _byte_decoder() -> dict[str, int]:
    # the inverse of GPT-2's bytes_to_unicode table
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    chars = printable[:]
    n = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            chars.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(printable, chars)}


_BYTE_DECODER = _byte_decoder()


class TokenTexts:
    """Per-tokenizer tables: each token's raw bytes (byte-level BPE) and a display string.

    Attributes:
        tokenizer: the tokenizer the tables belong to; byte_level: whether it is byte-level BPE.
        special_ids: ids of special tokens (shown by name, no bytes).
        _bytes, _text: token id -> raw bytes / display string, filled as tokens are seen."""

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer
        self.byte_level = _is_byte_level(tokenizer)
        self._bytes: dict[int, bytes] = {}
        self._text: dict[int, str] = {}
        special = getattr(tokenizer, "all_special_ids", None) or []
        self.special_ids = set(special)

    def token_bytes(self, token_id: int) -> bytes:
        cached = self._bytes.get(token_id)
        if cached is None:
            piece = self.tokenizer.convert_ids_to_tokens(token_id)
            if piece is None:
                piece = ""
            if token_id in self.special_ids or any(ch not in _BYTE_DECODER for ch in piece):
                cached = self.tokenizer.decode([token_id], clean_up_tokenization_spaces=False).encode("utf-8")
            else:
                cached = bytes(_BYTE_DECODER[ch] for ch in piece)
            self._bytes[token_id] = cached
        return cached

    def text(self, token_id: int) -> str:
        """A token on its own, for alternatives lists (a partial character shows as U+FFFD)."""
        cached = self._text.get(token_id)
        if cached is None:
            if self.byte_level:
                cached = self.token_bytes(token_id).decode("utf-8", errors="replace")
            else:
                cached = self.tokenizer.decode([token_id], clean_up_tokenization_spaces=False)
            self._text[token_id] = cached
        return cached


_tables: "weakref.WeakKeyDictionary[object, TokenTexts]" = weakref.WeakKeyDictionary()


def token_texts(tokenizer) -> TokenTexts:
    try:
        table = _tables.get(tokenizer)
    except TypeError:
        return TokenTexts(tokenizer)
    if table is None:
        table = TokenTexts(tokenizer)
        _tables[tokenizer] = table
    return table


def _is_byte_level(tokenizer) -> bool:
    backend = getattr(tokenizer, "backend_tokenizer", None)
    decoder = getattr(backend, "decoder", None)
    return decoder is not None and type(decoder).__name__ == "ByteLevel"


class IncrementalDecoder:
    """push(token_id) -> the new text this token completes ('' while a character is split).

    Attributes:
        texts: the tokenizer's TokenTexts; tokenizer: for tokenizers that are not byte-level.
        ids: every id pushed so far.
        _utf8: the incremental UTF-8 decoder holding a split character's first bytes.
        _prefix_offset, _read_offset: where the text already returned starts and ends in ``ids``
            (the non-byte-level path decodes a window and keeps the new part)."""

    def __init__(self, tokenizer):
        self.texts = token_texts(tokenizer)
        self.tokenizer = tokenizer
        self.ids: list[int] = []
        self._utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._prefix_offset = 0
        self._read_offset = 0

    def push(self, token_id: int) -> str:
        self.ids.append(token_id)
        if self.texts.byte_level:
            return self._utf8.decode(self.texts.token_bytes(token_id))
        return self._window_diff(final=False)

    def _window_diff(self, final: bool) -> str:
        """Other tokenizers (e.g. sentencepiece): decode a short window and diff it; hold a
        trailing partial character back for up to 3 tokens unless this is the end."""
        decode = self.tokenizer.decode
        prefix = decode(self.ids[self._prefix_offset:self._read_offset], clean_up_tokenization_spaces=False)
        full = decode(self.ids[self._prefix_offset:], clean_up_tokenization_spaces=False)
        if not final and full.endswith("\ufffd") and len(self.ids) - self._read_offset < 4:
            return ""
        self._prefix_offset, self._read_offset = self._read_offset, len(self.ids)
        if final:
            self._prefix_offset = self._read_offset
        return full[len(prefix):]

    @property
    def pending(self) -> bool:
        """True while the last token(s) hold part of a character not yet complete."""
        if self.texts.byte_level:
            return bool(self._utf8.getstate()[0])
        return self._read_offset < len(self.ids)

    def flush(self) -> str:
        """Whatever a dangling partial character decodes to at the very end."""
        if self.texts.byte_level:
            return self._utf8.decode(b"", final=True)
        return self._window_diff(final=True)


def record_stats(logits: torch.Tensor, chosen: torch.Tensor, alternatives: int):
    """logits [T, V], chosen [T] (on the logits' device) -> the records' figures, still on the
    device: chosen log-prob [T], rank [T], entropy [T], top-k log-probs [T, k], top-k ids [T, k].
    The one computation behind every record (generation, the fast path, scoring)."""
    import torch

    logprobs = torch.log_softmax(logits.float(), dim=-1)
    chosen_lp = logprobs.gather(1, chosen[:, None])[:, 0]
    # int32 counts and -sum(p * log p) from the log-probs at hand: over a long text's
    # [positions, vocabulary] these passes cost less than half of int64 sums and entr()
    rank = (logprobs > chosen_lp[:, None]).sum(dim=-1, dtype=torch.int32) + 1
    plogp = logprobs.exp().mul_(logprobs).nan_to_num_(nan=0.0)  # p = 0 (log p = -inf) adds 0, as entr does
    entropy = -plogp.sum(dim=-1)
    k = max(0, min(alternatives, logprobs.shape[-1]))
    top_lp, top_ids = torch.topk(logprobs, k, dim=-1) if k else (logprobs[:, :0], chosen[:, None][:, :0])
    return chosen_lp, rank, entropy, top_lp, top_ids


def records_from_logits(logits: torch.Tensor, chosen: torch.Tensor, texts: list[str], table: TokenTexts,
                        alternatives: int, precision: str | None = None) -> list[TokenRecord]:
    """logits [T, V] predicting chosen [T] -> T TokenRecords (log_softmax in float32).

    Generation (T=1 per step) and scoring (T tokens at once) both come through here, so a
    scored answer reproduces its generation's figures.
    """
    import torch

    chosen = chosen.to(logits.device).long()
    chosen_lp, rank, entropy, top_lp, top_ids = record_stats(logits, chosen, alternatives)
    # one transfer to the host instead of many small syncs
    scalars = torch.stack([chosen_lp, rank.float(), entropy], dim=1).tolist()
    top_p = top_lp.exp().tolist()
    top_i = top_ids.tolist()
    ids = chosen.tolist()
    records = []
    for row in range(len(ids)):
        lp, rk, ent = scalars[row]
        top = tuple(Alternative(i, table.text(i), p) for i, p in zip(top_i[row], top_p[row]))
        records.append(TokenRecord(ids[row], texts[row], lp, int(rk), ent, top, precision))
    return records


def piece_bytes_words(tokenizer, token_id: int) -> str:
    """"bytes e2 80" for a byte-level token that holds only part of a character (its bytes are
    no UTF-8 text on their own: the pieces of an emoji or an accented letter), else "": such a
    token has no text of its own to show, so its bytes are what tell one piece from another."""
    texts = token_texts(tokenizer)
    if not texts.byte_level or token_id in texts.special_ids:
        return ""
    raw = texts.token_bytes(token_id)
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return "bytes " + raw.hex(" ")
    return ""
