"""html100: "HTML page (.html)…" in the Text tab's Export menu and in a chat answer's export menu writes the
heatmap as a web page, from the real window (pytest-qt, offscreen, the tiny model), the save dialog answered
as a person would."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.core.palette import color_for, css_colours  # noqa: E402
from gui_windows import ask  # noqa: E402
from test_gui import answer_cards, make_window  # noqa: E402,F401  (make_window: a fixture)
from test_gui_text import analysed, text_window  # noqa: E402,F401  (text_window: a fixture)
from test_html100_heatmap_html import parsed  # noqa: E402
from test_usertest49_save_suffix import _answer_the_dialog_with  # noqa: E402

ITEM = "HTML page (.html)\u2026"


def _item(menu):
    found = [action for action in menu.actions() if action.text() == ITEM]
    assert len(found) == 1, [action.text() for action in menu.actions()]
    return found[0]


def _page_of(path, records, measure: str) -> str:
    """The written page, checked: well-formed, one span per record on its colour under ``measure``."""
    text = path.read_text(encoding="utf-8")
    tree = parsed(text)
    assert tree.faults == [] and tree.open == []
    assert [span["text"] for span in tree.spans] == [r.text for r in records]
    for span, record in zip(tree.spans, records):
        assert span["style"].startswith(f"--b:{css_colours(color_for(record, measure))[0]};")
    return text


def test_the_text_tabs_export_menu_writes_the_page(text_window, qtbot, qapp, tmp_path):
    window = text_window()
    analysed(qtbot, window, "The lighthouse <stood> at the edge\n\nof the cliff.")
    window.legend.set_measure("surprisal")  # the page takes the heatmap's measure, as the PNG does
    measure = window.text_view.analysis_tools._measure()
    assert measure == "surprisal"
    seen: list = []
    _answer_the_dialog_with(qapp, str(tmp_path / "lighthouse"), seen)  # typed without .html: it gets it
    with qtbot.waitSignal(window.text_view.analysis_tools.exported, timeout=10_000) as written:
        _item(window.text_view.summary_panel.export_button.menu()).trigger()
    assert seen == ["Export the heatmap as a web page"]
    path = written.args[0]
    assert path.name == "lighthouse.html"
    scored, _summary = window.text_view.analysis_tools.shown
    text = _page_of(path, scored.records, measure)
    assert "&lt;stood&gt;" in text and "scored by tiny-gpt2" in text
    assert f"Saved {path}" in window.statusBar().currentMessage()
    window.close()


def test_an_answers_export_menu_writes_the_page(make_window, qtbot, qapp, tmp_path):
    window = make_window()
    ask(qtbot, window)
    card = answer_cards(window)[-1]
    window.legend.set_measure("rank")
    seen: list = []
    _answer_the_dialog_with(qapp, str(tmp_path / "answer.html"), seen)
    _item(card.export_button.menu()).trigger()
    assert seen == ["Export answer"]
    path = tmp_path / "answer.html"
    text = _page_of(path, card.records, "rank")
    assert "<title>Answer: " in text and "Rank buckets" in text  # the key names the measure
    assert f"Saved {path}" in window.statusBar().currentMessage()
    window.close()
