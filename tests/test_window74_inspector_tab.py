"""window74: a keyboard user walking an answer's tokens (Up from the prompt, Left/Right) had the side panel switch
to the Token tab at every step, even while the Fine-tune tab showed a run in progress. While a run goes on in the
Fine-tune tab in front, the inspector now fills behind it and the Token tab's title bears a dot until it is shown;
with no run, a picked token brings the Token tab as before (pytest-qt, the real window, a real run)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from desktop_app.gui.finetune_side import TOKEN_TAB, UNSEEN_MARK  # noqa: E402
from test_gui import WAIT_MS, make_window  # noqa: E402,F401
from test_usertest26_progress_in_view import started_run  # noqa: E402


def _token_tab_title(window) -> str:
    return window.side_tabs.tabText(window.side_tabs.indexOf(window.inspector))


def test_walking_an_answers_tokens_leaves_a_running_fine_tune_in_front(make_window, qtbot):
    window, panel = started_run(make_window, qtbot)
    window.resize(1024, 600)
    assert window.finetune.running and window.side_tabs.currentWidget() is panel
    window.prompt.setFocus()
    qtbot.keyClick(window.prompt, Qt.Key.Key_Up)  # the newest answer takes the keyboard, its first token shown
    answer = window.transcript.cards[-1].view
    assert answer.hasFocus()
    qtbot.keyClick(answer, Qt.Key.Key_Right)
    assert window.inspector.index == 1, "the inspector follows the keys behind the Fine-tune tab"
    assert window.side_tabs.currentWidget() is panel, "the run's progress stays in front"
    assert _token_tab_title(window) == TOKEN_TAB + UNSEEN_MARK
    window.side_tabs.setCurrentWidget(window.inspector)  # the person opens the Token tab: the dot goes
    assert _token_tab_title(window) == TOKEN_TAB
    with qtbot.waitSignal(window.finetune.finished, timeout=WAIT_MS):
        window.finetune.cancel()
    window.finetune_side.show()
    qtbot.keyClick(answer, Qt.Key.Key_Right)  # no run: the token picked brings its tab, as before
    assert window.inspector.index == 2 and window.side_tabs.currentWidget() is window.inspector
    assert _token_tab_title(window) == TOKEN_TAB


def test_a_click_on_a_token_brings_the_inspector_even_during_a_run(make_window, qtbot):
    """A token pointed at with the mouse is one the person wants to see: the Token tab comes forward, run or not."""
    window, panel = started_run(make_window, qtbot)
    assert window.finetune.running and window.side_tabs.currentWidget() is panel
    answer = window.transcript.cards[-1].view
    point = answer.span_rect(1).center()
    qtbot.mouseClick(answer.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert window.inspector.index == 1 and window.side_tabs.currentWidget() is window.inspector
    assert _token_tab_title(window) == TOKEN_TAB and not answer.picked_by_click
    with qtbot.waitSignal(window.finetune.finished, timeout=WAIT_MS):
        window.finetune.cancel()
