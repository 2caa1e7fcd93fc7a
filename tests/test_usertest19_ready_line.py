"""Usertest 19: the Fine-tune tab read "7 ratings ready to train on: 4 better answers you wrote (3 for
answers you also disliked), 1 answer you disliked and 2 rated tokens. Those dislikes also train on
their own: 10 examples in all." A new person asked what "on their own" meant and where 10 came from:
the line now counts the dislikes that train a second time and says what they teach. The walk's
ratings, stored in a real database and counted as the panel counts them."""

from __future__ import annotations

import pytest

from desktop_app.core.train_counts import readiness


def _walk(store):
    """Three answers disliked with a better one each, one better answer alone, one plain dislike."""
    conversation = store.create_conversation("q")
    parent = None
    for question, better, down in (("How many legs does a spider have?", "A spider has eight legs.", True),
                                   ("What is the boiling point of water?", "Water boils at 100 degrees.", True),
                                   ("Who wrote Romeo and Juliet?", "William Shakespeare wrote it.", True),
                                   ("Why is the sky blue?", "Air scatters blue light most.", False),
                                   ("What is photosynthesis?", None, True)):
        asked = store.add_message(conversation, "user", question, parent_id=parent)
        parent = store.add_message(conversation, "assistant", "A long answer that rambles on.", parent_id=asked)
        if down:
            store.rate_message(parent, -1)
        if better:
            store.set_correction(parent, better)


def test_the_ready_line_counts_the_dislikes_that_train_again_and_says_what_they_teach(store):
    pytest.importorskip("PySide6")
    from desktop_app.gui.ready_words import ready_words

    _walk(store)
    words = ready_words(readiness(store))
    assert "on their own" not in words
    # counts59: the dislikes are ratings of their own, as the tiles count them: nothing trains "again"
    assert words.endswith("<b>8 ratings ready to train on</b>: 4 answers you disliked and 4 better answers you "
                          "wrote (3 for answers you disliked).")
