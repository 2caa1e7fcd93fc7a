"""usertest15: a text opened in the Text tab shows its words at once, plain, until the analysis
colours them (pytest-qt, offscreen, the tiny model, a real store)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from gui_windows import STORY, WAIT_MS, opened_window, text_opened  # noqa: E402


@pytest.fixture
def window(qtbot, qapp, tiny_model_dir):
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=8, seed=5) as window:
        window.set_mode("text")
        yield window


def test_an_opened_text_shows_its_words_before_its_colours(window, qtbot):
    """User test 15 reopened the app in the Text tab and looked at an empty framed box for ~25 s
    (the model loading, then the analysis) where the text had been."""
    view = window.text_mode.view
    seen = []  # (the heatmap's text, its token count) as the text opens, before any analysis
    window.text.opened.connect(lambda _doc: seen.append((view.heatmap.toPlainText(), len(view.heatmap.records))))
    with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):
        assert view.new_document(STORY, title="Lighthouse")
    text_opened(qtbot, window)
    assert seen and seen[0] == (STORY, 0), seen
    assert view.heatmap.records, "then the analysis colours it"
