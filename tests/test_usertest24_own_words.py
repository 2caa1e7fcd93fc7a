"""Known by heart over the model's own continuation (pytest-qt, the real window, the tiny model, records made by
hand as tests/test_inspector47_gui_recited.py makes them): a passage the model wrote itself (Continue, in italics)
was listed as "Known by heart" ("memorised"), though its own sampled words are likely to it by construction
(usertest 24: 19 tokens of its continuation read as a quote it had learnt). Such a passage now says it is the
model's own words, in its row, its tooltip and the line over the list; the person's passages stay as they were."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.core import recited  # noqa: E402
from desktop_app.gui import recited_words  # noqa: E402
from gui_windows import window_in_text_mode  # noqa: E402,F401 (the window fixture)
from test_inspector47_gui_recited import TEXT, analysed, chose_recited, made_records  # noqa: E402


def test_a_passage_the_model_wrote_is_its_own_words_not_known_by_heart(window, qtbot):
    view = window.text_view
    analysed(qtbot, window, TEXT)
    records = made_records()
    found = recited.find_recited(records)
    licence, repeat = found  # known by heart, then a repeat of the person's first words
    assert licence.why == recited.BY_HEART
    written = range(licence.start - 1, licence.stop + 1)  # the model's continuation: the licence and its lines
    view.heatmap.set_records(records, model_written=written)
    QApplication.processEvents()
    chose_recited(qtbot, view)
    table = view.surprises.panel.list
    assert table.topLevelItem(0).text(0) == recited_words.MODEL_WROTE
    assert "so of course it finds them likely" in table.topLevelItem(0).toolTip(0)
    assert table.topLevelItem(1).text(0) == "Repeats line 1"  # the person's text: as before
    headline = view.surprises.panel.words.text()
    assert headline.startswith("2 passages (1 repeating earlier text, 1 of the model's own words)")
    assert "known by heart" not in headline


def test_without_a_continuation_the_words_are_as_before():
    records = made_records()
    licence, _repeat = recited.find_recited(records)
    assert recited_words.why(licence) == "Known by heart"
    assert recited_words.why(licence, written={0, 1}) == "Known by heart"  # a few of the model's tokens elsewhere
