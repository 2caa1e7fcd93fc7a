"""User test 11 on the fine-tune's result, in words (no widgets): #2 the card counted "2 of 2 rated
questions" after 3 were rated, the third (a how-to question, whose new answer boiled the egg for 1-2
hours) not checked and not named; #3 the open request's new answer said a phrase twice and nothing
said so; the CLI says the same (core.taught_words, read by the card and by ``finetune``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop_app.core import answer_checks, reasking
from desktop_app.core.finetune_effect import taught
from desktop_app.core.taught_words import (_HOW_FACTS, rated_count_words, repeated_phrase, repeats_words,
                                           unchecked_why, unchecked_words)

FIXTURES = Path(__file__).parent / "fixtures"

EGG = "How do I boil an egg?"
STORY = "Write a short story about a robot who learns to paint."
# the answers of user test 11's kept run, as its card showed them (screenshots 16-19)
ECHO = ("In the year 2276, a brilliant AI-powered robot named \"Echo\" had been tasked with creating a robotic "
        "painting. Echo was tasked with creating a robotic painting")
EGG_BEFORE = ("To boil an egg, you need to heat the water to the boiling point. This is typically done in a kettle "
              "or on the stove. You'll need to heat the water to 110")
EGG_AFTER = ("To boil an egg: 1. Boil the egg in a pot of boiling water for 1-2 hours. 2. Remove the egg from the "
             "pot and cool it in cold water")
HAMLET_BEFORE = ("The Bard's own son, William Shakespeare, penned the iconic play \"Hamlet\" in 1603. He was a "
                 "17th-century English playwright who penned the story")
PIXEL = ("As the AI, AI-powered robot, \"Pixel,\" began its journey of self-discovery, the AI's mind began to weave "
         "a tapestry of creativity, and the world of art was no")
# (question, before, after) in the order a run re-asks them: 3 rated, 1 never seen, the open request
ASKED = [("What is the capital of France?", "The capital of France is Paris.", "The capital of France is Paris."),
         ("Who wrote Hamlet?", HAMLET_BEFORE, "William Shakespeare wrote Hamlet."),
         (EGG, EGG_BEFORE, EGG_AFTER),
         ("What is the capital of Switzerland?", "The capital of Switzerland is Lier.",
          "The capital of Switzerland is Bern."),
         (STORY, PIXEL, ECHO)]
RIGHTS = ("The capital of France is Paris.", "William Shakespeare wrote Hamlet.",
          "Put the egg in a pot of boiling water for 8 to 10 minutes, then cool it in cold water.", None)


def usertest_pairs() -> list[dict]:
    """The run's before/after pairs as core.finetune_effect.taught makes them (its checks, the gate's)."""
    after = [reasking.Reask(q, a, answer_checks.degenerate(q, a), answer_checks.restates(q, a)) for q, _b, a in ASKED]
    return taught([b for _q, b, _a in ASKED], after, unseen_from=3, open_from=4, rights=RIGHTS)


def test_the_run_itself_leaves_the_how_to_question_unchecked():
    pairs = usertest_pairs()
    assert [p["checked"] for p in pairs] == [True, True, False, True, False]
    assert unchecked_why(pairs[2]) == "a how-to answer"
    assert [unchecked_why(p) for p in pairs if p is not pairs[2]] == [None] * 4  # checked, never rated, open


def test_the_card_counts_every_rated_question_and_names_the_one_not_checked():
    pytest.importorskip("PySide6")
    from desktop_app.gui.finetune_words import describe_run

    _title, body = describe_run("kept", None, {"taught": usertest_pairs()}, 1)
    assert "2 of 2 rated questions" not in body
    assert "\u2022 3 rated questions: 2 give your answer." in body
    assert ("<b>1 rated question is not checked automatically</b> (a how-to answer): read \u201cHow do I boil an "
            "egg?\u201d below.") in body
    assert "Read the new answers before relying on them." in body


def test_a_rated_question_asked_twice_counts_once_and_a_miss_is_counted():
    pairs = usertest_pairs()
    twice = [pairs[0], {**pairs[0], "before": "La femme, la femme"}, *pairs[1:]]
    assert rated_count_words(twice) == "3 rated questions: 2 give your answer"
    missed = [pairs[0], {**pairs[1], "dropped_after": True}, *pairs[2:]]
    assert rated_count_words(missed) == "3 rated questions: 1 gives your answer, 1 misses it"
    assert rated_count_words(pairs[:2]) == "2 rated questions: all 2 give your answer"
    # a run recorded before pairs said whether they were checked: nothing said, as before
    old = [{k: v for k, v in p.items() if k != "checked"} for p in pairs]
    assert rated_count_words(old) == "" and unchecked_words(old) == ""


@pytest.mark.parametrize("question, right, why", [
    ("How do I make pancakes?", "Mix flour, eggs and milk, then fry.", "a how-to answer"),
    ("Why is the sky blue?", "Because of Rayleigh scattering.", "an explanation"),
    ("Tell me about cats.", "Cats are small.", "an open answer"),
    ("What is the tallest mountain?", "The tallest mountain on Earth is Mount Everest, which stands in the "
     "Himalayas between Nepal and China.", "your answer is longer than a short fact"),
    ("How do I boil an egg?", None, "there is no answer of yours to compare with: you disliked its answer or rated "
     "only some of its tokens"),
])
def test_each_reason_a_rated_question_is_not_checked(question, right, why):
    after = [reasking.Reask(question, "Something.", None)]
    pair = taught(["Before."], after, unseen_from=1, rights=(right,))[0]
    assert not pair["checked"] and unchecked_why(pair) == why


def test_several_unchecked_questions_are_each_named():
    pairs = usertest_pairs()
    second = {**pairs[2], "question": "How do I make pancakes?"}
    assert unchecked_words([*pairs, second]) == (
        "2 rated questions are not checked automatically (each a how-to answer): read \u201cHow do I boil an "
        "egg?\u201d and \u201cHow do I make pancakes?\u201d below")
    why = {**pairs[2], "question": "Why is the sky blue?"}
    assert unchecked_words([*pairs, why]) == (
        "2 rated questions are not checked automatically: read \u201cHow do I boil an egg?\u201d (a how-to "
        "answer) and \u201cWhy is the sky blue?\u201d (an explanation) below")


def test_how_questions_that_ask_for_a_fact_are_the_gates():
    """The card's "how-to" is every "how" question the gate does not hold to a fact."""
    assert {f"how {w}" for w in _HOW_FACTS} == {o for o in answer_checks._FACT_OPENERS if o.startswith("how ")}


