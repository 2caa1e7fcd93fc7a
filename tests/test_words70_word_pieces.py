"""usertest70: a Surprises row's token "Har" (of "Harrow") puzzled a writer. The Token cell shows it within its
word, "“␣Har”·row", and the row's tooltip says "“Har”, the start of “Harrow”"; the words around stay as they are
(core.surprises and the list's words, on real token records)."""

from __future__ import annotations

from desktop_app.core.records import TokenRecord
from desktop_app.core.surprises import context, find_surprises, surprise_of, word_around
from desktop_app.gui.surprise_words import cells, row_tip, token_in_word


def _records(pieces, unlikely):
    return [TokenRecord(id=i, text=t, logprob=-9.0 if t == unlikely else -0.5, rank=5 if t == unlikely else 1,
                        entropy=1.0) for i, t in enumerate(pieces)]


TEXT = ["The", " road", " to", " Har", "row", " was", " long", "."]


def test_a_word_s_pieces_are_found_around_its_token():
    records = _records(TEXT, " Har")
    assert word_around(records, 3) == ("", "row")
    assert word_around(records, 4) == (" Har", "")
    assert word_around(records, 1) == ("", "")
    assert word_around(records, 7) == ("", "")  # "." after "long" is no piece of it


def test_the_token_cell_shows_the_piece_within_its_word_and_the_tooltip_names_it():
    records = _records(TEXT, " Har")
    surprise = find_surprises(records, count=1)[0]
    assert surprise.index == 3
    row = cells(surprise, context(records, surprise.index))
    assert row[0] == "\u201c\u2423Har\u201d\u00b7row"
    assert "\u2039Har\u203a" in row[4] and "row was" in row[4]  # the words around as they were
    assert row_tip(surprise).startswith("\u201cHar\u201d, the start of \u201cHarrow\u201d.")


def test_the_end_and_middle_of_a_word_and_a_whole_word():
    records = _records(["An", " in", "ter", "esting", " day"], "ter")
    middle, end, whole = surprise_of(records, 2), surprise_of(records, 3), surprise_of(records, 4)
    assert token_in_word(middle) == "in\u00b7\u201cter\u201d\u00b7esting"
    assert row_tip(middle).startswith("\u201cter\u201d, the middle of \u201cinteresting\u201d.")
    assert row_tip(end).startswith("\u201cesting\u201d, the end of \u201cinteresting\u201d.")
    assert token_in_word(whole) == "\u201c\u2423day\u201d" and row_tip(whole).startswith("The model gave")
