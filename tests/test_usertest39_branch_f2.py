"""usertest39, a writer in the Text tab: F2 on a branch in the outline did nothing (it renames a conversation
and an adapter). pytest-qt, offscreen, the real window on the tiny model."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QInputDialog, QMenu  # noqa: E402

from desktop_app.core import text_branches as tb  # noqa: E402
from desktop_app.gui.shortcuts import shortcuts_html  # noqa: E402
from gui_windows import STORY, WAIT_MS, window_with_text  # noqa: E402


def _answer_rename(seen: list, name: str) -> None:
    """Types ``name`` into the rename dialog once it is up and presses OK, noting its field's first words."""
    def answer():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QInputDialog):
            QTimer.singleShot(50, answer)
            return
        seen.append(dialog.textValue())
        dialog.setTextValue(name)
        dialog.accept()

    QTimer.singleShot(50, answer)


def _settle(window) -> None:
    window.chat.tasks.store.wait()
    QApplication.processEvents()


def test_f2_on_a_branch_in_the_outline_renames_it(qtbot, qapp, tiny_model_dir):
    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as window:
        with qtbot.waitSignal(window.text.continued, timeout=WAIT_MS):
            window.text_view.continue_button.click()
        _settle(window)
        panel = window.text_view.branch_panel
        (branch,) = [b["id"] for b in tb.branches(window.text.store, window.text.document_id)]
        panel.outline.setCurrentItem(panel.item_for(branch))
        panel.outline.setFocus()
        seen = []
        _answer_rename(seen, "Calm sea")
        qtbot.keyClick(panel.outline, Qt.Key.Key_F2)
        assert seen, "F2 on the selected branch opened no rename dialog"
        _settle(window)
        assert tb.get_branch(window.text.store, branch)["title"] == "Calm sea"
        assert panel.item_for(branch).text(0) == "Calm sea"
        panel._menu(panel.outline.visualItemRect(panel.item_for(branch)).center())
        menu = panel.findChildren(QMenu)[-1]
        rename = next(action for action in menu.actions() if action.text() == "Rename\u2026")
        menu.close()
        assert rename.shortcut().toString() == "F2", "the menu shows the key beside Rename…"
        assert "or Text branch" in shortcuts_html(), "F1's list of keys names it"


def test_f2_on_the_main_text_asks_nothing(qtbot, qapp, tiny_model_dir):
    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as window:
        panel = window.text_view.branch_panel
        panel.outline.setCurrentItem(panel.item_for(None))
        panel.outline.setFocus()
        asked = []
        panel.rename = lambda branch_id, title=None: asked.append(branch_id)  # no dialog to answer if it came
        qtbot.keyClick(panel.outline, Qt.Key.Key_F2)
        assert asked == [], "the main text has no name to give"
