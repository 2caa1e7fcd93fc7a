"""core.text_pieces.token_at: which token a character of a text belongs to, for "Why this
token?" and for Text mode's ratings (the first token of a split character, where the model chose it:
session 42 moved ratings there from the token that shows it)."""

from __future__ import annotations

import pytest

from desktop_app.core import text_branches as tb
from desktop_app.core.prompts import encode
from desktop_app.core.text_pieces import piece_texts, token_at

# " Hi" " th" "" "é" "re": a leading space token, and "é" split over two tokens
PIECES = [" Hi", " th", "", "é", "re"]


def test_a_position_at_a_token_boundary_belongs_to_the_token_that_starts_there():
    assert [token_at(PIECES, at) for at in (0, 2, 3, 5)] == [0, 0, 1, 1]
    assert token_at(PIECES, 7) == 4  # the first character after the split one


def test_a_leading_space_is_its_tokens_first_character():
    assert token_at(PIECES, 0) == 0 and token_at(PIECES, 3) == 1


def test_a_split_character_belongs_to_its_first_token_or_to_the_one_that_shows_it():
    assert token_at(PIECES, 6) == 2
    assert token_at(PIECES, 6, first_of_split=False) == 3
    assert token_at(["", "", "€"], 0) == 0 and token_at(["", "", "€"], 0, first_of_split=False) == 2


def test_past_the_end_or_before_the_start_is_no_token():
    assert token_at(PIECES, len("".join(PIECES))) is None and token_at(PIECES, 99) is None
    assert token_at(PIECES, -1) is None and token_at([], 0) is None
    assert token_at(["a", ""], 1) is None  # a dangling piece of a character holds no character


def test_the_rule_holds_for_a_real_tokenizers_split_character(tiny_model):
    text = "a 😀 b"
    pieces = piece_texts(tiny_model.tokenizer, encode(tiny_model.tokenizer, text))
    assert "".join(pieces) == text and "" in pieces  # the emoji is split over several tokens
    shown = next(i for i, p in enumerate(pieces) if "😀" in p)
    first = shown
    while pieces[first - 1] == "":
        first -= 1
    assert first < shown
    at = text.index("😀")
    assert token_at(pieces, at) == first and token_at(pieces, at, first_of_split=False) == shown


def test_a_branch_gives_the_token_where_the_character_began_until_an_edit_reaches_it():
    branch = {"tokens": [[1, " Hi", -0.1], [2, "", -0.2], [3, "é", -0.3]], "text": " Hié"}
    assert [tb.written_token_at(branch, at) for at in range(5)] == [0, 0, 0, 1, None]
    assert tb.still_written(branch)
    edited = dict(branch, text=" Hi\u00e8")  # the edit is in the split character: its tokens are the person's now
    assert not tb.still_written(edited) and tb.written_token_at(edited, 0) == 0
    assert tb.written_token_at(edited, 3) is None
    assert tb.written_token_at(dict(branch, text="Hi\u00e9"), 0) is None  # edited in the first token: none left


@pytest.mark.parametrize("offset", [0, 1, 4, 7, 8, 9])
def test_both_rules_agree_away_from_split_characters(offset):
    assert token_at(PIECES, offset) == token_at(PIECES, offset, first_of_split=False)
