"""textroom76, a novelist's notes: a continuation asked for before the text's first analysis came (Ctrl+Enter as
they stopped typing) let the analysis finish first, and its figures, a line or three more than "Not analysed yet.",
moved the Regenerate and thumbs row under the text up 42 px (661 -> 619 px at 1280x800). Now the summary holds a
continued text's room from the moment the continuation is asked for. pytest-qt on the real window, tiny GPT-2, a
real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QEvent, QPoint  # noqa: E402
from PySide6.QtGui import QTextCursor  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gui_windows import STORY, WAIT_MS, not_busy, opened_window  # noqa: E402
from test_small40_short_window import settle  # noqa: E402


def row_laid_out(window) -> int:
    """Where the Regenerate row is once the layouts asked for are done, and nothing else: no analysis or token
    handed over from the model's thread comes in between (on a fast CPU the analysis had, before the first look)."""
    for _ in range(6):
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
    return window.text_view.regenerate_button.mapTo(window, QPoint(0, 0)).y()


@pytest.mark.parametrize("size", [(1280, 800), (1024, 640)])
def test_the_row_stays_from_the_ask_through_the_first_analysis(qtbot, qapp, tiny_model_dir, size):
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=8, seed=5) as window:
        window.set_mode("text")
        window.resize(*size)
        qtbot.waitUntil(lambda: window.width() == size[0], timeout=WAIT_MS)
        settle()
        view = window.text_view
        assert view.summary_panel.summary is None, "a fresh text: not analysed yet"
        view.editor.setPlainText(STORY)
        view.editor.moveCursor(QTextCursor.MoveOperation.End)
        places = []
        window.text.analysed.connect(lambda *_args: places.append(("analysed", row_laid_out(window))))
        window.text.stream_started.connect(lambda _plan: places.append(("started", row_laid_out(window))))
        with qtbot.waitSignal(window.text.continued, timeout=WAIT_MS):
            view.continue_text()
            places.insert(0, ("asked", row_laid_out(window)))
        qtbot.waitUntil(lambda: not_busy(window), timeout=WAIT_MS)
        for _ in range(4):
            settle()
        places.append(("ended", row_laid_out(window)))
        assert "With the model's continuation" in view.summary_panel.figures.text()
        assert [name for name, _y in places][:1] == ["asked"] and "analysed" in dict(places)
        assert len({y for _name, y in places}) == 1, f"the row moved: {places}"
