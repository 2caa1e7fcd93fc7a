"""The fine-tune card's "read … below" names only questions the card shows (it shows 3 rated
questions, then 2 never rated): with 4 rated how-to questions, none checked automatically, it sent
the person to read a fourth that was not on it. The words (core.taught_words, gui.finetune_words)
and the card (gui.taught_view) read the same pick of pairs; the CLI prints every pair and names all."""

from __future__ import annotations

import re

import pytest

from desktop_app.core import reasking
from desktop_app.core.finetune_effect import taught
from desktop_app.core.taught_words import unchecked_words
from desktop_app.gui.finetune_words import describe_run, pick_pairs

HOW_TO = [("How do I boil an egg?", "Put the egg in boiling water for 8 to 10 minutes, then cool it."),
          ("How do I make pancakes?", "Mix flour, eggs and milk, then fry them in a hot pan."),
          ("How do I tie a tie?", "Cross the wide end over, loop it up and through, then tighten the knot."),
          ("How do I brew tea?", "Pour hot water over the leaves and wait three to five minutes.")]
NEW = ("What is the capital of France?", "The capital of France is Paris.", "The capital of France is Paris.")
STORY = ("Write a short story about a robot who learns to paint.", "A robot named Pixel found a brush.",
         "Pixel the robot painted a sunrise over the harbour.")


def _run(rated: list[tuple[str, str]], held_count: int = 0) -> list[dict]:
    """Pairs as core.finetune_effect.taught makes them: ``rated`` (trained on, the last ``held_count``
    held out to test the run), a never-rated question, an open request."""
    questions = [q for q, _right in rated] + [NEW[0], STORY[0]]
    befores = ["You will need a few things first."] * len(rated) + [NEW[1], STORY[1]]
    afters = ["Start with what you have, and go step by step."] * len(rated) + [NEW[2], STORY[2]]
    after = [reasking.Reask(q, a, None) for q, a in zip(questions, afters)]
    trained = len(rated) - held_count
    return taught(befores, after, unseen_from=trained, open_from=len(rated) + 1, held_count=held_count,
                  rights=tuple(right for _q, right in rated))


def _named_below(body: str) -> list[str]:
    sentence = next(line for line in body.split("<br>") if "not checked automatically" in line)
    read = re.search(r"read (.*) below", sentence)
    return re.findall("\u201c(.*?)\u201d", read.group(1)) if read else []


def test_four_unchecked_rated_questions_name_only_the_three_on_the_card():
    pairs = _run(HOW_TO)
    card = [p["question"] for p in pick_pairs(pairs) if p.get("seen")]
    assert len(card) == 3, "the card shows three rated questions"
    _title, body = describe_run("kept", None, {"taught": pairs}, 1)
    named = _named_below(body)
    assert sorted(named) == sorted(card), "each named question is on the card, and each on the card is named"
    left_out = next(q for q, _r in HOW_TO if q not in card)
    assert left_out not in body, "the fourth question was named though the card does not show it"
    assert "4 rated questions are not checked automatically</b> (each a how-to answer)" in body
    assert "below; 1 more is not shown here" in body


def test_the_cli_prints_every_pair_so_its_words_name_all_four():
    words = unchecked_words(_run(HOW_TO))
    assert all(q in words for q, _r in HOW_TO) and "not shown here" not in words


def test_a_held_out_question_takes_a_rated_slot_not_a_never_rated_one():
    """A held-out question is a rated one: it no longer competes for the never-rated slots, where a new
    question that lost its answer took its place (usertest 13: the wrong held-out answer was hidden)."""
    pairs = _run(HOW_TO[:2], held_count=1)
    lost = {**pairs[2], "dropped_after": True}  # the new question lost its answer: it takes the slot
    pairs = [pairs[0], pairs[1], lost, pairs[3]]
    shown = [p["question"] for p in pick_pairs(pairs)]
    held = HOW_TO[1][0]
    assert held in shown and lost["question"] in shown
    words = unchecked_words(pairs, shown=pick_pairs(pairs))
    assert words == ("2 rated questions are not checked automatically (each a how-to answer): read "
                     "\u201cHow do I boil an egg?\u201d and \u201cHow do I make pancakes?\u201d below")
    only_held = [pairs[1], lost, pairs[3]]
    assert unchecked_words(only_held, shown=pick_pairs(only_held)) == (
        "1 rated question is not checked automatically (a how-to answer): read \u201cHow do I make pancakes?\u201d "
        "below")


def test_the_card_shows_the_questions_its_words_name(qtbot):
    pytest.importorskip("PySide6")
    from desktop_app.gui.taught_view import TaughtView

    pairs = _run(HOW_TO)
    view = TaughtView()
    qtbot.addWidget(view)
    view.set_pairs(pairs)
    questions = " ".join(label.text() for label in view.body.findChildren(type(view.title))
                         if label.objectName() == "TaughtQuestion")
    _title, body = describe_run("kept", None, {"taught": pairs}, 1)
    named = _named_below(body)
    assert len(named) == 3 and all(f"\u201c{q}\u201d" in questions for q in named)
