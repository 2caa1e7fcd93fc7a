"""A short window (800x560) with the first start's notice keeps the Text tab usable: the notice
compact (its button and its close kept, the rest a click away), the text a sensible height, the
branches' thumbs row in view. pytest-qt on the real window, tiny GPT-2, a real store."""

from __future__ import annotations

import os

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint, QRect, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gui_windows import STORY, WAIT_MS, window_with_text  # noqa: E402
from test_gui import make_window  # noqa: E402,F401
from test_split36_explain_and_banner import first_start_notice  # noqa: E402


def settle(rounds: int = 6) -> None:
    for _ in range(rounds):
        QApplication.processEvents()


def shown_whole(widget, window) -> bool:
    """All of ``widget`` shows: no parent up to the window clips it."""
    if not widget.isVisible():
        return False
    rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if not QRect(parent.mapTo(window, QPoint(0, 0)), parent.size()).contains(rect):
            return False
        parent = parent.parentWidget()
    return True


def shot(window, name: str) -> None:
    """A picture for a person to look at (SMALL40_SHOTS: the folder), nothing asserted."""
    folder = os.environ.get("SMALL40_SHOTS")
    if folder:
        window.grab().save(os.path.join(folder, f"{name}.png"))


@pytest.fixture
def continued(qtbot, qapp, tiny_model_dir, monkeypatch):
    """The window with the story, one continuation, and the first start's notice shown."""
    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as window:
        with qtbot.waitSignal(window.text.continued, timeout=WAIT_MS):
            window.text_view.continue_button.click()
        qtbot.waitUntil(lambda: not window.text.continuing, timeout=WAIT_MS)
        window.chat.model_notice.emit(first_start_notice(monkeypatch))
        settle()
        yield window


@pytest.mark.parametrize("inspector,dark", [(True, False), (False, False), (True, True)])
def test_at_800x560_the_text_keeps_its_height_and_the_thumbs_row_shows(continued, qapp, inspector, dark):
    from desktop_app.gui.theme import apply_theme

    window = continued
    apply_theme(qapp, dark=dark)
    window.panel_actions["side_tabs"].setChecked(inspector)
    window.resize(800, 560)
    settle()
    shot(window, f"800x560_inspector_{inspector}_dark_{dark}")
    view, banner = window.text_view, window.notice_banner
    line = view.heatmap.fontMetrics().lineSpacing()
    assert banner.isVisible() and banner.action_button.isVisible() and banner.close_button.isVisible()
    assert shown_whole(banner.action_button, window) and shown_whole(banner.close_button, window)
    assert banner.height() <= 4 * line + 24, f"the notice took {banner.height()} px of 560"
    assert view.pages.height() >= 4 * line, f"the text is {view.pages.height()} px high"
    assert shown_whole(view.branch_panel.up_button, window), "the thumbs row is cut off"
    assert shown_whole(view.regenerate_button, window), "Regenerate is cut off"
    if inspector:
        label = banner.label
        assert label.cut_text is not None and label.toolTip() == label.text(), "all of it a hover away"


@pytest.mark.parametrize("dark", [False, True])
def test_at_1280x800_the_notice_is_whole_and_the_text_tab_unchanged(continued, qapp, dark):
    from desktop_app.gui.theme import apply_theme

    window = continued
    apply_theme(qapp, dark=dark)
    window.resize(1280, 800)
    settle()
    shot(window, f"1280x800_dark_{dark}")
    view, label = window.text_view, window.notice_banner.label
    assert label.cut_text is None and not window.notice_banner.compact, "a tall window shows the whole notice"
    line = view.heatmap.fontMetrics().lineSpacing()
    assert view.pages.height() >= 10 * line, f"the text is {view.pages.height()} px high"
    assert shown_whole(view.branch_panel.up_button, window) and shown_whole(view.summary_panel.figures, window)
    panel = view.summary_panel
    own = panel.heightForWidth(panel.width())
    assert view.summary_scroll.height() <= own + 2, f"the summary took {view.summary_scroll.height()} px for {own}"


def test_the_notice_opened_whole_at_800x560_leaves_the_text_its_lines_and_scrolls_the_summary(continued, qtbot):
    window = continued
    window.resize(800, 560)
    settle()
    qtbot.mouseClick(window.notice_banner.label, Qt.MouseButton.LeftButton)
    settle()
    shot(window, "800x560_notice_opened")
    view, label = window.text_view, window.notice_banner.label
    assert label.expanded and label.height() >= label.heightForWidth(label.width()), "the person opened it whole"
    line = view.heatmap.fontMetrics().lineSpacing()
    assert view.pages.height() >= 4 * line, f"the text is {view.pages.height()} px high"
    assert shown_whole(view.branch_panel.up_button, window) and shown_whole(view.regenerate_button, window)
    scroll = view.summary_scroll
    assert shown_whole(scroll, window), "the summary's foot is cut off"
    assert shown_whole(view.summary_panel.histograms_button, window), "its title row shows"
    bar = scroll.verticalScrollBar()
    bar.setValue(bar.maximum())
    settle()
    figures, port = view.summary_panel.figures, scroll.viewport()
    foot = figures.mapTo(window, QPoint(0, figures.height())).y()
    assert foot <= port.mapTo(window, QPoint(0, port.height())).y(), "scrolled to its end, the figures' last line shows"


def test_at_800x560_the_chat_keeps_its_room_beside_the_inspector(make_window, monkeypatch):
    window = make_window()
    window.chat.model_notice.emit(first_start_notice(monkeypatch))
    window.panel_actions["side_tabs"].setChecked(True)
    window.resize(800, 560)
    settle()
    shot(window, "800x560_chat")
    banner = window.notice_banner
    assert shown_whole(banner.action_button, window) and shown_whole(banner.close_button, window)
    assert banner.height() <= 3 * banner.label.fontMetrics().lineSpacing() + 24, f"the notice took {banner.height()} px"
    assert window.transcript.height() >= 200, f"the chat is {window.transcript.height()} px high"


def test_a_cut_notice_shows_a_pointing_hand_and_a_whole_one_the_text_cursor(make_window, monkeypatch):
    window = make_window()
    window.chat.model_notice.emit(first_start_notice(monkeypatch))
    label = window.notice_banner.label
    window.resize(800, 560)
    settle()
    assert label.cut_text is not None and label.cursor().shape() == Qt.CursorShape.PointingHandCursor
    window.resize(1280, 800)
    settle()
    assert label.cut_text is None and label.cursor().shape() == Qt.CursorShape.IBeamCursor
