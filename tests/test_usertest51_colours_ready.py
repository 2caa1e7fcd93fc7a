"""usertest51: a writer pasted a paragraph into the Text tab; it was analysed (the figures came below the text)
but the text stayed plain in the editor, and nothing said where its colours were. Once analysed while the
editor shows, the window's status bar says Done editing (Ctrl+E) shows them, and stops once they show. pytest-qt,
offscreen, the tiny model, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from test_gui_text import analysed, text_window  # noqa: E402,F401  (text_window: a fixture)

TEXT = "The lighthouse stood at the edge of the cliff."


def test_an_analysed_text_in_the_editor_says_where_its_colours_are(text_window, qtbot):
    window = text_window()
    view = window.text_view
    view.set_editing(True)
    analysed(qtbot, window, TEXT)
    said = window.statusBar().currentMessage()
    assert view.editing and "Done editing (Ctrl+E)" in said and "colours" in said, said
    from desktop_app.core.token_words import STATUS_SAMPLE

    assert len(said) <= len(STATUS_SAMPLE), "a longer message would step the status bar's stage aside"
    view.set_editing(False)
    assert "Ctrl+E" not in window.statusBar().currentMessage(), "the colours show: the words would point at nothing"


def test_an_analysis_shown_coloured_says_nothing_of_ctrl_e(text_window, qtbot):
    window = text_window()
    view = window.text_view
    view.set_editing(True)
    analysed(qtbot, window, TEXT)
    view.set_editing(False)
    with qtbot.waitSignal(window.text.analysed, timeout=60_000):
        view.set_editing(True)
        view.editor.setPlainText(TEXT + " It was")
        view.set_editing(False)  # leaving the editor analyses the edit at once
    assert not view.editing and "Ctrl+E" not in window.statusBar().currentMessage()


def test_a_continuations_thumb_says_it_rates_its_own_words_with_the_text_before_as_context():
    from desktop_app.gui.off_words import rate_continuation_tip

    tip = rate_continuation_tip("good")
    assert tip.startswith("This continuation is good") and "its own words only" in tip
    assert "the branches it grew from" in tip and "does not rate" in tip
