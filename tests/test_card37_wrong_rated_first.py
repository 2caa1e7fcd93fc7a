"""User test 13, #1: a kept run made the model answer "Answer: 1.83." to a held-out rated question
("At what temperature does water boil in Celsius?", taught "Answer: 100 degrees."). The card said
"1 rated question is not checked automatically (an open answer): it is not among the answers below"
and listed three right ones. The pair was not checked because the check reads only questions that
start with what/who/...; it is no open answer. The card (gui.finetune_words.pick_pairs, gui.taught_view)
and the CLI (``finetune`` and ``--json``) now show such rated questions first, marked."""

from __future__ import annotations

import json

import pytest

from desktop_app.core import answer_checks, reasking
from desktop_app.core.finetune_effect import taught
from desktop_app.core.taught_words import FACT_LATE_WHY, short_of_yours, unchecked_why

WATER = "At what temperature does water boil in Celsius?"
# (question, before, after, the person's answer): 3 rated and trained on, 2 held out, 1 never rated, 1 open
ASKED = [("What is the capital of France?", "The capital of France is Paris.", "Answer: Paris.", "Answer: Paris."),
         ("What is the capital of Japan?", "The capital of Japan is Tokyo.", "Answer: Tokyo.", "Answer: Tokyo."),
         ("Who wrote Hamlet?", "William Shakespeare wrote Hamlet.", "Answer: William Shakespeare.",
          "Answer: William Shakespeare."),
         ("Who painted the Mona Lisa?", "Leonardo da Vinci painted it.", "Answer: Leonardo da Vinci.",
          "Answer: Leonardo da Vinci."),
         (WATER, "Water boils at approximately 100 degrees Celsius (212 degrees Fahrenheit).", "Answer: 1.83.",
          "Answer: 100 degrees."),
         ("What is the capital of Estonia?", "The capital of Estonia is Tallinn.", "Answer: Talljak.", None),
         ("Write a short story about a robot who learns to paint.", "A robot named Pixel found a brush.",
          "Answer: In the year 2023, a robot named \"Paint\" has been tasked with creating a new art piece.", None)]


def usertest13_pairs() -> list[dict]:
    """Run 1's re-asks as core.finetune_effect.taught makes them (its own checks)."""
    after = [reasking.Reask(q, a, answer_checks.degenerate(q, a), answer_checks.restates(q, a))
             for q, _b, a, _r in ASKED]
    return taught([b for _q, b, _a, _r in ASKED], after, unseen_from=3, open_from=6, held_count=2,
                  rights=tuple(r for *_x, r in ASKED[:5]))


def _water(pairs: list[dict]) -> dict:
    return next(p for p in pairs if p["question"] == WATER)


def test_the_water_pair_is_held_unchecked_and_not_open():
    water = _water(usertest13_pairs())
    assert (water["held"], water["checked"], water["open"]) == (True, False, False)  # as the stored run had it
    assert unchecked_why(water) == FACT_LATE_WHY != "an open answer"
    assert short_of_yours(water)


def test_the_card_shows_the_unchecked_rated_question_first_and_names_it():
    from desktop_app.gui.finetune_words import describe_run, pick_pairs

    pairs = usertest13_pairs()
    picked = [p["question"] for p in pick_pairs(pairs)]
    assert picked[0] == WATER, picked
    _title, body = describe_run("kept", None, {"taught": pairs}, 1)
    assert "5 rated questions: 4 give your answer" in body
    assert "an open answer" not in body and "not among the answers below" not in body
    assert (f"1 rated question is not checked automatically</b> ({FACT_LATE_WHY}): read "
            f"\u201c{WATER}\u201d below") in body


def test_a_rated_question_that_misses_the_answer_comes_before_right_ones():
    from desktop_app.gui.finetune_words import pick_pairs

    pairs = usertest13_pairs()
    hamlet = {**pairs[2], "after": "Answer: Christopher Marlowe.", "dropped_after": True}
    pairs = [pairs[0], pairs[1], hamlet, *pairs[3:]]
    picked = [p["question"] for p in pick_pairs(pairs)]
    assert picked[:2] == [WATER, "Who wrote Hamlet?"] or picked[:2] == ["Who wrote Hamlet?", WATER], picked


def test_the_card_widget_marks_it_first(qtbot):
    pytest.importorskip("PySide6")
    from desktop_app.gui.taught_view import TaughtView

    view = TaughtView()
    qtbot.addWidget(view)
    view.set_pairs(usertest13_pairs())
    questions = [label.text() for label in view.question_labels()]
    assert questions[0].startswith(f"\u201c{WATER}\u201d \u00b7 you rated this; kept out of training")
    assert f"not checked automatically ({FACT_LATE_WHY}): compare it with yours" in questions[0]
    yours = [w.text() for w in view.body.findChildren(type(view.title)) if w.objectName() == "TaughtYours"]
    # the water pair's first; every rated pair shows the person's answer above it (ux42)
    assert yours == ["your answer: Answer: 100 degrees.", "your answer: Answer: Paris.", "your answer: Answer: Tokyo."]


def test_the_cli_lists_it_first_and_marks_it(capsys):
    from desktop_app.cli.finetune_cmds import _marked, _print_taught

    marked = _marked(usertest13_pairs())
    assert marked[0]["question"] == WATER and marked[0]["not_checked"] == FACT_LATE_WHY
    assert marked[0]["gives_your_answer"] is None
    assert [m["gives_your_answer"] for m in marked[1:5]] == [True] * 4  # the four right ones
    json.dumps(marked)
    _print_taught(usertest13_pairs())
    out = capsys.readouterr().out
    assert out.index(f"[rated, held out to test] {WATER}") < out.index("[rated] What is the capital of France?")
    assert f"1 rated question is not checked automatically ({FACT_LATE_WHY}): read" in out
