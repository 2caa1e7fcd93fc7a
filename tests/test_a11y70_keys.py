"""a11y70: during a fine-tune, a token walked to with the keys fills the inspector behind the Fine-tune tab
(window74); Enter or Space on it now asks to see it, as a click does, and brings the Token tab forward: no key had
brought the token's figures in view without a mouse while a run went on (pytest-qt, the real window, a real run)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from test_gui import WAIT_MS, make_window  # noqa: E402,F401
from test_usertest26_progress_in_view import started_run  # noqa: E402


def test_enter_on_a_token_walked_to_during_a_run_brings_the_inspector(make_window, qtbot):
    window, panel = started_run(make_window, qtbot)
    assert window.finetune.running and window.side_tabs.currentWidget() is panel
    window.prompt.setFocus()
    qtbot.keyClick(window.prompt, Qt.Key.Key_Up)  # the newest answer takes the keyboard
    answer = window.transcript.cards[-1].view
    qtbot.keyClick(answer, Qt.Key.Key_Right)
    assert window.side_tabs.currentWidget() is panel, "walking leaves the run's progress in front (window74)"
    qtbot.keyClick(answer, Qt.Key.Key_Return)
    assert window.inspector.index == 1 and window.side_tabs.currentWidget() is window.inspector
    assert answer.hasFocus() and not answer.picked_by_click, "the keys stay on the answer"
    with qtbot.waitSignal(window.finetune.finished, timeout=WAIT_MS):
        window.finetune.cancel()


def test_tab_from_the_compare_windows_close_reaches_the_answer_picker(qtbot, qapp):
    """The window's scroll area round the view was a Tab stop with no ring between Close and the answer picker."""
    from window_focus_chain import fresh_window

    from desktop_app.gui.compare_dialog import CompareDialog

    window = fresh_window()
    qtbot.addWidget(window)
    dialog = CompareDialog(window.chat.store, window.chat, window)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    dialog.close_button.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(dialog.close_button, Qt.Key.Key_Tab)
    assert dialog.focusWidget() is dialog.view.answer_combo, dialog.focusWidget()
    dialog.close()
    window.close()
    window.chat.store.close()
