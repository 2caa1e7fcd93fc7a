"""The gate's rules on their own: judge(), degenerate and restated answers, an answer that lost its
fact, the clean check of the re-asks. Split from test_training.py (robust108)."""

from __future__ import annotations

import threading

from desktop_app.core import gate, reasking
from desktop_app.core.answer_checks import changes_answer, degenerate, drops_answer, restates
from desktop_app.core.train_settings import FineTuneSettings


def test_judge_rules():
    ok = {"gate_margin_on": "heldout", "heldout_size": 10, "margin_heldout_before": -2.0, "margin_heldout_after": -1.5,
          "probe_ppl_before": 20.0, "probe_ppl_after": 20.9, "reask_degenerate_before": 0,
          "reask_degenerate_after": 0, "reask_count": 3}
    assert gate.judge(ok).kept
    assert not gate.judge({**ok, "margin_heldout_after": -2.5}).kept
    assert "perplexity" in gate.judge({**ok, "probe_ppl_after": 21.1}).reason
    bad = gate.judge({**ok, "reask_degenerate_after": 2, "reask_problems_after": ["echo", "loop"]})
    assert not bad.kept and "echo" in bad.reason
    assert gate.judge({**ok, "gate_margin_on": "all", "margin_all_before": 0.0, "margin_all_after": 0.1}).kept
    # 1-3 held-out items: the margin over all ratings must rise as well
    small = {**ok, "heldout_size": 2, "margin_all_before": -1.0, "margin_all_after": -0.5}
    assert gate.judge(small).kept
    refused = gate.judge({**small, "margin_all_after": -1.2})
    assert not refused.kept and "all ratings" in refused.reason
    assert not gate.judge({**small, "margin_heldout_after": -2.1}).kept
    # ... and a held-out margin that fell by at most 1% of its size reads as not moved, only then
    assert gate.judge({**small, "margin_heldout_after": -2.01}).kept
    assert not gate.judge({**small, "margin_heldout_after": -2.01, "margin_all_after": -1.2}).kept
    assert not gate.judge({**ok, "margin_heldout_after": -2.01}).kept
    assert not gate.judge({**ok, "margin_heldout_after": -2.0}).kept  # not moved, outside a small set


def test_degenerate_answers():
    q = "What is the best way to learn to cook?"
    assert degenerate(q, "What is the best way to learn to cook? I wonder.") == "echo"
    assert degenerate(q, "") == "empty"
    assert degenerate(q, "the the the the the the the the the the") == "loop"
    assert degenerate(q, "I like it. I like it. I like it. I like it. I like it.", list(range(4)) * 5) == "loop"
    assert degenerate(q, "Start with simple dishes and cook them often, tasting as you go.") is None
    # a full sentence answering a long question shares its words, and is no echo (user test 12)
    planet = "What is the largest planet in our solar system?"
    assert degenerate(planet, "Jupiter is the largest planet in our solar system.") is None
    assert degenerate(planet, "The largest planet in our solar system is the largest planet in our solar system?") \
        == "echo"


def test_the_verdict_says_when_only_the_probe_refused_a_run():
    ok = {"gate_margin_on": "heldout", "heldout_size": 5, "margin_heldout_before": -1.0, "margin_heldout_after": 0.5,
          "probe_ppl_before": 20.0, "probe_ppl_after": 20.5, "reask_degenerate_before": 0,
          "reask_degenerate_after": 0, "reask_count": 3}
    assert gate.judge(ok).failed == [] and not gate.judge(ok).only_perplexity
    assert gate.judge({**ok, "probe_ppl_after": 22.0}).only_perplexity
    both = gate.judge({**ok, "probe_ppl_after": 22.0, "margin_heldout_after": -1.5})
    assert both.failed == ["margin", "perplexity"] and not both.only_perplexity
    assert gate.judge({**ok, "reask_degenerate_after": 1}).failed == ["degenerate"]


