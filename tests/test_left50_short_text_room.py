"""At 800x600 (the window about 580 px under a title bar) with Surprises open, the text keeps a fair share
of the Text tab: the list shows fewer rows and the summary its least height, so the heatmap shows six
lines (usertest 24 saw about four); at 1280x800 the list keeps its six rows. pytest-qt on the real
window, tiny GPT-2, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from gui_windows import STORY, WAIT_MS, window_with_text  # noqa: E402
from test_small40_short_window import settle  # noqa: E402

from desktop_app.gui.text_surprises import LIST_ROWS, SHORT_LIST_ROWS  # noqa: E402


def lines_shown(view) -> float:
    return view.heatmap_scroll.viewport().height() / view.heatmap.line_pitch()


def whole_lines(view) -> int:
    """The text's lines shown whole from its top (-1: the last one shown is cut in two at the foot)."""
    from PySide6.QtGui import QTextCursor

    heatmap, scroll = view.heatmap, view.heatmap_scroll
    first = heatmap.viewport().mapTo(scroll.widget(), heatmap.cursorRect(QTextCursor(heatmap.document())).topLeft())
    room, pitch, line = scroll.viewport().height() - first.y(), heatmap.line_pitch(), heatmap.fontMetrics().lineSpacing()
    cut = room % pitch
    return -1 if 0 < cut < line else room // pitch + (cut >= line)


def rows_shown(panel) -> float:
    table = panel.list
    return (table.viewport().height()) / table.sizeHintForRow(0)


def test_surprises_leave_the_text_six_lines_at_800x600(qtbot, qapp, tiny_model_dir):
    with window_with_text(qtbot, qapp, tiny_model_dir, STORY * 12) as window:
        view = window.text_view
        view.set_editing(False)
        view.surprises.toggle.setChecked(True)
        qtbot.waitUntil(lambda: view.surprises.panel.list.topLevelItemCount() >= LIST_ROWS, timeout=WAIT_MS)
        window.resize(800, 580)
        settle()
        # text58: the viewport's 6.0 pitches had been 5 whole lines and one cut in two at the branches; the
        # text now ends on a whole line, the cut one's pixels going to the branches under it
        assert whole_lines(view) >= 5 and lines_shown(view) >= 5.5, f"{lines_shown(view):.1f} lines at 800x580"
        assert round(rows_shown(view.surprises.panel)) == SHORT_LIST_ROWS
        view.surprises.toggle.setChecked(False)  # closed, the summary shows whole again
        settle()
        assert not view.summary_scroll.least
        window.resize(1280, 780)
        view.surprises.toggle.setChecked(True)
        settle()
        assert round(rows_shown(view.surprises.panel)) == LIST_ROWS
        assert lines_shown(view) >= 10, f"{lines_shown(view):.1f} lines of the text at 1280x780"
