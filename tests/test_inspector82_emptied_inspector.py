"""inspector82, finding 4 (session 62's user test): at 1024x600 the Text tab's inspector, emptied by New text with no
resize, kept its 340 px beside nothing until the window was resized, where an empty one gives way to 240 px
(textfold77). Emptying it fits the panels again. pytest-qt on the real window, tiny GPT-2, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from desktop_app.gui.view_toolbar import INSPECTOR_LEAST, PANEL_WIDTHS  # noqa: E402
from test_small40_short_window import settle  # noqa: E402
from test_textfold77_empty_inspector import click_a_token, side_width, sized, window  # noqa: E402,F401


def test_new_text_gives_the_emptied_inspector_its_narrow_width_again(window, qtbot):
    sized(qtbot, window, 1200, 700)  # wide enough for the panel's whole width, a token inspected there
    click_a_token(window)
    settle()
    assert side_width(window) == PANEL_WIDTHS[2], "an inspected token has the panel's whole width"
    sized(qtbot, window, 1024, 600)  # narrowed: the inspector, token and all, takes its narrow form (usertest55)
    assert side_width(window) == INSPECTOR_LEAST
    qtbot.mouseClick(window.text_view.new_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.inspector.record is None)
    settle()
    settle()
    assert side_width(window) == INSPECTOR_LEAST, f"the emptied inspector kept {window.splitter.sizes()}"


def test_an_emptied_inspector_at_the_default_size_keeps_its_width(window, qtbot):
    sized(qtbot, window, 1088, 680)
    click_a_token(window)
    window.inspector.clear()
    settle()
    settle()
    assert side_width(window) == PANEL_WIDTHS[2]
