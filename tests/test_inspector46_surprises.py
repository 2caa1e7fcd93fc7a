"""core.surprises on the tiny model's real scoring: the two orders rank what they say, next / previous
walk the text's order, and the words say the figures the records hold."""

from __future__ import annotations

import math

import pytest

from desktop_app.core import surprises
from desktop_app.core.records import Alternative, TokenRecord
from desktop_app.core.scoring import score_text
from desktop_app.gui import surprise_words

TEXT = ("The lighthouse keeper counted the waves every night, and every night the sea gave him a "
        "different number. One winter the count came to zero banana, and he wrote it down anyway.")


@pytest.fixture(scope="module")
def records(tiny_model):
    return score_text(tiny_model, TEXT)[1]


def test_least_likely_ranks_the_lowest_probabilities_first(records):
    found = surprises.find_surprises(records, "least_likely", count=8)
    assert len(found) == 8
    probs = [s.prob for s in found]
    assert probs == sorted(probs)  # the least likely first
    listed = {s.index for s in found}
    worst_left = max(r.prob for i, r in enumerate(records) if i not in listed and r.text)
    assert worst_left >= probs[-1]  # nothing left out was less likely than the last listed
    for s in found:  # each figure is its record's
        record = records[s.index]
        assert s.text == record.text and s.rank == record.rank
        assert s.surprisal_bits == pytest.approx(-record.logprob / math.log(2))
        assert s.entropy_bits == pytest.approx(record.entropy / math.log(2))


def test_sure_and_wrong_ranks_surprisal_beyond_the_uncertainty(records):
    found = surprises.find_surprises(records, "sure_and_wrong", count=len(records))
    scores = [s.beyond_expectation_bits for s in found]
    assert scores == sorted(scores, reverse=True)
    first = found[0]
    best = max((-r.logprob - r.entropy) / math.log(2) for r in records if r.text)
    assert first.beyond_expectation_bits == pytest.approx(best)


def test_the_two_orders_tell_an_open_place_from_a_confident_miss():
    """(The tiny model's random weights are unsure everywhere, so its two orders agree: made-up figures.)
    An open place (entropy 8 bits) where the token had 0.1%, and a sure one (0.5 bits) where it had 1%."""
    bits = math.log(2)
    open_place = TokenRecord(id=1, text=" Bob", logprob=math.log(0.001), rank=40, entropy=8 * bits)
    confident_miss = TokenRecord(id=2, text=" Rome", logprob=math.log(0.01), rank=3, entropy=0.5 * bits)
    records = [open_place, confident_miss]
    assert [s.index for s in surprises.find_surprises(records, "least_likely", count=2)] == [0, 1]
    assert [s.index for s in surprises.find_surprises(records, "sure_and_wrong", count=2)] == [1, 0]


def test_the_expected_token_is_the_likeliest_other_one(records):
    for s in surprises.find_surprises(records, "least_likely", count=5):
        record = records[s.index]
        others = [a for a in record.top if a.id != record.id]
        assert s.expected == others[0] and s.expected.prob == max(a.prob for a in others)


def test_next_and_previous_walk_the_text_in_order_and_wrap():
    places = [3, 9, 20]
    assert surprises.step(places, -1, forward=True) == 3
    assert surprises.step(places, -1, forward=False) == 20
    assert surprises.step(places, 3, forward=True) == 9
    assert surprises.step(places, 5, forward=True) == 9
    assert surprises.step(places, 20, forward=True) == 3  # wraps at the end
    assert surprises.step(places, 9, forward=False) == 3
    assert surprises.step(places, 3, forward=False) == 20  # and at the start
    assert surprises.step([], 4) is None


def test_count_follows_the_text_length_and_empty_pieces_are_left_out():
    assert surprises.surprise_count(61) == 6 and surprises.surprise_count(10) == 5
    assert surprises.surprise_count(20_000) == 50
    piece = TokenRecord(id=1, text="", logprob=-20.0, rank=900, entropy=1.0)
    plain = TokenRecord(id=2, text=" a", logprob=-1.0, rank=2, entropy=1.0)
    found = surprises.find_surprises([piece, plain], count=5)
    assert [s.index for s in found] == [1]  # the piece has nothing on screen to point at
    with pytest.raises(ValueError, match="unknown order"):
        surprises.find_surprises([plain], "loudest")