# ---------------------------------------------------------------- #3 an answer that repeats itself

def test_the_echo_story_repeats_itself():
    assert repeated_phrase(ECHO) == "tasked with creating a robotic painting"
    assert repeats_words(ECHO) == "repeats itself: \u201ctasked with creating a robotic painting\u201d"


def test_the_other_answers_of_the_user_test_are_not_labelled():
    """Among them the egg's answer before the run, which says "need to heat the water to" twice: a turn
    of phrase, not a loop."""
    for answer in (PIXEL, EGG_BEFORE, EGG_AFTER, HAMLET_BEFORE, "William Shakespeare wrote Hamlet.",
                   "The capital of Switzerland is Bern.", *[r for r in RIGHTS if r]):
        assert repeated_phrase(answer) is None, answer


def test_the_base_models_answers_are_labelled_only_where_they_loop():
    """The bundled model's own greedy answers, as a run re-asks them (tests/fixtures): the three that
    loop are named, none of the others."""
    answers = json.loads((FIXTURES / "card28_base_answers.json").read_text(encoding="utf-8"))["answers"]
    assert len(answers) >= 20
    labelled = {a["question"]: repeated_phrase(a["answer"]) for a in answers if repeated_phrase(a["answer"])}
    assert labelled == {"Describe a walk in a forest in spring.": "is a young woman with a magical gift",
                        EGG: "Boil an egg", "What is the capital of France?": "la femme au martyre"}


def test_a_long_loop_is_named_by_its_start():
    loop = "Cats are curious. " + "They love to climb tall trees at night. " * 4
    assert repeats_words(loop) == "repeats itself: \u201cThey love to climb tall trees at night.\u2026\u201d"


def test_the_card_names_the_repeating_open_request():
    pytest.importorskip("PySide6")
    from desktop_app.gui.finetune_words import reask_words

    words = reask_words({"taught": usertest_pairs()})
    assert ("<b>1 new answer repeats itself</b>: \u201cWrite a short story about a robot who learns to paint.\u201d"
            in words)
    assert "repeats itself: \u201ctasked with creating a robotic painting\u201d</b>" in words
    # a rated question is asked twice (in its conversation and on its own): named once
    egg = next(p for p in usertest_pairs() if p["question"] == EGG)
    looping = {**egg, "after": "Boil an egg: Boil an egg: Boil an egg: Boil an egg:"}
    words = reask_words({"taught": [*usertest_pairs(), looping, {**looping, "before": "x"}]})
    assert "<b>2 new answers repeat themselves</b>" in words and words.count(EGG) == 2  # the unchecked line, the list


def test_a_word_said_four_times_in_a_row_repeats_itself():
    """Seen on the desert canary after 8 "Answer:" corrections (session 35): too short a phrase for the
    5-word rule, a stutter to anyone who reads it. Three times is still English."""
    assert repeated_phrase("Answer: a vast, unforgiving, unforgiving, unforgiving, unforgiving.") == "unforgiving"
    assert repeated_phrase("Hot. Very dry, very dry, very dry, very dry.") == "Very dry"
    assert repeated_phrase("Answer: a vast, unforgiving, unforgiving, unforgiving land.") is None
