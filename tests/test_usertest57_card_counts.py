"""usertest57: the model card written beside an exported GGUF listed the run's counts by their metric keys:
"alone views: 6", "pairs: 4" beside "corrections: 4", "sibling pairs: 0". A new user read fourteen ratings where
they had given eight. The card now says what each count is, leaves out the zeros, and does not list the
corrections a second time as "pairs"."""

from __future__ import annotations

from desktop_app.core import model_export

# what run 3 of the walk recorded: 2 liked, 1 disliked, 4 better answers, 1 rated token, in one conversation
RUN_METRICS = {"data_alone_views": 6, "data_corrections": 4, "data_pairs": 4, "data_sibling_pairs": 0,
               "data_thumbs_down": 1, "data_thumbs_up": 2, "data_token_rated_answers": 1, "data_token_ratings": 1,
               "train_size": 6, "heldout_size": 2}


def _ratings_section(card: str) -> list[str]:
    part = card.split("## Ratings it learned from\n\n", 1)[1].split("\n\n", 1)[0]
    return part.splitlines()


def test_the_card_says_what_each_count_is_and_lists_no_zero_or_double_count():
    card = model_export.model_card({"id": 1, "base_model": "tiny", "metrics": RUN_METRICS}, "gguf", "f16")
    lines = _ratings_section(card)
    assert "- thumbs up: 2 (answers you liked)" in lines  # the key stays first: "thumbs up: 3" is what others grep
    assert "- corrections: 4 (better answers you wrote)" in lines
    assert not any(line.startswith(("- pairs:", "- sibling pairs:")) for line in lines)
    views = next(line for line in lines if line.startswith("- alone views: 6"))
    assert "not ratings" in views
    assert lines[-1] == "- training examples: 6, held out for the gate: 2"


def test_a_card_of_a_run_that_recorded_no_counts_says_so():
    card = model_export.model_card({"id": 1, "base_model": "tiny", "metrics": {}}, "merged")
    assert _ratings_section(card)[0] == "- (not recorded)"
