"""The grey place label of a row in "Why this token?"'s ranking says which token of the answer
the word is, not "answer 17" (usertest23: on a chat with one answer, rows labelled "answer 17",
"answer 19", "answer 21" read as the 17th, 19th and 21st answers)."""

from __future__ import annotations

from desktop_app.core import attribution
from desktop_app.gui import explain_words as words


def test_an_answer_token_is_named_a_token_of_the_answer():
    a = attribution.Attribution(token_ids=[5, 6, 7, 8], token_texts=["Q", "?", " Paris", " is"],
                                scores=[0.1, 0.2, 0.3, 0.4], target_id=3, other_id=4, target_text="c",
                                other_text="d", difference=1.0, baseline_difference=0.0, steps=1, prompt_len=2)
    assert a.source(3) == "answer"
    assert words.where_words(a, 2) == "answer, token 1"
    assert words.where_words(a, 3) == "answer, token 2"
