"""User test 16's smaller window findings: the status bar's tokens/s of the model before a switch;
the "opened in Text mode" banner that stayed in Chat; Settings refusing an out-of-range value in
silence. Real window on the tiny model."""

from __future__ import annotations

from gui_windows import WAIT_MS, answered_window


def test_a_model_change_clears_the_last_answers_speed(qtbot, qapp, tiny_model_dir):
    with answered_window(qtbot, qapp, tiny_model_dir) as window:
        assert "tokens/s" in window.speed_label.text()
        with qtbot.waitSignal(window.chat.model_loaded, timeout=WAIT_MS):
            window.load_model(str(tiny_model_dir))
        assert window.speed_label.text() == ""
