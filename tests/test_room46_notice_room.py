"""The first start's notice shows whole only where the chat keeps a readable height beside it
(banner.CHAT_KEEPS_PX), else in its one-line form (cut after a word, "Choose a model…" beside it,
the whole a hover or a click away). At 1024x640 beside both side panels (a 462 px wide chat) the
whole notice had left the transcript 201 px, less than the one line left at 1024x600 (258 px).
The form is chosen from the Chat | Text tabs' height plus the notice's, which the form does not
change: the same window height gives the same form growing or shrinking, with no flicker; the
window's least height counts the one-line form whichever shows. pytest-qt, tiny GPT-2, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.gui.banner import CHAT_KEEPS_PX  # noqa: E402
from test_gui import make_window  # noqa: E402,F401
from test_small40_short_window import settle, shown_whole  # noqa: E402
from test_split36_explain_and_banner import first_start_notice  # noqa: E402


@pytest.fixture
def noticed(make_window, monkeypatch):
    """The window beside both side panels with the first start's notice."""
    window = make_window()
    for panel in ("conversations", "side_tabs"):
        window.panel_actions[panel].setChecked(True)
    window.chat.model_notice.emit(first_start_notice(monkeypatch))
    settle()
    return window


def _sized(window, width: int, height: int):
    window.resize(width, height)
    settle(10)
    return window.notice_banner


def test_at_1024x640_beside_both_panels_the_notice_keeps_to_one_line_and_the_chat_its_room(noticed):
    banner = _sized(noticed, 1024, 640)
    label = banner.label
    assert banner.compact and label.max_lines == 1, "the whole notice would leave the chat too little"
    assert noticed.transcript.height() >= CHAT_KEEPS_PX, f"the chat has {noticed.transcript.height()} px"
    assert label.cut_text is not None and label.cut_text.endswith("\u2026")
    assert label.toolTip() == label.text(), "the whole notice a hover away"
    assert shown_whole(banner.action_button, noticed) and shown_whole(banner.close_button, noticed)


def test_a_click_on_the_one_line_notice_still_opens_it_whole(noticed, qtbot):
    from PySide6.QtCore import Qt

    banner = _sized(noticed, 1024, 640)
    qtbot.mouseClick(banner.label, Qt.MouseButton.LeftButton)
    settle()
    assert banner.label.expanded and banner.label.cut_text is None


@pytest.mark.parametrize("size", [(1280, 800), (1024, 720)])
def test_with_room_to_spare_the_notice_shows_whole_and_the_chat_keeps_its_height(noticed, size):
    banner = _sized(noticed, *size)
    assert not banner.compact and banner.label.cut_text is None, f"cut at {size}"
    assert noticed.transcript.height() >= CHAT_KEEPS_PX


def test_a_wide_chat_shows_the_whole_notice_where_a_narrow_one_does_not(noticed):
    """The rule is the chat's room, not the window's height: without the inspector the notice
    wraps to fewer lines and shows whole at 1024x640."""
    noticed.panel_actions["side_tabs"].setChecked(False)
    banner = _sized(noticed, 1024, 640)
    assert not banner.compact and noticed.transcript.height() >= CHAT_KEEPS_PX


def _forms(window, heights) -> dict[int, bool]:
    forms = {}
    for height in heights:
        banner = _sized(window, 1024, height)
        assert window.height() == height
        compact = banner.compact
        banner._fit()  # fitted again with the form it chose: the same form
        settle()
        assert banner.compact == compact and banner.label.max_lines == (1 if compact else 8), f"flickers at {height}"
        forms[height] = compact
    return forms


def test_the_form_depends_on_the_height_alone_growing_or_shrinking(noticed):
    heights = list(range(600, 800, 8))
    growing, shrinking = _forms(noticed, heights), _forms(noticed, heights[::-1])
    assert growing == shrinking, "the form depends on the way the window was resized"
    switches = sum(growing[a] != growing[b] for a, b in zip(heights, heights[1:]))
    assert switches == 1 and growing[heights[0]] and not growing[heights[-1]], growing


def test_the_least_height_is_the_same_whichever_form_shows(noticed):
    least = {}
    for height in (800, 640):
        banner = _sized(noticed, 1024, height)
        least[banner.compact] = noticed.minimumSizeHint().height()
    assert set(least) == {True, False} and least[True] == least[False], f"least heights {least}"
