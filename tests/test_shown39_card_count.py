"""User test 14: the card's "Asked again after training" counted 5 rated questions over a card
that shows 3 (finetune_words.MAX_SEEN), and two read as gone missing; it now says how many of
them are shown below."""

from __future__ import annotations

from desktop_app.gui.finetune_words import MAX_SEEN, pick_pairs, reask_words


def _pairs(n: int) -> list[dict]:
    return [{"question": f"What is question {i}?", "seen": True, "checked": True, "dropped_after": False,
             "before": "A long ramble.", "after": f"Answer {i}.", "right": f"Answer {i}."} for i in range(n)]


def test_more_rated_questions_than_the_card_shows_says_how_many_are_shown():
    taught = _pairs(5)
    assert sum(1 for p in pick_pairs(taught) if p.get("seen")) == MAX_SEEN == 3
    words = reask_words({"taught": taught})
    assert "all 5 give your answer; below, before and after: 3 of the 5" in words, words


def test_a_card_that_shows_every_rated_question_says_nothing_more():
    words = reask_words({"taught": _pairs(3)})
    assert "all 3 give your answer" in words and "below, before and after" not in words, words
