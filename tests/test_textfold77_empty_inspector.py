"""textfold77: at 1024x600 the empty Token inspector took a third of the Text tab's window (340 px), the text 384 px
wide, while nothing was inspected. A window narrower than the default first one (1088 px on a 1280x800 screen) now
gives the empty panel its narrow form's width until a token is inspected; a panel shown by hand or a width dragged
by hand is the person's and stays; 1088x680 is as it was. pytest-qt on the real window, tiny GPT-2, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.gui.view_toolbar import INSPECTOR_LEAST, PANEL_WIDTHS  # noqa: E402
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


def side_width(window) -> int:
    return window.splitter.sizes()[2]


def click_a_token(window, index: int = 3) -> None:
    """As a click on the heatmap's token ``index`` does."""
    heatmap = window.text_view.heatmap
    heatmap.select_token(index)
    window.show_text_token(index, heatmap.records[index])
    settle()
    settle()


def test_at_1024_the_inspector_keeps_its_narrow_form_and_a_token_click_moves_nothing(window, qtbot):
    """usertest55: widening to 340 px on the first click moved the text and its buttons 100 px under the
    pointer (a click meant for New pressed Edit)."""
    sized(qtbot, window, 1024, 600)
    assert window.inspector.record is None and window.side_tabs.isVisible()
    assert side_width(window) == INSPECTOR_LEAST, f"the empty inspector took {window.splitter.sizes()}"
    text_width = window.text_view.heatmap.viewport().width()
    new_button = window.text_view.bar.new_button
    before = new_button.mapTo(window, new_button.rect().topLeft())
    click_a_token(window)
    settle()
    assert window.inspector.record is not None
    assert side_width(window) == INSPECTOR_LEAST, "the inspected token is shown in the narrow form"
    assert window.text_view.heatmap.viewport().width() == text_width
    assert new_button.mapTo(window, new_button.rect().topLeft()) == before, "New stays under the pointer"


def test_the_default_first_window_keeps_the_panel_at_its_width(window, qtbot):
    sized(qtbot, window, 1088, 680)  # the first start's size on a 1280x800 screen
    assert window.inspector.record is None
    assert side_width(window) == PANEL_WIDTHS[2]


def test_chat_mode_keeps_its_empty_inspector_at_its_width(window, qtbot):
    window.set_mode("chat")
    sized(qtbot, window, 1024, 600)
    assert side_width(window) == PANEL_WIDTHS[2]


def test_a_panel_the_person_showed_keeps_its_width(window, qtbot):
    toggle = window.panel_actions["side_tabs"]
    sized(qtbot, window, 1024, 600)
    toggle.trigger()  # hidden by hand
    settle()
    toggle.trigger()  # and shown again: theirs, at its width
    settle()
    settle()
    assert window.side_tabs.isVisible() and window.inspector.record is None
    assert side_width(window) == PANEL_WIDTHS[2]


def test_a_width_the_person_dragged_stays(window, qtbot):
    sized(qtbot, window, 1280, 800)
    splitter = window.splitter
    splitter.moveSplitter(splitter.width() - 300, 2)  # as a drag of the side panel's handle does
    settle()
    dragged = window.panel_fitter.widths[2]
    assert dragged != PANEL_WIDTHS[2]
    sized(qtbot, window, 1024, 600)
    assert side_width(window) == dragged, "a width dragged by hand is the person's"
