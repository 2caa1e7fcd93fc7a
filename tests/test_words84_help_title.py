"""words84 (4): the F1 window's title read "Keyboard shortcuts and figures" while its second tab had become
"What the words and figures mean". Its title, its toolbar button and that button's tip now name both tabs alike."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.gui.figure_words import GLOSSARY_TITLE  # noqa: E402
from desktop_app.gui.shortcuts import HELP_TITLE, ShortcutsDialog  # noqa: E402
from test_gui import make_window  # noqa: E402,F401


def test_the_f1_title_names_both_tabs(qtbot):
    dialog = ShortcutsDialog()
    qtbot.addWidget(dialog)
    title = dialog.windowTitle()
    tabs = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert tabs == ["Keys", GLOSSARY_TITLE]
    assert title == "Keyboard shortcuts and what the words and figures mean"
    assert title.endswith(GLOSSARY_TITLE[0].lower() + GLOSSARY_TITLE[1:])  # the second tab's own words


def test_the_help_button_says_the_same(make_window, qtbot):
    window = make_window(wait=False)
    action = window.help_action
    assert action.text() == HELP_TITLE
    assert action.toolTip() == f"{HELP_TITLE} (F1)"
