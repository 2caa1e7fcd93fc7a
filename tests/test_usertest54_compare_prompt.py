"""usertest54: "Say hello." was stopped before its answer began, then "And say goodbye." was sent; the model read
both as one message (the chat says so under the first), yet the compare view's line above the answer said
"Prompt: “And say goodbye.”" alone. It now names what the model read."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.core.prompts import join_unanswered, Turn  # noqa: E402
from desktop_app.gui.compare_data import question_of  # noqa: E402
from desktop_app.gui.compare_words import prompt_words  # noqa: E402

THREAD = [{"role": "user", "text": "What colour is the sky?"}, {"role": "assistant", "text": "Blue."},
          {"role": "user", "text": "Say hello."}, {"role": "user", "text": "And say goodbye."},
          {"role": "assistant", "text": "Hello and goodbye."}]


def test_the_compare_views_prompt_is_every_prompt_the_answer_was_read_with():
    assert prompt_words(question_of(THREAD)) == "Prompt: \u201cSay hello. And say goodbye.\u201d"


def test_the_question_is_the_prompt_the_model_read_as_one_turn():
    turns, joined = join_unanswered([Turn(x["role"], x["text"]) for x in THREAD[:-1]])
    assert joined == 1 and question_of(THREAD) == turns[-1].text


def test_an_answered_prompt_before_them_is_not_part_of_the_question():
    assert "sky" not in question_of(THREAD)
    assert question_of(THREAD[:2]) == "What colour is the sky?"
