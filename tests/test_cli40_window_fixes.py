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


def test_settings_take_a_value_past_the_range_to_its_end_and_say_so(qtbot, qapp, tiny_model_dir):
    from PySide6.QtCore import Qt

    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        popover = window.popover
        popover.popup_above(window.settings_button)
        field = popover.temperature
        assert "From 0.00 to 3.00" in field.toolTip()
        field.setFocus()
        field.selectAll()
        qtbot.keyClicks(field, "9")
        assert field.text() == "9", "the keystroke is not refused"
        qtbot.keyClick(field, Qt.Key.Key_Return)
        assert field.value() == 3.0 and popover.settings().temperature == 3.0
        assert popover.range_note.isVisible()
        assert popover.range_note.text() == "Temperature goes from 0.00 to 3.00: 9 became 3.00."
        popover.hide()
