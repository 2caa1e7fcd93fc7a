"""Why this token?'s attribution as colours over the text it explains: the chat's cards
(``card_overlays``, painted and cleared by ``show_attribution`` and ``clear_attribution``) or the
Text mode's heatmap (``text_overlay``). Each earlier token is coloured by how much it pushed
towards the explained token (orange) or the alternative (pink): colours of their own,
not the selection's blue (core.palette.ATTRIBUTION_PALETTE)."""

from __future__ import annotations

import bisect

from desktop_app.core.palette import attribution_color
from desktop_app.gui.explain_words import contribution_tip
from desktop_app.gui.theme import is_dark
from desktop_app.gui.token_view import Overlay


def card_overlays(cards, selected, result) -> dict:
    """card -> Overlay: the attribution of every earlier token on the cards that show it."""
    from desktop_app.core.text_pieces import segments_in_texts

    a = result.attribution
    scale = max((abs(s) for s in a.scores), default=1.0) or 1.0
    earlier = cards[:cards.index(selected)] if selected in cards else []
    texts = [_card_text(card) for card in earlier]
    found = segments_in_texts(a.token_texts[:a.prompt_len], a.scores[:a.prompt_len], texts)
    overlays = {}
    for card, text, segments in zip(earlier, texts, found):
        if segments is not None:
            overlays[card] = _overlay_from_segments(card, text, segments, scale)
    own = {i: a.scores[a.prompt_len + i] for i in range(result.context.index)}
    if result.context.other_writer and selected.records:  # the card shows the other model's tokens
        overlays[selected] = _overlay_from_segments(selected, _card_text(selected),
                                                    _answer_segments(a, result.context.index), scale)
        return overlays
    overlays[selected] = Overlay(colours={i: attribution_color(s, scale, is_dark()) for i, s in own.items()},
                                 tips={i: contribution_tip(s) for i, s in own.items()})
    return overlays


def _answer_segments(a, count: int) -> list[tuple[int, int, float]]:
    """(start, end, score) in the answer's text of the first ``count`` answer tokens the model read."""
    segments, at = [], 0
    for piece, score in zip(a.token_texts[a.prompt_len:a.prompt_len + count], a.scores[a.prompt_len:]):
        segments.append((at, at + len(piece), score))
        at += len(piece)
    return segments


def _card_text(card) -> str:
    return "".join(r.text for r in card.records) if card.records else card.view.prefix


def _overlay_from_segments(card, text, segments, scale) -> Overlay:
    if not card.records:  # a prompt shown as plain text: colour its pieces
        pieces, at = [], 0
        for start, end, score in segments:
            if start > at:
                pieces.append((text[at:start], None, None))
            pieces.append((text[start:end], attribution_color(score, scale, is_dark()), contribution_tip(score)))
            at = end
        if at < len(text):
            pieces.append((text[at:], None, None))
        return Overlay(prefix_pieces=pieces)
    ends, total = [], 0
    for record in card.records:
        total += len(record.text)
        ends.append(total)
    sums: dict[int, float] = {}
    for start, _end, score in segments:  # a piece counts for the token its first character is in
        index = min(bisect.bisect_right(ends, start), len(ends) - 1)
        sums[index] = sums.get(index, 0.0) + score
    return Overlay(colours={i: attribution_color(s, scale, is_dark()) for i, s in sums.items()},
                   tips={i: contribution_tip(s) for i, s in sums.items()})


def show_attribution(transcript, selected, result) -> None:
    for card, overlay in card_overlays(transcript.cards, selected, result).items():
        card.view.set_overlay(overlay)


def clear_attribution(transcript) -> None:
    for card in transcript.cards:
        if card.view.overlay is not None:
            card.view.set_overlay(None)


def text_overlay(result, index: int) -> Overlay:
    """The attribution over the Text mode heatmap, whose token ``index`` it explains: the
    scores are of the tokens before it (as many as fitted the window), the last one first
    before ``index``; the start token plain text is read after (not on the heatmap) shows nothing."""
    scores = result.attribution.scores
    scale = max((abs(s) for s in scores), default=1.0) or 1.0
    shown = {index - len(scores) + j: score for j, score in enumerate(scores) if index - len(scores) + j >= 0}
    return Overlay(colours={i: attribution_color(s, scale, is_dark()) for i, s in shown.items()},
                   tips={i: contribution_tip(s) for i, s in shown.items()})
