"""A token's tooltip lists five alternatives, and more where the fifth ties the ones under it: usertest 25
hovered " said" in a continuation and read "knew 3.6% tie" as the last row, tied with nothing it could
see (" went", 3.6% too, was the sixth). The tooltip now shows the tied rows through; an untied fifth row
still ends it. The figures are the lighthouse continuation's."""

from __future__ import annotations

import math

import pytest

pytest.importorskip("PySide6")

from test_usertest19_tooltip_ties import _tooltip_rows  # noqa: E402

# 16-bit weights give equal probabilities often: " knew" and " went" are one figure, as are " looked" and " could"
SAID = [(" was", 0.1630), (" had", 0.1270), (" would", 0.0680), (" said", 0.0530), (" knew", 0.0360),
        (" went", 0.0360), (" looked", 0.0280), (" could", 0.0280), (" did", 0.0250), (" wanted", 0.0150)]


def record_of(alternatives, written: str):
    from desktop_app.core.records import Alternative, TokenRecord

    top = tuple(Alternative(i, text, p) for i, (text, p) in enumerate(alternatives))
    chosen = next(a for a in top if a.text == written)
    return TokenRecord(id=chosen.id, text=written, logprob=math.log(chosen.prob), rank=4, entropy=4.0, top=top)


def test_a_tie_on_the_last_row_shows_what_it_ties(qtbot):
    from desktop_app.core.token_words import tooltip_html

    rows = _tooltip_rows(tooltip_html(record_of(SAID, " said")))
    assert rows[4:] == ["␣knew 3.6% tie", "␣went 3.6% tie"]


def test_an_untied_fifth_row_ends_the_list(qtbot):
    from desktop_app.core.token_words import tooltip_html

    untied = SAID[:5] + [(" went", 0.0300)] + SAID[6:]
    rows = _tooltip_rows(tooltip_html(record_of(untied, " said")))
    assert len(rows) == 5 and rows[-1] == "␣knew 3.6%"
