"""The fine-tune panel shows what the person taught: rated and never-seen questions with the
greedy answer before and after, side by side, after kept and discarded runs (pytest-qt)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from test_gui import make_window  # noqa: E402,F401

TAUGHT = [{"question": f"Rated question {i}?", "seen": True, "before": f"old answer {i}",
           "after": f"Answer: new {i}.", "problem_after": None} for i in range(4)]
TAUGHT += [{"question": "What is the capital of Australia?", "seen": False, "before": "The capital is Canberra.",
            "after": "Answer: Canberra.", "problem_after": None},
           {"question": "How do I make a cup of coffee?", "seen": False, "before": "x " * 400,
            "after": "", "problem_after": "empty"},
           {"question": "Why do leaves fall in autumn?", "seen": False, "before": "b", "after": "a",
            "problem_after": None}]
METRICS = {"margin_before": -1.0, "margin_after": -0.5, "probe_ppl_before": 20.0, "probe_ppl_after": 20.2,
           "gate_margin_on": "all", "taught": TAUGHT}


def shown(panel) -> list[tuple[str, str]]:
    labels = panel.taught.answer_labels()
    return [(w.property("side"), w.text()) for w in labels]


@pytest.mark.parametrize("status", ["kept", "discarded"])
def test_panel_shows_before_and_after_pairs(make_window, qtbot, status):
    window = make_window(wait=False)
    panel = window.finetune_panel
    window.show_finetune()
    panel._show_result(status, "the held-out margin did not move the right way (1 -> 0)", METRICS, 3)
    view = panel.taught
    assert view.isVisible()
    # three of the person's rated questions, then two never seen: five pairs, ten answers
    assert [p["seen"] for p in view.pairs] == [True, True, True, False, False]
    texts = shown(panel)
    assert [side for side, _t in texts] == ["before", "after"] * 5
    assert texts[0] == ("before", "before: old answer 0") and texts[1] == ("after", "after: Answer: new 0.")
    assert texts[7] == ("after", "after: Answer: Canberra.")
    assert texts[9] == ("after", "after: (empty)")
    assert len(texts[8][1]) < 240 and texts[8][1].endswith("\u2026")  # long answers clipped, whole in the tooltip
    # before and after sit side by side: same row, before on the left
    labels = view.answer_labels()
    for before, after in zip(labels[0::2], labels[1::2]):
        assert before.geometry().top() == after.geometry().top()
        assert before.geometry().right() < after.geometry().left()
    questions = [w.text() for w in view.body.findChildren(type(view.title)) if w.objectName() == "TaughtQuestion"]
    assert sum("never seen" in q for q in questions) == 2 and sum("you rated" in q for q in questions) == 3


def test_cancelled_or_failed_runs_show_no_pairs(make_window, qtbot):
    window = make_window(wait=False)
    panel = window.finetune_panel
    window.show_finetune()
    panel._show_result("kept", None, METRICS, 3)
    assert panel.taught.isVisible()
    panel._show_result("cancelled", "cancelled by the user", METRICS, None)
    assert not panel.taught.isVisible() and panel.taught.pairs == []
    panel._show_result("kept", None, {**METRICS, "taught": []}, 3)
    assert not panel.taught.isVisible()


def test_an_open_request_is_shown_among_the_never_seen_questions(make_window, qtbot):
    """A style taught on short answers can spread to a story request: the run's open request
    takes the last never-seen place, tagged as one, so the person sees it."""
    story = {"question": "Write a short story about a robot who learns to paint.", "seen": False, "open": True,
             "before": "Once upon a time, a robot...", "after": "Answer: 1. The Robot.", "problem_after": None}
    window = make_window(wait=False)
    panel = window.finetune_panel
    window.show_finetune()
    panel._show_result("kept", None, {**METRICS, "taught": TAUGHT + [story]}, 3)
    view = panel.taught
    assert [(p["seen"], bool(p.get("open"))) for p in view.pairs] == [(True, False)] * 3 + [(False, False),
                                                                                            (False, True)]
    assert view.pairs[3]["question"] == "What is the capital of Australia?"
    assert shown(panel)[-1] == ("after", "after: Answer: 1. The Robot.")
    questions = [w.text() for w in view.body.findChildren(type(view.title)) if w.objectName() == "TaughtQuestion"]
    assert "an open request" in questions[-1] and "robot who learns to paint" in questions[-1]
    assert sum("an open request" in q for q in questions) == 1


def test_a_rated_question_held_out_to_judge_the_run_is_not_called_never_seen():
    from desktop_app.gui.taught_view import _tag

    assert _tag({"seen": False, "held": True, "open": False}) == "you rated this; kept out of training to test the result"
    assert _tag({"seen": False, "held": False, "open": False}) == "never seen in training"


def test_a_lost_answer_gets_a_card_and_says_so():
    """A run asks more new questions than there are cards: the ones the report names come first."""
    from desktop_app.gui.finetune_words import MAX_UNSEEN, pick_pairs
    from desktop_app.gui.taught_view import _tag

    fine = [{"question": f"New question {i}?", "seen": False, "open": False} for i in range(MAX_UNSEEN)]
    lost = {"question": "What is the capital of Australia?", "seen": False, "open": False, "dropped_after": True}
    rated = [{"question": "Q?", "seen": True}, {"question": "Planet?", "seen": True, "dropped_after": True,
                                                 "right": "Answer: Jupiter."}]
    picked = pick_pairs(rated + fine + [lost])
    assert picked[0]["question"] == "Planet?" and lost in picked
    assert _tag(lost) == "never seen in training \u00b7 lost its answer"
    assert _tag(rated[1]) == "you rated this \u00b7 misses your answer"
