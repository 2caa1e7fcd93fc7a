"""core.recited on hand-made token records: a passage is a long run of the model's first choices (a rare
miss inside kept, a run of misses splitting it, a short or unsure run no passage), and why it was
predictable: it repeats earlier text (in the model's window) or it is known by heart; the segments are
Ruzzo and Tompa's, and the words say the figures the spans hold."""

from __future__ import annotations

import random

import pytest

from desktop_app.core import recited
from desktop_app.core.records import TokenRecord
from desktop_app.gui import recited_words
from helpers import token_record

MISS = ("miss", 0.02, 40)  # (kind, probability, rank)


def record(token_id: int, first_choice: bool, prob: float | None = None, text: str | None = None) -> TokenRecord:
    prob = prob if prob is not None else (0.9 if first_choice else 0.02)
    return token_record(token_id, f" w{token_id}" if text is None else text, prob, top=(),
                        rank=1 if first_choice else 40)


def prose(ids) -> list[TokenRecord]:
    """Tokens the model did not expect (the person's own words)."""
    return [record(i, False) for i in ids]


def recital(ids, misses=()) -> list[TokenRecord]:
    """Tokens the model expected, but for the places in ``misses``."""
    return [record(token, n not in misses) for n, token in enumerate(ids)]


def test_a_long_run_of_first_choices_among_new_words_is_known_by_heart():
    records = prose(range(100, 110)) + recital(range(200, 230)) + prose(range(300, 310))
    [span] = recited.find_recited(records)
    assert (span.start, span.stop, span.tokens) == (10, 40, 30)
    assert span.why == recited.BY_HEART and span.earlier is None and span.copied_share == 0
    assert span.mean_prob == pytest.approx(0.9) and span.first_choice_share == 1.0
    assert span.text == "".join(r.text for r in records[10:40])


def test_the_same_words_pasted_again_repeat_earlier_text_and_say_where():
    words = list(range(500, 530))
    first = prose(words)  # the first time: new to the model
    lines = [record(1, False, text="\n"), record(2, False, text="\n")]
    records = first + lines + prose(range(600, 605)) + recital(words)  # the second time it copies them
    [span] = recited.find_recited(records)
    assert span.why == recited.REPEAT
    assert span.start == 37 and span.stop == 67
    # tokens from the fourth on match four earlier ones: copied
    assert span.copied_share == pytest.approx((30 - (recited.MATCH_TOKENS - 1)) / 30)
    assert span.earlier == 0 and span.earlier_line == 1 and span.line == 3


def test_a_repeat_beyond_the_models_window_is_known_by_heart():
    words = list(range(500, 530))
    records = prose(words) + prose(range(1000, 1300)) + recital(words)  # the copy starts at token 330
    assert recited.find_recited(records)[0].why == recited.REPEAT  # the whole text in view
    assert recited.find_recited(records, window=1024)[0].why == recited.REPEAT  # inside the first window
    # past the first window a token reads at least half a window back: 300 tokens away is out of a 256's reach
    [far] = recited.find_recited(records, window=256)
    assert far.why == recited.BY_HEART and far.earlier is None


def test_a_rare_miss_stays_inside_a_run_of_misses_splits_it():
    ids = list(range(200, 240))
    [one] = recited.find_recited(prose(range(10)) + recital(ids, misses={20}) + prose(range(20, 30)))
    assert one.tokens == 40 and one.first_choice_share == pytest.approx(39 / 40)
    # four misses in a row cost 12, less than either side's 18: one passage (a name inside a licence)
    [kept] = recited.find_recited(prose(range(10)) + recital(ids, misses={18, 19, 20, 21}) + prose(range(20, 30)))
    assert (kept.start, kept.stop) == (10, 50)
    # six cost 18, as much as a side's 17 or more: two
    split = recited.find_recited(prose(range(10)) + recital(ids, misses=set(range(17, 23))) + prose(range(20, 30)))
    assert [(s.start, s.stop) for s in split] == [(10, 27), (33, 50)]


