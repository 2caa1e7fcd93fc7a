"""readme71: README's keys say F2 renames "the selected adapter (history) or Text branch". After Ctrl+Enter the
new branch is selected in the outline while the keyboard stays on the coloured text, and F2 there did nothing (only
the outline took it). pytest-qt, offscreen, the real window on the tiny model."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from desktop_app.core import text_branches as tb  # noqa: E402
from gui_windows import STORY, WAIT_MS, window_with_text  # noqa: E402
from test_usertest39_branch_f2 import _answer_rename, _settle  # noqa: E402


def test_f2_on_the_coloured_text_renames_the_selected_branch(qtbot, qapp, tiny_model_dir):
    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as window:
        view = window.text_view
        view.set_editing(False)
        with qtbot.waitSignal(window.text.continued, timeout=WAIT_MS):
            view.continue_button.click()
        _settle(window)
        (branch,) = [b["id"] for b in tb.branches(window.text.store, window.text.document_id)]
        panel = view.branch_panel
        panel.outline.setCurrentItem(panel.item_for(branch))
        view.heatmap.setFocus()
        seen = []
        _answer_rename(seen, "Calm sea")
        qtbot.keyClick(view.heatmap, Qt.Key.Key_F2)
        assert seen, "F2 on the coloured text opened no rename dialog for the selected branch"
        _settle(window)
        assert tb.get_branch(window.text.store, branch)["title"] == "Calm sea"
