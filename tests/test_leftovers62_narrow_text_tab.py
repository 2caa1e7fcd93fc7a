"""Leftovers 62, item 4: the Text tab at 640x480 beside the inspector. The texts' picker had shrunk to the
40 px least width set on it (its arrow, no title), below the room for NARROWEST_TITLE_CHARS its ladder asks;
and the summary was 12 px wider than its room, scrolled sideways with its right end cut and its bar squeezed
to nothing. Now the picker keeps its characters' room, and the summary takes its short title ("RANKS") and
tight margins where the long one does not fit. pytest-qt on the real window, tiny GPT-2, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from gui_windows import STORY, window_with_text  # noqa: E402
from test_small40_short_window import settle  # noqa: E402


def summary_fits(view) -> None:
    from desktop_app.gui.text_summary import BAR_LEAST_IN_TITLE

    scroll, panel = view.summary_scroll, view.summary_panel
    assert panel.width() <= scroll.viewport().width(), f"summary {panel.width()} px in {scroll.viewport().width()}"
    assert scroll.horizontalScrollBar().maximum() == 0, "the summary scrolls sideways"
    assert panel.bar.width() >= BAR_LEAST_IN_TITLE, f"the bar is {panel.bar.width()} px"  # (squeezed to 0 before)


def show_or_hide_the_inspector(window) -> None:
    """As its toggle on the toolbar does (the window widens for it where the screen has room)."""
    window.panel_actions["side_tabs"].trigger()
    settle()
    settle()


def test_a_640_px_text_tab_shows_a_title_and_the_whole_summary(qtbot, qapp, tiny_model_dir):
    from desktop_app.gui.text_bar import NARROWEST_TITLE_CHARS
    from desktop_app.gui.text_summary import SHORT_TITLE, TITLE

    with window_with_text(qtbot, qapp, tiny_model_dir, STORY * 3) as window:
        window.set_mode("text")
        view = window.text_view
        view.set_editing(False)
        window.panel_actions["side_tabs"].setChecked(False)
        window.resize(640, 480)
        settle()
        summary_fits(view)
        assert view.summary_panel.title.text() == TITLE, "room for the long title without the inspector"
        show_or_hide_the_inspector(window)
        assert window.side_tabs.isVisible()
        picker = view.bar.documents
        assert picker.minimumContentsLength() == NARROWEST_TITLE_CHARS
        assert picker.width() >= picker.minimumSizeHint().width(), f"the picker is {picker.width()} px"
        assert len(picker.shown_text().rstrip("\u2026")) >= 3, f"it shows {picker.shown_text()!r}"
        summary_fits(view)
        assert view.summary_panel.title.text() == SHORT_TITLE
        show_or_hide_the_inspector(window)
        assert not window.side_tabs.isVisible()
        summary_fits(view)
        assert view.summary_panel.title.text() == TITLE and view.summary_panel.grid.contentsMargins().left() == 16
