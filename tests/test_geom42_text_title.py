"""The Text tab's picker of texts shows a long title cut after a whole word, with "…": QComboBox
clipped it at its edge, mid-word ("The old lighthouse keepe" at 800 px beside the inspector).
pytest-qt on the real window, tiny GPT-2, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from gui_windows import STORY, window_with_text  # noqa: E402
from test_geom41_notice_cut import cut_at_a_word  # noqa: E402
from test_small40_short_window import settle  # noqa: E402


@pytest.mark.parametrize("width", [800])
def test_a_long_title_is_cut_after_a_word_and_fits(qtbot, qapp, tiny_model_dir, width):
    with window_with_text(qtbot, qapp, tiny_model_dir, STORY * 3) as window:
        window.panel_actions["side_tabs"].setChecked(True)
        window.resize(width, 600)
        settle()
        picker = window.text_view.documents
        title, shown = picker.currentText(), picker.shown_text()
        room = picker._text_width(picker._option())
        assert picker.fontMetrics().horizontalAdvance(title) > room, "the title is long enough to be cut"
        assert cut_at_a_word(shown, title), f"cut mid-word: {shown!r} of {title!r}"
        assert picker.fontMetrics().horizontalAdvance(shown) <= room, f"{shown!r} is wider than the box"
