"""loop108 (usertest57): with an adapter in use, the person asked "What is the capital of Italy?" and pressed
Ctrl+Shift+C: Compare opened on the item it had shown last ("✎ your better answer: Jupiter.") instead of the answer
just written. Without a selected answer it now opens on the newest answer of the conversation shown."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from test_gui import WAIT_MS, make_window  # noqa: E402,F401
from test_gui_compare_window_size_and_wording import stored_answer, wear_random_lora  # noqa: E402


def test_ctrl_shift_c_after_a_new_answer_opens_compare_on_it(make_window, qtbot, tmp_path):
    window = make_window()
    wear_random_lora(window, qtbot, tmp_path / "adapter")
    older = stored_answer(window, rating=-1)
    window.chat.store.set_correction(older, " Jupiter.")
    dialog = window.open_compare(older)  # Compare shown on the older item, then closed
    qtbot.waitUntil(lambda: dialog.view.message_id == older and dialog.view.task is None, timeout=WAIT_MS)
    dialog.close()
    window.prompt.setPlainText("What is the capital of Italy?")
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS) as blocker:
        qtbot.mouseClick(window.send_button, Qt.MouseButton.LeftButton)
    new = blocker.args[0]["message_id"]
    assert window.selected_card is None or window.selected_card.message_id != older
    qtbot.keyClick(window, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: window.compare_dialog.isVisible(), timeout=WAIT_MS)
    view = window.compare_dialog.view
    assert view.message_id == new, view.answer_combo.currentText()
    qtbot.waitUntil(lambda: view.task is None, timeout=WAIT_MS)
    window.compare_dialog.close()