def test_a_short_answer_naming_the_questions_own_subject_is_noted_but_refuses_no_run():
    """"The capital of Switzerland is Switzerland." is no loop or echo by degenerate() (the
    gate's and the benchmarks' judge): the re-asks note it (a run steps back when an earlier
    checkpoint is clean of it), the verdict does not count it."""
    q = "What is the capital of Switzerland?"
    assert degenerate(q, "The capital of Switzerland is Switzerland.") is None
    assert restates(q, "The capital of Switzerland is Switzerland.")
    assert restates("What is the capital of Denmark?", "Denmark is the capital of Denmark.")
    for fine, question in (("The capital of Switzerland is Bern.", q), ("Bern.", q),
                           ("The capital of Mexico is Mexico City.", "What is the capital of Mexico?"),
                           ("The capital of Australia is Canberra, capital of the Commonwealth of Australia.",
                            "What is the capital of Australia?"),
                           ("What is the capital of Switzerland", q),
                           ("Switzerland's capital is Bern, a city in the middle of Switzerland and home to many "
                            "bears and bridges over its river, in Switzerland", q)):
        assert not restates(question, fine), fine
    ok = {"gate_margin_on": "all", "margin_all_before": 0.0, "margin_all_after": 0.1, "probe_ppl_before": 10.0,
          "probe_ppl_after": 10.1, "reask_degenerate_before": 0, "reask_degenerate_after": 0,
          "reask_restates_before": 0, "reask_restates_after": 2}
    assert gate.judge(ok).kept


AUSTRALIA = "What is the capital of Australia?"
SPIDER = "How many legs does a spider have?"
PLANET = "What is the largest planet in the solar system?"


def test_an_answer_that_lost_its_fact_is_told_from_one_that_changed_its_format():
    """From a user test (8 "Answer: X." corrections, the run kept): a new question's answer
    named nothing any more, a rated one was garbled but kept its fact. Bench re-asks: a taught
    short answer dropped the capital the base model named ("Answer: Croatia."), while a country
    the base model described got its capital named ("Answer: Tallinn."): that is no loss."""
    canberra = "The capital of Australia is Canberra."
    assert drops_answer(AUSTRALIA, canberra, "The answer to your question lies in the continent of Australia.")
    assert drops_answer("What is the capital of Croatia?", "The capital of Croatia is Zagreb.", "Answer: Croatia.")
    for kept in ("Answer: Canberra.", "Canberra.", "canberra",
                 "The answer to your question lies in the capital of Australia, which is Canberra."):
        assert not drops_answer(AUSTRALIA, canberra, kept), kept
    assert not drops_answer(SPIDER, "A spider has eight legs.", "No, no, no. A spider has eight legs.")
    assert not drops_answer("What is the capital of Estonia?",
                                 "Estonia is a country located in the Baltic region of Northern Europe.",
                                 "Answer: Tallinn."), "the model's own answer before named no capital"
    # open, how-to and why questions, and a first sentence too long for a short fact: not judged
    assert not drops_answer("How do I make a cup of coffee?", "Boil water and add Nescafe.", "Use a press.")
    assert not drops_answer("Why is the sky blue?", "Because of Rayleigh scattering.", "Answer: blue.")
    assert not drops_answer("Tell me about cats.", "Cats are Felidae.", "Dogs are nice.")
    assert changes_answer(AUSTRALIA, canberra, "The capital of Australia is Sydney.")
    assert not changes_answer(AUSTRALIA, canberra, "Answer: Canberra.")
    assert not changes_answer(AUSTRALIA, canberra, "The answer lies in the continent of Australia.")
    # from the bench logs: a name in a long first sentence is no short fact; an accent is no other name
    flamingo = "A flamingo is a type of animal that belongs to the order Carnivora."
    assert not drops_answer("What colour is a flamingo?", flamingo, "Answer: red.")
    assert not changes_answer("What is the capital of Colombia?", "The capital of Colombia is Bogotá.",
                                   "The capital of Colombia is Bogota.")
    assert drops_answer("What is the capital of Peru?", "The capital of Peru is Lima.", "Answer: Peru.")
    long = ("The Mona Lisa was painted over many years by the Italian artist Leonardo da Vinci, who also "
            "worked as an engineer.")
    assert not drops_answer("Who painted the Mona Lisa?", long, "It is a painting.")


