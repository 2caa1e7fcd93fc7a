"""usertest51: words a writer met in the Text tab that belonged to the chat. The inspector's line under a
continuation token's alternatives said the repetition penalty "lowered tokens this answer had written": in the Text
tab nothing was asked and nothing answered; the model wrote a continuation, and the line names it so. A chat answer's
line keeps its word."""

from __future__ import annotations

from desktop_app.core.records import Alternative, TokenRecord
from desktop_app.core.sampler_cut import cut_for_answer, cut_for_continuation

PENALISED = {"temperature": 0.4, "top_k": 50, "top_p": 0.95, "min_p": 0.1, "repetition_penalty": 1.1}


def _record(token_id: int, text: str) -> TokenRecord:
    return TokenRecord(id=token_id, text=text, logprob=-1.7, rank=1, entropy=6.0,
                       top=[Alternative(token_id, text, 0.18), Alternative(9, " boat", 0.16),
                            Alternative(11, " harbor", 0.04)])


def test_a_continuations_penalty_note_names_the_continuation_not_an_answer():
    written = [[5, " the", -0.5], [7, " sea", -1.7], [5, " the", -0.9]]  # " the" again: the penalty lowered it
    branch = {"sampling": PENALISED, "model_id": "tiny", "tokens": written}
    note = cut_for_continuation(branch, _record(7, " sea"), 2).note
    assert "repetition penalty (1.1)" in note
    assert "this continuation had written" in note and "answer" not in note


def test_an_answers_penalty_note_still_names_the_answer():
    message = {"settings": PENALISED, "model_id": "tiny"}
    records = [_record(5, " the"), _record(7, " sea"), _record(5, " the")]
    assert "this answer had written" in cut_for_answer(message, records, 2).note


def test_a_continuation_with_no_settings_and_an_answer_with_none_each_say_their_own_word():
    branch = {"sampling": {}, "model_id": "tiny", "tokens": []}
    assert cut_for_continuation(branch, _record(7, " sea"), 0).note.startswith("This continuation stored no")
    message = {"settings": {"top_k": 50}, "model_id": "tiny"}
    assert cut_for_answer(message, [_record(7, " sea")], 0).note.startswith("This answer stored no")
