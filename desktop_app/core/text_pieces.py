"""A token's exact share of a decoded text, and where those pieces fall in texts shown elsewhere."""

from __future__ import annotations

import bisect

from desktop_app.core.decoding import IncrementalDecoder, token_texts


def piece_texts(tokenizer, ids: list[int]) -> list[str]:
    """Each token's exact share of the decoded text (a character split over several tokens
    sits on the one that completes it), so the pieces join to the text the model read."""
    decoder = IncrementalDecoder(tokenizer)
    pieces = [decoder.push(i) for i in ids]
    if pieces:
        pieces[-1] += decoder.flush()
    return pieces


def token_at(pieces: list[str], offset: int, *, first_of_split: bool = True) -> int | None:
    """The index of the token whose share of the text holds character ``offset``.

    ``pieces`` are the tokens' exact shares, joined they are the text (piece_texts, or the
    texts of TokenRecords): a character split over several tokens sits whole on the token that
    completes it, and the tokens before it hold "". The rule:

    - a character at a token boundary belongs to the token that starts there (a leading space
      is its token's first character);
    - a split character belongs to the first of its tokens, where the model chose it (what
      "Why this token?" explains, and where a rating of it is kept: ``chosen_token``); with
      ``first_of_split=False`` to the one that shows it, the token a click on a chat card or
      the Text tab's heatmap lands on;
    - None for a negative ``offset`` or one at or past the end of the text.
    """
    if offset < 0:
        return None
    end = 0
    for i, piece in enumerate(pieces):
        end += len(piece)
        if offset < end:
            while first_of_split and i > 0 and pieces[i - 1] == "":  # the character's earlier tokens
                i -= 1
            return i
    return None


# Where a rating of a character lands. A byte-level tokenizer writes "é", an emoji or a CJK character
# over several tokens: the pieces before the last hold its first bytes and the last, which shows the
# character, finishes it. The model chose the character where its first byte is; the later tokens
# only finish its bytes. A rating of the character trained at its last token taught the wrong thing:
# a "bad" pushed down the byte that completes the character, teaching the model to leave it broken
# (invalid UTF-8) rather than to avoid it. So a rating of a token that begins inside a character (its
# first byte finishes one begun earlier) trains where that character began (``CharacterLayout.chosen``),
# wherever it was clicked (a dot before the character or the character), and it is shown under every
# token whose rating would train there.
#
# Where that is needs the tokens' bytes: the bundled model writes "a 😀" as "a", " \xf0\x9f\x98"
# (shown " ") and "\x80" (shown "😀"), so the emoji began in the token that shows the space; the tiny
# test tokenizer writes "日本語" as "\xe6\x97" (""), "\xa5\xe6\x9c" (shown "日"), "\xac\xe8" (shown "本"), ...
# so 本 began in the token that shows 日. Without the bytes (a tokenizer that is not byte-level, or
# none at hand) the rule is the pieces': a character's tokens are the ones showing "" before the one
# that shows it (``token_at``'s rule), right for a character split on its own.
#
# A rating is stored at the first token whose rating trains where it does (``stored``): the token a
# rating is stored at trains at the same place whether it was stored so or, before this rule, where
# it was clicked, so ratings in an older database need no rewriting. The token where training puts
# it can itself show an earlier character (the "日" token above, where 本 began): stored there, a
# rating of 本 would read back as one of 日.

