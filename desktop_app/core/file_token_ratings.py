"""Token ratings as an exported file carries them, and put back on an imported answer's tokens.

Both exports write them one way: TRL's JSON Lines (core/exchange.py: ``token_ratings`` and its kin on a
row) and the window's conversation export (core/conversation_import.py: ``token_ratings`` on an answer).
Each is ``{"token": index, "value": 1 or -1, "start": s, "end": e}``: the exporter's token index (as its
card counts them) and the characters of the answer's text that token's character covers (``start``,
``end``; left out where the exporter held no tokens of the answer). An index means nothing to another
tokenizer, which splits the text elsewhere: ``TokenPlacer`` puts a rating on this store's own token for
the first of those characters that is not a space, and counts those it could place only by the index.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.core.prompts import answer_ids
from desktop_app.core.store import StoreError
from desktop_app.core.text_pieces import CharacterLayout, layout_of


class TokenRatingsError(StoreError):
    """A file's token ratings that cannot be read; the message says where and why."""


@dataclass(frozen=True)
class FileTokenRating:
    """A token rating as a file carries it: the exporter's token index, the rating, and the characters
    of the answer's text the token's character covers (``span``; None in a file written without them)."""

    index: int
    value: int
    span: tuple[int, int] | None = None


def parse_token_ratings(value, where: str, key: str, text: str | None) -> list[FileTokenRating]:
    """A file's token ratings of one answer: [{"token": index, "value": 1 or -1, "start": s, "end": e}]
    (``start`` and ``end`` optional, together; other keys ignored), checked against the answer ``text``
    they rate (None: not known here)."""
    if not isinstance(value, list):
        raise TokenRatingsError(f"{where}: \"{key}\" must be a list of {{token, value}} objects.")
    rated = []
    for item in value:
        token = item.get("token") if isinstance(item, dict) else None
        if isinstance(token, bool) or not isinstance(token, int) or token < 0 or item.get("value") not in (-1, 1):
            raise TokenRatingsError(f"{where}: each of \"{key}\" needs a token index (a whole number from 0) and a "
                                    "value of 1 or -1.")
        rated.append(FileTokenRating(token, item["value"], _span(item, where, key, text)))
    return rated


def _span(item: dict, where: str, key: str, text: str | None) -> tuple[int, int] | None:
    """A file rating's (start, end) in its answer's text, None when it has none."""
    if "start" not in item and "end" not in item:
        return None
    start, end = item.get("start"), item.get("end")
    whole = all(isinstance(n, int) and not isinstance(n, bool) for n in (start, end))
    if not whole or not 0 <= start < end or (text is not None and end > len(text)):
        room = f" (its answer has {len(text)} characters)" if text is not None else ""
        raise TokenRatingsError(f"{where}: a token rating of \"{key}\" has \"start\" {start!r} and \"end\" {end!r}: "
                                f"both are needed, whole numbers with 0 \u2264 start < end \u2264 the answer's "
                                f"length{room}.")
    return start, end


class TokenPlacer:
    """Puts a file's token ratings on an imported answer, whose indices count the tokens the store's
    model reads its text as (core/unwritten.py), and counts what it could not place exactly.

    Attributes:
        tokenizer: the store's model's tokenizer, or None (every rating then keeps the file's index).
        by_index: ratings placed by the file's index alone (no offsets, or no tokenizer to find them with).
        merged: ratings that fell on a token another rating of the same answer had (this tokenizer holds
            their characters in one token): the later one kept.
    """

    def __init__(self, tokenizer=None):
        self.tokenizer = tokenizer
        self.by_index = self.merged = 0

    def rate(self, store, message_id: int, text: str, rated: list[FileTokenRating]) -> None:
        """Store ``rated`` (the file's ratings of the answer ``text``) on the answer ``message_id``."""
        layout = self._layout(text)
        placed: set[int] = set()
        for rating in rated:
            index = self._place(rating, text, layout)
            kept_at = layout.stored(index) if layout is not None else index  # where rate_token keeps it
            self.merged += kept_at in placed
            placed.add(kept_at)
            store.rate_token(message_id, index, rating.value, **({} if layout is None else
                             {"pieces": layout.pieces, "token_bytes": layout.token_bytes}))

    def _layout(self, text: str) -> CharacterLayout | None:
        """The tokens this store's model reads ``text`` as (its ratings' indices count them), None
        without a tokenizer or where they do not give the text back (offsets would miss)."""
        if self.tokenizer is None:
            return None
        layout = layout_of(self.tokenizer, answer_ids(self.tokenizer, text))
        return layout if "".join(layout.pieces) == text else None

    def _place(self, rating: FileTokenRating, text: str, layout: CharacterLayout | None) -> int:
        """This store's token for a file's rating: where the model chose the first character of its
        span that is not a space (the exporter's token may have begun " 😀": the emoji is what was
        rated), else the file's index (counted)."""
        at = None
        if layout is not None and rating.span is not None:
            start, end = rating.span
            words = text[start:end]
            at = layout.token_of_character(start + (len(words) - len(words.lstrip()) if words.strip() else 0))
        if at is None:
            self.by_index += 1
            return rating.index
        return at
