"""User test 17's findings, each checked on real parts: a real store, the Fine-tune tab's words."""

from __future__ import annotations

from desktop_app.core import text_branches as tb
from desktop_app.core.documents import create_document
from desktop_app.core.store import Store
from desktop_app.core.train_counts import readiness
from desktop_app.gui.ready_words import conflict_words, headline_words, ready_details

STORY = "The lighthouse keeper climbed the stairs every evening at dusk."


def liked_and_corrected_continuation(store) -> int:
    document = create_document(store, STORY)
    branch = tb.add_branch(store, document, None, len(STORY), " The lamp went out.")
    tb.rate_branch(store, branch, 1)
    tb.set_correction(store, branch, " The lamp burned all night.")
    return branch


def test_new_since_a_run_counts_both_kinds_in_plural_words():
    # usertest 17: "2 ratings, better answer or continuations new since run 1"
    counts = {"total": 3, "ratings": 3, "thumbs_up": 2, "text_thumbs_up": 1, "corrections": 1,
              "last_run": 1, "new_since_run": 2}
    assert headline_words(counts).startswith("<b>2 new ratings, better answers or continuations since run 1</b>")
    counts["new_since_run"] = 1
    assert headline_words(counts).startswith("<b>1 new rating, better answer or continuation since run 1</b>")


def test_a_liked_continuation_with_a_better_one_is_named_as_mixed_signals(tmp_path):
    # usertest 17: a 👍 and a better continuation on one Text continuation train apart, as a liked
    # chat answer with a better answer does, but only the chat's had the "Mixed signals" notice
    store = Store.open(tmp_path / "app.db")
    try:
        liked_and_corrected_continuation(store)
        counts = readiness(store)
        assert counts["liked_and_corrected"] == 1
        words = conflict_words(counts)
        assert "Mixed signals" in words and "A continuation you liked also has a better continuation" in words
        assert "answer" not in words
        assert ("1 thumb is on a continuation you also corrected: that continuation teaches twice"
                in ready_details(counts))
    finally:
        store.close()


def test_mixed_signals_on_both_kinds_read_as_english():
    counts = {"liked_and_corrected": 2, "text_liked_and_corrected": 1}
    words = conflict_words(counts)
    assert "2 answers or continuations you liked also have a better one you wrote" in words
    assert "If yours should replace them" in words
