"""The Text tab's words, Qt-free (core/text_notes.py): why a continuation ended, and what became of an
edit before a continuation, read from the tree's branches and the continuation's ratings."""

from __future__ import annotations

from desktop_app.core.text_notes import AT_THE_LIMIT, STOPPED_CONTINUATION, STOPPED_EMPTY, end_words, forked_notice


def test_a_continuation_says_why_it_ended_only_where_the_person_or_the_limit_ended_it():
    assert end_words("and so on", "cancelled", 40) == STOPPED_CONTINUATION
    assert end_words("", "cancelled", 40) == STOPPED_EMPTY
    assert end_words("and so on", "length", 40) == AT_THE_LIMIT.format(count=40) and "40" in AT_THE_LIMIT.format(count=40)
    assert end_words("", "length", 40) is None
    assert end_words("and so on.", "stop", 40) is None


def test_an_edit_before_a_rated_continuation_names_both_branches_and_what_the_rating_kept():
    by_id = {1: {"id": 1, "title": "", "start": 20, "text": "the sea answered him"},
             2: {"id": 2, "title": "", "start": 5, "text": "lighthouse keeper slept"}}
    ratings = {"thumbs": 1, "tokens": [3, 4], "correction": ""}
    notice = forked_notice(by_id, ratings, 1, 2)
    assert "your thumbs up and 2 rated tokens" in notice and "earlier wording" in notice
    assert "\u201cthe sea answered him\u201d" in notice and "\u201clighthouse keeper slept\u201d" in notice
    by_id[2]["start"] = 25  # an edit of the continuation's own words
    assert "Your rating is of the words the model wrote" in forked_notice(by_id, ratings, 1, 2)
