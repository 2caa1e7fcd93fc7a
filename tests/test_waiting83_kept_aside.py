"""waiting83 (1): a teacher's fine-tune said "3 of your 4 ratings to learn from, 1 kept aside to test the result",
never which: a correction just written could have been the one the run did not learn from. The running panel and
the result card name the questions kept aside, and why (pytest-qt, a real window on the tiny model)."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("PySide6")

from desktop_app.core.progress_words import kept_aside_words  # noqa: E402
from desktop_app.core.training import TrainProgress  # noqa: E402
from test_gui import make_window  # noqa: E402,F401

LONG = "What is the name of the river that runs through the middle of the old town of Prague?"


def asked(store, *questions) -> list[int]:
    """The questions as user messages of one conversation: their ids are what a run's split keeps aside."""
    chat = store.create_conversation()
    return [store.add_message(chat, "user", q) for q in questions]


def test_the_words_name_each_question_cut_to_one_line():
    assert kept_aside_words([]) == ""
    one = kept_aside_words(["What is the capital of France?"])
    assert one == ("Kept aside this time, to test the result: \u201cWhat is the capital of France?\u201d "
                   "(a run on these same questions keeps it aside again)")
    long = kept_aside_words([LONG, "Who wrote Hamlet?"])
    assert "\u201cWhat is the name of the river that runs through\u2026\u201d, \u201cWho wrote Hamlet?\u201d" in long
    assert long.endswith("(a run on these same questions keeps them aside again)")
    many = kept_aside_words([f"Question {i}?" for i in range(5)])
    assert "Question 2?" in many and "Question 3?" not in many and "and 2 others" in many


def test_the_running_panel_names_the_question_kept_aside(make_window, qtbot):
    window = make_window(wait=False)
    panel = window.finetune_panel
    kept, _trained = asked(panel.controller.store, "What is the capital of France?", "Who wrote Hamlet?")
    panel.on_progress(TrainProgress("preparing", message="Reading ratings"))  # not split yet: no names
    assert panel.kept_note.isHidden()
    panel.on_progress(TrainProgress("preparing", message="Reading ratings", step=0, total=4, split=(3, 1),
                                    held_groups=(kept,)))
    assert not panel.kept_note.isHidden()
    words = panel.kept_note.text()
    assert "What is the capital of France?" in words and "Hamlet" not in words
    assert "to test the result" in words and "keeps it aside again" in words
    layout = panel.progress_box.layout()
    assert layout.indexOf(panel.kept_note) == layout.indexOf(panel.split_note) + 1  # under the counts it names


def test_the_result_card_names_the_question_kept_aside(make_window, qtbot):
    window = make_window(wait=False)
    panel = window.finetune_panel
    window.show_finetune()
    kept, trained = asked(panel.controller.store, "What is the capital of France?", "Who wrote Hamlet?")
    metrics = {"margin_before": 0.1, "margin_after": 0.5, "trained_groups": [trained], "heldout_groups": [kept]}
    panel._show_result("kept", None, metrics, 3)
    assert panel.result_kept.isVisible()
    assert "What is the capital of France?" in panel.result_kept.text()
    assert "Hamlet" not in panel.result_kept.text()
    panel._show_result("discarded", "the held-out margin did not move the right way (1 -> 0)", metrics, 3)
    layout = panel.result_box.layout()
    assert panel.result_kept.isVisible()  # under the why, above the figures a discarded card keeps apart
    assert layout.indexOf(panel.result_body) < layout.indexOf(panel.result_kept) < layout.indexOf(panel.result_details)
    panel._show_result("cancelled", "cancelled by the user", {}, None)  # nothing was tested: nothing to name
    assert panel.result_kept.isHidden()