def test_ties_list_the_earlier_token_first():
    same = [TokenRecord(id=i, text=f" w{i}", logprob=-3.0, rank=5, entropy=2.0) for i in range(4)]
    assert [s.index for s in surprises.find_surprises(same, count=3)] == [0, 1, 2]


def test_context_and_the_row_words(records):
    first = surprises.find_surprises(records, "least_likely", count=1)[0]
    before, token, after = surprises.context(records, first.index, before=12, after=12)
    assert token == records[first.index].text and len(before) <= 12 and len(after) <= 12
    assert (before + token + after) in "".join(r.text for r in records).replace("\n", " ")
    cells = surprise_words.cells(first, (before, token, after))
    assert len(cells) == len(surprise_words.HEADERS)
    assert cells[0] == surprise_words.token_in_word(first) and surprise_words.shown_token(token) in cells[0]
    assert f"{first.surprisal_bits:.1f} / {first.entropy_bits:.1f} bits" == cells[3]
    tip = surprise_words.row_tip(first)
    assert f"rank {first.rank:,}" in tip and "It expected" in tip


def test_row_words_for_a_sure_model():
    record = TokenRecord(id=5, text=" banana", logprob=math.log(0.001), rank=812, entropy=0.3,
                         top=(Alternative(7, " year", 0.9), Alternative(5, " banana", 0.001)))
    s = surprises.surprise_of([record], 0)
    assert s.expected.text == " year"
    cells = surprise_words.cells(s, ("every", " banana", " year"))
    assert cells[1] == "0.10%" and cells[2] == "\u201c\u2423year\u201d 90.0%"
    tip = surprise_words.row_tip(s)
    assert "nearly certain" in tip and "more than it expected to be" in tip
    assert surprise_words.headline(6, 61, "sure_and_wrong").startswith("6 of 61 tokens, sure of something else first")
    assert "the first 20,000 tokens" in surprise_words.headline(50, 20_000, "least_likely", whole=90_000)


def test_the_words_around_keep_a_leading_space_outside_the_marks():
    assert surprise_words.in_text("the city every", " banana", " year") == "\u2026the city every \u2039banana\u203a year\u2026"
    assert surprise_words.in_text("end.", "\n", "Next") == "\u2026end.\u2039\n\u203aNext\u2026"


def test_the_cli_lists_the_same_surprises_as_the_core(tiny_model_dir, tmp_path, capsys):
    import json

    from desktop_app.cli import main

    text_file = tmp_path / "night.txt"
    text_file.write_text(TEXT, encoding="utf-8")
    assert main(["analyse", str(text_file), "--model", str(tiny_model_dir), "--device", "cpu", "--precision", "exact",
                 "--json", "--surprises", "4", "--order", "sure_and_wrong"]) == 0
    out = json.loads(capsys.readouterr().out)
    records = [TokenRecord.from_json(r) for r in out["tokens"]]
    expected = surprises.find_surprises(records, "sure_and_wrong", count=4)
    assert [s["index"] for s in out["surprises"]] == [s.index for s in expected]
    assert out["surprises"][0]["expected"]["text"] == expected[0].expected.text
    assert main(["analyse", str(text_file), "--model", str(tiny_model_dir), "--device", "cpu", "--precision", "exact",
                 "--surprises", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("3 most surprising tokens of"))
    listed = surprises.find_surprises(records, "least_likely", count=3)
    assert [line.split()[1] for line in lines[at + 1:at + 4]] == [str(s.index + 1) for s in listed]  # from 1 (cli52)
    assert all("\u2039" in line and "expected" in line for line in lines[at + 1:at + 4])


def test_the_cli_refuses_a_count_under_one_in_words(tiny_model_dir, tmp_path, capsys):
    from desktop_app.cli import main

    text_file = tmp_path / "night.txt"
    text_file.write_text(TEXT, encoding="utf-8")
    assert main(["analyse", str(text_file), "--model", str(tiny_model_dir), "--surprises", "0"]) == 2
    assert "--surprises lists at least 1 token" in capsys.readouterr().err
