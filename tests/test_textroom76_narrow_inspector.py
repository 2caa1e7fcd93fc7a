"""textroom76, a novelist's notes: at 1024x600 the empty Token inspector took a third of the Text tab's width, the
text ~400 px wide and New, Open, Stop and Settings bare icons, while nothing was inspected. Now a window at most
TEXT_FOLDS_EMPTY_INSPECTOR_AT wide folds the side panel in the Text tab until a token is picked, its toggle saying
so; a panel the person showed themselves stays, and 1280x800 is as it was. pytest-qt on the real window, tiny
GPT-2, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from gui_windows import STORY, window_with_text  # noqa: E402
from test_small40_short_window import settle  # noqa: E402


@pytest.fixture
def window(qtbot, qapp, tiny_model_dir):
    with window_with_text(qtbot, qapp, tiny_model_dir, STORY * 3) as window:
        window.set_mode("text")
        window.text_view.set_editing(False)
        yield window


def sized(qtbot, window, width: int, height: int) -> None:
    window.resize(width, height)
    qtbot.waitUntil(lambda: window.width() == width, timeout=10_000)
    settle()
    settle()


def click_a_token(window, index: int = 3) -> None:
    """As a click on the heatmap's token ``index`` does."""
    heatmap = window.text_view.heatmap
    heatmap.select_token(index)
    window.show_text_token(index, heatmap.records[index])
    settle()
    settle()


def test_a_narrow_text_tab_gives_the_empty_inspectors_room_to_the_text(window, qtbot):
    toggle = window.panel_actions["side_tabs"]
    sized(qtbot, window, 1024, 600)
    assert window.inspector.record is None
    assert not window.side_tabs.isVisible() and not toggle.isChecked(), "the empty inspector kept its third"
    assert "Folded to give the text room" in toggle.toolTip()
    text_room = window.text_view.width()
    assert text_room >= window.splitter.width() - 2, f"the Text tab is {text_room} px of {window.splitter.width()}"
    assert window.text_view.bar.new_button.text() == "New", "New, Open, Stop and Settings had been bare icons"
    click_a_token(window)
    assert window.side_tabs.isVisible() and toggle.isChecked(), "a token's click brings the inspector back"
    assert window.inspector.record is not None
    assert "Folded" not in toggle.toolTip()
    sized(qtbot, window, 1000, 600)
    assert window.side_tabs.isVisible(), "shown for a token: it stays as the window narrows"


def test_a_panel_the_person_showed_stays_in_a_narrow_text_tab(window, qtbot):
    toggle = window.panel_actions["side_tabs"]
    sized(qtbot, window, 1024, 600)
    assert not window.side_tabs.isVisible()
    toggle.trigger()  # the person shows it with its toggle
    settle()
    assert window.side_tabs.isVisible() and window.inspector.record is None
    sized(qtbot, window, 1010, 600)
    assert window.side_tabs.isVisible(), "shown by hand: never folded for the text"
    window.set_mode("chat")
    settle()
    window.set_mode("text")
    settle()
    settle()
    assert window.side_tabs.isVisible()


def test_a_width_the_person_dragged_stays(window, qtbot):
    sized(qtbot, window, 1280, 800)
    splitter = window.splitter
    splitter.moveSplitter(splitter.width() - 300, 2)  # as a drag of the side panel's handle does
    settle()
    assert window.panel_fitter.widths[2] != 340
    sized(qtbot, window, 1024, 600)
    assert window.side_tabs.isVisible(), "a width dragged by hand: the panel stays"


def test_the_panel_comes_back_in_a_wide_window_and_1280_is_as_it_was(window, qtbot):
    sized(qtbot, window, 1024, 600)
    assert not window.side_tabs.isVisible()
    sized(qtbot, window, 1280, 800)
    assert window.side_tabs.isVisible() and window.panel_actions["side_tabs"].isChecked()
    assert window.splitter.sizes()[2] == 340, f"the side panel is {window.splitter.sizes()}"
    window.set_mode("chat")
    sized(qtbot, window, 1024, 600)
    settle()
    assert window.side_tabs.isVisible(), "Chat mode keeps its inspector"
