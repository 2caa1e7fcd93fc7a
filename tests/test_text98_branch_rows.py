"""text98: in the Text tab at 1024x600 a branch's words were cut at about 15 characters beside the thumbs
("…in a small no…"). A row whose words are wider than its column now takes two lines (the rest elided at the
second's end), and a renamed branch's tooltip leads with its whole name; under the text (a narrow tab) the
rows keep one line each. (pytest-qt, the real window on the tiny fixture model.)"""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication  # noqa: E402

from gui_windows import STORY, WAIT_MS, window_with_text  # noqa: E402

NAME = "The keeper's second night, when the gulls came"  # 46 characters: a long name a writer gives


def _continued(qtbot, window) -> int:
    with qtbot.waitSignal(window.text.continued, timeout=WAIT_MS):
        window.text_view.continue_button.click()
    with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):
        pass
    QApplication.processEvents()
    return window.text.tree.shown


def _row(panel, branch_id):
    item = panel.item_for(branch_id)
    return item, panel.outline.visualItemRect(item)


def test_a_long_branch_name_takes_two_lines_at_1024x600_and_its_tooltip_says_it_whole(qtbot, qapp, tiny_model_dir):
    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as window:
        window.resize(1024, 600)
        branch = _continued(qtbot, window)
        panel = window.text_view.branch_panel
        panel.rename(branch, NAME)
        panel.rate(1)  # the thumb beside the words, as the writer had it
        qtbot.waitUntil(lambda: not panel.item_for(branch).icon(0).isNull(), timeout=WAIT_MS)
        qtbot.waitUntil(lambda: window.text_view.lower.orientation().name == "Horizontal", timeout=WAIT_MS)
        QApplication.processEvents()
        main, main_rect = _row(panel, None)
        item, rect = _row(panel, branch)
        assert not item.icon(0).isNull(), "the thumb is on the row"
        metrics = panel.outline.fontMetrics()
        assert metrics.horizontalAdvance(item.text(0)) > panel.outline.columnWidth(0) - 40, \
            "the name is wider than one line of the column: the case the writer met"
        assert rect.height() >= 2 * metrics.lineSpacing(), (rect.height(), metrics.lineSpacing())
        assert main_rect.height() < 2 * metrics.lineSpacing() or metrics.horizontalAdvance(main.text(0)) > \
            panel.outline.columnWidth(0) - 20, "a row whose words fit keeps one line"
        assert item.toolTip(0).startswith(f"\u201c{NAME}\u201d"), "the whole name in the tooltip"

        window.resize(640, 600)  # a narrow tab: the branches go under the text, one line a row
        qtbot.waitUntil(lambda: window.text_view.lower.orientation().name == "Vertical", timeout=WAIT_MS)
        qtbot.waitUntil(lambda: _row(panel, branch)[1].height() < 2 * metrics.lineSpacing(), timeout=WAIT_MS)
        window.chat.shutdown()
