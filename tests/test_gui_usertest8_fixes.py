"""usertest8's findings (pytest-qt, offscreen, the tiny random GPT-2, the real SQLite store)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication  # noqa: E402

from test_gui import WAIT_MS, answer_cards, ask, make_window  # noqa: E402,F401
from test_gui_finetune_again import rated_and_trained  # noqa: E402
from test_gui_usertest9_panels import recount_ratings  # noqa: E402


def _tab_text(window) -> str:
    return window.side_tabs.tabText(window.side_tabs.indexOf(window.finetune_panel))


# ---------------------------------------------------------------- A6: the counts after a run used them all

def test_after_a_run_used_every_rating_the_tab_and_line_say_nothing_is_new(make_window, qtbot, tmp_path):
    window = make_window(max_new_tokens=6)
    run, _adapter = rated_and_trained(qtbot, window, tmp_path)
    assert _tab_text(window) == "Fine-tune", "it read 'Fine-tune (3)' though run 1 used all 3"
    text = window.finetune_panel.ready_label.text()
    assert f"Nothing new since run {run}" in text and "3 examples ready" not in text
    assert f"Run {run} used all of them" in text

    store = window.chat.store
    store.rate_message(ask(qtbot, window, "Again?")["message_id"], 1)
    recount_ratings(qtbot, window)
    assert _tab_text(window) == "Fine-tune (1 new)"
    assert f"1 new rating or better answer since run {run}" in window.finetune_panel.ready_label.text()


def test_after_a_restart_the_tab_still_counts_what_is_new(make_window, qtbot, tmp_path):
    window = make_window(max_new_tokens=6)
    rated_and_trained(qtbot, window, tmp_path)
    window.chat.shutdown()
    window.close()
    again = make_window(max_new_tokens=6)  # the same data folder: a restart
    qtbot.waitUntil(lambda: "since run" in again.finetune_panel.ready_label.text(), timeout=WAIT_MS)
    assert _tab_text(again) == "Fine-tune"
    assert "Nothing new since run" in again.finetune_panel.ready_label.text()


# ---------------------------------------------------------------- C1: a right-clicked token is shown too

def test_a_right_clicked_answer_token_shows_in_the_inspector(make_window, qtbot):
    window = make_window(max_new_tokens=6)
    ask(qtbot, window)
    card = answer_cards(window)[-1]
    assert window.inspector.index != 2
    card.rating._menu(card.view.span_rect(2).center())
    card.rating._last_menu.close()
    assert card.view.selected == 2
    assert window.side_tabs.currentWidget() is window.inspector
    assert window.inspector.index == 2 and window.inspector.record == card.records[2]


def test_a_right_clicked_text_token_shows_in_the_inspector(qtbot, qapp, tiny_model_dir):
    from gui_windows import STORY, window_with_text

    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as window:
        view = window.text_view
        with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):
            view.analyse_now(save=False)
        heatmap = view.heatmap
        index = len(heatmap.records) // 2
        window.text_mode.token_menu.show(heatmap.span_rect(index).center())
        window.text_mode.token_menu.last.close()
        assert heatmap.selected == index
        assert window.inspector.index == index and window.inspector.record == heatmap.records[index]


# ---------------------------------------------------------------- A5: a click picks the token pressed

def test_a_click_picks_the_token_pressed_though_the_card_reflowed_before_the_release(make_window, qtbot):
    from PySide6.QtCore import Qt

    window = make_window(max_new_tokens=8)
    ask(qtbot, window)
    view = answer_cards(window)[-1].view
    point = view.span_rect(2).center()
    assert view.index_at(point) == 2
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    view.document().setDocumentMargin(60)  # the card reflows under the pointer (as when the answer ends)
    QApplication.processEvents()
    assert view.index_at(point) != 2, "the reflow moved token 2 away from the pointer"
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert view.selected == 2 and window.inspector.index == 2
