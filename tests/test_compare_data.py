"""The compare view's data without widgets (gui/compare_data.py): two scorings of one text lined
up token by token, the end-of-text token kept as a last cell only when both scorings have it, and
the question an answer answers."""

from __future__ import annotations

from types import SimpleNamespace

from desktop_app.core.records import TokenRecord
from desktop_app.gui.compare_data import lined_up, question_of
from desktop_app.gui.compare_words import END_CELL

EOS = 0
TOKENIZER = SimpleNamespace(eos_token_id=EOS)


def records(ids, logprob=-1.0):
    return [TokenRecord(i, "" if i == EOS else f"t{i}", logprob, 1, 0.5) for i in ids]


def test_the_end_token_both_scorings_have_is_the_last_cell():
    lined = lined_up(records([5, 6, EOS]), records([5, 6, EOS], -0.5), TOKENIZER)
    assert lined.ended and not lined.ids_differ
    assert [r.text for r in lined.after] == ["t5", "t6", END_CELL] and lined.before[-1].text == END_CELL
    assert lined.after[-1].logprob == -0.5, "the end cell keeps its scoring's figures"


def test_no_end_cell_when_one_scoring_lacks_it_or_the_lengths_differ():
    one_side = lined_up(records([5, 6, EOS]), records([5, 6]), TOKENIZER)
    assert not one_side.ended and [r.id for r in one_side.before] == [5, 6]
    longer = lined_up(records([5, 6, 7, EOS]), records([5, 6, EOS]), TOKENIZER)
    assert not longer.ended and [r.id for r in longer.before] == [5, 6] == [r.id for r in longer.after]


def test_different_tokens_are_flagged_and_shown_as_they_are():
    lined = lined_up(records([5, 6]), records([5, 9]), TOKENIZER)
    assert lined.ids_differ and [r.id for r in lined.after] == [5, 9]


def test_the_question_is_the_last_user_message_before_the_answer():
    thread = [{"role": "user", "text": "First?"}, {"role": "assistant", "text": "One."},
              {"role": "user", "text": "Second?"}, {"role": "assistant", "text": "Two."}]
    assert question_of(thread) == "Second?"
    assert question_of([{"role": "assistant", "text": "Alone."}]) == ""
