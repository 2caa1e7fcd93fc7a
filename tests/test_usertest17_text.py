"""User test 17's Text mode finding (pytest-qt, the tiny random GPT-2, a real store)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from test_gui_loom import settle, window  # noqa: E402,F401
from test_text36_usertest12 import continued  # noqa: E402


def test_a_branch_with_a_better_continuation_shows_it_in_its_tooltip(window, qtbot):
    # usertest 17: the outline's ✎ said nothing, and its tooltip showed only the model's words, cut
    # mid-word ("She won a Grammy"): where had the better continuation gone?
    panel = window.text_view.branch_panel
    continued(qtbot, window)
    shown = window.text.tree.shown
    window.text.tree.set_correction(shown, " The lamp burned all night.")
    settle(window)
    tip = panel.item_for(shown).toolTip(0)
    assert "\u270e Your better continuation: \u201c The lamp burned all night.\u201d" in tip
    assert tip.startswith(window.text.tree.by_id[shown]["text"][:20])
