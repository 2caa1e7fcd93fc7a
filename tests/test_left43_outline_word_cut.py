"""The Text tab's outline cuts a long row after a whole word with "…", as titles and the run card do
("Main text · A story about a lightho…" read as a typo), with the one word-cut helper (core.taught_words.clip_at_word)."""

from __future__ import annotations

import pytest

from desktop_app.core import text_branches as tb
from desktop_app.core.taught_words import clip_at_word


def test_a_branchs_first_words_end_at_a_whole_word():
    text = "The keeper climbed the stairs every evening to light the lamp before the storm."
    assert tb.first_words(text) == clip_at_word(text, tb.FIRST_WORDS) == "The keeper climbed the stairs every evening to\u2026"
    assert tb.first_words("A story about a lighthouse keeper", 24) == "A story about a\u2026"
    assert tb.label({"title": None, "text": text}).endswith(" to\u2026")
    assert tb.first_words("short words") == "short words"


def test_the_outlines_first_row_ends_at_a_whole_word(qtbot, qapp, tiny_model_dir):
    pytest.importorskip("PySide6")
    from gui_windows import STORY, window_with_text

    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as window:
        panel = window.text_view.branch_panel
        assert panel.item_for(None).text(0) == "Main text \u00b7 A story about a\u2026"
