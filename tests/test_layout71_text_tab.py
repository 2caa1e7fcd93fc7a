"""The Text tab's geometry and focus as a person meets them (layout71): opening Surprises at 1280x800 leaves the
"Colour by" row where it was, and the keys list (F1) closed with Esc gives the keys back to where they were.
pytest-qt on the real window, tiny GPT-2, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from gui_windows import STORY, WAIT_MS, active, window_with_text  # noqa: E402
from test_small40_short_window import settle  # noqa: E402
from test_split36_explain_and_banner import first_start_notice  # noqa: E402

from desktop_app.gui.text_surprises import LIST_ROWS  # noqa: E402


def open_surprises(qtbot, view) -> None:
    view.surprises.toggle.setChecked(True)
    qtbot.waitUntil(lambda: view.surprises.panel.list.topLevelItemCount() >= LIST_ROWS, timeout=WAIT_MS)
    settle()


def test_opening_surprises_at_1280x800_leaves_the_colour_key_on_its_row(qtbot, qapp, tiny_model_dir, monkeypatch):
    with window_with_text(qtbot, qapp, tiny_model_dir, STORY * 12) as window:
        window.chat.model_notice.emit(first_start_notice(monkeypatch))  # as at a first start: the notice shows
        window.panel_actions["side_tabs"].setChecked(True)
        view, legend = window.text_view, window.legend
        view.set_editing(False)
        window.resize(1280, 800)
        settle()
        row = legend.parentWidget(), legend.mapTo(window, legend.rect().topLeft()), legend.height()
        open_surprises(qtbot, view)
        settle()
        assert not window.short_window._legend_in_toolbar(), "Surprises moved the colour key into the toolbar"
        assert (legend.parentWidget(), legend.mapTo(window, legend.rect().topLeft()), legend.height()) == row
        assert view.surprises.panel.isVisible() and view.heatmap_scroll.height() >= view.heatmap_scroll.minimumHeight()


def keys_after_f1_and_esc(qtbot, window, target):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    target.setFocus()
    settle()
    assert QApplication.focusWidget() is target
    qtbot.keyClick(target, Qt.Key.Key_F1)
    box = window.shortcuts_box
    qtbot.waitUntil(lambda: box.isVisible() and QApplication.focusWidget() is box.browser, timeout=WAIT_MS)
    qtbot.keyClick(box.browser, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not box.isVisible(), timeout=WAIT_MS)
    settle(20)
    return QApplication.focusWidget()


@pytest.mark.parametrize("where", ["heatmap", "editor", "prompt"])
def test_f1_closed_with_esc_gives_the_keys_back_where_they_were(qtbot, qapp, tiny_model_dir, where):
    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as window:
        view = window.text_view
        active(qtbot, window)
        if where == "prompt":
            window.set_mode("chat")
            target = window.prompt
        else:
            view.set_editing(where == "editor")
            target = view.editor if where == "editor" else view.heatmap
            if where == "heatmap":
                view.heatmap.choose_token(2)  # a token selected: it stays selected, the keys back on the text
        settle()
        assert keys_after_f1_and_esc(qtbot, window, target) is target
        assert window.isActiveWindow()
        if where == "heatmap":
            assert view.heatmap.selected == 2


def test_at_1024x640_surprises_and_the_opened_histograms_close_each_other(qtbot, qapp, tiny_model_dir):
    from test_left50_short_text_room import lines_shown

    with window_with_text(qtbot, qapp, tiny_model_dir, STORY * 12) as window:
        view = window.text_view
        histograms, surprises = view.summary_panel.histograms_button, view.surprises.toggle
        view.set_editing(False)
        window.resize(1024, 640)
        settle()
        histograms.setChecked(True)
        settle()
        open_surprises(qtbot, view)  # the histograms fold: together they had left the text about six lines
        assert not histograms.isChecked() and surprises.isChecked()
        assert lines_shown(view) >= 9, f"{lines_shown(view):.1f} lines of the text with Surprises open"
        histograms.setChecked(True)  # and the other way round
        settle()
        assert not surprises.isChecked() and not view.surprises.panel.isVisible()
        assert lines_shown(view) >= 9, f"{lines_shown(view):.1f} lines of the text with the histograms open"


def test_at_1280x800_surprises_fold_the_histograms_and_closed_give_them_back(qtbot, qapp, tiny_model_dir):
    from test_left50_short_text_room import lines_shown

    with window_with_text(qtbot, qapp, tiny_model_dir, STORY * 12) as window:
        view, summary = window.text_view, window.text_view.summary_panel
        view.set_editing(False)
        window.resize(1280, 800)
        settle()
        assert not summary.short and all(chart.isVisible() for chart in summary.charts)
        open_surprises(qtbot, view)
        assert summary.short and not any(chart.isVisible() for chart in summary.charts)
        assert summary.histograms_button.isVisible()  # one click opens them again, Surprises staying open
        assert lines_shown(view) >= 10, f"{lines_shown(view):.1f} lines of the text with Surprises open"
        view.surprises.toggle.setChecked(False)
        settle()
        assert not summary.short and all(chart.isVisible() for chart in summary.charts)
