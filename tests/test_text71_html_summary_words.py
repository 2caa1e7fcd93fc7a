"""text71: the HTML page's summary leads with the Text tab's plain words ("About as predictable as ordinary prose
to the model: mean surprisal …"), said by one function (core.plain_figures.surprise_sentence): the page had kept
the old lead "How surprising the text is to the model:" after the tab's had changed (usertest70)."""

from __future__ import annotations

import html

import pytest

from desktop_app.core.plain_figures import surprise_sentence


def test_the_text_tabs_page_says_the_summary_in_the_tabs_words(qtbot, qapp, tiny_model_dir, tmp_path):
    pytest.importorskip("PySide6")
    from gui_windows import STORY, window_with_text

    from desktop_app.gui.text_summary import NO_BREAK

    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as window:
        tools = window.text_view.analysis_tools
        scored, summary = tools.shown
        page = tools._write("html", str(tmp_path / "story.html"), scored, summary).read_text(encoding="utf-8")
        shown = window.text_view.summary_panel.figures.text()
    words = surprise_sentence(summary)
    assert "How surprising the text is to the model" not in page
    assert html.escape(words) in page
    assert words.split(":")[0].endswith("to the model") and "mean surprisal" in words
    assert words in shown.replace(NO_BREAK, " ")  # the tab shows the same words, its spaces kept from breaking
