"""core.taught_words.unchecked_parts: the unchecked rated questions' sentence in two parts, the count the
fine-tune card bolds and the rest, so the card bolds the count without searching the sentence for its words."""

from __future__ import annotations

from desktop_app.core.taught_words import unchecked_parts, unchecked_words
from desktop_app.gui.finetune_words import pick_pairs
from test_polish36_card_words import HOW_TO, _run


def test_the_count_and_the_rest_make_the_sentence_and_the_count_names_no_question():
    pairs = _run(HOW_TO)
    for shown in (None, pick_pairs(pairs)):
        count, rest = unchecked_parts(pairs, shown=shown)
        assert count + rest == unchecked_words(pairs, shown=shown)
        assert count.startswith(f"{len(HOW_TO)} rated questions") and "\u201c" not in count
        assert rest.startswith(" (each a how-to answer): read \u201c")


def test_no_unchecked_question_gives_two_empty_parts():
    checked = [{**pair, "checked": True} for pair in _run(HOW_TO)]
    assert tuple(unchecked_parts(checked)) == ("", "")
