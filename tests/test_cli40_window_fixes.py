"""User test 16's smaller window findings: the status bar's tokens/s of the model before a switch;
the "opened in Text mode" banner that stayed in Chat; Settings refusing an out-of-range value in
silence. Real window on the tiny model."""

from __future__ import annotations

from gui_windows import WAIT_MS, answered_window, opened_window


def test_a_model_change_clears_the_last_answers_speed(qtbot, qapp, tiny_model_dir):
    with answered_window(qtbot, qapp, tiny_model_dir) as window:
        assert "tokens/s" in window.speed_label.text()
        with qtbot.waitSignal(window.chat.model_loaded, timeout=WAIT_MS):
            window.load_model(str(tiny_model_dir))
        assert window.speed_label.text() == ""


def test_the_opened_in_text_mode_banner_goes_with_a_switch_to_chat(qtbot, qapp, tiny_model_dir):
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        banner = window.notice_banner
        assert window.text_mode.mode == "text"  # the tiny model has no chat template
        assert banner.isVisible() and "opened in Text mode" in banner.label.text()
        window.text_mode.set_mode("chat")
        qtbot.waitUntil(lambda: not banner.isVisible(), timeout=WAIT_MS)
