"""usertest55: the Text tab's "HTML page (.html)…" shows the model's continuation as the tab and its PNG do, in
italics after an orange bar, and says so under the key: the page had shown a story and what the model wrote after
it as one text. The core page alone, then the real window (pytest-qt, the tiny model, a continuation written)."""

from __future__ import annotations

import re

import pytest

from desktop_app.core.heatmap_html import MODEL_WORDS, heatmap_html
from desktop_app.core.records import TokenRecord
from test_html100_heatmap_html import parsed


def _record(text: str, index: int) -> TokenRecord:
    return TokenRecord(index, text, -0.69, 1, 1.0)


def _classes(page: str) -> list[str]:
    return re.findall(r'<span class="(t[^"]*)"', page)


def test_the_page_marks_the_model_written_tokens_and_says_what_the_marks_mean():
    records = [_record(text, i) for i, text in enumerate(["I", " wrote", " this", ".", " The", " model", " went"])]
    page = heatmap_html(records, title="story", model="gpt2", model_written={4, 5, 6})
    tree = parsed(page)
    assert tree.faults == [] and tree.open == []
    assert _classes(page) == ["t", "t", "t", "t", "t m ms", "t m", "t m"]  # the bar before the first one only
    assert MODEL_WORDS in page and ".t.m{font-style:italic}" in page
    assert MODEL_WORDS not in heatmap_html(records, title="story", model="gpt2")  # nobody's continuation: no note


def test_the_text_tabs_page_shows_the_continuation_in_italics(qtbot, qapp, tiny_model_dir, tmp_path):
    pytest.importorskip("PySide6")
    from gui_windows import STORY, window_with_text
    from test_text36_usertest12 import continued

    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as window:
        continued(qtbot, window)
        tools = window.text_view.analysis_tools
        scored, summary = tools.shown
        path = tools._write("html", str(tmp_path / "story.html"), scored, summary)
        page = path.read_text(encoding="utf-8")
        written = window.text_view.heatmap.model_written
        assert written and MODEL_WORDS in page
        marked = [i for i, classes in enumerate(_classes(page)) if " m" in f"{classes} "]
        assert marked == sorted(written)
