"""`history ID --tokens` writes each token as the window does (core/token_words): its text with blanks and
invisible characters marked by ``token_label`` and its probability by ``token_percent``. The CLI had a copy of
its own: a no-break space showed as a blank, a probability of 0.012% as "0.0%", and a near tie the window tells
apart ("26.49%" beside "26.48%") as one figure."""

from __future__ import annotations

import math

from desktop_app.cli.store_cmds import answer_tokens_text
from desktop_app.core.records import Alternative, TokenRecord
from desktop_app.core.token_words import token_label, token_percent, tooltip_html


def _record(token_id: int, text: str, prob: float, top=()) -> TokenRecord:
    return TokenRecord(id=token_id, text=text, logprob=math.log(prob), rank=1, entropy=1.0, top=tuple(top))


def _rows(records) -> list[str]:
    listing = answer_tokens_text({"id": 7, "text": "", "token_ratings": {}}, records)
    return listing.splitlines()[2:]  # under the heading and the columns' names


def test_a_token_s_text_in_the_listing_is_the_window_s_label():
    records = [_record(1, "\u00a0cat", 0.5), _record(2, "a\rb", 0.25), _record(3, " dog\n", 0.125)]
    rows = _rows(records)
    for row, record in zip(rows, records):
        assert row.endswith(f"\u201c{token_label(record.text)}\u201d"), row
    assert "\u237dcat" in rows[0] and "a\\rb" in rows[1] and "\u2423dog\u21b5" in rows[2]


def test_a_token_s_probability_in_the_listing_is_the_window_s_figure():
    small = _record(1, "x", 0.00012)
    near_tie = _record(2, "y", 0.2649, top=[Alternative(3, "z", 0.2648), Alternative(2, "y", 0.2649)])
    rows = _rows([small, near_tie])
    assert rows[0].split()[1] == token_percent(small) == "0.012%"  # the listing had said "0.0%"
    assert rows[1].split()[1] == token_percent(near_tie) == "26.49%"  # the tooltip's rows tell it from 26.48%
    assert f"probability {token_percent(near_tie)}" in tooltip_html(near_tie)
