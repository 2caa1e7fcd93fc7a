"""textrow69: the analysis's progress bar (with Cancel) shows over the summary's rank bar, which the analysis fills
anew, and moves nothing: on a row of its own under the summary it had lifted TOKEN RANKS and the Regenerate and
thumbs row above it 30 px as a continuation's analysis began, and dropped them back as it ended.
pytest-qt on the real window, tiny GPT-2, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint, QRect  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gui_windows import STORY, window_with_text  # noqa: E402


def tops(window) -> tuple[int, int]:
    """(the TOKEN RANKS row's top, the Regenerate row's top) in the window."""
    QApplication.processEvents()
    view = window.text_view
    return (view.summary_panel.title_row.mapTo(window, QPoint(0, 0)).y(),
            view.regenerate_button.mapTo(window, QPoint(0, 0)).y())


def settled_tops(qtbot, window) -> tuple[int, int]:
    """``tops`` once the layout work a resize queued is done: the same three times running."""
    seen = []

    def same_again() -> bool:
        seen.append(tops(window))
        return len(seen) >= 3 and seen[-1] == seen[-2] == seen[-3]

    qtbot.waitUntil(same_again)
    return seen[-1]


def area(widget, panel) -> QRect:
    return QRect(widget.mapTo(panel, QPoint(0, 0)), widget.size())


@pytest.mark.parametrize("size", [(1280, 800), (1024, 640), (800, 480)])
def test_the_analysis_progress_moves_nothing(qtbot, qapp, tiny_model_dir, size):
    from desktop_app.core.scoring import ScoreProgress

    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as window:
        window.resize(*size)
        panel = window.text_view.summary_panel
        before = settled_tops(qtbot, window)
        panel.show_progress(ScoreProgress(3, 12))
        during = settled_tops(qtbot, window)
        assert panel.progress_row.isVisible() and panel.progress.value() == 3
        assert during == before, f"moved as the progress showed: {before} -> {during}"
        shown = area(panel.progress_row, panel)
        assert shown.intersects(area(panel.bar, panel)), "over the rank bar the analysis fills"
        assert not shown.intersects(area(panel.figures, panel)), "the figures stay readable"
        assert panel.rect().contains(shown) and shown.width() >= panel.progress_row.minimumSizeHint().width()
        panel.show_progress(ScoreProgress(12, 12))  # the last window done
        assert not panel.progress_row.isVisible()
        assert settled_tops(qtbot, window) == before
