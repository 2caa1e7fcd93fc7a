"""usertest15: "Continue with “…” instead" under "Why this token?" leaves the keyboard focus in
the prompt box, as the inspector's own branch button does (pytest-qt, offscreen, the tiny model)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from test_gui_explain import WAIT_MS, window  # noqa: E402,F401


def test_continue_with_the_runner_up_leaves_the_focus_in_the_prompt_box(window, qtbot):
    """User test 15: after the branch the focus ring sat on the "Colour by" box, since the button
    that had it went away with the inspector's token."""
    from test_gui_explain import _explain

    _card, view = _explain(qtbot, window, 3)
    view.runner_up_button.setFocus()
    assert window.focusWidget() is view.runner_up_button
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
        qtbot.mouseClick(view.runner_up_button, Qt.MouseButton.LeftButton)
    assert window.focusWidget() is window.prompt, window.focusWidget()
