"""Characters as people read them over a text's tokens: a grapheme cluster (an emoji family joined by
ZERO WIDTH JOINERs, a flag's two regional indicators, a thumbs-up and its skin tone, a letter and its
accent) is one glyph, yet a tokenizer spreads it over several tokens, each holding some of its bytes.

A heatmap drew each token's characters in its own cell, so "👩‍👩‍👧" showed as three women, two
joiners and a girl apart, and "🇫🇷" as two boxed letters (glyph70). Here each token gets the text its
cell draws: a cluster spread over several tokens is drawn whole in the cell of the token that finishes
it, and the earlier tokens' cells draw nothing of it (the view shows its piece mark there). That is the
rule a character split over tokens already follows (its first bytes' tokens show "·", the token holding
its last byte shows it), so one rule reads for both; each token keeps its own cell, colour and click,
where colouring the whole cluster by one token would have hidden which token was unlikely.

The clusters are Unicode's extended grapheme clusters, ``regex``'s ``\\X`` (transformers requires the
``regex`` package, so it is always installed with the app).
"""

from __future__ import annotations

import bisect
import itertools

import regex

# a character that can belong to one cluster with a neighbour: every cluster of two characters or more
# holds one (a combining mark, a joiner, a skin tone, a variation selector, a regional indicator, Hangul jamo)
_JOINING = regex.compile(r"[\p{GCB=Extend}\p{GCB=ZWJ}\p{GCB=SpacingMark}\p{GCB=Regional_Indicator}"
                         r"\p{GCB=Prepend}\p{GCB=L}\p{GCB=V}\p{GCB=T}]")
_CLUSTER = regex.compile(r"\X")
# ASCII never joins ASCII (but "\r\n", which the heatmap draws as its own marks): only runs of other
# characters, with the character before each (an "e" its accent follows), are read for clusters
_NON_ASCII_RUN = regex.compile(r"[^\x00-\x7f]+")


def _spread_clusters(joined: str) -> list[tuple[int, int]]:
    """(start, end) in ``joined`` of each cluster of two characters or more, in order."""
    found = []
    for run in _NON_ASCII_RUN.finditer(joined):
        if not _JOINING.search(joined, run.start(), run.end()):
            continue  # most text: no character in the run joins another
        for cluster in _CLUSTER.finditer(joined, max(run.start() - 1, 0), run.end()):
            if cluster.end() - cluster.start() > 1 and not (found and cluster.start() < found[-1][1]):
                found.append(cluster.span())
    return found


def drawn_texts(texts: list[str]) -> list[str]:
    """What each token's cell draws, given the tokens' texts (a piece of a character: ""): its own text,
    except that a cluster spread over several tokens is drawn whole by the token holding its last character
    and by none before it. Joined, the drawn texts are the texts joined."""
    starts = list(itertools.accumulate((len(t) for t in texts), initial=0))
    joined = "".join(texts)
    drawn_from, drawn_to = starts[:-1], starts[1:]  # each cell draws joined[from:to]
    for start, end in _spread_clusters(joined):
        first = bisect.bisect_right(starts, start) - 1
        last = bisect.bisect_right(starts, end - 1) - 1
        if first == last:
            continue  # within one token: drawn as it is
        for index in range(first, last):
            drawn_to[index] = min(drawn_to[index], start)
        drawn_from[last] = start
    return [joined[a:b] if a < b else "" for a, b in zip(drawn_from, drawn_to)]


def redraw_start(texts, drawn: list[str], first: int) -> int:
    """Where to draw again from when tokens ``first``... come after ``texts[:first]`` (drawn as ``drawn``; ``texts``:
    any sequence of the tokens' texts, of which only those from the end back to the answer are read):
    the last token before ``first`` that starts a cluster inside the text so far. A cluster can only grow
    at the text's end (a joiner, then the emoji it joins), so the cells from there on may change; those
    before it stay as they are."""
    own = shown = 0  # characters of texts[index:first] and of drawn[index:first]
    for index in range(first - 1, -1, -1):
        own, shown = own + len(texts[index]), shown + len(drawn[index])
        if own and own == shown:  # everything before this token is drawn by the cells before it
            return index
    return 0


CLUSTER_REACH = 32  # tokens read either side of a token for its cluster (a family of four emoji takes ~25)


def cluster_window(count: int, index: int) -> range:
    """The tokens, of ``count``, read for token ``index``'s cluster: ``CLUSTER_REACH`` either side. Its caller cuts
    them once (``token_words.completed_character`` cuts the records, not their texts and then again)."""
    return range(max(index - CLUSTER_REACH, 0), min(index + CLUSTER_REACH + 1, count))


def token_cluster(window: list[str], index: int) -> str:
    """The cluster that token ``index`` of ``window`` (the texts of ``cluster_window``'s tokens) holds part of,
    where it spreads over other tokens too: the one its first character starts or ends ("👩‍👩‍👧" for each of that
    family's tokens), else the one a piece of a character (text "") helps to write ("首"); "" for a token whose
    clusters are its own."""
    own = window[index]
    starts = list(itertools.accumulate((len(t) for t in window), initial=0))
    at, joined = starts[index], "".join(window)
    if own == "":
        at = next((starts[i] for i in range(index, len(window)) if window[i]), len(joined))
        if at == len(joined):
            return ""  # nothing after it completes it
    ends = {at} if own == "" else {at, at + len(own) - 1}
    for start, end in _spread_clusters(joined):
        if any(start <= place < end for place in ends) and (own == "" or start < at or end > at + len(own)):
            return joined[start:end]
    return joined[at] if own == "" else ""


def settled_count(texts: list[str]) -> int:
    """Of a text still being written, token by token (``texts``: the tokens not yet drawn), how many leading tokens
    draw cells no later token can change: all of them where the text ends in an ASCII character, else those before
    the token where its last cluster starts (a joiner and another emoji, a skin tone or an accent may still join
    it). A stream drawn as it comes (the CLI's answers) holds the rest back until it completes or the stream ends,
    so a cluster is drawn whole, as ``drawn_texts`` draws it once all the tokens are known."""
    joined = "".join(texts)
    if not joined or (texts[-1] and joined[-1] < "\x80"):
        return len(texts)
    # the clusters of the non-ASCII run that ends it, from the character before (an "e" its accent follows)
    begin = min(_trailing_run_start(joined), len(joined) - 1)
    last_start = list(_CLUSTER.finditer(joined, max(begin - 1, 0)))[-1].start()
    starts = list(itertools.accumulate((len(t) for t in texts), initial=0))
    return max(bisect.bisect_right(starts, last_start) - 1, 0)


def _trailing_run_start(joined: str) -> int:
    """Where the run of non-ASCII characters that ends ``joined`` starts (its length: none ends it)."""
    at = len(joined)
    while at > 0 and joined[at - 1] >= "\x80":
        at -= 1
    return at
