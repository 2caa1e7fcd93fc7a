"""A token's exact share of a decoded text, and where those pieces fall in texts shown elsewhere."""

from __future__ import annotations

import bisect

from desktop_app.core.decoding import IncrementalDecoder


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
      "Why this token?" explains); with ``first_of_split=False`` to the one that shows it, the
      token a click on a chat card or the Text tab's heatmap lands on, which is the token
      a rating of it was stored on;
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
