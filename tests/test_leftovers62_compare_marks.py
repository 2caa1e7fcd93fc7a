"""Leftovers 62, item 1: the compare view's Answer box showed "▲" before the answer shown with nothing
there saying what it meant (only the opened list's items, or a key of six marks, did). The closed box's
tooltip now starts with the shown item's own words. Real widgets (pytest-qt), the tiny GPT-2 with a
random LoRA, the real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from test_gui import WAIT_MS, make_window  # noqa: E402,F401
from test_gui_compare_window_size_and_wording import stored_answer, wear_random_lora  # noqa: E402


def test_the_answer_box_says_what_the_shown_answers_mark_means(make_window, qtbot, tmp_path):
    window = make_window()
    wear_random_lora(window, qtbot, tmp_path / "adapter")
    liked = stored_answer(window, rating=1)
    disliked = stored_answer(window, " Romeo and Juliet.", rating=-1)
    view = window.open_compare(liked).view
    qtbot.waitUntil(lambda: view.message_id == liked and len(view.values) > 0, timeout=WAIT_MS)
    combo = view.answer_combo
    assert combo.currentText().startswith("\u25b2 ")
    assert combo.toolTip().startswith("\u25b2 You liked this answer"), combo.toolTip()
    assert "All the marks:" in combo.toolTip()
    combo.setCurrentIndex(combo.findData(disliked))
    assert combo.toolTip().startswith("\u25bc You disliked this answer"), combo.toolTip()
