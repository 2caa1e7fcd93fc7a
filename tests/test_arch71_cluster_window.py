"""arch71: ``token_words.completed_character`` cuts the records around a token once, with
``grapheme_cells.cluster_window``, and ``token_cluster`` reads that window as given (it had cut the texts it was
handed again). The two must agree, token by token, on an emoji family joined by ZERO WIDTH JOINERs and spread
over several tokens, and on plain text, however far from the text's ends the token lies."""

from __future__ import annotations

from helpers import token_record

from desktop_app.core.grapheme_cells import CLUSTER_REACH, cluster_window, token_cluster
from desktop_app.core.token_words import completed_character

FAMILY = "\U0001F469\u200d\U0001F469\u200d\U0001F467"
# the bundled SmolLM2 tokenizer's tokens of " 👩‍👩‍👧" (its pieces decode to ""), as in test_glyph70_graphemes.py
FAMILY_TOKENS = [" ", "", "\U0001F469", "", "\u200d", "", "", "\U0001F469", "", "\u200d", "", "", "\U0001F467"]
PLAIN_TOKENS = ["The", " cat", " sat", " on", " the", " mat", "."]


def _records(texts):
    return [token_record(i, text, 0.5) for i, text in enumerate(texts)]


def _window_cluster(texts, index: int) -> str:
    window = cluster_window(len(texts), index)
    return token_cluster([texts[i] for i in window], index - window.start)


def test_the_window_reaches_as_far_either_side_and_stops_at_the_ends():
    assert cluster_window(10, 3) == range(0, 10)
    assert cluster_window(200, 100) == range(100 - CLUSTER_REACH, 100 + CLUSTER_REACH + 1)


def test_both_agree_on_an_emoji_family_spread_over_tokens_far_inside_a_long_text():
    padding = PLAIN_TOKENS * 12  # more than CLUSTER_REACH tokens either side: the window is cut at both ends
    texts = padding + ["A", " family"] + FAMILY_TOKENS + [" here"] + padding
    records = _records(texts)
    first = len(padding) + 2
    family = range(first + 1, first + len(FAMILY_TOKENS))  # its pieces, joiners and emoji (not the space before)
    for index in range(len(texts)):
        named = completed_character(records, index)
        assert named == _window_cluster(texts, index), index
        assert named == (FAMILY if index in family else ""), index
    whole = [token_cluster(texts, index) for index in family]  # the whole text as one window: the same cluster
    assert whole == [FAMILY] * len(family)


def test_both_agree_on_plain_text_that_no_token_completes():
    texts = PLAIN_TOKENS * 10
    records = _records(texts)
    for index in range(len(texts)):
        assert completed_character(records, index) == _window_cluster(texts, index) == "", index
