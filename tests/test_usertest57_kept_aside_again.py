"""usertest57: a new user's first run was discarded because the one rating kept aside (a thumbs-down on "What colour
is the sky?") got more likely. The panel had said "(a later run may train on it)" and the card "rate a few more
answers", so the user wrote better answers for the answers already rated and ran again, twice: the same question
was kept aside each time and refused each run (three runs, about eight minutes each on one core). The split is
drawn from the rated questions with a fixed seed, so the words now say what holds: a run on the same questions
keeps it aside again, and the way on is to rate new questions."""

from __future__ import annotations

from desktop_app.core.progress_words import kept_aside_words
from desktop_app.core.train_data import TrainingData, Unpaired
from desktop_app.gui.finetune_words import next_step_words

HELD_OUT_REFUSED = "the held-out margin did not move the right way (0.1 -> 0.05)"


def _thumbs(groups: list[int], per_group: int = 1) -> TrainingData:
    """Thumbs on answers to ``groups`` (question ids), ``per_group`` rated answers each: what a split draws from."""
    rows = [Unpaired([1, 2], [3, 4], label=bool(i % 2), message_id=g * 10 + i, group=g)
            for g in groups for i in range(per_group)]
    return TrainingData(rows, [], [])


def test_the_kept_aside_words_no_longer_promise_a_later_run_trains_on_it():
    words = kept_aside_words(["What colour is the sky?"])
    assert "a later run may train on it" not in words
    assert words.endswith("(a run on these same questions keeps it aside again)")


def test_what_the_words_say_holds_more_ratings_of_the_same_questions_keep_the_same_aside():
    """The ground of the words: rating the same questions again (better answers written for rated answers) draws
    the same question aside, the default seed as a run uses it."""
    questions = [11, 12, 13, 14, 15]
    _train, held = _thumbs(questions).split(0.2)
    _train, held_again = _thumbs(questions, per_group=2).split(0.2)
    assert {e.group for e in held.unpaired} == {e.group for e in held_again.unpaired}


def test_the_way_on_after_a_held_out_refusal_names_new_questions():
    words = next_step_words(HELD_OUT_REFUSED)
    assert "rate a few more answers to new questions" in words
