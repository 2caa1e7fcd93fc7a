"""leftovers64: at 640x480 a notice over the chat kept to one line only where it had a button (the first
start's "Choose a model…"); an answer's notice, or any other without one, took two lines and roomier margins,
and the chat's transcript kept two or three lines of the answer under it. In a window under 600 px high every
notice keeps to one line (cut after a word, its whole a hover or a click away); at 1280x800 it shows whole, and
an error keeps its lines. pytest-qt on the real window, tiny GPT-2, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from test_gui import make_window  # noqa: E402,F401
from test_small40_short_window import settle  # noqa: E402

LONG_NOTICE = ("The 4 oldest turns of this conversation were left out of the model's input: with them the prompt "
               "was longer than the model's context window of 1,024 tokens, so the answer reads only the newer ones.")


def _shown(window, size, text, kind="info"):
    window.resize(*size)
    settle(10)
    window.notice_banner.show_message(text, kind)
    settle(10)
    return window.notice_banner


def test_at_640x480_a_notice_without_a_button_keeps_to_one_line(make_window, qtbot):
    window = make_window()
    banner = _shown(window, (640, 480), LONG_NOTICE)
    label, line = banner.label, banner.label.fontMetrics().lineSpacing()
    assert label.max_lines == 1 and label.height() < 2 * line, f"the notice is {label.height()} px high"
    assert banner.height() <= banner.compact_height(), f"the banner is {banner.height()} px high"
    assert label.cut_text is not None and label.toolTip() == LONG_NOTICE, "the whole a hover away"
    assert label.text() == LONG_NOTICE, "the text itself stays whole"
    qtbot.mouseClick(label, Qt.MouseButton.LeftButton)
    settle()
    assert label.expanded and label.height() > 2 * line, "a click shows all of it"


def test_at_1280x800_the_notice_shows_whole_and_an_error_keeps_its_lines(make_window):
    window = make_window()
    banner = _shown(window, (1280, 800), LONG_NOTICE)
    assert banner.label.cut_text is None and banner.label.height() > banner.label.fontMetrics().lineSpacing() * 1.5
    error = window.error_banner
    window.resize(640, 480)
    settle(10)
    error.show_message(LONG_NOTICE, "error")
    settle(10)
    assert error.label.max_lines > 1, "an error says what to do: its lines stay"
