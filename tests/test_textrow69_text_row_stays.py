"""textrow69: in a short Text tab (1024x640) the row of the text and its branches kept its height from before a
continuation to after it: the summary kept a continued text's room only in a tall tab, and took it as the
continuation began, so the text's row shrank 15 px and TOKEN RANKS, the thumbs and Regenerate rose as much.
pytest-qt on the real window, tiny GPT-2, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gui_windows import WAIT_MS, continued_and_analysed  # noqa: E402
from test_gui_loom import window  # noqa: E402,F401


def rows(window) -> tuple[int, int, int]:
    """(the text row's bottom, the Regenerate row's top, the TOKEN RANKS row's top) in the window."""
    view = window.text_view
    top = lambda widget: widget.mapTo(window, QPoint(0, 0)).y()  # noqa: E731
    return (top(view.lower) + view.lower.height(), top(view.regenerate_button), top(view.summary_panel.title_row))


def settled_rows(qtbot, window) -> tuple[int, int, int]:
    """``rows`` once the layout work queued is done: the same three times running."""
    seen = []

    def same_again() -> bool:
        window.chat.tasks.store.wait()
        QApplication.processEvents()
        seen.append(rows(window))
        return len(seen) >= 3 and seen[-1] == seen[-2] == seen[-3]

    qtbot.waitUntil(same_again, timeout=WAIT_MS)
    return seen[-1]


@pytest.mark.parametrize("size", [(1024, 640), (800, 480)])
def test_the_text_row_keeps_its_height_as_a_continuation_starts_and_ends(window, qtbot, size):
    window.resize(*size)
    view = window.text_view
    before = settled_rows(qtbot, window)
    assert view.summary_panel.short, "a short tab: the one that had given the held line to the text"
    at_start = []
    # connected after the Text tab's own handler: it runs once the tab has taken the held room
    window.text.stream_started.connect(lambda _plan: at_start.append(rows(window)))
    continued_and_analysed(qtbot, window)
    after = settled_rows(qtbot, window)
    assert [before] == at_start and after == before, f"before {before}, at the start {at_start}, after {after}"
