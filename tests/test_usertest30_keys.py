"""Ctrl+R pressed while an answer is written is refused in the status bar ("An answer is being written: wait for
it, or Stop it (Esc), …"); that line goes once the answer ends (usertest30: it stayed its six seconds over the
stopped answer and on into the Text tab, telling the person to wait for nothing). pytest-qt, the real window on
the tiny model, the real store; a continuation's line the same way in the Text tab. There the thumb keys rate the
continuation shown, as Ctrl+R regenerates it."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from desktop_app.gui.off_words import ANSWERING, WRITING  # noqa: E402
from gui_windows import active, ask, window_with_the_story  # noqa: E402,F401 (the text_window fixture)
from test_gui import WAIT_MS, make_window  # noqa: E402,F401


def test_the_refused_keys_busy_line_goes_when_the_answer_ends(make_window, qtbot):
    window = active(qtbot, make_window(max_new_tokens=6))
    ask(qtbot, window)
    window.prompt.setFocus()
    qtbot.keyClicks(window.prompt, "And again")
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
        qtbot.keyClick(window.prompt, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClick(window.prompt, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
        assert window.statusBar().currentMessage().startswith(ANSWERING), "refused while it is written"
    qtbot.waitUntil(window.regenerate_button.isEnabled, timeout=WAIT_MS)
    assert not window.statusBar().currentMessage().startswith(ANSWERING), "a stale 'wait for it' line"


def test_the_refused_keys_busy_line_goes_when_the_continuation_ends(text_window, qtbot):
    window = active(qtbot, text_window)
    controller = window.text_view.controller
    controller.chat.settings.max_new_tokens = 64  # still written when Esc comes: stopped, not cut at the limit
    with qtbot.waitSignal(controller.continued, timeout=WAIT_MS):
        window.text_view.continue_button.click()
        focus = window.focusWidget() or window
        qtbot.keyClick(focus, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
        assert window.statusBar().currentMessage().startswith(WRITING), "refused while it is written"
        qtbot.keyClick(focus, Qt.Key.Key_Escape)
    assert not window.statusBar().currentMessage().startswith(WRITING), "a stale 'wait for it' line"


def test_thumb_keys_in_the_text_tab_rate_the_continuation_shown(text_window, qtbot):
    """usertest30: Ctrl+Shift+Up in the Text tab said "Ctrl+1 for the chat" beside the tab's own thumbs."""
    window = active(qtbot, text_window)
    view, ctrl_shift = window.text_view, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    with qtbot.waitSignal(view.controller.continued, timeout=WAIT_MS):
        view.continue_button.click()
    tree, panel = view.controller.tree, view.branch_panel
    qtbot.waitUntil(panel.up_button.isEnabled, timeout=WAIT_MS)
    shown = tree.shown
    with qtbot.waitSignal(tree.rated, timeout=WAIT_MS):
        qtbot.keyClick(window.focusWidget() or window, Qt.Key.Key_Up, ctrl_shift)
    assert tree.ratings(shown)["thumbs"] == 1 and panel.up_button.isChecked()
    assert window.statusBar().currentMessage().startswith("Rated the continuation shown good")
    with qtbot.waitSignal(tree.rated, timeout=WAIT_MS):  # again: cleared, as a second click
        qtbot.keyClick(window.focusWidget() or window, Qt.Key.Key_Up, ctrl_shift)
    assert tree.ratings(shown)["thumbs"] is None and not panel.up_button.isChecked()
    assert window.statusBar().currentMessage() == "Cleared the rating of the continuation shown"
