"""A short window: the Text tab's parts (the text, the outline, the thumbs row, the summary's title) keep their least height at any
window height the window allows, in Chat and Text mode. pytest-qt on the real window, tiny GPT-2."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gui_windows import STORY, WAIT_MS, not_busy, window_with_text  # noqa: E402
from test_gui import make_window  # noqa: E402,F401
from test_small40_short_window import settle, shown_whole  # noqa: E402
from test_split36_explain_and_banner import first_start_notice  # noqa: E402

SIZES = [(800, 480), (800, 560), (1024, 640), (1280, 800)]


@pytest.fixture
def continued(qtbot, qapp, tiny_model_dir, monkeypatch):
    """The window in Text mode with the story, one continuation, and the first start's notice."""
    with window_with_text(qtbot, qapp, tiny_model_dir, STORY * 3) as window:
        with qtbot.waitSignal(window.text.continued, timeout=WAIT_MS):
            window.text_view.continue_button.click()
        # at rest: the colouring after the continuation, whose words take a row of their own under a narrow bar, done
        qtbot.waitUntil(lambda: not_busy(window), timeout=WAIT_MS)
        window.chat.model_notice.emit(first_start_notice(monkeypatch))
        settle()
        yield window


def text_line(view) -> float:
    """From one line of the heatmap to the next, as its document lays them out (the font's line and
    the gap the token view adds under it)."""
    layout = view.heatmap.document().firstBlock().layout()
    assert layout.lineCount() >= 2, "the story wraps"
    return layout.lineAt(1).y() - layout.lineAt(0).y()


def assert_text_tab_whole(window, where: str) -> None:
    view = window.text_view
    assert view.heatmap_scroll.height() >= 4 * text_line(view), f"{where}: the text is under four lines"
    outline = view.branch_panel.outline
    assert outline.height() >= 2 * outline.sizeHintForRow(0), f"{where}: the outline shows under two rows"
    for part in (view.branch_panel.up_button, view.branch_panel.down_button, view.regenerate_button,
                 view.summary_panel.title_row, view.continue_button):
        assert shown_whole(part, window), f"{where}: {part.accessibleName() or part.objectName() or part} is cut off"


@pytest.mark.parametrize("inspector", [True, False])
def test_the_text_tab_keeps_its_parts_whole_at_every_size(continued, inspector):
    window = continued
    window.panel_actions["side_tabs"].setChecked(inspector)
    for width, height in SIZES:
        window.resize(width, height)
        settle()
        assert window.height() >= height, "the window is never shorter than asked"
        assert_text_tab_whole(window, f"{width}x{height}, inspector {inspector}")


def test_a_notice_opened_whole_in_a_480_px_window_leaves_the_text_tab_whole(continued, qtbot):
    window = continued
    window.panel_actions["side_tabs"].setChecked(True)
    window.resize(800, 480)
    settle()
    label = window.notice_banner.label
    qtbot.mouseClick(label, Qt.MouseButton.LeftButton)
    settle()
    assert label.expanded and label.height() >= label.heightForWidth(label.width()), "the notice shows whole"
    assert_text_tab_whole(window, "800x480, the notice opened")
    qtbot.mouseClick(label, Qt.MouseButton.LeftButton)  # closed again: the window may be made short again
    settle()
    for height in (560, 480):  # dragged shorter
        window.resize(800, height)
        settle()
    assert window.height() <= 520, f"the window stayed {window.height()} px high"
    assert window.notice_banner.compact and label.cut_text is not None
    assert_text_tab_whole(window, "800x480, the notice closed again")


def test_an_error_under_the_notice_leaves_the_text_tab_whole(continued):
    window = continued
    window.panel_actions["side_tabs"].setChecked(True)
    window.resize(800, 480)
    settle()
    window.notices.show_error("The adapter could not be switched. " + "Its folder could not be read. " * 6)
    settle()
    assert window.error_banner.isVisible()
    assert_text_tab_whole(window, "800x480 with an error")


def test_chat_keeps_480_px(make_window, monkeypatch):
    window = make_window()
    window.chat.model_notice.emit(first_start_notice(monkeypatch))
    for width, height in SIZES:
        window.resize(width, height)
        settle()
        assert window.height() == height, f"Chat at {width}x{height} was made {window.height()} px high"
        assert shown_whole(window.send_button, window) and window.transcript.height() >= 130
