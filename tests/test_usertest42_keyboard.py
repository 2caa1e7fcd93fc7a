"""A keyboard-only user on a laptop screen (usertest42). pytest-qt, the real window on the tiny model, the real store.

Up / Down in an answer's text reach the answer above / below: only the newest answer sat near the prompt in the
Tab order, and an older one (to rate or read in the inspector) was a walk round the whole window away. The Text tab's
status bar note of a continuation cut at the limit goes when the next one starts."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.core.text_notes import AT_THE_LIMIT  # noqa: E402
from gui_windows import STORY, WAIT_MS, active, ask, not_busy, window_with_text  # noqa: E402
from test_gui import answer_cards, make_window  # noqa: E402,F401
from test_gui_loom import continue_with  # noqa: E402


@pytest.fixture
def text_window(qtbot, qapp, tiny_model_dir):
    """The window with the story analysed in the Text tab, 8 new tokens a continuation."""
    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as window:
        yield window


def test_up_and_down_in_an_answer_reach_the_answers_above_and_below(make_window, qtbot):
    window = active(qtbot, make_window(max_new_tokens=6))
    ask(qtbot, window, "First question")
    ask(qtbot, window, "Second question")
    first, second = answer_cards(window)
    second.view.setFocus(Qt.FocusReason.TabFocusReason)  # where Tab from the prompt lands
    qtbot.waitUntil(second.view.hasFocus, timeout=2000)
    qtbot.keyClick(second.view, Qt.Key.Key_Up)
    assert QApplication.focusWidget() is first.view, "Up: the answer above has the keyboard"
    assert window.cards.selected is first and first.view.selected == 0, "the inspector shows its first token"
    qtbot.keyClick(first.view, Qt.Key.Key_Up)
    assert QApplication.focusWidget() is first.view, "nothing above the first answer: it stays"
    qtbot.keyClick(first.view, Qt.Key.Key_Down)
    assert QApplication.focusWidget() is second.view and window.cards.selected is second
    qtbot.keyClick(second.view, Qt.Key.Key_Down)
    assert QApplication.focusWidget() is window.prompt, "Down from the newest: the prompt, to type on"


def test_up_in_the_empty_prompt_reaches_the_newest_answer(make_window, qtbot):
    """Shift+Tab from the prompt went to the toolbar's far corner; Up in the empty box now goes to the answer above
    it. A draft keeps its Up: the cursor moves in it, nothing is left."""
    window = active(qtbot, make_window(max_new_tokens=6))
    ask(qtbot, window, "First question")
    ask(qtbot, window, "Second question")
    newest = answer_cards(window)[-1]
    window.prompt.setFocus()
    qtbot.keyClicks(window.prompt, "a draft")
    qtbot.keyClick(window.prompt, Qt.Key.Key_Up)
    assert QApplication.focusWidget() is window.prompt, "a draft: Up moves within it"
    window.prompt.clear()
    qtbot.keyClick(window.prompt, Qt.Key.Key_Up)
    assert QApplication.focusWidget() is newest.view and window.cards.selected is newest
    assert window.inspector.isVisible(), "the inspector shows the token the keyboard is on"


def test_up_in_the_text_tabs_heatmap_still_moves_in_its_text(make_window, qtbot):
    """The Text tab's heatmap holds one text: its Up / Down are its own, no answer is stepped to."""
    window = make_window(max_new_tokens=6)
    stepped = []
    window.text_view.heatmap.step_out.connect(stepped.append)
    window.text_view.heatmap.setPlainText("one\ntwo")
    qtbot.keyClick(window.text_view.heatmap, Qt.Key.Key_Up)
    assert stepped == [] and not window.text_view.heatmap.steps_out


def test_a_new_continuation_takes_the_last_ones_limit_note_off_the_status_bar(text_window, qtbot):
    """Regenerate after a continuation cut at Max new tokens: the status bar said "Stopped at Max new tokens …:
    Continue writes on" all the while the new one was written, of a continuation no longer on screen."""
    window, view = text_window, text_window.text_view
    window.popover.seed.setValue(window.popover.seed.minimum())  # "random": a seeded Regenerate says it repeats
    continue_with(qtbot, window, view.continue_button.click)
    qtbot.waitUntil(lambda: not_busy(window), timeout=WAIT_MS)
    limit_note = AT_THE_LIMIT.format(count=window.chat.settings.max_new_tokens)
    assert window.statusBar().currentMessage() == limit_note
    said_at_start = []
    window.text.stream_started.connect(lambda _plan: said_at_start.append(window.statusBar().currentMessage()))
    continue_with(qtbot, window, view.regenerate_button.click)
    assert said_at_start and said_at_start[0] != limit_note, "the old note over the new continuation's writing"
