"""Settings' "value out of range" line ("9 became 3.00") goes once the person types again, once
the field moves off the end it was set to, and when the settings open again; it had stayed until
the settings were reset. Real window, real popover, tiny GPT-2."""

from __future__ import annotations

from PySide6.QtCore import Qt

from gui_windows import opened_window


def type_into(qtbot, field, text: str) -> None:
    field.setFocus()
    field.selectAll()
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def test_the_range_note_goes_with_the_next_edit_and_with_a_reopening(qtbot, qapp, tiny_model_dir):
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        popover, note = window.popover, window.popover.range_note
        popover.popup_above(window.settings_button)
        field = popover.temperature
        type_into(qtbot, field, "9")
        assert note.isVisible() and "9 became 3.00" in note.text()
        qtbot.keyClick(field, Qt.Key.Key_Up)  # still at the end it was set to: the note still holds
        assert note.isVisible()
        field.selectAll()
        qtbot.keyClicks(field, "2")
        assert not note.isVisible(), "typing a value again: the note is about an earlier one"
        qtbot.keyClick(field, Qt.Key.Key_Return)
        assert field.value() == 2.0 and not note.isVisible()
        type_into(qtbot, field, "9")
        assert note.isVisible()
        qtbot.keyClick(field, Qt.Key.Key_Down)
        assert field.value() == 2.95 and not note.isVisible(), "an arrow moved it off the end"
        type_into(qtbot, popover.max_new, "99999")
        assert note.isVisible() and "99999 became 8192" in note.text()
        popover.hide()
        popover.popup_above(window.settings_button)
        assert not note.isVisible(), "opened again: the note was about the last time"
        assert popover.max_new.value() == 8192, "the value it was set to stays"
        popover.hide()
