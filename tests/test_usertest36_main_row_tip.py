"""The branch outline's "mean p" cell of the main text says why it is blank (usertest36: beside the
continuations' "32%" it stood empty, with no tooltip, and read as a figure not worked out yet).
pytest-qt on the real window, tiny GPT-2, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from gui_windows import STORY, window_with_text  # noqa: E402


def test_the_main_texts_mean_p_cell_says_why_it_is_blank(qtbot, qapp, tiny_model_dir):
    from desktop_app.core.branch_words import PERCENT_HEADER

    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as window:
        outline = window.text_view.branch_panel.outline
        assert outline.headerItem().text(1) == PERCENT_HEADER
        main = outline.topLevelItem(0)
        assert main.text(0).startswith("Main text") and main.text(1) == ""
        tip = main.toolTip(1)
        assert "mean probability" in tip and "summary" in tip, repr(tip)
