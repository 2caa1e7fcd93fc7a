"""leftovers70: in a short Text tab (1024x640, 800x480) the row of the text and its branches keeps its height from
before a continuation to after it: the summary kept a continued text's room only in a tall tab, and took it as the
continuation began, so the text's row shrank 15 px and TOKEN RANKS, the thumbs and Regenerate rose as much. A short
tab keeps that room too, through a width change of a few px (textrow69's first try, taken back, re-measured it as
the status words widened the tab 2 px). pytest-qt on the real window, tiny GPT-2, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gui_windows import WAIT_MS, not_busy  # noqa: E402
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
    with qtbot.waitSignal(window.text.continued, timeout=WAIT_MS):
        view.continue_button.click()
    qtbot.waitUntil(lambda: "With the model's continuation" in view.summary_panel.figures.text(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not_busy(window), timeout=WAIT_MS)
    after = settled_rows(qtbot, window)
    assert [before] == at_start and after == before, f"before {before}, at the start {at_start}, after {after}"


def test_a_short_tabs_kept_room_stays_through_a_2px_width_change(qtbot):
    """The kept line is not measured again as the tab widens 2 px with its status words: at a width where the
    continued figures wrap a line shorter 2 px wider, the room had shrunk and grown back with the words, moving
    the text and the rows under it (why textrow69's first try was taken back: test_leftovers64_text_status_words)."""
    from PySide6.QtCore import QRect, Qt

    from desktop_app.gui.text_summary import CONTINUED_FIGURES
    from test_textflow68_room_at_width import analysed_panel

    panel = analysed_panel(qtbot, short=True)
    label = panel.figures
    extra = panel.width() - label.contentsRect().width()

    def lines_at(figures_width: int) -> int:
        box = label.fontMetrics().boundingRect(QRect(0, 0, figures_width, 1 << 20), Qt.TextFlag.TextWordWrap,
                                               CONTINUED_FIGURES)
        return box.height() // label.fontMetrics().lineSpacing()

    start = label.contentsRect().width() + 10  # (the panel's least width and more)
    narrow = next(w for w in range(start, start + 400) if lines_at(w) > lines_at(w + 2))  # 2 px wider: a line fewer
    panel.resize(narrow + extra, 300)
    QApplication.processEvents()
    assert label.contentsRect().width() == narrow and not panel.holding
    kept = label.minimumHeight()
    assert kept > 0, "a short tab keeps a continued text's room"
    panel.resize(narrow + extra + 2, 300)  # the status words show
    QApplication.processEvents()
    assert label.minimumHeight() == kept
    panel.resize(narrow + extra + 60, 300)  # a real resize measures it again
    QApplication.processEvents()
    assert label.minimumHeight() < kept
