"""A token the model gave a tiny chance reads as that chance, not "0.0%": usertest 25 clicked " Ton"
(of "Tonight", after "under his boots.") and the inspector and the status bar said "probability 0.0%",
while the Surprises list had "0.012%" for the same token. Every view of a token's figure now gives two
significant digits where its decimals round to nothing, as the Surprises list (core.percent_words) does.
The figures are the lighthouse text's, on the bundled model."""

from __future__ import annotations

import math

import pytest

pytest.importorskip("PySide6")

TON = [(" He", 0.286), ("\n", 0.197), (" The", 0.050), (" His", 0.041), (" But", 0.039), (" It", 0.030),
       (" And", 0.022), (" One", 0.019), (" When", 0.018), (" There", 0.015)]


def ton():
    from desktop_app.core.records import Alternative, TokenRecord

    top = tuple(Alternative(i, text, p) for i, (text, p) in enumerate(TON))
    return TokenRecord(id=99, text=" Ton", logprob=math.log(0.000123), rank=182, entropy=3.2, top=top)


def test_the_inspector_the_status_bar_and_the_tooltip_say_its_chance(qtbot):
    from desktop_app.gui.inspector import InspectorPanel
    from desktop_app.core.token_words import token_percent, token_status_words, tooltip_html

    record = ton()
    assert token_percent(record) == "0.012%"
    assert "p=0.012%" in token_status_words(39, record)
    assert "probability 0.012%" in tooltip_html(record)
    inspector = InspectorPanel()
    qtbot.addWidget(inspector)
    inspector.show_token(None, 39, record, can_branch=True)
    assert inspector.stat_values["probability"].text() == "0.012%"
    assert inspector.chart.percents()[-1] == "0.012%"


def test_figures_the_decimals_tell_apart_keep_their_decimals():
    from desktop_app.core.token_words import percent_texts

    texts, tied = percent_texts([0.2649, 0.2648, 0.05, 0.0])
    assert texts == ["26.49%", "26.48%", "5.0%", "0.0%"] and tied == [False] * 4  # the decimals only where needed


def test_a_chance_rounding_up_to_the_next_decade_keeps_two_digits():
    from desktop_app.core.percent_words import percent
    assert percent(0.0000998) == "0.010%"  # read "0.0100%" in the inspector's "How likely was…"
    assert percent(0.00998) == "1.0%"
    assert percent(0.0000123) == "0.0012%"
    assert percent(0.0999 / 100) == "0.10%"
