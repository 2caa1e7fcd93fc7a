"""regress69: the Surprises' new "Likeliest other" column (usertest69) named a piece of a character by what it
decodes to alone, "\ufffd" (\u201c\u2423\ufffd\u201d 63.2% in the Text tab, expected " \ufffd" in analyse), which intl69 had
just taken out of the inspector and the tooltips. It is said as such now. The tiny fixture model scores a real
Japanese text (its characters split over tokens); the cells, the row's tooltip and analyse's lines are read."""

from __future__ import annotations

from desktop_app.core.scoring import score_text
from desktop_app.core.surprises import context, expected_instead, surprise_of


def surprise_expecting_a_piece(tiny_model):
    _ids, records = score_text(tiny_model, "\u65e5\u672c\u306e\u9996\u90fd\u306f\u6771\u4eac\u3067\u3059")
    index = next(i for i, r in enumerate(records) if (e := expected_instead(r)) is not None and "\ufffd" in e.text)
    return records, surprise_of(records, index)


def test_the_likeliest_other_column_says_a_piece_of_a_character(tiny_model):
    from desktop_app.gui import surprise_words

    records, surprise = surprise_expecting_a_piece(tiny_model)
    cells = surprise_words.cells(surprise, context(records, surprise.index))
    likeliest = cells[surprise_words.HEADERS.index("Likeliest other")]
    assert "\ufffd" not in likeliest and "(a piece)" in likeliest, likeliest  # short in the column: its tip says it
    tip = surprise_words.row_tip(surprise)
    assert "\ufffd" not in tip and "(part of a character)" in tip, tip


def test_analyse_s_surprises_say_a_piece_of_a_character(tiny_model):
    from desktop_app.cli.text_cmds import surprises_text

    records, surprise = surprise_expecting_a_piece(tiny_model)
    lines = surprises_text(records, [surprise], "least_likely").splitlines()
    expected = lines[1].split("expected ", 1)[1]
    assert expected.startswith('"') and "(part of a character)" in expected.split('"')[1], lines[1]
