"""leftovers58: the Text tab's Surprises list's "Surprisal / uncertainty" header read "Surprisal / unce" at a
1024 px window. pytest-qt on the real window, the tiny GPT-2, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.gui.surprise_words import HEADERS  # noqa: E402
from desktop_app.gui.text_surprises import FIGURES_COLUMN  # noqa: E402
from gui_windows import window_in_text_mode  # noqa: E402,F401 (the window fixture)
from test_inspector46_gui_surprises import TEXT, analysed, opened_list  # noqa: E402


def _cut_headers(table) -> list[str]:
    """The headers of the shown columns that are cut (their section narrower than their text needs)."""
    header = table.header()
    return [HEADERS[c] for c in range(table.columnCount() - 1)
            if not table.isColumnHidden(c) and header.sectionSize(c) < header.sectionSizeHint(c)]


@pytest.mark.parametrize("sizes", [[(1024, 700)], [(800, 600)], [(800, 600), (1024, 700)]],
                         ids=["1024x700", "800x600", "800x600-then-1024x700"])
def test_every_shown_header_of_the_surprises_list_is_whole(window, qtbot, sizes):
    """The list opened at 800x600 leaves the figures' column out; widened to 1024x700 it came back at Qt's
    default width, its header cut in half a word. Every shown column is as wide as its header needs."""
    window.resize(*sizes[0])
    view = window.text_view
    analysed(qtbot, window, TEXT)
    opened_list(qtbot, view)
    for size in sizes[1:]:
        window.resize(*size)
    table = view.surprises.panel.list
    qtbot.waitUntil(lambda: view.surprises.panel.width() >= 600 or sizes[-1] == (800, 600))
    assert table.isColumnHidden(FIGURES_COLUMN) == (sizes[-1] == (800, 600))
    assert _cut_headers(table) == []
    if not table.isColumnHidden(FIGURES_COLUMN):
        header = table.header()
        wanted = header.fontMetrics().horizontalAdvance(HEADERS[FIGURES_COLUMN])
        assert header.sectionSize(FIGURES_COLUMN) > wanted, "'Surprisal / uncertainty' whole"
