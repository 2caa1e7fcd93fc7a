"""An 800x480 screen under a title bar leaves the window 461 px: the chat's transcript had 138 px of it,
under the View toolbar, the colour key's own row, the first start's notice and a 158 px prompt area. In a
short window the key sits in the toolbar and the prompt area is compact, so the transcript gets 220 px or
more; a taller window keeps the roomy form. pytest-qt on the real window, tiny GPT-2, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from gui_windows import opened_window  # noqa: E402
from test_small40_short_window import settle, shown_whole  # noqa: E402
from test_split36_explain_and_banner import first_start_notice  # noqa: E402

SHORT_CLIENT = (800, 461)  # 800x480 less openbox's 19 px title bar
TRANSCRIPT_AT_LEAST = 220


@pytest.fixture
def window(qtbot, qapp, tiny_model_dir, monkeypatch):
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=6) as w:
        w.set_mode("chat")
        w.chat.model_notice.emit(first_start_notice(monkeypatch))  # the banner a first start shows
        settle()
        yield w


def test_at_800x461_the_transcript_has_220_px_and_the_prompt_row_shows_whole(window):
    window.resize(*SHORT_CLIENT)
    settle()
    assert window.height() == SHORT_CLIENT[1]
    assert window.notice_banner.isVisible()
    assert window.transcript.height() >= TRANSCRIPT_AT_LEAST, f"the chat is {window.transcript.height()} px high"
    assert window.legend.parentWidget() is window.legend_slot, "the key is still on a row of its own"
    assert shown_whole(window.legend.combo, window), "the colour measure's list is cut off in the toolbar"
    for part in (window.prompt, window.send_button, window.stop_button, window.settings_button, window.model_button,
                 window.notice_banner.action_button):
        assert shown_whole(part, window), f"{part.accessibleName() or part} is cut off"
    line = window.prompt.fontMetrics().lineSpacing()
    assert window.prompt.contentsRect().height() >= 2 * line, "the prompt box shows less than two lines"


def test_a_tall_window_keeps_the_key_row_and_the_four_line_box_and_comes_back_to_them(window):
    window.resize(*SHORT_CLIENT)
    settle()
    window.resize(1024, 581)  # 1024x600 under a title bar: roomy
    settle()
    assert window.legend.parentWidget() is not window.legend_slot
    # moved between parents, a widget is hidden until shown again: the key had gone from both places
    # (seen at 1088x680 under openbox after a short moment at start)
    assert window.legend.isVisible() and window.legend.height() > 0, "the key is gone"
    window.resize(*SHORT_CLIENT)
    settle()
    assert window.legend.isVisible() and window.legend.parentWidget() is window.legend_slot, "the key left the toolbar"
    window.resize(1024, 581)
    settle()
    assert window.legend.isVisible(), "the key is gone after a second trip"
    assert window.legend.mapTo(window, window.legend.rect().topLeft()).y() >= window.view_toolbar.height()
    assert window.prompt.height() == 76
    assert window.transcript.height() >= 240, f"the chat is {window.transcript.height()} px high at 1024x581"
