"""leftovers65: an answer card said "0.9 tok/s" while the status bar said "1.0 tokens/s" for the same answer (the
card read the speed kept to two decimals, 0.95, which a float's own rounding shows as 0.9; the bar read the live
0.9512); the Compare window with no adapter said "No adapter…" twice, and marked token-rated answers with "▭", which
reads as the box of a missing glyph. pytest-qt on the real window, tiny GPT-2, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from gui_windows import STORY, WAIT_MS, answered_window, window_with_text  # noqa: E402
from test_gui_ux20_fixes import window  # noqa: E402,F401  (window: a fixture)

from desktop_app.core.speed_words import kept_speed, per_second  # noqa: E402

SPEED_ON_A_ROUNDING_EDGE = 0.9512  # kept as 0.95: a float's ".1f" shows 0.95 as "0.9" and 0.9512 as "1.0"


def test_a_speed_reads_the_same_live_and_as_kept():
    assert kept_speed(SPEED_ON_A_ROUNDING_EDGE) == 0.95
    assert per_second(SPEED_ON_A_ROUNDING_EDGE) == per_second(0.95) == "1.0"
    assert per_second(0.94) == "0.9" and per_second(23.45) == "23.5" and per_second(9.0) == "9.0"


def test_the_answer_card_and_the_status_bar_show_one_speed(qtbot, qapp, tiny_model_dir, monkeypatch):
    from desktop_app.core.generation import Generation

    # the measured speed varies run to run: fixed on the edge where the two readings had parted
    monkeypatch.setattr(Generation, "tokens_per_s", property(lambda self: SPEED_ON_A_ROUNDING_EDGE))
    with answered_window(qtbot, qapp, tiny_model_dir) as window:
        card = [c for c in window.transcript.cards if c.role == "assistant"][-1]
        qtbot.waitUntil(lambda: "tok/s" in card.meta.toolTip())
        assert card.message["settings"]["tokens_per_s"] == 0.95
        assert card.meta.toolTip().splitlines()[0].endswith("\u00b7 1.0 tok/s")  # (the settings follow: usertest69)
        assert window.status.speed_label.text() == "1.0 tokens/s"
        assert "1.0 tokens a second" in window.status.speed_label.toolTip()


def test_compare_without_an_adapter_says_so_once_and_marks_rated_tokens_with_a_sign_the_font_has(qtbot, window):
    from PySide6.QtGui import QFontMetrics
    from PySide6.QtWidgets import QLabel

    from test_leftovers61_window import _rated_long_answer

    answer = _rated_long_answer(window)
    window.chat.store.rate_token(answer, 2, -1)
    window.open_compare(answer)
    dialog = window.compare_dialog
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: "No adapter" in dialog.view.summary.text())
    said = [label.text() for label in dialog.findChildren(QLabel) if label.isVisible() and "adapter" in label.text()]
    assert len([words for words in said if words.startswith("No adapter")]) == 1, said
    combo = dialog.view.answer_combo
    marks = combo.currentText().split("\u201c")[0].split()
    assert len(marks) == 2 and marks[0] == "\u25b2", combo.currentText()  # liked, and tokens of it rated
    tokens_mark = ord(marks[1])
    assert not 0x25A0 <= tokens_mark <= 0x25AF, "a square reads as the box of a glyph the font lacks"
    assert QFontMetrics(combo.font()).inFontUcs4(tokens_mark) and tokens_mark < 0x100, "in every font: Latin-1"


def test_a_tokens_right_click_in_a_640_px_text_tab_shows_the_inspector_without_widening_the_window(
        qtbot, qapp, tiny_model_dir):
    """The side panel's least was the fine-tune panel's 280 px whichever tab was in front: beside the Text tab's
    least (386 px) the inspector a right-click shows widened a 640 px window to 667 px. The Token tab's least is
    the inspector's own; the Fine-tune tab still gets its 280 px."""
    from desktop_app.gui.view_toolbar import INSPECTOR_LEAST, SIDE_LEAST

    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as window:
        view = window.text_view
        with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):
            view.analyse_now(save=False)
        window.panel_actions["side_tabs"].setChecked(False)
        window.resize(640, 480)
        qtbot.waitUntil(lambda: window.size().toTuple() == (640, 480), timeout=WAIT_MS)
        _settle()
        heatmap = view.heatmap
        heatmap.customContextMenuRequested.emit(heatmap.span_rect(3).center())
        menu = window.text_mode.token_menu.last
        try:
            qtbot.waitUntil(lambda: window.side_tabs.isVisible(), timeout=WAIT_MS)
            _settle()
            side = window.side_tabs
            assert window.width() == 640, f"the window grew to {window.width()} px"
            assert side.currentWidget() is window.inspector and side.width() >= INSPECTOR_LEAST
            assert view.bar.width() >= view.bar.minimumSizeHint().width(), "the Text bar fits the room left"
            assert side.width() + view.width() <= window.width(), "neither runs off the window's edge"
        finally:
            menu.close()
        side.setCurrentWidget(window.finetune_panel)
        qtbot.waitUntil(lambda: side.minimumWidth() == SIDE_LEAST, timeout=WAIT_MS)
        _settle()
        assert side.width() >= SIDE_LEAST, "the fine-tune panel keeps its own least width"


def _settle(rounds: int = 20) -> None:
    from PySide6.QtWidgets import QApplication

    for _ in range(rounds):
        QApplication.processEvents()