def test_short_unsure_and_blank_runs_are_no_passage():
    assert recited.find_recited(prose(range(10)) + recital(range(200, 211)) + prose(range(20, 30))) == []  # 11
    assert len(recited.find_recited(prose(range(10)) + recital(range(200, 211)), min_tokens=8)) == 1
    unsure = [record(200 + n, True, prob=0.3) for n in range(30)]  # first choices, but at 30%
    assert recited.find_recited(prose(range(10)) + unsure) == []
    blank = [record(7, True, text="    ") for _ in range(30)]  # indentation the model expects: nothing to read
    assert recited.find_recited(prose(range(10)) + blank) == []
    with pytest.raises(ValueError):
        recited.find_recited(blank, min_tokens=0)


def _plain_maximal_segments(scores):
    """Ruzzo and Tompa's algorithm as the paper gives it, searching back one segment at a time."""
    found, total = [], 0.0
    for i, score in enumerate(scores):
        if score <= 0:
            total += score
            continue
        new = [i, i + 1, total, total + score]
        total += score
        while True:
            j = len(found) - 1
            while j >= 0 and found[j][2] >= new[2]:
                j -= 1
            if j < 0 or found[j][3] >= new[3]:
                found.append(new)
                break
            new = [found[j][0], new[1], found[j][2], new[3]]
            del found[j:]
    return [(s[0], s[1]) for s in found]


def test_the_linked_search_finds_the_papers_segments():
    rng = random.Random(47)
    for _trial in range(300):
        scores = [1.0 if rng.random() < rng.choice((0.3, 0.6, 0.8)) else -recited.MISS_COST
                  for _ in range(rng.randrange(1, 200))]
        assert recited.maximal_segments(scores) == _plain_maximal_segments(scores)
    assert recited.maximal_segments([1, 1, -3, 1, 1, 1, -3, -3, 1]) == [(0, 2), (3, 6), (8, 9)]  # 2-3+3 < 3


def test_copy_sources_point_at_the_latest_earlier_match_in_reach():
    ids = [1, 2, 3, 4, 9, 1, 2, 3, 4, 1, 2, 3, 4]
    sources = recited.copy_sources(ids)
    assert sources[:8] == [-1] * 8 and sources[8] == 3 and sources[12] == 8
    assert recited.copy_sources(ids, window=8)[12] == -1  # past the first 8, reach is 4 tokens: 8 is 4 back


def test_the_words_say_the_spans_figures():
    words = list(range(500, 530))
    records = prose(words) + [record(1, False, text="\n")] + recital(words) + prose(range(700, 710)) \
        + recital(range(800, 820))
    repeat, by_heart = recited.find_recited(records)
    assert recited_words.why(repeat) == "Repeats line 1" and recited_words.why(by_heart) == "Known by heart"
    cells = recited_words.cells(records, by_heart)
    assert cells[:4] == ("Known by heart", "20", "90.0%", "100.0%")
    assert cells[4].startswith("w800 w801")
    assert "copies what it has read" in recited_words.row_tip(records, repeat)
    assert "saw it in training" in recited_words.row_tip(records, by_heart)
    assert recited_words.headline([repeat, by_heart], len(records)) == \
        f"2 passages (1 known by heart, 1 repeating earlier text): 50 of {len(records)} tokens"
    assert recited_words.headline([], 40).startswith("No passage")
    assert recited.span_at([repeat, by_heart], by_heart.start + 3) is by_heart
    assert recited.span_at([repeat, by_heart], 0) is None


def test_a_passage_that_begins_with_a_line_break_is_on_the_line_of_its_first_word():
    records = prose(range(10)) + [record(3, True, text="\n")] + recital(range(200, 220))
    [span] = recited.find_recited(records)
    assert span.start == 10 and span.text.startswith("\n")
    assert span.line == 2  # the break ends line 1; its words are on line 2


def test_a_repeat_on_its_own_line_says_earlier_text_not_its_line():
    words = list(range(500, 530))
    one_line = prose(words) + recital(words)  # no line break: the copy starts on the passage's own line
    (repeat,) = recited.find_recited(one_line)
    assert repeat.line == repeat.earlier_line == 1
    assert recited_words.why(repeat) == "Repeats earlier text"
