"""usertest55: a fine-tune's card, of a Text-mode continuation the writer disliked or rated token by token, says
there is no continuation of theirs to compare with, not "no answer of yours … you disliked its answer": a
continuation of a story is no answer to a question. The core's words, from the pair a run records."""

from __future__ import annotations

from desktop_app.core import reasking
from desktop_app.core.finetune_effect import taught
from desktop_app.core.taught_words import NO_ANSWER_OF_YOURS, NO_CONTINUATION_OF_YOURS, unchecked_why


def _pair(continuation: bool) -> dict:
    after = [reasking.Reask("The lighthouse keeper had not spoken to anyone", " in weeks.", None)]
    return taught([" for days."], after, unseen_from=1, rights=(None,), texts=(continuation,))[0]


def test_a_disliked_continuation_is_not_called_an_answer():
    pair = _pair(continuation=True)
    assert not pair["checked"] and unchecked_why(pair) == NO_CONTINUATION_OF_YOURS
    assert "answer" not in NO_CONTINUATION_OF_YOURS


def test_a_disliked_answer_keeps_its_words():
    assert unchecked_why(_pair(continuation=False)) == NO_ANSWER_OF_YOURS
