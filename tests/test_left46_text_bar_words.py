"""At 1024 px beside the side panel (a Text tab of about 683 px) the Text tab's bar keeps the words of
Edit and Continue, and the Surprises toggle its word (usertest 21: all five buttons were bare icons and
the Surprises toggle a bare magnifier nobody found); at 800 px all are icons, at 1280 px all have words;
the words cost no height. pytest-qt on the real window, tiny GPT-2, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from gui_windows import STORY, window_with_text  # noqa: E402
from test_small40_short_window import settle  # noqa: E402

WORDS = Qt.ToolButtonStyle.ToolButtonTextBesideIcon


def worded(window) -> set[str]:
    """The bar's buttons that show words, by name, and "Surprises" where its toggle does."""
    bar = window.text_view.bar
    names = {b.accessibleName().replace("Done editing", "Edit") for b in bar.labels if b.text()}
    if window.text_view.surprises.toggle.toolButtonStyle() == WORDS:
        names.add("Surprises")
    return names


def sized(window, width: int, height: int) -> set[str]:
    window.resize(width, height)
    settle(10)
    return worded(window)


def test_at_1024_the_main_buttons_and_surprises_keep_their_words(qtbot, qapp, tiny_model_dir):
    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as window:
        toggle = window.panel_actions["side_tabs"]
        toggle.setChecked(False)
        toggle.trigger()  # shown by the person: at its whole width (an empty one narrows at 1024: textfold77)
        window.set_mode("text")
        for height in (700, 580):  # the summary on its own rows, then in a short tab's title row
            assert {"Edit", "Continue", "Surprises"} <= sized(window, 1024, height), f"1024x{height}"
            assert window.text_view.width() < 700  # beside the side panel
        assert sized(window, 800, 600) == set(), "at 800 px the bar and the toggle keep to their icons"
        assert sized(window, 1280, 800) == {"New", "Open", "Edit", "Stop", "Settings", "Continue", "Surprises"}


def test_the_words_kept_at_1024_cost_the_text_tab_no_height(qtbot, qapp, tiny_model_dir):
    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as window:
        window.panel_actions["side_tabs"].setChecked(True)
        window.set_mode("text")
        window.resize(1024, 580)
        settle(10)
        bar = window.text_view.bar
        assert bar.ladder.step == 2 and bar.continue_button.text() == "Continue"
        with_words = (bar.sizeHint().height(), window.minimumSizeHint().height())
        bar._fit(3)  # bare icons, as before
        settle()
        assert (bar.sizeHint().height(), window.minimumSizeHint().height()) == with_words
