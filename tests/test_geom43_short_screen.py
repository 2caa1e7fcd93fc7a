"""An 800x480 screen under a window manager's title bar leaves the window about 455 px: every tab's
least height fits it (the Chat and Text tabs beside the Token or the Fine-tune tab, the first start's
notice shown, before and after a Text continuation), and at that height the controls a person needs
show whole. pytest-qt on the real window, tiny GPT-2, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from gui_windows import STORY, WAIT_MS, window_with_text  # noqa: E402
from test_small40_short_window import settle, shown_whole  # noqa: E402
from test_split36_explain_and_banner import first_start_notice  # noqa: E402

SCREEN_LEFT = 455  # 480 px less openbox's title bar (20) and frame, with a few pixels to spare
SIDE_TABS = ("Token", "Fine-tune")


@pytest.fixture
def short_window(qtbot, qapp, tiny_model_dir, monkeypatch):
    """The window with a text analysed, the first start's notice and the side tabs shown."""
    with window_with_text(qtbot, qapp, tiny_model_dir, STORY * 3) as window:
        window.chat.model_notice.emit(first_start_notice(monkeypatch))
        window.panel_actions["side_tabs"].setChecked(True)
        settle()
        yield window


def least_heights(window) -> dict[str, int]:
    """The window's least height at 800 px wide (the Text tab's narrow, short form: the branches under
    the text) with each of the Chat and Text tabs beside each side tab."""
    heights = {}
    for mode in ("chat", "text"):
        window.set_mode(mode)
        for index, name in enumerate(SIDE_TABS):
            window.side_tabs.setCurrentIndex(index)
            window.resize(800, SCREEN_LEFT)
            settle()
            heights[f"{mode} + {name}"] = window.minimumSizeHint().height()
    return heights


def continue_once(qtbot, window) -> None:
    window.set_mode("text")
    settle()
    with qtbot.waitSignal(window.text.continued, timeout=WAIT_MS):
        window.text_view.continue_button.click()
    qtbot.waitUntil(lambda: not window.text.continuing and "With the model's continuation"
                    in window.text_view.summary_panel.figures.text(), timeout=WAIT_MS)
    settle()


def test_every_tab_fits_455_px_and_a_continuation_leaves_the_text_tab_as_it_was(short_window, qtbot):
    window = short_window
    before = least_heights(window)
    assert all(h <= SCREEN_LEFT for h in before.values()), f"taller than {SCREEN_LEFT} px: {before}"
    continue_once(qtbot, window)
    after = least_heights(window)
    assert after == before, f"a continuation changed the least heights: {before} -> {after}"


def assert_text_controls_whole(window, where: str) -> None:
    view, branches = window.text_view, window.text_view.branch_panel
    for part in (view.continue_button, view.stop_button, view.documents, branches.up_button, branches.down_button,
                 view.regenerate_button, branches.better_button, view.summary_panel.title_row,
                 view.summary_panel.bar, view.summary_panel.export_button, window.notice_banner.action_button):
        assert shown_whole(part, window), f"{where}: {part.accessibleName() or part.text() if hasattr(part, 'text') else part} is cut off"
    line = view.heatmap.fontMetrics().lineSpacing()
    assert view.heatmap_scroll.height() >= 3 * line, f"{where}: the text is {view.heatmap_scroll.height()} px high"
    assert branches.outline.height() >= 2 * branches.outline.sizeHintForRow(0) - 4, f"{where}: the outline's two rows"
    assert shown_whole(window.statusBar(), window), f"{where}: the status bar is cut off"


def test_at_800x455_the_controls_a_person_needs_show_whole_in_every_tab(short_window, qtbot):
    window = short_window
    window.resize(800, SCREEN_LEFT)
    settle()
    assert window.height() == SCREEN_LEFT
    window.set_mode("chat")
    settle()
    for part in (window.prompt, window.send_button, window.stop_button, window.settings_button, window.model_button,
                 window.notice_banner.action_button, window.notice_banner.close_button):
        assert shown_whole(part, window), f"chat: {part.accessibleName() or part} is cut off"
    assert window.transcript.height() >= 60, f"the chat is {window.transcript.height()} px high"
    window.side_tabs.setCurrentIndex(1)  # the Fine-tune tab: its button in view, the panel scrolls for the rest
    settle()
    assert shown_whole(window.finetune_panel.train_button, window), "Fine-tune on my ratings is cut off"
    window.set_mode("text")
    settle()
    assert_text_controls_whole(window, "text")
    continue_once(qtbot, window)
    window.resize(800, SCREEN_LEFT)
    settle()
    assert window.height() == SCREEN_LEFT, f"after a continuation the window is {window.height()} px high"
    assert_text_controls_whole(window, "text after a continuation")
