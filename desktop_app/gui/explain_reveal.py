"""Why this token?'s ranking to the text it ranks: a row clicked brings its word into view, in the
chat's cards or the Text tab's heatmap, and rings it for a moment (TokenView.flash) in the colour of
its push at full strength (core.palette's orange toward the token, pink toward the alternative), so
it is found whether or not the attribution's colours are painted."""

from __future__ import annotations

import bisect
import math

from desktop_app.core.palette import attribution_color
from desktop_app.gui.token_marks import span_rects

MARGIN_PX = 40  # room kept around the word when it is scrolled to


def push_colour(a, i: int) -> tuple[int, int, int]:
    """Token ``i``'s side at full strength: orange (toward the token) or pink (toward the alternative)."""
    return attribution_color(math.copysign(1.0, a.scores[i]), 1.0)


def place_in_cards(cards, explained, a, index: int, i: int):
    """Where attribution token ``i`` stands on the chat's cards: (card, start, end) in the card's
    document, or None (text the chat does not show, or left out of the model's window).
    ``explained`` is the card of the token explained, ``index`` that token's place in it."""
    if explained not in cards:
        return None
    if i >= a.prompt_len:  # the answer's own tokens before the explained one
        own = i - a.prompt_len
        view = explained.view
        return (explained, view.starts[own], view.ends[own]) if own < min(index, len(view.starts)) else None
    from desktop_app.core.text_pieces import segments_in_texts

    earlier = cards[:cards.index(explained)]
    texts = [_card_text(card) for card in earlier]
    # each piece's own number where segments_in_texts puts a score: which characters piece ``i`` took
    found = segments_in_texts(a.token_texts[:a.prompt_len], list(range(a.prompt_len)), texts)
    for card, segments in zip(earlier, found):
        spans = [(start, end) for start, end, n in segments or () if n == i]
        if spans:
            return (card, *_document_span(card, spans[0][0], spans[-1][1]))
    return None


def _card_text(card) -> str:
    return "".join(r.text for r in card.records) if card.records else card.view.prefix


def _document_span(card, start: int, end: int) -> tuple[int, int]:
    """Characters of the card's text -> its document's positions: a prompt shown as plain text is
    its document; a heatmap's tokens are found by their texts' lengths (shown marks may differ)."""
    view = card.view
    if not card.records:
        return start, end
    ends, total = [], 0
    for record in card.records:
        total += len(record.text)
        ends.append(total)
    first = min(bisect.bisect_right(ends, start), len(ends) - 1)
    last = min(bisect.bisect_right(ends, max(start, end - 1)), len(ends) - 1)
    return view.starts[first], view.ends[last]


def place_in_heatmap(heatmap, a, index: int, i: int):
    """Where attribution token ``i`` of Text token ``index``'s explanation stands on the heatmap:
    (start, end) in its document, or None (the start token read before the text)."""
    at = index - len(a.scores) + i  # the scores are of the tokens just before ``index`` (explain_overlays.text_overlay)
    return (heatmap.starts[at], heatmap.ends[at]) if 0 <= at < len(heatmap.starts) else None


def reveal(scroll, view, start: int, end: int, rgb) -> bool:
    """Scroll ``scroll`` (a QScrollArea holding TokenView ``view``) until positions ``start`` to
    ``end`` are in view, then ring them for a moment; False when they have no place on screen."""
    if not bring_into_view(scroll, view, start, end):
        return False
    view.flash(start, end, rgb)
    return True


def bring_into_view(scroll, view, start: int, end: int) -> bool:
    """Scroll ``scroll`` (a QScrollArea holding TokenView ``view``) as little as brings positions ``start`` to
    ``end`` into view; False when they have no place on screen."""
    rects = span_rects(view, start, end)
    if not rects:
        return False
    top = view.viewport().mapTo(scroll.widget(), rects[0].topLeft().toPoint())
    bottom = view.viewport().mapTo(scroll.widget(), rects[-1].bottomRight().toPoint())
    scroll.ensureVisible(bottom.x(), bottom.y(), MARGIN_PX, MARGIN_PX)
    scroll.ensureVisible(top.x(), top.y(), MARGIN_PX, MARGIN_PX)  # a word longer than the view: its start
    return True