class CharacterLayout:
    """Where a rating of each token of a text trains (``chosen``: the token itself, or, for a token
    whose first byte is inside a character begun earlier, the token where it began) and is stored
    (``stored``).

    ``pieces``: the tokens' exact shares of the text (``piece_texts``); ``token_bytes``: their raw
    bytes, when known (``token_bytes``); bytes that do not make the pieces' text are ignored."""

    def __init__(self, pieces: list[str], token_bytes: list[bytes] | None = None):
        self.pieces = list(pieces)
        starts = _char_starts(b"".join(token_bytes)) if token_bytes is not None else None
        by_bytes = (starts is not None and len(token_bytes) == len(pieces) and len(starts) == len("".join(pieces))
                    and b"".join(token_bytes).decode("utf-8", "replace") == "".join(pieces))
        self.token_bytes = list(token_bytes) if by_bytes else None
        self.chosen = self._by_bytes(starts) if by_bytes else self._by_pieces()

    def _by_pieces(self) -> list[int]:
        chosen = []
        for i in range(len(self.pieces)):
            first = i
            while first > 0 and self.pieces[first - 1] == "":
                first -= 1
            chosen.append(first)
        return chosen

    def _by_bytes(self, char_starts: list[int]) -> list[int]:
        """A token whose first byte is inside a character begun earlier (it finishes it): the token
        where that character began; any other token: itself."""
        bounds = [0]
        for b in self.token_bytes:
            bounds.append(bounds[-1] + len(b))
        chosen = []
        for i in range(len(self.pieces)):
            at = bisect.bisect_right(char_starts, bounds[i]) - 1  # the character holding the token's first byte
            inside = self.token_bytes[i] and at >= 0 and char_starts[at] < bounds[i]
            chosen.append(bisect.bisect_right(bounds, char_starts[at]) - 1 if inside else i)
        return chosen

    def tokens_of(self, index: int) -> range:
        """The tokens whose rating trains where token ``index``'s does (a split character's tokens);
        ``index`` alone outside the text."""
        if not 0 <= index < len(self.pieces):
            return range(index, index + 1)
        where = self.chosen[index]
        first = last = index
        while first > 0 and self.chosen[first - 1] == where:
            first -= 1
        while last + 1 < len(self.pieces) and self.chosen[last + 1] == where:
            last += 1
        return range(first, last + 1)

    def stored(self, index: int) -> int:
        """Where a rating of token ``index`` is kept: the first of ``tokens_of``."""
        return self.tokens_of(index).start

    def trained(self, index: int) -> int:
        """Where a rating of token ``index`` trains: where the model chose the character it begins in."""
        return self.chosen[index] if 0 <= index < len(self.pieces) else index

    def span(self, index: int) -> tuple[int, int] | None:
        """(start, end) in the text of the characters ``tokens_of(index)`` show; None outside the text
        or for pieces of a character never finished."""
        if not 0 <= index < len(self.pieces):
            return None
        tokens = self.tokens_of(index)
        start = sum(len(p) for p in self.pieces[:tokens.start])
        end = start + sum(len(self.pieces[i]) for i in tokens)
        return (start, end) if end > start else None

    def token_of_character(self, offset: int) -> int | None:
        """Where a rating of the character at ``offset`` of the text is kept (``stored``)."""
        shown = token_at(self.pieces, offset, first_of_split=False)
        return None if shown is None else self.stored(shown)


def _char_starts(data: bytes) -> list[int]:
    """Where each character of ``data`` decoded as UTF-8 with replacement starts: a well-formed
    sequence is one character, each maximal ill-formed part one U+FFFD (Python's decoder's rule; the
    layout checks that the count agrees)."""
    starts, i = [], 0
    while i < len(data):
        lead, need, low, high = data[i], 0, 0x80, 0xBF
        if 0xC2 <= lead <= 0xDF:
            need = 1
        elif 0xE0 <= lead <= 0xEF:
            need, low, high = 2, (0xA0 if lead == 0xE0 else 0x80), (0x9F if lead == 0xED else 0xBF)
        elif 0xF0 <= lead <= 0xF4:
            need, low, high = 3, (0x90 if lead == 0xF0 else 0x80), (0x8F if lead == 0xF4 else 0xBF)
        starts.append(i)
        j = i + 1
        while j - i <= need and j < len(data) and (low if j == i + 1 else 0x80) <= data[j] <= (high if j == i + 1 else 0xBF):
            j += 1
        i = j
    return starts


def token_bytes(tokenizer, ids: list[int]) -> list[bytes] | None:
    """The tokens' raw bytes for a byte-level tokenizer, else None (the pieces' rule then)."""
    texts = token_texts(tokenizer)
    return [texts.token_bytes(int(i)) for i in ids] if texts.byte_level else None


