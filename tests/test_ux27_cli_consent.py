"""The CLI's consent message names every answer a waiting run changed to a never-rated question,
as the window's card does: the facts that hold it back and the guesses the model was not sure of
before, those marked in the card's own words (core.finetune_effect, read by both front ends)."""

from __future__ import annotations

from desktop_app.cli.finetune_cmds import _print_consent
from desktop_app.core.fact_changes import all_changed_facts, marked_sure_words
from desktop_app.core.train_verdict import RunResult
from desktop_app.gui.finetune_words import changed_facts_words, waiting_title

CROATIA = "What is the capital of Croatia?"
SWITZERLAND = "What is the capital of Switzerland?"
HELD = {"question": CROATIA, "before": "The capital of Croatia is Zagreb.", "after": "The capital of Croatia is Split.",
        "how": "changed", "sure": ["Zagreb", 0.5]}
GUESS = {"question": SWITZERLAND, "before": "The capital of Switzerland is Lier.",
         "after": "The capital of Switzerland is Bern.", "how": "changed", "sure": ["Lier", 0.12]}
UNMEASURED_GUESS = {"question": "Who wrote Hamlet?", "before": "Hamlet was written by Marlowe.",
                    "after": "Hamlet was written.", "how": "dropped", "sure": None}


def _waiting_result() -> RunResult:
    """A kept run waiting for the person's word, its metrics as train_verdict.decide stores them."""
    metrics = {"facts_changed": [HELD], "facts_unsure": [GUESS, UNMEASURED_GUESS], "activated": False}
    result = RunResult(4, True, 3, "kept", metrics, "kept")
    assert result.needs_consent and result.facts_changed == [HELD]  # only the sure one holds it back
    return result


def test_the_cli_lists_the_unsure_changes_too_marked_as_the_card_marks_them(capsys):
    result = _waiting_result()
    _print_consent(result, "gpt2-desk adapters activate 3")
    text = capsys.readouterr().out
    assert "run 4: kept as adapter 3, NOT in use: it changed 3 answers to questions you never rated:" in text
    lines = text.splitlines()
    for question in (CROATIA, SWITZERLAND, "Who wrote Hamlet?"):
        assert any(line.strip().startswith(question) for line in lines), question
    assert "before: The capital of Croatia is Zagreb. (the model was 50% sure of Zagreb)" in text
    assert ("before: The capital of Switzerland is Lier. (the model was not sure of this one before: "
            "12% sure of Lier)") in text
    assert "before: Hamlet was written by Marlowe. (the model was not sure of this one before)" in text
    assert "Who wrote Hamlet?  (lost its answer)" in text and f"{SWITZERLAND}  (Switzerland: Lier \u2192 Bern)" in text
    assert "after:  The capital of Switzerland is Bern." in text
    assert text.rstrip().endswith("Use it anyway with: gpt2-desk adapters activate 3")
    # the sure one first, then the guesses: the order the card lists them in
    assert text.index(CROATIA) < text.index(SWITZERLAND) < text.index("Who wrote Hamlet?")


def test_the_cli_and_the_card_count_and_mark_the_same_changes(capsys):
    result = _waiting_result()
    _print_consent(result, "gpt2-desk adapters activate 3")
    text = capsys.readouterr().out
    card = changed_facts_words(result.metrics, "the base model")
    assert "changed 3 answers" in waiting_title(3, result.metrics)
    for change in all_changed_facts(result.metrics):
        marks = marked_sure_words(change)
        assert marks and marks in text and marks in card, marks


def test_the_status_bar_counts_the_changes_the_card_lists(qtbot, qapp, tiny_model_dir):
    from gui_windows import opened_window

    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        window.finetune_side._finished(_waiting_result())
        said = window.statusBar().currentMessage()
    assert said.startswith("Fine-tune saved adapter 3, not in use: it changed 3 answers to questions you never rated")