def test_a_rated_question_is_held_to_the_persons_own_answer():
    """The person's correction decides what is right: a wrong fact the model says after the
    run is a lost answer, and "eight" says "Answer: 8."."""
    assert drops_answer(PLANET, "Answer: Jupiter.", "The largest planet in the solar system is Neptune.",
                             right=True)
    assert not drops_answer(PLANET, "Answer: Jupiter.", "The largest planet in the solar system is Neptune.")
    assert not drops_answer(PLANET, "Answer: Jupiter.", "It is Jupiter, a gas giant.", right=True)
    assert not drops_answer(SPIDER, "Answer: 8.", "A spider has eight legs.", right=True)
    assert drops_answer(SPIDER, "Answer: 8.", "A spider has many legs.", right=True)


def test_a_lost_answer_asks_for_a_clean_checkpoint_only_with_its_setting(tiny_model):
    import threading

    from desktop_app.core.finetune_effect import Reasks
    from desktop_app.core.train_verdict import clean_check
    from desktop_app.core.train_settings import FineTuneSettings

    prompts = [(reasking.fresh_prompt(tiny_model.tokenizer, AUSTRALIA, tiny_model.context_window, 8), AUSTRALIA)]
    lost = [{"question": AUSTRALIA, "seen": False, "before": "The capital of Australia is Canberra.",
             "after": "The answer lies in the continent of Australia.", "problem_after": None}]
    reasks = Reasks(prompts, unseen_from=0, tokens=8)
    assert clean_check(tiny_model, reasks, lost, threading.Event()) is None
    assert callable(clean_check(tiny_model, reasks, lost, threading.Event(), with_dropped=True))
    assert FineTuneSettings().step_back_dropped is False, "not measured: off"


def test_the_clean_check_asks_every_re_ask_in_the_gates_batch_and_refuses_any_new_problem(tiny_model):
    """A greedy answer can change with its batch: the check for a clean checkpoint asks the
    re-asks as the gate does (all, one batch), and an answer that went wrong where it was fine
    before refuses the checkpoint; with nothing gone wrong since training there is no check."""
    import threading

    from desktop_app.core.finetune_effect import Reasks
    from desktop_app.core.train_verdict import clean_check

    questions = ["Tell me about cats.", "Tell me about the desert.", "What is the capital of Croatia?"]
    prompts = [(reasking.fresh_prompt(tiny_model.tokenizer, q, tiny_model.context_window, 8), q) for q in questions]
    reasks = Reasks(prompts, unseen_from=0, tokens=8)
    answers = reasking.reask(tiny_model, prompts, 8)
    assert [a.question for a in answers] == questions
    fine = "A fine answer about something else entirely."

    def taught(before: list[str]) -> list[dict]:  # the first re-ask went wrong after training
        after = ["loop loop loop loop loop loop loop loop"] + [a.answer for a in answers[1:]]
        return [{"question": q, "before": b, "after": a, "problem_after": None}
                for q, b, a in zip(questions, before, after)]

    assert any(a.problem for a in answers)  # the random tiny model loops: the checkpoint is not clean
    assert clean_check(tiny_model, reasks, taught([fine] * 3), threading.Event())() is False
    looped_before = taught(["loop loop loop loop loop loop loop loop"] + [fine] * 2)  # wrong before as after:
    assert clean_check(tiny_model, reasks, looped_before, threading.Event()) is None  # nothing to step back for