def own_token_bytes(tokenizer, ids: list[int]) -> list[bytes] | None:
    """``token_bytes`` where ``tokenizer`` has every one of ``ids`` (they are its own tokens), else None:
    no tokenizer at hand, no ids, or another model's tokens (the pieces' rule then). Stored records
    may come from a model other than the one loaded; CharacterLayout also checks that the bytes make
    the pieces' text."""
    if tokenizer is None or not ids or any(not 0 <= int(i) < len(tokenizer) for i in ids):
        return None
    return token_bytes(tokenizer, ids)


def records_layout(records, tokenizer=None) -> CharacterLayout:
    """The layout of stored token records (their texts, and their bytes where ``tokenizer`` has
    their ids: ``own_token_bytes``)."""
    return CharacterLayout([r.text for r in records], own_token_bytes(tokenizer, [r.id for r in records]))


def layout_of(tokenizer, ids: list[int]) -> CharacterLayout:
    """The layout of ``ids`` as ``tokenizer`` reads them (pieces and bytes)."""
    return CharacterLayout(piece_texts(tokenizer, ids), token_bytes(tokenizer, ids))


def character_tokens(pieces: list[str], index: int, token_bytes: list[bytes] | None = None) -> range:
    """The tokens of token ``index``'s character: see ``CharacterLayout.tokens_of``."""
    return CharacterLayout(pieces, token_bytes).tokens_of(index)


def chosen_token(pieces: list[str], index: int, token_bytes: list[bytes] | None = None) -> int:
    """Where a rating of token ``index``'s character is kept (``CharacterLayout.stored``)."""
    return CharacterLayout(pieces, token_bytes).stored(index)


def stored_ratings(layout: CharacterLayout, rated) -> dict[int, int]:
    """Token ratings (``rated``: (index, value) pairs, oldest first, or a dict) at the token each is
    kept at (``stored``); of two on one character the later one counts. A rating stored before this
    rule on a character's last token goes to its first."""
    items = rated.items() if isinstance(rated, dict) else rated
    return {layout.stored(index): value for index, value in items}


def trained_ratings(layout: CharacterLayout, rated) -> dict[int, int]:
    """Token ratings (as ``stored_ratings`` takes them) at the token each trains: where the model
    chose the character (``trained``); of two there the later one counts."""
    items = rated.items() if isinstance(rated, dict) else rated
    return {layout.trained(index): value for index, value in items}


def marked_tokens(layout: CharacterLayout, rated: dict[int, int]) -> dict[int, int]:
    """Every token of each rated character (``rated`` as ``stored_ratings`` gives it) with its rating:
    a mark under the character and under the tokens that began it."""
    return {i: value for index, value in rated.items() for i in layout.tokens_of(index)}


def segments_in_texts(pieces: list[str], scores: list[float], texts: list[str]
                      ) -> list[list[tuple[int, int, float]] | None]:
    """Where the context's scores fall in texts shown elsewhere (the transcript's messages, in
    order): for each text, (start, end, score) of every context piece inside it, in the text's
    own characters; None for a text the context does not hold (left out to fit the window).
    Pieces outside every text (a chat template's role markers) are in no list."""
    joined = "".join(pieces)
    starts = [0]
    for piece in pieces:
        starts.append(starts[-1] + len(piece))
    found, cursor = [], 0
    for text in texts:
        body = text.strip()
        at = joined.find(body, cursor) if body else -1
        if at < 0:
            found.append(None)
            continue
        lead, end = len(text) - len(text.lstrip()), at + len(body)
        segments = []
        for i in range(max(0, bisect.bisect_right(starts, at) - 1), len(pieces)):
            if starts[i] >= end:
                break
            a, b = max(starts[i], at), min(starts[i + 1], end)
            if b > a:
                segments.append((a - at + lead, b - at + lead, scores[i]))
        found.append(segments)
        cursor = end
    return found
