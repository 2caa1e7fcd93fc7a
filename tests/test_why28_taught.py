"""Usertest 11, #12: the fine-tune card's before/after answers say, in plain words, that they are
the model's greedy answers (its likeliest word at every step), which can differ from the sampled
answer the person got in the chat; the technical name stays in a tooltip."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication  # noqa: E402


def test_the_fine_tune_card_says_what_its_greedy_answers_are(qapp):
    from desktop_app.gui.taught_view import TaughtView

    view = TaughtView()
    view.set_pairs([{"question": "What is the capital of France?", "seen": True,
                     "before": "The capital of France is Paris.", "after": "Paris."}])
    QApplication.processEvents()
    words = " ".join(label.text() for label in view.findChildren(type(view.title)))
    assert "Greedy" not in view.title.text() and "greedy" in view.title.toolTip().lower()
    assert "always picks its likeliest next word" in words and "can differ from the answer you got" in words
