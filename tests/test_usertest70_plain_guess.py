"""usertest70, finding 1: a novelist clicked "envelope" in their own text and the inspector showed token id,
log-probability, rank 448, entropy and surprisal in bits, none of which said whether the model had expected the
word. The inspector now says it in one sentence over the figures: the model's first guess at that place and where
the written token stood among its guesses."""

from __future__ import annotations

import math

import pytest

pytest.importorskip("PySide6")

from desktop_app.core.guess_words import guess_sentence, one_in, ordinal  # noqa: E402
from desktop_app.core.records import Alternative, TokenRecord  # noqa: E402


def _envelope() -> TokenRecord:
    top = (Alternative(7, " letter", 0.157), Alternative(8, " only", 0.04))
    return TokenRecord(21715, " envelope", math.log(0.00025), 448, 6.0, top)


def test_ordinals_and_chances_read_as_a_person_says_them():
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 448, 1002)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "448th", "1,002nd"]
    assert one_in(0.00025) == ", about 1 in 4,000"
    assert one_in(0.03) == ", about 1 in 33"
    assert one_in(0.5) == ""


def test_a_word_the_model_did_not_expect_names_its_first_guess():
    said = guess_sentence(_envelope())
    assert said == ("The model's first guess here was \u201c\u2423letter\u201d (15.7%); \u201c\u2423envelope\u201d "
                    "was its 448th guess (0.025%, about 1 in 4,000).")


def test_the_first_guess_itself_says_so():
    record = TokenRecord(7, " letter", math.log(0.6), 1, 2.0, (Alternative(7, " letter", 0.6),
                                                              Alternative(8, " note", 0.2)))
    assert guess_sentence(record) == "\u201c\u2423letter\u201d was the model's first guess here (60.0%)."


def test_without_alternatives_kept_it_says_the_tokens_place_alone():
    record = TokenRecord(21715, " envelope", math.log(0.00025), 448, 6.0, ())
    assert guess_sentence(record) == "\u201c\u2423envelope\u201d was the model's 448th guess (0.025%, about 1 in 4,000)."


def test_the_inspector_says_it_over_a_scored_texts_figures(qtbot, tiny_model):
    """A token of a text the tiny model read, shown as the Text tab shows one: the sentence is there, names the
    model's own first guess from the record's alternatives, and goes with the token."""
    from desktop_app.core.scoring import score_text
    from desktop_app.gui.inspector import InspectorPanel

    _ids, records = score_text(tiny_model, "The rain had been falling since noon, and the gutters ran.")
    index, record = next((i, r) for i, r in enumerate(records) if r.rank > 1)
    panel = InspectorPanel()
    qtbot.addWidget(panel)
    panel.resize(320, 700)
    panel.show()
    assert panel.guess_note.isHidden()  # nothing shown yet
    panel.show_token(None, index, record, can_branch=False)
    said = panel.guess_note.text()
    assert panel.guess_note.isVisible() and said == guess_sentence(record)
    assert said.startswith("The model's first guess here was") and f"its {ordinal(record.rank)} guess" in said
    panel.clear()
    assert panel.guess_note.isHidden()
