"""handout71: in a text's Surprises, "Least likely" ranks the text's first tokens (read with no context yet) after
the rest, and its line says so: a teacher's "The capital of France is London." listed " London" behind "The" and
" capital", which any first words are to a model. The core on the bundled model's figures for that sentence, the
real window's list on the tiny model."""

from __future__ import annotations

import math

import pytest

from desktop_app.core.records import Alternative, TokenRecord
from desktop_app.core.surprises import COLD_TOKENS, find_surprises, text_surprises

pytest.importorskip("PySide6")

from gui_windows import window_in_text_mode  # noqa: E402,F401 (the window fixture)
from test_inspector46_gui_surprises import TEXT, analysed, listed, opened_list  # noqa: E402

# (text, probability, entropy in nats) as the bundled SmolLM2 scored the sentence
SENTENCE = [("The", 0.0012, 2.9), (" capital", 0.00028, 7.7), (" of", 0.788, 1.5), (" France", 0.051, 5.1),
            (" is", 0.838, 0.8), (" London", 0.0030, 1.2), (".", 0.64, 1.3)]


def sentence_records() -> list[TokenRecord]:
    return [TokenRecord(i, text, math.log(p), 2, entropy, (Alternative(99, " Paris", 0.8),))
            for i, (text, p, entropy) in enumerate(SENTENCE)]


def test_the_factual_mistake_comes_first_not_the_texts_first_words():
    records = sentence_records()
    assert [s.text for s in find_surprises(records, count=3)] == [" capital", "The", " London"]  # as it was
    listed = [s.text for s in text_surprises(records, count=len(records))]
    assert listed[0] == " London"
    assert listed[-COLD_TOKENS:] == [" capital", "The", " of"]  # still listed, last, least likely first


def test_the_other_order_and_an_answers_surprises_are_as_they_were():
    records = sentence_records()
    assert text_surprises(records, "sure_and_wrong") == find_surprises(records, "sure_and_wrong")
    assert find_surprises(records)[0].text == " capital"  # chat's F3: an answer's first tokens had the prompt


def test_the_window_lists_the_first_tokens_last_and_says_why(window, qtbot):
    view = window.text_view
    analysed(qtbot, window, TEXT)
    opened_list(qtbot, view)
    records = view.heatmap.records
    assert listed(view) == [s.index for s in text_surprises(records)]
    places = listed(view)
    cold = [at for at, index in enumerate(places) if index < COLD_TOKENS]
    assert all(at >= len(places) - len(cold) for at in cold)  # none before a later token
    assert view.surprises.panel.words.text().endswith(
        f"least likely first; the first {COLD_TOKENS} last (no context yet)")
